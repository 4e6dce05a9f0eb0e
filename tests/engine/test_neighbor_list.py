"""Neighbour lists: the exact neighbour set, contact history across rebuilds and growth, growth on overflow."""

import numpy as np
import pytest

from mfdem.engine import spatial_sort
from mfdem.engine.materials import Material
from mfdem.engine.neighbor_list import ADAPTIVE_FLOOR, IDLE, NeighborList
from mfdem.engine.simulation import Domain, Simulation
from tests.engine.helpers import random_packing


def _brute_force_pairs(pos, rad, box, margin):
    d = pos[:, None, :] - pos[None, :, :]
    d -= box * np.round(d / box)
    dist = np.linalg.norm(d, axis=2)
    cut = rad[:, None] + rad[None, :] + margin[:, None] + margin[None, :]
    i, j = np.nonzero((dist < cut) & (np.arange(len(pos))[:, None] < np.arange(len(pos))[None, :]))
    return set(zip(i.tolist(), j.tolist()))


def test_lists_hold_exactly_the_pairs_within_the_cutoff_and_grow_on_demand():
    rng = np.random.default_rng(11)
    box = 6e-3
    pos, rad = random_packing(300, (0, 0, 0), (box,) * 3, (0.2e-3, 0.45e-3), rng)
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0)], domain=Domain((0, 0, 0), (box,) * 3, (True,) * 3),
                     capacity=300, max_radius=0.45e-3, dt=1e-6, max_neighbors=1, max_walls=0, arch="auto")
    sim.add_particles(pos, rad)
    nl = sim.neighbors
    sim.neighbors = NeighborList(nl.space, 300, 1, nl.skin, nl.real, pair_capacity=16)
    sim.step(1)
    nl = sim.neighbors
    assert nl.max_neighbors > 1                               # grew from 1
    assert nl.pair_capacity >= nl.n_pairs > 16                # and so did the room for the pairs' data
    b = nl.current
    own, cnt = nl.own_nbr.to_numpy()[b], nl.own_count.to_numpy()[b]
    found = {(i, int(own[i, k])) for i in range(300) for k in range(cnt[i])}
    margin = sim.state.margin.to_numpy()[:300]
    np.testing.assert_array_equal(margin, 0.5 * sim.skin)   # the default: half the skin for every particle
    expected = _brute_force_pairs(sim.positions, rad, box, margin)
    assert found == expected
    mir, mcnt, pair = nl.mir_nbr.to_numpy()[0], nl.mir_count.to_numpy(), nl.mir_pair.to_numpy()
    mirrored = {(int(mir[i, k]), i) for i in range(300) for k in range(mcnt[i])}
    assert mirrored == expected
    start = nl.own_start.to_numpy()[b]                        # owner entries' data: compact, one after another
    np.testing.assert_array_equal(start, np.cumsum(cnt) - cnt)
    assert nl.n_pairs == len(expected)
    for i in range(300):                                      # every mirror entry points at its owner entry
        for k in range(mcnt[i]):
            o = mir[i, k]
            assert own[o, pair[i, k] - start[o]] == i
    for i in range(300):                                      # sorted lists: a fixed summation order
        assert np.all(np.diff(own[i, : cnt[i]]) > 0)


def _moving_packing(floor=ADAPTIVE_FLOOR):
    """300 particles in a periodic box, most slow, one in ten fast: impacts and a spread of displacements."""
    rng = np.random.default_rng(3)
    box = 6e-3
    pos, rad = random_packing(300, (0, 0, 0), (box,) * 3, (0.2e-3, 0.45e-3), rng)
    vel = rng.normal(0, 0.05, pos.shape)
    vel[::10] *= 20
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0, yield_ratio=0.05)],
                     domain=Domain((0, 0, 0), (box,) * 3, (True,) * 3), capacity=300, max_radius=0.45e-3, dt=1e-6,
                     friction=0.3, max_walls=0, arch="auto")
    sim.neighbors.margin_floor = floor
    sim.add_particles(pos, rad, velocities=vel)
    return sim, box


