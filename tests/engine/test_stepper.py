"""The two launch modes of a time step (engine/stepper.py) compute the same trajectory, bit for bit."""

import os

import numpy as np
import pytest
import taichi as ti

from mfdem.engine import backend
from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from tests.engine.helpers import turning_cup_heap


def _heap(serial: bool) -> Simulation:
    """The turning-cup heap (helpers.py) in the given launch mode."""
    sim = turning_cup_heap()
    sim.serial_particles = sim.n if serial else -1
    return sim


def test_the_suite_compiles_fast_and_a_block_compiles_as_a_run_does():
    cfg = ti.lang.impl.current_cfg()
    fast = os.environ[backend.FAST_COMPILE_ENV] == "1"     # conftest.py; the device check's full sizes set 0
    assert cfg.advanced_optimization == (not fast)
    with backend.default_compilation():
        assert cfg.advanced_optimization
        optimised = turning_cup_heap()
        optimised.close()
    assert cfg.advanced_optimization == (not fast)
    # an engine compiled the one way is lent only to a Simulation that compiles the same way (engine_pool.py)
    other = turning_cup_heap()
    assert (other.state is optimised.state) == (not fast)
    other.close()


def test_serial_and_parallel_steps_agree_bit_for_bit():
    with backend.default_compilation():   # as a run compiles them (the suite's fast compilation differs by an ulp)
        _serial_and_parallel_agree()


def _serial_and_parallel_agree():
    a, b = _heap(serial=True), _heap(serial=False)
    if backend.current()["arch"] != "cpu":
        assert not a.serial      # a GPU has no one-thread mode: every step is one launch of parallel loops
        return
    assert a.serial and not b.serial
    # one step per call, and many steps per launch across rebuilds (the parallel mode launches each step alone)
    for chunk in (1, 250, 749):
        a.step(chunk)
        b.step(chunk)
    assert a.step_count == b.step_count == 1000 and a.time == b.time
    assert a.neighbors.n_builds > 3 and b.neighbors.n_builds > 3
    for name in ("positions", "velocities", "angular_velocities", "forces"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    acc_a, acc_b = a.accumulators(), b.accumulators()
    assert acc_a["contacts_particle"].sum() > 100 and acc_a["events_wall"].sum() > 10
    for key in acc_a:
        np.testing.assert_array_equal(acc_a[key], acc_b[key], err_msg=key)
    # the walls' force sums are added up in another order on two threads: equal to rounding
    np.testing.assert_allclose(a.wall_force_on_particles(1), b.wall_force_on_particles(1), rtol=1e-9, atol=1e-15)
    assert abs(a.energy().relative_error() - b.energy().relative_error()) < 1e-12
    assert abs(a.energy().relative_error()) < 1e-3   # the audit closes to integrator accuracy at this coarse step


def test_a_changed_time_step_keeps_the_clock_and_the_trajectory():
    """Velocity Verlet is exact for a constant force, at any sequence of steps: a particle thrown under
    gravity is where the parabola puts it after steps of two sizes, and the clock reads their sum."""
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0)], domain=Domain((-0.1, -0.1, -0.1), (0.1, 0.1, 0.1)),
                     capacity=1, max_radius=5e-3, dt=1e-4, gravity=(0, 0, -9.81))
    v0 = np.array([0.3, 0.0, 1.0])
    sim.add_particles(np.zeros((1, 3)), 5e-3, velocities=v0[None])
    sim.step(300)
    sim.change_time_step(2.5e-4)
    sim.step(200)
    t = 300 * 1e-4 + 200 * 2.5e-4
    assert sim.step_count == 500 and sim.time == pytest.approx(t, rel=1e-12)
    np.testing.assert_allclose(sim.positions[0], v0 * t + 0.5 * np.array([0, 0, -9.81]) * t**2, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sim.velocities[0], v0 + np.array([0, 0, -9.81]) * t, rtol=1e-9, atol=1e-12)
