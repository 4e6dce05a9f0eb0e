"""Guards of the main job: a particle too soft for the rotor is refused before anything compiles, or stops
the run with a readable file; the run file records the particle actually used."""

import math

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from mfdem.cli import main
from mfdem.engine import engine_pool
from mfdem.engine.materials import InputError
from mfdem.io import open_run
from mfdem.mixer.runner import MixerRun, RunStopped, RunWarning
from tests.small_mixer import small_config

# the estimate this project shipped first: E 100 MPa, yield ratio 0.0103 read as a_y/R (p_y ≈ 0.72 MPa)
SOFT = {"particles": {"youngs_modulus": 1e8, "yield_ratio": 0.0103}, "run": {"rpm": 10000.0}}


def test_a_soft_particle_is_refused_before_anything_compiles(tmp_path):
    path = tmp_path / "soft.h5"
    with pytest.raises(InputError) as info:
        MixerRun.create(small_config(**SOFT), path)
    msg = str(info.value)
    assert "run.overlap_limit = 0.5 R" in msg and "√(3 p_y/ρ) = 29.9 m/s" in msg
    assert "particles.yield_pressure ≥" in msg
    assert not path.exists()


def test_a_soft_particle_at_10000_rpm_stops_with_an_overlap_error_and_a_readable_file_and_resumes_with_warn(
        tmp_path):
    path = tmp_path / "soft.h5"
    # 2 ms of rotor after the 2 ms fill: the overlap stops it about 0.25 ms after the rotor starts, and the
    # resumed run, slow with contacts this deep, goes on for the rest
    soft = {**SOFT, "run": {**SOFT["run"], "duration": 0.002}}
    res = CliRunner().invoke(main, ["run", "--config", str(_toml(tmp_path, soft)), "--overlap-action", "stop",
                                    "--out", str(path), "--quiet"])
    assert res.exit_code == 1
    assert "overlaps the rotor" in res.output or "overlaps particle" in res.output or "overlaps the vessel" in \
        res.output, res.output
    assert "relative speed" in res.output and "completed intervals" in res.output
    with open_run(path) as rf:
        assert rf.status == "failed" and "run.overlap_limit = 0.5 R" in rf.failure
        assert rf.n_intervals >= 2                       # the fill intervals are intact
        assert np.all(rf.interval("t_end") <= 0.004)
        assert rf.timeseries("max_overlap_ratio").max() <= 0.5
    with h5py.File(path, "r") as f:                      # an ordinary HDF5 file again
        assert f.attrs["status"] == "failed"
        stopped_at = len(f["intervals/t_end"])
    stopped_engine = engine_pool._parked[-1][1]["state"]  # mfdem run gave the stopped run's engine back

    # the guard's settings, and only they, may change on resuming: the run goes on past the overlap
    res = CliRunner().invoke(main, ["run", "--resume", str(path), "--rpm", "5000", "--overlap-action", "warn"])
    assert res.exit_code == 2 and "--rpm" in res.output and "--overlap-action" not in res.output
    with pytest.raises(InputError, match="run.rpm: a resumed run may change only run.overlap_limit and"):
        MixerRun.resume(path, {"rpm": 5000.0})
    res = CliRunner().invoke(main, ["run", "--resume", str(path), "--overlap-limit", "3"])
    assert res.exit_code == 2 and "run.overlap_limit = 3" in res.output
    with pytest.warns(RunWarning, match="overlap_action = \"warn\": the run goes on"):
        res = CliRunner().invoke(main, ["run", "--resume", str(path), "--overlap-action", "warn", "--quiet"])
    assert res.exit_code == 0, res.output
    assert engine_pool._parked[-1][1]["state"] is stopped_engine     # the resume ran on it, no new compile
    with open_run(path) as rf:
        assert rf.status == "complete" and rf.n_intervals > stopped_at
        assert rf.timeseries("max_overlap_ratio").max() > 0.5
        assert 'overlap_action = "warn"' in rf.config_text
        assert rf.attrs["guard_changes"].startswith("from t = ")
        assert rf.attrs["guard_changes"].endswith("run.overlap_action = 'warn' (was 'stop')")