def test_each_margin_is_twice_the_last_displacement_within_an_eighth_and_half_the_skin():
    sim, box = _moving_packing()
    sim.step(40)
    half = 0.5 * sim.skin
    for _ in range(100):                   # on to a state well into an interval between builds
        sim.step(1)
        disp = np.linalg.norm(sim.state.disp.to_numpy()[:300], axis=1)
        if disp.max() > 0.3 * half:
            break
    assert disp.max() > 0.3 * half and disp.min() < 0.1 * ADAPTIVE_FLOOR * half   # both ends of the range in use
    sim._rebuild()
    margin = sim.state.margin.to_numpy()[:300]
    np.testing.assert_allclose(margin, np.clip(2 * disp, ADAPTIVE_FLOOR * half, half), rtol=1e-12)
    nl = sim.neighbors
    own, cnt = nl.own_nbr.to_numpy()[nl.current], nl.own_count.to_numpy()[nl.current]
    found = {(i, int(own[i, k])) for i in range(300) for k in range(cnt[i])}
    rows = sim.state.x.to_numpy()[:300]
    assert found == _brute_force_pairs(rows, sim.state.radius.to_numpy()[:300], box, margin)


def test_a_particle_rebuilds_the_lists_when_it_passes_its_own_margin():
    """One particle at constant speed: the first build gives it an eighth of the skin, and each later build
    twice the distance it covered since the one before, up to half the skin; the builds come accordingly."""
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0)], domain=Domain((0, -0.01, 0), (0.1, 0.01, 0.01)),
                     capacity=1, max_radius=1e-3, dt=1e-6, max_walls=0, arch="auto")
    sim.neighbors.margin_floor = ADAPTIVE_FLOOR
    half = 0.5 * sim.skin
    step = half / 37.3                     # m per step: no displacement lands on a margin
    # along a line through the z axis: no spin about it, so the frame of the list displacements stays put
    sim.add_particles([[5e-3, 0, 5e-3]], 1e-3, velocities=[[step / sim.dt, 0, 0]])
    builds = []
    for k in range(150):
        n = sim.neighbors.n_builds
        sim.step(1)
        if sim.neighbors.n_builds != n:
            builds.append(k)
    expected, k, margin = [0], -1, ADAPTIVE_FLOOR * half    # the lists are built before the first step's drift
    while True:
        k += int(margin / step) + 1        # the step whose drift takes it past its margin
        if k >= 150:
            break
        expected.append(k)
        margin = min(max(2 * (int(margin / step) + 1) * step, ADAPTIVE_FLOOR * half), half)
    assert builds == expected
    assert builds[1] == 9 and np.diff(builds).tolist()[1:4] == [21, 38, 38]   # ⅛, ¼ (2 × 10 steps), ½ the skin


def test_the_margins_change_no_result_only_the_idle_entries():
    """Idle list entries add exact zeros: the same run with every margin half the skin (the classic Verlet
    list) ends in the same state bit for bit, with more pairs listed."""
    runs = []
    for floor in (ADAPTIVE_FLOOR, 1.0):
        sim, _ = _moving_packing(floor)
        sim.step(300)
        runs.append((sim.state.x.to_numpy()[:300], sim.state.v.to_numpy()[:300], sim.state.w.to_numpy()[:300],
                     sim.neighbors.n_pairs))
    for a, b in zip(runs[0][:3], runs[1][:3], strict=True):
        np.testing.assert_array_equal(a, b)
    assert runs[0][3] < 0.9 * runs[1][3]


def test_lists_grow_for_a_particle_with_more_lower_index_neighbours_than_they_hold():
    # six particles around a seventh, the highest index: one owner entry each, six entries in its mirror list
    r = 1e-3
    pos = np.vstack([2.02 * r * np.vstack([np.eye(3), -np.eye(3)]), [[0.0, 0.0, 0.0]]])   # within 2r + two margins
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0)], domain=Domain((-0.01,) * 3, (0.01,) * 3), capacity=7,
                     max_radius=r, dt=1e-6, max_neighbors=2, max_walls=0, arch="auto")
    sim.add_particles(pos, r)
    sim.step(1)
    nl = sim.neighbors
    assert nl.max_neighbors >= 6
    np.testing.assert_array_equal(nl.own_count.to_numpy()[nl.current, :7], [1, 1, 1, 1, 1, 1, 0])
    assert nl.mir_count.to_numpy()[6] == 6
    np.testing.assert_array_equal(nl.mir_nbr.to_numpy()[0, 6, :6], np.arange(6))
    np.testing.assert_array_equal(nl.mir_pair.to_numpy()[6, :6], nl.own_start.to_numpy()[nl.current, :6])


