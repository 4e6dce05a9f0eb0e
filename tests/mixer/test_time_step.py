"""The mixer's time step: steps per contact at the tip speed, the normal law's own unless the run sets it; the
fill's own step while the rotor stands still."""

import math

import h5py
import numpy as np
import pytest

from mfdem.config import make_config
from mfdem.engine.contact import hertz, hysteretic_linear, thornton_ning
from mfdem.io import open_run
from mfdem.mixer import scenario as mixer
from mfdem.mixer.runner import MixerRun
from mfdem.validation import InputError
from tests.small_mixer import small_config


@pytest.mark.parametrize(("model", "law"), [("thornton_ning", thornton_ning), ("hertz", hertz),
                                            ("hysteretic_linear", hysteretic_linear)])
def test_steps_per_contact_are_the_normal_laws_own_unless_given(model, law):
    cfg = make_config(overrides={"contact": {"normal_model": model}})
    assert mixer.steps_per_contact(cfg) == law.STEPS_PER_CONTACT
    given = make_config(overrides={"contact": {"normal_model": model}, "run": {"steps_per_contact": 20}})
    assert mixer.steps_per_contact(given) == 20
    geometry = mixer.build_geometry(cfg)
    assert mixer.time_step(given, geometry) == pytest.approx(
        mixer.time_step(cfg, geometry) * law.STEPS_PER_CONTACT / 20, rel=1e-12)


@pytest.mark.parametrize("value", [1, 4.9])
def test_too_few_steps_per_contact_are_refused(value):
    with pytest.raises(InputError, match=r"run\.steps_per_contact = .*0 \(the normal law's own\) or at least 5"):
        make_config(overrides={"run": {"steps_per_contact": value}})



def test_the_fill_step_resolves_its_fastest_contact():
    cfg = make_config()
    geometry = mixer.build_geometry(cfg)
    speed = mixer.fill_impact_speed(cfg, geometry)     # 2 m/s inlets, a 78 mm fall: 2 × 2.35 m/s
    assert speed == pytest.approx(2 * math.sqrt(2.0**2 + 2 * 9.81 * 2 * geometry.vessel_radius), rel=1e-12)
    # t_c ∝ v^(−1/5): at 10,000 rpm (tip 40 m/s) the fill's step is (40 / 4.7)^(1/5) = 1.53 times the mixing step
    ratio = mixer.fill_time_step(cfg, geometry) / mixer.time_step(cfg, geometry)
    assert ratio == pytest.approx((mixer.tip_speed(cfg, geometry) / speed) ** 0.2, rel=0.02)
    given = make_config(overrides={"run": {"dt": 5e-8}})
    assert mixer.fill_time_step(given, geometry) == mixer.time_step(given, geometry) == 5e-8


def test_the_fill_intervals_run_at_the_fill_step_and_the_clock_stays_on_time(sector_run):
    path, job = sector_run
    assert job.fill_intervals == 2 and job.fill_dt > 1.1 * job.dt
    assert job.total_steps == 2 * round(1e-3 / job.fill_dt) + 6 * round(1e-3 / job.dt) == job.sim.step_count
    assert job.sim.time == pytest.approx(8e-3, rel=1e-12)
    with open_run(path) as run:
        assert run.attrs["fill_dt"] == job.fill_dt and run.dt == job.dt
        np.testing.assert_allclose(run.interval("t_end"), np.arange(1, 9) * 1e-3, rtol=1e-12)
    # the kernels place the rotor where its drive puts it at the clock's time (a clock that counted every step
    # at the mixing step would be 2 × (fill − mixing steps) steps behind)
    cos, sin, omega = job.sim.meshes.pose.to_numpy()[0]
    assert math.atan2(sin, cos) == pytest.approx(math.remainder(job.sim.mesh_angle(0), 2 * math.pi), abs=1e-9)
    assert omega == pytest.approx(job.sim.meshes.angular_speed(0, job.sim.time), rel=1e-12)


def test_a_fill_that_ends_within_an_interval_runs_at_the_shorter_step_throughout(tmp_path):
    cfg = small_config(run={"fill_time": 0.0025})
    geometry = mixer.build_geometry(cfg)
    job = MixerRun.create(cfg, tmp_path / "run.h5")
    try:
        shorter = min(mixer.time_step(cfg, geometry), mixer.fill_time_step(cfg, geometry))
        assert job.fill_dt == job.dt == 1e-3 / math.ceil(1e-3 / shorter)
        assert job.total_steps == job.n_intervals * round(1e-3 / job.dt)
    finally:
        job.run(progress=False, stop_after_intervals=0)   # closes the file


def test_a_resumed_run_keeps_the_steps_its_file_recorded(tmp_path, monkeypatch):
    path = tmp_path / "run.h5"
    first = MixerRun.create(small_config(), path)
    assert first.run(progress=False, stop_after_intervals=1) == "interrupted"    # stopped within the fill
    first.close()                        # the resumes below run on its compiled engine
    # a later mfdem whose time-step rule differs must still finish the run on the steps it began with
    monkeypatch.setattr(mixer, "time_step", lambda cfg, geometry: 0.9 * first.dt)
    monkeypatch.setattr(mixer, "fill_time_step", lambda cfg, geometry: 0.9 * first.fill_dt)
    job = MixerRun.resume(path)
    assert (job.dt, job.fill_dt) == (first.dt, first.fill_dt)
    assert job.run(progress=False) == "complete" and job.sim.step_count == first.total_steps
    job.close()
    with open_run(path) as run:
        np.testing.assert_allclose(run.interval("t_end"), np.arange(1, 9) * 1e-3, rtol=1e-12)
    # a file written before the fill had its own step resumes on its one step
    with h5py.File(path, "r+") as f:
        del f.attrs["fill_dt"]
    old = MixerRun.resume(path)
    try:
        assert old.fill_dt == old.dt == first.dt
    finally:
        old.run(progress=False, stop_after_intervals=0)
