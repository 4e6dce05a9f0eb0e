"""Sweeps and fits through SLURM for real: dask-jobqueue jobs on a single-node SLURM cluster on this machine,
started by scripts/local_slurm.sh (as root). Skipped only where SLURM is not installed
(`bash scripts/local_slurm.sh --install-only` installs it; CI does)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mfdem.calibration import CompactionSetup, Parameter, SearchSpace, Targets, fit, read_curve_csv
from mfdem.engine.materials import InputError
from mfdem.exits import as_click
from mfdem.io import open_run
from mfdem.mixer.cli import sweep as sweep_command
from mfdem.mixer.sweep import rpm_sweep
from mfdem.tasks import ClusterLost, ClusterSpec, Task, finished, run_tasks
from tests.calibration.conftest import COMPACTION, COMPACTION_MATERIAL, material
from tests.small_mixer import small_config

SIGINT_HANDLER = signal.getsignal(signal.SIGINT)
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "local_slurm.sh"
BINARIES = ("munged", "slurmctld", "slurmd", "sinfo", "sbatch", "squeue", "scancel")


@pytest.fixture(scope="module")
def slurm():
    """The local cluster, started for these tests if it is not up (and stopped after them)."""
    if not all(shutil.which(b) for b in BINARIES):
        pytest.skip("SLURM is not installed (bash scripts/local_slurm.sh --install-only)")
    res = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=150)
    if res.returncode != 0:
        pytest.fail(f"the local SLURM cluster did not start:\n{res.stdout}{res.stderr}")
    # the tests below run two jobs at once, and one with as many CPUs as this machine has (up to 2)
    node_cpus = subprocess.run(["sinfo", "-h", "-o", "%c"], capture_output=True, text=True).stdout.split()
    assert node_cpus == [str(max(2, len(os.sched_getaffinity(0))))], (node_cpus, res.stdout)
    yield
    if "already running" not in res.stdout:
        subprocess.run(["bash", str(SCRIPT), "--stop"], capture_output=True, timeout=60)


def spec(**changes) -> ClusterSpec:
    """3 GB jobs on the local partition; the prologue puts this repository on the workers' path (for `held`).
    A worker that compiles the mixer's kernels holds about 0.9 GB: with 1 GB, dask paused it at its memory
    threshold and the task waited for the wall time."""
    return ClusterSpec("slurm", queue="debug", memory="3GB", walltime="00:10:00",
                       prologue=(f"export PYTHONPATH={ROOT}", "export MFDEM_TEST_PROLOGUE=ran"), **changes)


def queued(log_dir: Path = None) -> set:
    """Ids of the queued or running SLURM jobs (of the run whose job logs go to ``log_dir``)."""
    out = subprocess.run(["squeue", "-h", "-O", "JobID:20,StdOut:2000"], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[0] for line in out.splitlines() if log_dir is None or str(log_dir) in line}


def logged_jobs(log_dir: Path) -> set:
    """SLURM job ids with a log file mfdem-<id>.err in ``log_dir``."""
    return {p.stem.split("-")[1] for p in log_dir.glob("mfdem-*.err")}


def test_two_point_sweep_runs_in_two_slurm_jobs(slurm, tmp_path):
    cfg = small_config(run={"duration": 5e-4, "fill_time": 5e-4, "output_interval": 5e-4, "rotor_ramp_time": 5e-4,
                            "threads": 1}, inlets={"insert_interval": 2e-4})
    recs = rpm_sweep([3000, 4500], cfg, tmp_path, spec=spec())        # jobs = 0: one job per point
    assert set(recs) == {"rpm_3000", "rpm_4500"}
    assert all(rec["status"] == "complete" and not rec.get("skipped") for rec in recs.values()), recs
    jobs = {rec["slurm_job"] for rec in recs.values()}
    assert len(jobs) == 2 and jobs <= logged_jobs(tmp_path / "slurm-logs")   # each point in a job of its own
    rotor_work = {}
    for name, rec in recs.items():
        assert finished(tmp_path, name) is not None
        with open_run(tmp_path / f"{name}.h5") as rf:
            assert rf.status == "complete" and rf.rpm == float(name.split("_")[1])
            assert rf.timeseries("n_inserted")[-1] == rf.n_particles == rec["result"]["n_particles"] > 100
            assert 0 < rf.timeseries("kinetic_energy")[-1] < 1.0                 # J, of 0.2 g of powder
            last = rf.snapshot(len(rf.snapshot_times()) - 1)
            assert np.isfinite(last.position).all() and np.abs(last.position).max() < 0.2   # inside the mixer, m
            rotor_work[rf.rpm] = rf.timeseries("rotor_work_total")[-1]
    assert 0 < rotor_work[3000] < rotor_work[4500]            # the faster rotor does more work on the charge


def test_two_evaluation_fit_runs_in_slurm_jobs(slurm, tmp_path):
    # a "measured" loading curve F = 50 N (s / 1 mm)^1.5 for the small compaction case (50 N, 10 mm die)
    s = np.linspace(0.0, 1e-3, 21)
    (tmp_path / "curve.csv").write_text("displacement_m,force_n\n" + "".join(f"{x:.6g},{50 * (x / 1e-3) ** 1.5:.6g}\n"
                                                                              for x in s))
    targets = Targets(curve=read_curve_csv(tmp_path / "curve.csv"))
    space = SearchSpace([Parameter("yield_ratio", 0.05, 0.2)])
    cfg = material(COMPACTION_MATERIAL, run={"threads": 1})
    # seed 3: the initial design is the centre (yield ratio 0.1) and 0.178, far enough apart for a clear trend
    args = dict(cfg=cfg, compaction=CompactionSetup(**COMPACTION), budget=2, batch=2, seed=3, outdir=tmp_path / "fit")
    res = fit(targets, space, spec=spec(), **args)
    assert [e["status"] for e in res.evaluations] == ["complete", "complete"]
    recs = [finished(tmp_path / "fit" / "evaluations", e["name"]) for e in res.evaluations]
    jobs = {rec["slurm_job"] for rec in recs}
    assert len(jobs) == 2 and jobs <= logged_jobs(tmp_path / "fit" / "slurm-logs")
    # harder particles (larger yield ratio) compress less; the bed is denser at the target force than poured
    comp = sorted((e["values"]["yield_ratio"], e["result"]["compaction"]) for e in res.evaluations)
    assert comp[0][0] < comp[1][0] and comp[0][1]["displacement_at_target"] > comp[1][1]["displacement_at_target"] > 0
    for _, c in comp:
        assert 0.2 < c["porosity_at_target"] < c["initial_porosity"] < 0.6 and c["bulk_density"] > 0
    assert 0.05 <= res.best["yield_ratio"] <= 0.2 and np.isfinite(res.best_evaluated_objective)
    assert (tmp_path / "fit" / "best.toml").exists()
    assert len((tmp_path / "fit" / "report.csv").read_text().splitlines()) == 3
    again = fit(targets, space, **args)         # the evaluation files are read back, nothing runs again
    assert all(e["skipped"] for e in again.evaluations) and again.best == res.best


def held(marker: str, wait_s: float = 120.0) -> dict:
    """A task for the kill test: the first attempt writes ``marker`` (its SLURM job id) and waits to be killed
    with its job; a later attempt returns at once, with its worker's threads and its Taichi threads."""
    from distributed import get_worker  # noqa: PLC0415

    from mfdem.engine import backend  # noqa: PLC0415

    path = Path(marker)
    if not path.exists():
        path.write_text(os.environ.get("SLURM_JOB_ID", ""))
        time.sleep(wait_s)
        return {"attempt": 1}
    return {"attempt": 2, "worker_threads": get_worker().state.nthreads,
            "taichi_threads": backend.current()["threads"], "prologue": os.environ.get("MFDEM_TEST_PROLOGUE")}