def _sheared_pair(rebuild_every: int, grow_at: int = -1):
    """Two spheres pressed together and sheared; optionally force list rebuilds every few steps and move the
    lists into larger ones at step ``grow_at``."""
    r = 1e-3
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0, yield_ratio=0.05)],
                     domain=Domain((-0.01,) * 3, (0.01,) * 3), capacity=2, max_radius=r, dt=2e-6, friction=0.5,
                     rolling_friction=0.1, max_walls=0, arch="auto")
    sim.add_particles([[0, 0, 0], [0, 0, 2 * r - 2e-5]], r, velocities=[[0.01, 0, 0.02], [-0.01, 0, -0.02]])
    trace = []
    for k in range(300):
        if rebuild_every and k % rebuild_every == 0:
            sim._needs_rebuild = True
        if k == grow_at:
            nl = sim.neighbors
            sim.neighbors = nl.grown(nl.max_neighbors + 3, nl.pair_capacity + 5, sim.n)
            sim._needs_rebuild = True                              # as after a growth in Simulation._rebuild
        sim.step(1)
        trace.append(sim.forces[0].copy())
    return np.asarray(trace), sim


def test_contact_history_survives_rebuilds_and_is_cleared_on_separation():
    reference, _ = _sheared_pair(rebuild_every=0)
    rebuilt, sim = _sheared_pair(rebuild_every=3)
    assert sim.neighbors.n_builds > 90
    assert np.abs(reference[:, 0]).max() > 0                   # a tangential force builds up
    np.testing.assert_array_equal(rebuilt, reference)          # bit for bit: history moved with the pair
    moved, _ = _sheared_pair(rebuild_every=0, grow_at=40)      # and into larger lists (in contact: steps 0–78)
    np.testing.assert_array_equal(moved, reference)
    # pull the spheres apart: the contact ends and its history is dropped
    sim.set_velocities([[0, 0, -1.0], [0, 0, 1.0]])
    sim.step(200)
    nl = sim.neighbors
    assert np.all(nl.state.to_numpy()[nl.current, : nl.n_pairs] == IDLE)
    assert sim.contact_count() == (0, 0)


def test_a_parted_pair_still_listed_adds_nothing_to_either_partner():
    # an elastic oblique impact: the contact ends with energy still stored, so its last step dissipates some
    r = 1e-3
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0)], domain=Domain((-0.01,) * 3, (0.01,) * 3), capacity=2,
                     max_radius=r, dt=2e-6, friction=0.5, max_walls=0, arch="auto")
    sim.add_particles([[0, 0, 0], [0, 0, 2 * r + 1e-6]], r, velocities=[[0.05, 0, 0.05], [-0.05, 0, -0.05]])
    nl = sim.neighbors
    sim.step(400)
    assert sim.contact_count() == (0, 0)
    assert nl.n_pairs == 1 and nl.state.to_numpy()[nl.current, 0] == IDLE   # parted, still listed
    work = sim.accumulators()["dissipated_work"]
    assert work[0] != 0
    assert work[1] == work[0]                                  # each partner holds half of the contact's work
    sim.step(100)
    np.testing.assert_array_equal(sim.accumulators()["dissipated_work"], work)
    np.testing.assert_array_equal(sim.forces, 0.0)


