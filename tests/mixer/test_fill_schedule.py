"""The fill's schedule and the particle-steps of a whole run (what benchmarks/mixer_sector.py projects from)."""

import numpy as np
import pytest

from mfdem.config import make_config
from mfdem.mixer.scenario import fill_particle_steps, fill_target, run_particle_steps


@pytest.fixture(scope="module")
def cfg():
    return make_config(overrides={"run": {"fill_time": 0.01, "duration": 0.02},
                                  "inlets": {"insert_interval": 0.001}})


def test_the_fill_brings_the_same_number_of_particles_at_every_batch(cfg):
    n = cfg.n_particles
    counts = np.array([fill_target(cfg, t) for t in np.arange(10) * 1e-3])
    assert counts[-1] == n
    assert np.all(np.abs(np.diff(counts) - n / 10) <= 1)
    assert fill_target(cfg, 0.0) == pytest.approx(n / 10, abs=1)


def test_run_particle_steps_is_the_step_by_step_sum(cfg):
    dt = 1e-5
    steps = np.arange(round((cfg.run.fill_time + cfg.run.duration) / dt))
    t = steps * dt
    batch = np.floor(t / 1e-3 + 1e-9) * 1e-3                       # the batch that last inserted
    n = np.where(t < cfg.run.fill_time, [fill_target(cfg, b) for b in batch], cfg.n_particles)
    assert run_particle_steps(cfg, dt) == pytest.approx(n.sum(), rel=1e-9)
    assert fill_particle_steps(cfg, dt) == pytest.approx(n[t < cfg.run.fill_time].sum(), rel=1e-9)
    # the fill holds (1 + 1/batches)/2 of the charge on average
    full = cfg.n_particles * (cfg.run.fill_time + cfg.run.duration) / dt
    assert run_particle_steps(cfg, dt) / full == pytest.approx((0.55 * 0.01 + 0.02) / 0.03, rel=2e-3)


def test_the_fill_counts_at_its_own_step(cfg):
    fill_steps = run_particle_steps(cfg, 1e-5) - run_particle_steps(cfg, 1e-5, fill_dt=1e99)
    assert run_particle_steps(cfg, 1e-5, fill_dt=2e-5) == pytest.approx(
        run_particle_steps(cfg, 1e-5) - fill_steps / 2, rel=1e-12)
