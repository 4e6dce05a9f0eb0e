"""Stress events (contact/law.py): one per partner and collision, one per bounce, one per force-free
re-impact, none for resting or only sliding contacts; geometric contact starts counted beside them."""

import math

import numpy as np

from mfdem.engine.materials import Material
from mfdem.engine.simulation import EVENT_SPEED, Domain, Simulation
from mfdem.engine.walls import PlaneWall
from mfdem.theory import hertz_impact
from tests.engine.helpers import G, sphere_on_plane

R = 1e-3
RHO = 2417.0


def _counts(sim):
    acc = sim.accumulators()
    return (acc["events_particle"] + acc["events_wall"]), (acc["contacts_particle"] + acc["contacts_wall"])


def _pair(material, v_rel, steps_per_contact=100):
    """Two equal spheres just touching, approaching along z at ``v_rel`` (m/s)."""
    mass = RHO * 4 / 3 * math.pi * R**3
    e_star = material.youngs_modulus / (2 * (1 - material.poisson_ratio**2))
    dt = hertz_impact(mass / 2, R / 2, e_star, v_rel).contact_time / steps_per_contact
    sim = Simulation(materials=[material], domain=Domain((-4 * R,) * 3, (4 * R,) * 3), capacity=2, max_radius=R,
                     dt=dt, rolling_model="none", max_walls=0, arch="auto")
    sim.add_particles([[0, 0, R], [0, 0, -R]], R, velocities=[[0, 0, -v_rel / 2], [0, 0, v_rel / 2]])
    return sim


PLASTIC = Material(1e8, 0.3, RHO, yield_pressure=2e6)


def test_a_binary_collision_is_one_event_per_partner():
    sim = _pair(PLASTIC, 2.0)
    sim.step(400)
    v = sim.velocities
    assert v[0, 2] > 0 > v[1, 2]                       # they have bounced apart
    events, starts = _counts(sim)
    assert events.tolist() == [1, 1] and starts.tolist() == [1, 1]


def test_a_force_free_reimpact_inside_the_residual_overlap_is_a_new_event():
    sim = _pair(PLASTIC, 2.0, steps_per_contact=400)
    while abs(sim.forces[0, 2]) > 0 or sim.velocities[0, 2] < 0:    # until the force has fallen to zero
        sim.step(1)
    gap = np.linalg.norm(sim.positions[0] - sim.positions[1])
    assert gap < 2 * R                                  # still overlapping: inside δ_p, force-free
    sim.set_velocities([[0, 0, -0.5], [0, 0, 0.5]])     # push them together again
    sim.step(2000)
    events, starts = _counts(sim)
    assert events.tolist() == [2, 2]                     # the re-impact loads the unloaded contact: an event
    assert starts.tolist() == [1, 1]                     # geometrically it is still the first contact


def test_a_slow_touch_is_a_contact_start_but_no_event():
    sim = _pair(PLASTIC, 0.5 * EVENT_SPEED)
    sim.step(400)
    events, starts = _counts(sim)
    assert events.tolist() == [0, 0] and starts.tolist() == [1, 1]


def test_each_bounce_of_a_sphere_on_a_plate_is_one_event():
    """A plastic sphere dropped on a plate bounces lower and lower and comes to rest: one event per bounce
    whose approach speed reaches the event speed, none for the bounces below it or the resting contact."""
    mat = Material(1e7, 0.3, RHO, yield_pressure=5e4)       # V_y ≈ 0.6 mm/s: e ≈ 0.26 at 0.25 m/s
    mass = RHO * 4 / 3 * math.pi * R**3
    dt = hertz_impact(mass, R, mat.youngs_modulus / (2 * (1 - 0.09)), 0.25).contact_time / 60
    sim = Simulation(materials=[mat], domain=Domain((-0.01,) * 3, (0.01,) * 3), capacity=1, max_radius=R, dt=dt,
                     gravity=(0, 0, -G), rolling_model="none", max_walls=1, arch="auto")
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1)))
    sim.add_particles([[0, 0, R]], R, velocities=[[0, 0, -0.25]])
    was_falling, v_min, speeds = True, 0.0, []
    while sim.time < 0.06:
        sim.step(4)                                    # a contact lasts > 60 steps: no bounce is missed
        vz = sim.velocities[0, 2]
        v_min = min(v_min, vz)
        if was_falling and vz > 0:                     # a bounce: record its approach speed
            speeds.append(-v_min)
            v_min = 0.0
        was_falling = vz <= 0
    speeds = np.asarray(speeds)
    bounces = int(np.count_nonzero(speeds >= EVENT_SPEED))
    events, starts = _counts(sim)
    assert bounces >= 3 and np.any(speeds < 0.8 * EVENT_SPEED), speeds   # real bounces, then creeping ones
    assert int(events[0]) == bounces
    assert int(starts[0]) >= bounces


def test_an_enduring_sliding_contact_dissipates_but_adds_no_event():
    sim = sphere_on_plane(gravity=(0, 0, -G), friction=0.3, velocity=(0.5, 0, 0))
    sim.step(2000)
    events, starts = _counts(sim)
    assert events.tolist() == [0] and starts.tolist() == [0]   # the resting contact existed before t = 0
    assert sim.accumulators()["dissipated_work"][0] > 1e-9


def test_a_bed_of_the_default_particle_at_rest_records_under_one_event_per_particle_second():
    """Four square layers of 1 mm default particles, each sphere in a pocket of the layer below, loaded by
    gravity from exact touching: the contacts flicker open and shut (hundreds of geometric contact starts per
    particle and second) but nothing collides, and fewer than one stress event per particle-second is counted."""
    from mfdem.config import make_config  # noqa: PLC0415
    from mfdem.scenarios.contact_set import contact_set  # noqa: PLC0415

    cfg = make_config(overrides={"particles": {"diameter": 1e-3}})
    cs = contact_set(cfg)
    r, n_side, layers = 0.5e-3, 8, 4
    g = np.arange(n_side) * 2 * r
    pos = []
    for k in range(layers):
        shift = r * (k % 2)
        x, y = np.meshgrid(g + shift, g + shift, indexing="ij")
        pos.append(np.stack([x.ravel(), y.ravel(), np.full(x.size, r + k * math.sqrt(2) * r)], 1))
    pos = np.concatenate(pos)
    side = n_side * 2 * r
    dt = hertz_impact(cfg.particle_mass / 2, r / 2, cs.particle.youngs_modulus / 1.82, 0.5).contact_time / 20
    sim = Simulation(domain=Domain((0, 0, -r), (side, side, 12 * r), periodic=(True, True, False)),
                     capacity=len(pos), max_radius=r, dt=dt, gravity=(0, 0, -G), max_walls=1, arch="auto",
                     **cs.engine_kwargs())
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1), material=1))
    sim.add_particles(pos, r)
    sim.step(int(0.01 / dt))
    events, starts = _counts(sim)
    per_particle_second = len(pos) * sim.time
    assert events.sum() / per_particle_second < 1.0
    assert starts.sum() / per_particle_second > 10.0     # the geometric count sees the flicker
    assert np.abs(sim.velocities).max() < 1e-3           # at rest