def test_a_renumbering_keeps_counting_the_list_builds():
    _, sim = _sheared_pair(rebuild_every=3)
    builds = sim.neighbors.n_builds
    spatial_sort.renumber(sim, np.array([1, 0]))              # clears the lists and builds them once
    assert sim.neighbors.n_builds == builds + 1


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_contact_across_a_periodic_boundary_equals_one_inside(axis):
    r = 1e-3
    box = 0.01

    def run(offset):
        sim = Simulation(materials=[Material(1e7, 0.3, 2500.0, yield_ratio=0.05)],
                         domain=Domain((0, 0, 0), (box,) * 3, periodic=(True, True, True)), capacity=2, max_radius=r,
                         dt=2e-6, friction=0.5, max_walls=0, arch="auto")
        a = np.full(3, 0.5 * box)
        a[axis] = offset
        b = a.copy()
        b[axis] = (offset + 2 * r - 4e-5) % box
        v = np.zeros(3)
        v[axis] = 0.05
        v[(axis + 1) % 3] = 0.03
        sim.add_particles([a, b], r, velocities=[v, -v])
        sim.step(400)
        return sim.forces, sim.velocities, sim.energy().dissipated

    f_in, v_in, d_in = run(0.5 * box - r)                     # pair in the middle of the box
    f_x, v_x, d_x = run(box - r + 2e-5)                       # the same pair straddling the boundary
    np.testing.assert_allclose(v_x, v_in, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(f_x, f_in, rtol=1e-6, atol=1e-9 * np.abs(f_in).max())
    assert d_x == pytest.approx(d_in, rel=1e-8)
    assert d_in > 0


def _pairs_within(pos, rad, sector_deg):
    """Pairs i < j closer than r_i + r_j, partners also as images turned by ±sector_deg about z."""
    best = np.full((len(pos), len(pos)), np.inf)
    for s in (-1, 0, 1):
        a = np.radians(s * sector_deg)
        rot = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
        best = np.minimum(best, np.linalg.norm(pos[:, None, :] - (pos @ rot.T)[None, :, :], axis=2))
    i, j = np.nonzero((best < rad[:, None] + rad[None, :]) & np.triu(np.ones_like(best, bool), 1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def test_a_swirling_charge_rebuilds_only_for_its_relative_motion():
    """Lists are kept in a frame turning with the charge: a sector charge spinning at 1000 rad/s (~5 m/s)
    with 0.3 m/s of random motion rebuilds far less often than its lab-frame speed would demand, and every
    touching pair, across the seams too, is always in the lists."""
    rng = np.random.default_rng(5)
    r = 0.2e-3
    rho, phi, z = np.meshgrid(np.arange(4e-3, 6e-3, 0.5e-3), np.radians(np.arange(2.0, 70.0, 5.5)),
                              np.arange(r, 2e-3, 0.5e-3), indexing="ij")
    pos = np.stack([(rho * np.cos(phi)).ravel(), (rho * np.sin(phi)).ravel(), z.ravel()], axis=1)
    omega = 1000.0
    vel = omega * np.stack([-pos[:, 1], pos[:, 0], 0 * pos[:, 0]], axis=1) + rng.normal(0, 0.3, pos.shape)
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0, yield_ratio=0.05)],
                     domain=Domain((-1e-3, -1e-3, -1e-3), (7e-3, 7e-3, 3e-3), sector_angle_deg=72.0),
                     capacity=len(pos), max_radius=r, dt=2e-7, friction=0.3, max_walls=0, arch="auto")
    sim.add_particles(pos, r, velocities=vel)
    steps, checks = 1000, 20
    builds0 = sim.neighbors.n_builds
    for _ in range(checks):
        sim.step(steps // checks)
        nl = sim.neighbors
        own, cnt = nl.own_nbr.to_numpy()[nl.current], nl.own_count.to_numpy()[nl.current]
        listed = {(i, int(own[i, k])) for i in range(sim.n) for k in range(cnt[i])}
        assert _pairs_within(sim.positions, sim.radii, 72.0) <= listed
    lab_frame_builds = steps * np.linalg.norm(vel, axis=1).max() * sim.dt / (0.5 * sim.skin)
    assert lab_frame_builds > 50
    assert sim.neighbors.n_builds - builds0 < 0.3 * lab_frame_builds
