"""Contact-history details: the tangential spring of a force-free contact, static and dynamic friction, wall
histories across a rotational seam, and mesh contacts beyond the engine's capacity being counted."""

import math

import numpy as np
import pytest

from mfdem.engine.contact.law import H_SLIDING
from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import PlaneWall
from mfdem.engine.walls.mesh import MAX_CANDIDATES, MAX_SLOTS, MeshBody
from mfdem.scenarios.impact import simulate_impact
from mfdem.theory import hertz_impact
from tests.engine.helpers import G, resting_overlap

R = 1e-3
RHO = 2417.0


def test_a_force_free_contact_releases_its_tangential_spring():
    """Unloaded inside its residual overlap (F_n = 0 while δ > 0) a contact carries no tangential force and
    its spring ξ does not wind up while the surfaces slide; on reloading it starts from one step's increment."""
    mat = Material(1e8, 0.3, RHO, yield_pressure=2e6)
    mass = RHO * 4 / 3 * math.pi * R**3
    dt = hertz_impact(mass, R, 1e8 / 0.91 / 2, 2.0).contact_time / 400
    sim = Simulation(materials=[mat], domain=Domain((-0.01,) * 3, (0.01,) * 3), capacity=1, max_radius=R, dt=dt,
                     friction=0.5, rolling_model="none", max_walls=1, arch="auto")
    sim.add_wall(PlaneWall(point=(0, 0, -R), normal=(0, 0, 1)))
    sim.add_particles([[0, 0, 0]], R, velocities=[[0, 0, -2.0]])
    while abs(sim.forces[0, 2]) > 0 or sim.velocities[0, 2] < 0:   # until the rebound has unloaded it
        sim.step(1)
    assert sim.walls.hist[0, 0][1] > 0                             # still overlapping, force-free
    v_t = 0.3
    sim.set_velocities([[v_t, 0, 0.02]])                           # slide along the wall, drifting away
    sim.step(50)
    h = sim.walls.hist[0, 0].to_numpy()
    assert h[1] > 0 and h[2] == 0                                  # overlapping, no normal force
    assert np.all(h[5:8] == 0) and sim.forces[0, 0] == 0            # no tangential spring, no tangential force
    sim.set_velocities([[v_t, 0, -0.5]])                           # press it back in
    while sim.walls.hist[0, 0][2] == 0:
        sim.step(1)
    xi = sim.walls.hist[0, 0].to_numpy()[5:8]
    assert np.linalg.norm(xi) <= 1.01 * v_t * dt                  # one step of sliding, not 50


def test_static_friction_holds_what_dynamic_friction_cannot_start_again():
    """A sphere on a plate whose gravity is tilted slowly to tan θ = 0.4, between μ_d = 0.3 and μ_s = 0.5
    (rolling held by a stiff rolling spring): from rest it sticks; once sliding it keeps sliding. With
    μ_s = μ_d it slides from rest."""
    def run(mu_s, v0):
        mat = Material(1e7, 0.3, RHO)
        sim = Simulation(materials=[mat], domain=Domain((-1, -1, -0.01), (1, 1, 0.01)), capacity=1, max_radius=R,
                         dt=2e-5, gravity=(0, 0, -G), friction=0.3, static_friction=mu_s, rolling_friction=2.0,
                         normal_model="hertz", rolling_model="epsd", max_walls=1, arch="auto")
        sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1)))
        sim.add_particles([[0, 0, R - resting_overlap(density=RHO)]], R)   # at rest on the plate
        theta_end = math.atan(0.4)
        for k in range(1, 51):                                     # tilt over 0.1 s (80 periods): quasi-static
            th = theta_end * k / 50
            sim.state.gravity[None] = [G * math.sin(th), 0.0, -G * math.cos(th)]
            sim.step(100)
        if v0:
            sim.set_velocities([[v0, 0, 0]])
        x0 = sim.positions[0, 0]
        sim.step(2000)                                             # 0.04 s at full tilt
        return sim.positions[0, 0] - x0, sim.walls.hist[0, 0][H_SLIDING]

    stuck, sliding = run(0.5, 0.0)
    assert abs(stuck) < 1e-6 and sliding == 0
    moved, sliding = run(0.5, 0.05)
    slide_0 = 0.05 * 0.04 + 0.5 * G * (0.4 - 0.3) / math.sqrt(1.16) * 0.04**2   # a = g(sin θ − μ_d cos θ)
    assert moved == pytest.approx(slide_0, rel=0.05) and sliding == 1
    moved, _ = run(0.3, 0.0)
    assert moved > 1e-4