def test_the_run_file_records_the_particle_actually_used(sector_run):
    path, job = sector_run
    cfg = job.cfg
    with open_run(path) as rf:
        a = rf.attrs
        e_star = 1 / ((1 - 0.09) / cfg.particles.youngs_modulus + (1 - 0.09) / cfg.wall.youngs_modulus)
        # yield ratio 0.1 read as a_y/R_i: p_y = 2 E* · 0.1 / π against a wall, 4 E* · 0.1 / π between spheres
        assert a["yield_pressure_particle_wall"] == pytest.approx(2 * e_star * 0.1 / math.pi, rel=1e-12)
        assert a["yield_pressure_particle_particle"] == pytest.approx(
            4 * cfg.particles.youngs_modulus / (2 * (1 - 0.09)) * 0.1 / math.pi, rel=1e-12)
        assert a["pass_through_speed"] == pytest.approx(
            math.sqrt(3 * a["yield_pressure_particle_wall"] / cfg.particles.density), rel=1e-12)
        assert 0 < a["yield_velocity_particle_wall"] < a["yield_velocity_particle_particle"]
        assert a["stress_event_speed"] == 0.01
        assert 0 < a["tip_impact_overlap_ratio"] < 0.5
        assert np.all(rf.timeseries("dropped_mesh_contacts") == 0)
        starts, events = rf.interval("contact_starts"), rf.interval("collisions")
        assert starts.sum() > 0 and events.sum() > 0
        assert np.all(rf.interval("contact_starts_wall") <= starts)


def test_dropped_mesh_contacts_reach_the_file_and_a_warning(tmp_path):
    job = MixerRun.create(small_config(run={"duration": 0.001}), tmp_path / "drop.h5")
    job.sim.dropped_mesh_contacts = lambda reset=False: 5        # as if every row had lost five contact-steps
    with pytest.warns(RunWarning, match="mesh contact-steps were dropped") as caught:
        assert job.run(progress=False) == "complete"
    assert sum(issubclass(w.category, RunWarning) for w in caught) == 1   # once per run, not per interval
    with open_run(tmp_path / "drop.h5") as rf:
        rows = rf.timeseries("dropped_mesh_contacts")
        assert len(rows) > 0 and np.all(rows == 5)


def _toml(tmp_path, changes):
    from tests.small_mixer import SMALL  # noqa: PLC0415

    lines = []
    merged = {section: dict(values) for section, values in SMALL.items()}
    for section, values in changes.items():
        merged.setdefault(section, {}).update(values)
    for section, values in merged.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {v!r}".replace("'", '"') for k, v in values.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_hundred_times_the_advised_time_step_stops_the_run_as_failed(tmp_path):
    """With overlap warnings only, the blow-up guard (non-finite or far too fast particles) still stops it."""
    from mfdem.mixer import scenario as mixer  # noqa: PLC0415

    cfg = small_config(run={"overlap_action": "warn"})
    advised = mixer.time_step(cfg, mixer.build_geometry(cfg))
    path = tmp_path / "blowup.h5"
    # the skin of the small case at its own step (0.2 R), not the one a 100 times longer step would get: the
    # same array layout, so the run takes the compiled engine an earlier small run left (engine_pool.py)
    skin = 0.2 * cfg.particles.diameter / 2
    with pytest.warns(UserWarning):                      # the time-step helper's warning
        job = MixerRun.create(small_config(run={"overlap_action": "warn", "dt": 100 * advised},
                                           engine={"skin": skin}), path)
    with pytest.raises(RunStopped, match="blew up"):
        job.run(progress=False)
    with open_run(path) as rf:
        assert rf.status == "failed" and "blew up" in rf.failure


def test_one_writer_per_run_file(tmp_path):
    """While a run holds its file, a second run (even with overwrite), a resume and a repair refuse, naming
    the writer's process; the first run completes intact and releases the file."""
    import os  # noqa: PLC0415

    from mfdem.io import RunFileError, repair  # noqa: PLC0415

    path = tmp_path / "live.h5"
    first = MixerRun.create(small_config(run={"duration": 0.001}), path)
    for attempt in (lambda: MixerRun.create(small_config(), path, overwrite=True),
                    lambda: MixerRun.resume(path), lambda: repair(path)):
        with pytest.raises(RunFileError, match=f"being written by process {os.getpid()}"):
            attempt()
    assert first.run(progress=False) == "complete"
    with open_run(path) as rf:
        assert rf.status == "complete" and rf.n_intervals == first.n_intervals
    assert not (tmp_path / "live.h5.lock").exists()
    assert repair(path) is False                           # free again