def wait_for(condition, what: str, timeout: float = 120.0) -> None:
    t0 = time.monotonic()
    while not condition():
        assert time.monotonic() - t0 < timeout, f"waited {timeout:g} s for {what}"
        time.sleep(0.5)


def kill_test_tasks(outdir) -> list:
    return [Task("quick", "mfdem.calibration.surface:column_edges", {"drum_radius": 0.01, "column_width": 0.005}),
            Task("held", "tests.calibration.test_slurm:held", {"marker": str(Path(outdir) / "held.started")})]


# the first run of the kill test, in a process of its own (as a user's sweep): exit 3 when its jobs are lost
FIRST_RUN = """
import sys
from mfdem.tasks import ClusterLost, run_tasks
from tests.calibration.test_slurm import kill_test_tasks, spec
try:
    run_tasks(kill_test_tasks(sys.argv[1]), sys.argv[1], spec=spec())
except ClusterLost as exc:
    print(exc)
    sys.exit(3)
"""


def test_scancelled_jobs_stop_the_run_and_the_rerun_resumes(slurm, tmp_path):
    """Both jobs of a two-task run are scancelled after one task finished and while the other runs: the run
    stops with ClusterLost instead of waiting for workers forever, and the same run again reuses the finished
    result and completes the other task in a new job (with 2 cores where the machine has them: one task at a
    time, 2 Taichi threads)."""
    marker, logs, output = tmp_path / "held.started", tmp_path / "slurm-logs", tmp_path / "first_run.txt"
    with output.open("w") as out:
        run = subprocess.Popen([sys.executable, "-c", FIRST_RUN, str(tmp_path)], cwd=ROOT, stdout=out,
                               stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        def started():
            assert run.poll() is None, output.read_text()
            return finished(tmp_path, "quick") is not None and marker.exists() and marker.read_text()

        wait_for(started, "the quick task to finish and the held one to start")
        quick_job, held_job, jobs = finished(tmp_path, "quick")["slurm_job"], marker.read_text(), queued(logs)
        assert len(jobs) == 2 and {quick_job, held_job} <= jobs          # one job per task
        # the idle job(s) first, so the held task has no worker to move to when its own job goes
        idle = sorted(jobs - {held_job})
        subprocess.run(["scancel", *idle], check=True)
        wait_for(lambda: not queued() & set(idle), "the scancelled jobs to leave the queue")
        subprocess.run(["scancel", held_job], check=True)
        try:
            run.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail("the run still waits for workers 90 s after all its jobs were cancelled")
    finally:
        if run.poll() is None:
            run.kill()
    text = output.read_text()
    assert run.returncode == 3, text
    assert "run the same command again to resume" in text and "held" in text and str(logs) in text
    assert finished(tmp_path, "held") is None
    stamp = (tmp_path / "quick.json").stat().st_mtime_ns

    cores = min(2, len(os.sched_getaffinity(0)))      # the node has this machine's cores
    again = run_tasks(kill_test_tasks(tmp_path), tmp_path, spec=spec(cores=cores))
    assert again["quick"]["skipped"] and (tmp_path / "quick.json").stat().st_mtime_ns == stamp
    assert again["quick"]["result"][0] == pytest.approx(-0.0125)
    rec = again["held"]
    assert rec["status"] == "complete" and not rec.get("skipped"), rec
    assert rec["slurm_job"] not in jobs and rec["slurm_job"] in logged_jobs(logs)
    assert rec["result"] == {"attempt": 2, "worker_threads": 1, "taichi_threads": cores, "prologue": "ran"}


def test_slurm_refuses_a_bad_partition_before_any_job_runs(slurm, tmp_path):
    res = CliRunner().invoke(sweep_command, ["--rpm", "1000", "--preset", "quick", "--out", str(tmp_path / "s"),
                                             "--scheduler", "slurm", "--slurm-queue", "no_such_partition"])
    assert res.exit_code == 2, res.output
    assert "SLURM refuses the worker job" in res.output and "no_such_partition" in res.output
    assert signal.getsignal(signal.SIGINT) is SIGINT_HANDLER   # Ctrl-C still interrupts after dask-jobqueue's import


def test_bad_slurm_settings():
    for changes, field in (({"memory": "lots"}, "memory"), ({"memory": "100MB"}, "memory"),
                           ({"walltime": "1h"}, "walltime"), ({"jobs": -1}, "jobs"), ({"queue": "a b"}, "queue"),
                           ({"job_extra": ("#SBATCH --gres=gpu:1",)}, "job_extra"),
                           ({"prologue": "module load cuda"}, "prologue"),
                           ({"interface": "no-such-nic0"}, "interface")):
        with pytest.raises(InputError, match=f"^{field}"):
            ClusterSpec("slurm", **changes).validate()
    ClusterSpec("slurm", walltime="2-12:00:00", memory="16GiB", job_extra=("--gres=gpu:1",)).validate()
    # one job per task unless fewer are asked for; job logs in the run's folder unless set
    assert ClusterSpec("slurm").for_run("out", 5).jobs == 5
    assert ClusterSpec("slurm", jobs=2).for_run("out", 5).jobs == 2
    assert ClusterSpec("slurm", jobs=8).for_run("out", 5).jobs == 5
    assert ClusterSpec("slurm").for_run("out", 5).log_directory == str(Path("out") / "slurm-logs")
    res = CliRunner().invoke(sweep_command, ["--rpm", "1000", "--scheduler", "slurm", "--slurm-walltime", "90min"])
    assert res.exit_code == 2 and "walltime" in res.output
    lost = as_click(ClusterLost("every SLURM job of this run has ended ..."))   # the command's one line, exit 1
    assert lost.exit_code == 1 and lost.format_message() == "every SLURM job of this run has ended ..."
