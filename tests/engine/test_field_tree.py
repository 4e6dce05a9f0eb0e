"""Closed Simulations lend their arrays and compiled kernels to the next one of the same layout, or free them:
a process holds at most 512 Taichi field trees, and each compile costs seconds."""

import gc
from types import SimpleNamespace

import numpy as np
import pytest
import taichi as ti
from taichi.lang import impl

from mfdem.engine import engine_pool
from mfdem.engine.field_tree import FieldTree, field, record
from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import PlaneWall

R = 4e-4


def _empty(capacity: int = 40) -> Simulation:
    return Simulation(materials=[Material(1e8, 0.3, 2500)], domain=Domain((0, 0, 0), (0.01, 0.01, 0.01)),
                      capacity=capacity, max_radius=5e-4, dt=2e-7, gravity=(0, 0, -9.81), max_walls=1, friction=0.4)


def _make(steps: int = 0) -> Simulation:
    """A layer of spheres pressed on a floor and thrown sideways: particle and wall contacts from the start."""
    sim = _empty()
    xy = np.stack(np.meshgrid(np.arange(5), np.arange(5)), -1).reshape(-1, 2) * 1.999 * R + 2e-3
    pos = np.column_stack([xy, np.full(len(xy), 0.995 * R)])
    v = np.random.default_rng(1).normal(0, 0.05, (len(xy), 3))
    sim.add_particles(pos, R, velocities=v)
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1)))
    sim.step(steps)
    return sim


def _trees() -> int:
    return impl.get_runtime().prog.get_snode_tree_size()   # trees ever allocated; freed numbers are reused


def test_a_reused_engine_runs_as_a_fresh_one(monkeypatch):
    engine_pool.clear()
    first = _make(1)
    assert first.contact_count()[0] > 0 and first.contact_count()[1] > 0
    first.step(600)
    state = first.state
    first.close()
    with pytest.raises(RuntimeError, match="closed"):
        first.step(1)
    second = _make(300)
    assert second.state is state                     # the first one's arrays and kernels, cleared
    x_reused = second.positions
    engine_pool.clear()
    fresh = _make(300)
    assert fresh.state is not state
    np.testing.assert_array_equal(x_reused, fresh.positions)
    assert second.energy().dissipated == fresh.energy().dissipated
    assert second.neighbors.n_builds == fresh.neighbors.n_builds     # not the first one's builds as well
    other = _empty(capacity=41)                      # another layout gets its own arrays
    assert other.state is not second.state


def test_closed_and_collected_simulations_free_their_trees(monkeypatch):
    monkeypatch.setattr(engine_pool, "MAX_PARKED", 0)
    engine_pool.clear()
    _empty().close()
    before = _trees()
    for _ in range(3):
        with _empty():
            pass
    assert _trees() == before
    collected = _empty()
    del collected
    gc.collect()
    with _empty():                                   # frees the collected one's trees before taking its own
        assert _trees() == before


def test_the_pool_keeps_the_newest_engines_within_its_particle_budget(monkeypatch):
    class Tree:
        freed = False

        def destroy(self):
            self.freed = True

    def Engine(capacity):  # noqa: N802 - stands in for the engine dict a Simulation parks
        return {"fields": Tree(), "neighbors": SimpleNamespace(_tree=Tree()),
                "state": SimpleNamespace(capacity=capacity)}

    monkeypatch.setattr(engine_pool, "_parked", [])
    monkeypatch.setattr(engine_pool, "MAX_TOTAL_CAPACITY", 100)
    small = [Engine(10) for _ in range(5)]
    for k, engine in enumerate(small):
        engine_pool.park(("small", k), engine, 10, safe=True)
    big = Engine(60)
    engine_pool.park(("big",), big, 60, safe=True)     # 5 × 10 + 60 > 100: the oldest small one goes
    assert small[0]["fields"].freed and not any(e["fields"].freed for e in small[1:])
    assert engine_pool.take(("small", 0)) is None and engine_pool.take(("big",)) is big
    assert not big["fields"].freed
    again = Engine(10)
    engine_pool.park(("small", 1), again, 10, safe=True)      # two of one layout: the last parked is taken
    assert engine_pool.take(("small", 1)) is again and engine_pool.take(("small", 1)) is small[1]


@ti.kernel
def _add_to_second_component(f: ti.template()):
    for i in range(f.shape[0]):
        h = f[i]
        h[1] += 1.0
        f[i] = h


@pytest.mark.parametrize("in_tree", [False, True])
def test_a_field_stored_by_component_reads_and_writes_as_a_vector_field(in_tree):
    vec = ti.types.vector(4, ti.f64)
    a = np.random.default_rng(0).random((6, 4))
    if in_tree:
        with FieldTree() as tree:
            f = field(vec, 6, soa=True)
    else:
        f = field(vec, 6, soa=True)
    f.from_numpy(a)
    _add_to_second_component(f)
    a[:, 1] += 1.0
    assert np.array_equal(f.to_numpy(), a)
    # each component in its own array: different parent nodes
    assert f.get_scalar_field(0).snode.parent() != f.get_scalar_field(1).snode.parent()
    if in_tree:
        tree.destroy()


def _parent(f):
    return (f.get_scalar_field(0) if isinstance(f, ti.MatrixField) else f).snode.parent()


@pytest.mark.parametrize("in_tree", [False, True])
def test_fields_of_a_record_share_rows_and_read_and_write_as_their_own(in_tree):
    vec = ti.types.vector(3, ti.f64)
    rng = np.random.default_rng(1)
    a, b, c = rng.random((7, 3)), rng.random(7).astype(np.float32), rng.integers(0, 9, 7).astype(np.int32)
    if in_tree:
        with FieldTree() as tree:
            x, r, m = record(7, vec, ti.f32, ti.i32)
    else:
        x, r, m = record(7, vec, ti.f32, ti.i32)
    x.from_numpy(a)
    r.from_numpy(b)
    m.from_numpy(c)
    _add_to_second_component(x)
    a[:, 1] += 1.0
    assert np.array_equal(x.to_numpy(), a) and np.array_equal(r.to_numpy(), b) and np.array_equal(m.to_numpy(), c)
    assert _parent(x) == _parent(r) == _parent(m)      # one row of each per index: a record
    if in_tree:
        tree.destroy()


def test_a_partner_s_contact_inputs_lie_in_one_record():
    """The pair pass gathers x, v, ω, R and the material of each partner: one record per particle (state.py)."""
    sim = _empty()
    s = sim.state
    assert _parent(s.x) == _parent(s.v) == _parent(s.w) == _parent(s.radius) == _parent(s.material)
    assert _parent(s.f) != _parent(s.x)
    sim.close()