def test_oblique_sliding_impact_follows_the_dynamic_coefficient():
    """Gross sliding (physics.md V11) is governed by μ_d whatever μ_s: e_t = 1 − μ_d (1 + e_n) / tan θ."""
    alumina = dict(radius=2.5e-3, density=4000.0, youngs_modulus=380e9, poisson_ratio=0.23)
    base = simulate_impact(velocity=3.9, angle=60, friction=0.092, target="wall", wall_youngs_modulus=380e15,
                           **alumina)
    assert base.tangential_restitution == pytest.approx(0.8938, rel=2e-2)


def _turning_floor(periodic: bool):
    """A sphere resting on a floor, sliding counter-clockwise about z from φ = 70°; in the 72° sector it
    crosses the seam and re-enters at φ ≈ 0."""
    mat = Material(1e7, 0.3, RHO, yield_pressure=1e5)
    domain = Domain((-0.03, -0.03, -0.005), (0.03, 0.03, 0.005)) if not periodic else \
        Domain((-0.002, -0.002, -0.005), (0.03, 0.03, 0.005), sector_angle_deg=72.0)
    sim = Simulation(materials=[mat], domain=domain, capacity=1, max_radius=R, dt=2e-6, gravity=(0, 0, -G),
                     friction=0.3, rolling_friction=0.05, rolling_model="epsd", max_walls=1, arch="auto")
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1)))
    phi = math.radians(70)
    x = 0.02 * np.array([math.cos(phi), math.sin(phi), 0]) + [0, 0, R * 0.9999]
    sim.add_particles([x], R, velocities=[0.2 * np.array([-math.sin(phi), math.cos(phi), 0.0])],
                      angular_velocities=[[0.0, 0.0, 0.0]])
    return sim


def test_wall_contact_history_turns_with_a_particle_through_a_rotational_seam():
    ref, sec = _turning_floor(False), _turning_floor(True)
    for _ in range(5):
        ref.step(1000)
        sec.step(1000)
    x_ref, x_sec = ref.positions[0], sec.positions[0]
    alpha = math.radians(72)
    turn = np.array([[math.cos(alpha), math.sin(alpha), 0], [-math.sin(alpha), math.cos(alpha), 0], [0, 0, 1]])
    assert math.atan2(x_sec[1], x_sec[0]) < math.radians(10)          # it went through the seam
    assert np.allclose(turn @ x_ref, x_sec, rtol=0, atol=1e-12)
    assert np.allclose(turn @ ref.velocities[0], sec.velocities[0], rtol=0, atol=1e-10)
    assert np.allclose(turn @ ref.angular_velocities[0], sec.angular_velocities[0], rtol=0, atol=1e-7)
    xi_ref, xi_sec = ref.walls.hist[0, 0].to_numpy()[5:8], sec.walls.hist[0, 0].to_numpy()[5:8]
    assert np.linalg.norm(xi_ref) > 0
    assert np.allclose(turn @ xi_ref, xi_sec, rtol=1e-9, atol=1e-15)


def _pit(n_faces: int, slope_deg: float = 45.0):
    """An inverted n-sided pyramid (apex at the origin, depth 5 mm): a sphere in it touches every face."""
    depth = 5e-3
    rim = depth / math.tan(math.radians(slope_deg))
    ang = 2 * math.pi * np.arange(n_faces) / n_faces
    vertices = np.vstack([[0, 0, 0], np.stack([rim * np.cos(ang), rim * np.sin(ang), np.full(n_faces, depth)], 1)])
    faces = np.array([[0, 1 + (k + 1) % n_faces, 1 + k] for k in range(n_faces)])
    return MeshBody(vertices, faces)


@pytest.mark.parametrize("n_faces, kind", [(MAX_SLOTS + 2, "slots"), (MAX_CANDIDATES + 4, "candidates")])
def test_mesh_contacts_beyond_the_capacity_are_counted(n_faces, kind):
    mat = Material(1e7, 0.3, RHO)
    sim = Simulation(materials=[mat], domain=Domain((-0.01,) * 3, (0.01,) * 3), capacity=1, max_radius=R, dt=1e-6,
                     normal_model="hertz", rolling_model="none", max_walls=0, meshes=[_pit(n_faces)], arch="auto")
    sim.add_particles([[0, 0, 0.999 * R * math.sqrt(2)]], R)   # pressed 0.1 % into each 45° face
    sim.step(3)                                                # 4 force evaluations with the initial one
    dropped = sim.dropped_mesh_contacts(reset=True)
    if kind == "slots":          # six faces at 60° to each other: two contacts too many in every evaluation
        assert dropped == 4 * (n_faces - MAX_SLOTS)
    else:                        # sixteen candidates: four too many (and some of the rest beyond the slots)
        assert dropped >= 4 * (n_faces - MAX_CANDIDATES)
    assert sim.dropped_mesh_contacts() == 0
