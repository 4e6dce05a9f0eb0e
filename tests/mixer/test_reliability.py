"""Run-time failures stop the run cleanly with status "failed", keep every completed interval, and say why:
a write error (a full disk), a fill that cannot be inserted, an energy audit that is off; analysis refuses a
failed run unless asked."""

import errno

import numpy as np
import pytest
from click.testing import CliRunner

from mfdem.analysis import AnalysisError, analyze_run
from mfdem.cli import main
from mfdem.io import open_run
from mfdem.mixer.runner import MixerRun, RunStopped
from tests.small_mixer import small_config


def test_a_write_error_mid_run_stops_cleanly_and_resume_continues(tmp_path, sector_run):
    path = tmp_path / "full.h5"
    job = MixerRun.create(small_config(), path)
    writer, real = job.writer, job.writer.append_interval
    calls = []

    def disk_full(**row):
        calls.append(1)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(**row)
    writer.append_interval = disk_full
    with pytest.raises(RunStopped) as info:
        job.run(progress=False)
    msg = str(info.value)
    assert "No space left on device" in msg and "3 completed intervals" in msg and "--resume" in msg
    with open_run(path) as rf:
        assert rf.status == "failed" and "No space left on device" in rf.failure
        assert rf.n_intervals == 3 and rf.checkpoint()[1] == 3
    assert not (tmp_path / "full.h5.lock").exists()

    job.close()                                               # the resume runs on its compiled engine
    assert MixerRun.resume(path).run(progress=False) == "complete"
    reference, _ = sector_run                                 # the same case, never interrupted
    with open_run(path) as a, open_run(reference) as b:      # the resumed run is the uninterrupted one
        assert a.status == "complete" and a.n_intervals == b.n_intervals == 8
        np.testing.assert_array_equal(a.interval("dissipated_work"), b.interval("dissipated_work"))
        np.testing.assert_array_equal(a.timeseries("kinetic_energy"), b.timeseries("kinetic_energy"))


def test_the_command_line_reports_a_write_error_with_exit_1(tmp_path, monkeypatch):
    from mfdem.io.runlog import RunWriter  # noqa: PLC0415

    def fail(self, arrays, n_intervals):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(RunWriter, "write_checkpoint", fail)
    res = CliRunner().invoke(main, ["run", "--config", str(_config(tmp_path)), "--out", str(tmp_path / "ro.h5"),
                                    "--quiet"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "Read-only file system" in res.output and "--resume" in res.output


def test_a_fill_that_cannot_be_inserted_stops_with_the_number_that_fit(tmp_path):
    # one inlet one particle layer thick (434 sites) and two batches: 1 g (1,543 particles) cannot get in
    cfg = small_config(run={"charge_mass": 1e-3, "fill_time": 0.0005, "duration": 0.002},
                       inlets={"count": 1, "inner_radius": 0.029, "outer_radius": 0.030, "insert_interval": 0.0005})
    path = tmp_path / "jam.h5"
    job = MixerRun.create(cfg, path)
    with pytest.raises(RunStopped, match=r"the fill ended at t = 0.0005 s with only \d+ of 1543 particles inserted"):
        job.run(progress=False)
    with open_run(path) as rf:
        assert rf.status == "failed" and "Lengthen run.fill_time" in rf.failure
        assert rf.n_intervals == 0 and rf.fill_state() is None


def test_an_energy_audit_beyond_the_tolerance_stops_the_run(tmp_path):
    path = tmp_path / "books.h5"
    job = MixerRun.create(small_config(run={"energy_tolerance": 1e-12}), path)
    with pytest.raises(RunStopped, match=r"the energy audit is off by .* run.energy_tolerance = 1e-12"):
        job.run(progress=False)
    with open_run(path) as rf:
        assert rf.status == "failed" and "energy audit" in rf.failure


def test_analysis_refuses_a_failed_run_unless_asked(sector_run, tmp_path):
    src, _ = sector_run
    failed = tmp_path / "failed.h5"
    failed.write_bytes(src.read_bytes())
    import h5py  # noqa: PLC0415

    with h5py.File(failed, "r+") as f:
        f.attrs["status"] = "failed"
        f.attrs["failure"] = "t = 0.005 s: particle 3 moves at 1e+04 m/s: the simulation blew up"
    with pytest.raises(AnalysisError, match=r"the run failed \(t = 0.005 s: particle 3 .*--allow-failed"):
        analyze_run(failed, steady_from=0.004)
    res = CliRunner().invoke(main, ["analyze", str(failed), "--steady-from", "0.004"])
    assert res.exit_code == 2 and "--allow-failed" in res.output
    a = analyze_run(failed, steady_from=0.004, allow_failed=True)
    assert a.SI_CG > 0 and any("status is 'failed'" in w for w in a.warnings)
    res = CliRunner().invoke(main, ["analyze", str(failed), "--steady-from", "0.004", "--allow-failed"])
    assert res.exit_code == 0, res.output


def _config(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(small_config().to_toml())
    return path
