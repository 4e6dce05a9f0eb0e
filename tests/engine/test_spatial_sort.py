"""Spatial sorting (engine/spatial_sort.py) changes nothing but the order of the sums: contact histories
survive, outputs stay in insertion order, a resumed run renumbers as the uninterrupted one did."""

import math

import numpy as np

from mfdem.engine.checkpoint import get_state, set_state
from mfdem.engine.materials import Material
from mfdem.engine.neighbor_list import TOUCHING
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import PlaneWall
from tests.engine.helpers import turning_cup_heap

FIELDS = ("positions", "velocities", "angular_velocities", "forces")


def _heap(sort_interval: int) -> Simulation:
    """The turning-cup heap (helpers.py), renumbered every ``sort_interval`` steps (0: never)."""
    sim = turning_cup_heap()
    sim.sort_particles, sim.sort_interval = 0, sort_interval
    return sim


def _sector(sort_interval: int) -> Simulation:
    """Two layers of spheres turning at 40 rad/s on a floor in a 72° periodic sector: pairs across both seams."""
    rng = np.random.default_rng(5)
    alpha, gap = math.radians(72), 0.97e-3
    rows = []
    for r in np.arange(3.5e-3, 10.6e-3, gap):      # rings of evenly spaced spheres, spaced as well across the seams
        m = int(r * alpha / gap)
        phi = (np.arange(m) + 0.5) * alpha / m
        for z in (0.5e-3, 0.5e-3 + gap):
            rows.append(np.stack([r * np.cos(phi), r * np.sin(phi), np.full(m, z)], -1))
    pos = np.concatenate(rows)
    pos = pos[rng.permutation(len(pos))]
    rad = rng.uniform(0.485e-3, 0.5e-3, len(pos))
    spin = np.cross([0.0, 0.0, 40.0], pos)
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0, yield_ratio=0.02)],
                     domain=Domain((-1e-3, -1e-3, -1e-3), (13e-3, 13e-3, 4e-3), sector_angle_deg=72.0),
                     capacity=len(pos), max_radius=0.5e-3, dt=2e-6, gravity=(0, 0, -9.81), friction=0.4,
                     rolling_friction=0.05, max_walls=1, arch="auto")
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1), name="floor"))
    sim.add_particles(pos, rad, velocities=spin)
    sim.sort_particles, sim.sort_interval = 0, sort_interval
    return sim


def _assert_close(a: Simulation, b: Simulation, rtol: float) -> None:
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        np.testing.assert_allclose(x, y, rtol=0, atol=rtol * np.abs(x).max(), err_msg=name)


def test_sorted_run_follows_the_unsorted_one_with_every_history():
    plain, sorted_ = _heap(0), _heap(50)
    plain.step(600)
    sorted_.step(600)
    assert sorted_._ids is not None and not np.array_equal(sorted_._ids, np.arange(sorted_.n))
    acc = sorted_.accumulators()
    assert acc["contacts_particle"].sum() > 100
    # a history handed to the wrong side of a pair would change the friction forces by their own size
    _assert_close(plain, sorted_, 1e-8)
    for key, value in plain.accumulators().items():
        np.testing.assert_allclose(acc[key], value, rtol=1e-9, atol=0, err_msg=key)
    assert abs(sorted_.energy().relative_error()) < 1e-3
    contact = sorted_.deepest_contact()
    assert contact == {**plain.deepest_contact(), "position": contact["position"], "speed": contact["speed"]}


def test_sorting_turns_the_histories_of_pairs_across_a_rotational_seam():
    plain, sorted_ = _sector(0), _sector(40)
    for sim in (plain, sorted_):
        sim.step(400)
    nl = sorted_.neighbors
    touching = nl.state.to_numpy()[nl.current, : nl.n_pairs] == TOUCHING
    assert np.count_nonzero(nl.seam_images()[touching]) >= 3     # contacts across the seams
    _assert_close(plain, sorted_, 1e-8)
    assert abs(sorted_.energy().relative_error()) < 1e-3


def test_resumed_run_renumbers_as_the_uninterrupted_one():
    whole = _heap(200)
    whole.step(300)
    state = get_state(whole)
    resumed = _heap(200)
    set_state(resumed, state)
    for sim in (whole, resumed):
        sim.step(500)             # renumbered at steps 400 and 600
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(whole, name), getattr(resumed, name), err_msg=name)
    np.testing.assert_array_equal(whole.state.id.to_numpy(), resumed.state.id.to_numpy())
