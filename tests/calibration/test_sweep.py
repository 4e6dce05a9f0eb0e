"""rpm sweep of the small mixer on a local Dask cluster; a killed sweep resumes without redoing finished points."""

import json

import pytest
from click.testing import CliRunner

from mfdem.engine.materials import InputError
from mfdem.io import open_run
from mfdem.mixer.cli import sweep as sweep_command
from mfdem.mixer.sweep import rpm_sweep
from mfdem.tasks import ClusterSpec, Task, finished, run_tasks
from tests.small_mixer import small_config


def test_two_point_sweep_runs_on_a_local_cluster_and_resumes(tmp_path, dask_client):
    cfg = small_config(run={"duration": 0.003, "threads": 1})
    recs = rpm_sweep([3000, 4500], cfg, tmp_path, client=dask_client)
    assert set(recs) == {"rpm_3000", "rpm_4500"}
    for name, rec in recs.items():
        assert rec["status"] == "complete" and not rec.get("skipped")
        with open_run(tmp_path / f"{name}.h5") as rf:
            assert rf.status == "complete"
            assert rf.rpm == float(name.split("_")[1])
    assert len({rec["pid"] for rec in recs.values()}) == 2      # one point on each worker process
    kept, lost = tmp_path / "rpm_3000.json", tmp_path / "rpm_4500.json"
    stamps = {p: p.stat().st_mtime_ns for p in (kept, tmp_path / "rpm_3000.h5", tmp_path / "rpm_4500.h5")}
    # the sweep was killed after the 4500 rpm run file was complete but before its result file was written
    lost.unlink()
    again = rpm_sweep([3000, 4500], cfg, tmp_path, client=dask_client)
    assert again["rpm_3000"]["skipped"] and again["rpm_3000"]["status"] == "complete"
    assert not again["rpm_4500"].get("skipped") and again["rpm_4500"]["status"] == "complete"
    assert again["rpm_4500"]["result"]["resumed"] is False
    for path, stamp in stamps.items():
        assert path.stat().st_mtime_ns == stamp, path          # neither point was simulated again
    assert finished(tmp_path, "rpm_4500") is not None


def test_partial_result_files_are_rerun_and_failures_reported(tmp_path):
    """A half-written result file does not count as finished; a failing task is reported, not raised."""
    (tmp_path / "p1.json").write_text('{"format": "mfdem-task-result", "status": "comp')
    tasks = [Task("p1", "mfdem.calibration.surface:column_edges", {"drum_radius": 0.01, "column_width": 0.005}),
             Task("p2", "mfdem.calibration.surface:column_edges", {"drum_radius": -1.0, "column_width": 0.0})]
    recs = run_tasks(tasks, tmp_path, spec=ClusterSpec("inline"))
    assert recs["p1"]["status"] == "complete" and recs["p1"]["result"][0] == pytest.approx(-0.0125)
    assert recs["p2"]["status"] == "failed" and "ZeroDivisionError" in recs["p2"]["error"]
    assert (tmp_path / "p2.failed.json").exists() and finished(tmp_path, "p2") is None
    assert json.loads((tmp_path / "p1.json").read_text())["status"] == "complete"


def test_bad_sweep_input(tmp_path):
    with pytest.raises(InputError, match="rpm"):
        rpm_sweep([], small_config(), tmp_path)
    with pytest.raises(InputError, match="scheduler"):
        ClusterSpec("pbs").validate()
    res = CliRunner().invoke(sweep_command, ["--rpm", "1000,abc"])
    assert res.exit_code == 2 and "--rpm" in res.output
    res = CliRunner().invoke(sweep_command, ["--rpm", "1000", "--scheduler", "sge://x"])
    assert res.exit_code == 2 and "scheduler" in res.output
