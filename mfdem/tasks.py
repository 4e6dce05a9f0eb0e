"""Many independent simulations on Dask: the evaluations of a calibration fit and the points of a mixer sweep.

One option chooses where they run (:class:`ClusterSpec.scheduler`):

* ``local`` — a :class:`distributed.LocalCluster` of worker *processes* on this machine (default: one per
  core, one task at a time each; every process initialises its own Taichi backend);
* ``slurm`` — a :class:`dask_jobqueue.SLURMCluster`: ``jobs`` batch jobs (0: one per task to run) with
  ``cores``/``memory``/``walltime`` on ``queue`` (and ``account``); each job is one worker process that runs
  one task at a time with ``cores`` Taichi threads (Taichi's runtime belongs to the process). SLURM checks the
  job (``sbatch --test-only``) before any is submitted; job logs go to ``log_directory``
  (``<outdir>/slurm-logs`` by default). A killed job's task moves to the other jobs; when every job has
  ended (scancel, wall time, node failure) the run stops with :class:`ClusterLost`;
* ``tcp://host:port`` (or ``tls://``) — an existing Dask scheduler;
* ``inline`` — no Dask: one after the other in this process (debugging, tests).

Every task writes its own result file ``<outdir>/<name>.json`` atomically (temporary file + ``os.replace``)
when it completes; a mixer point also writes its run file ``<name>.h5`` as it goes. On start, points
whose result file is present and complete are skipped, and a mixer run file left by a killed sweep is
resumed from its last checkpoint — so a sweep that dies is restarted with the same command and redoes
nothing that was finished.
"""

from __future__ import annotations

import contextlib
import getpass
import importlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time as wallclock
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from mfdem.io.atomic import atomic_write_json, jsonable
from mfdem.progress import Progress
from mfdem.validation import InputError, RunFailure

SCHEDULER_TIMEOUT = "10s"   # waiting longer for a scheduler that does not answer helps nobody
GATHER_TIMEOUT_S = 30.0     # for the result of a finished task that wrote no result file
SLURM_CHECK_S = 10.0        # while no worker is connected, squeue is asked this often whether the jobs still exist
SLURM_MIN_MEMORY = "512MiB"  # a worker (Python, Dask, Taichi) needs about this much before any simulation
# sbatch --time formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]]
_WALLTIME = re.compile(r"\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}")
_SLURM_NAME = re.compile(r"[\w.,-]*")   # partition(s) and account names

RESULT_FORMAT = "mfdem-task-result"


class TaskError(RunFailure):
    """Tasks could not run (a cluster that does not answer, or whose jobs all ended); exit 1."""


class ClusterLost(TaskError):
    """Every SLURM job of a run ended (scancel, wall time, node failure, or a job that could not start) while
    tasks were left; the finished tasks' result files are kept, so running the same command again resumes."""


@dataclass
class ClusterSpec:
    """Where tasks run (module docstring). ``threads_per_worker`` is the number of CPU threads Taichi uses in
    each task (local: workers × threads should not exceed the cores). SLURM settings left empty come from
    dask-jobqueue's configuration (``~/.config/dask/jobqueue.yaml``, ``jobqueue.slurm``) when there is one."""

    scheduler: str = "local"
    workers: int = 0                 # local: worker processes (0 = cores / threads_per_worker)
    threads_per_worker: int = 1
    queue: str = ""                  # slurm partition (sbatch -p)
    account: str = ""                # slurm account (sbatch -A)
    cores: int = 1                   # slurm: cores per job (= Taichi threads of its one task at a time)
    memory: str = "4GB"              # slurm: memory per job
    walltime: str = "01:00:00"       # slurm: per job
    jobs: int = 0                    # slurm: number of jobs (one worker each); 0 = one per task to run
    job_extra: tuple = ()            # slurm: extra #SBATCH directives, e.g. ("--gres=gpu:1",)
    prologue: tuple = ()             # slurm: shell lines each job runs before its worker, e.g. ("module load cuda",)
    interface: str = ""              # slurm: network interface of this machine the workers connect to, e.g. "ib0"
    log_directory: str = ""          # slurm: the jobs' stdout/stderr files (run_tasks: <outdir>/slurm-logs)
    local_directory: str = ""        # worker scratch space

    def validate(self) -> "ClusterSpec":
        s = self.scheduler
        if s not in ("local", "slurm", "inline") and not s.startswith(("tcp://", "tls://", "inproc://")):
            raise InputError(f"scheduler = {s!r}: must be local, slurm, inline or a scheduler address "
                             "(tcp://host:port)")
        for name, lo in (("workers", 0), ("threads_per_worker", 1), ("cores", 1), ("jobs", 0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise InputError(f"{name} = {v!r}: must be an integer ≥ {lo}")
        from dask.utils import parse_bytes  # noqa: PLC0415

        try:
            memory = parse_bytes(self.memory) if isinstance(self.memory, str) else -1
        except ValueError:
            memory = -1
        if memory < parse_bytes(SLURM_MIN_MEMORY):
            raise InputError(f"memory = {self.memory!r}: must be an amount ≥ {SLURM_MIN_MEMORY} per job, "
                             "e.g. 4GB or 16GiB")
        if not (isinstance(self.walltime, str) and _WALLTIME.fullmatch(self.walltime)):
            raise InputError(f"walltime = {self.walltime!r}: must be a SLURM time limit: MINUTES, HH:MM:SS or "
                             "DAYS-HH:MM:SS, e.g. 12:00:00")
        for name in ("queue", "account"):
            v = getattr(self, name)
            if not (isinstance(v, str) and _SLURM_NAME.fullmatch(v)):
                raise InputError(f"{name} = {v!r}: must be a SLURM name (letters, digits, _ . -; partitions may "
                                 "be a comma-separated list)")
        for name in ("job_extra", "prologue"):
            v = getattr(self, name)
            if not (isinstance(v, (tuple, list)) and all(isinstance(x, str) and "\n" not in x for x in v)):
                raise InputError(f"{name} = {v!r}: must be a list of one-line strings")
        for line in self.job_extra:
            if not line.startswith("-"):
                raise InputError(f"job_extra: {line!r} is not an sbatch option; give options such as "
                                 "--gres=gpu:1 or --constraint=skylake (without '#SBATCH')")
        if s == "slurm" and self.interface:
            import psutil  # noqa: PLC0415 - a dependency of distributed

            names = sorted(psutil.net_if_addrs())
            if self.interface not in names:
                raise InputError(f"interface = {self.interface!r}: not a network interface of this machine; "
                                 f"it has {', '.join(names)}")
        return self

    @property
    def task_threads(self) -> int:
        return self.cores if self.scheduler == "slurm" else self.threads_per_worker

    def for_run(self, outdir, tasks: int) -> "ClusterSpec":
        """This spec for ``tasks`` tasks writing into ``outdir``: on SLURM, at most one job per task (``jobs``
        = 0: exactly one per task) and the job logs in ``<outdir>/slurm-logs`` unless ``log_directory`` is set."""
        if self.scheduler != "slurm":
            return self
        return replace(self, jobs=max(1, min(self.jobs or tasks, tasks)),
                       log_directory=self.log_directory or str(Path(outdir) / "slurm-logs"))


@contextlib.contextmanager
def dask_client(spec: ClusterSpec):
    """A connected ``distributed.Client`` for ``spec`` (None for ``inline``); closes what it started."""
    spec.validate()
    if spec.scheduler == "inline":
        yield None
        return
    from distributed import Client, LocalCluster  # noqa: PLC0415 - heavy import, only when used

    if spec.scheduler == "local":
        workers = spec.workers or max(1, (os.cpu_count() or 1) // spec.threads_per_worker)
        kwargs = dict(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR)
        if spec.local_directory:
            kwargs["local_directory"] = spec.local_directory
        with LocalCluster(**kwargs) as cluster, Client(cluster) as client:
            yield client
    elif spec.scheduler == "slurm":
        with _slurm_cluster(spec) as cluster, Client(cluster) as client:
            yield client
    else:
        try:
            client = Client(spec.scheduler, timeout=SCHEDULER_TIMEOUT)
        except OSError as exc:   # unreachable, refused, or not a Dask scheduler
            raise InputError(f"--scheduler {spec.scheduler}: cannot connect ({exc}); check the address, or start "
                             "one with `dask scheduler`") from None
        with client:
            yield client


@contextlib.contextmanager
def _slurm_cluster(spec: ClusterSpec):
    """A dask-jobqueue SLURMCluster with ``spec.jobs`` jobs submitted, once SLURM has accepted the job script."""
    import dask  # noqa: PLC0415

    SLURMCluster = _slurm_cluster_class()  # noqa: N806
    sbatch = shutil.which("sbatch")
    if sbatch is None:
        raise InputError("scheduler = slurm: sbatch is not on PATH; run where SLURM jobs are submitted (a login "
                         "node), or start a local test cluster with `bash scripts/local_slurm.sh`")
    # one single-threaded worker process per job (one task at a time); job_cpu books the cores its task's
    # Taichi threads use. The worker runs this Python (sys.executable) unless jobqueue.slurm.python says otherwise.
    kwargs = dict(cores=1, processes=1, job_cpu=spec.cores, memory=spec.memory, walltime=spec.walltime,
                  job_name="mfdem")
    for key, value in (("queue", spec.queue), ("account", spec.account), ("interface", spec.interface),
                       ("local_directory", spec.local_directory), ("job_extra_directives", list(spec.job_extra)),
                       ("job_script_prologue", list(spec.prologue)),
                       ("log_directory", spec.log_directory and os.path.abspath(spec.log_directory))):
        if value:
            kwargs[key] = value
    # a worker holds one task at a time (Dask's default lets a one-thread worker queue two), so a task waits
    # for the next job to start rather than behind another task in a running one
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}), SLURMCluster(**kwargs) as cluster:
        _sbatch_test(sbatch, cluster.job_script())
        cluster.scale(jobs=spec.jobs or 1)
        yield cluster


def _slurm_cluster_class():
    """``dask_jobqueue.SLURMCluster``. Importing dask-jobqueue (0.9) makes Ctrl-C call ``sys.exit()``, which would
    end an interrupted sweep with exit status 0: the previous SIGINT handler is put back."""
    if "dask_jobqueue" not in sys.modules:
        if threading.current_thread() is not threading.main_thread():
            raise InputError("scheduler = slurm: the first SLURM run of a process must start in its main thread "
                             "(importing dask-jobqueue sets a signal handler)")
        handler = signal.getsignal(signal.SIGINT)
        try:
            import dask_jobqueue  # noqa: F401, PLC0415
        except ImportError as exc:  # pragma: no cover - a dependency of mfdem
            raise InputError(f"scheduler = slurm needs dask-jobqueue ({exc})") from None
        finally:
            signal.signal(signal.SIGINT, handler)
    return sys.modules["dask_jobqueue"].SLURMCluster


def _sbatch_test(sbatch: str, script: str) -> None:
    """Let SLURM check the worker job without submitting it: a bad partition, account, memory or option is
    refused here, before the run starts, instead of leaving it waiting for workers that never come."""
    with tempfile.NamedTemporaryFile("w", suffix=".sh", prefix="mfdem-job-") as f:
        f.write(script)
        f.flush()
        try:
            res = subprocess.run([sbatch, "--test-only", f.name], capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise TaskError("sbatch --test-only did not answer within 120 s: is the SLURM controller "
                                   "up (sinfo)?") from None
    if res.returncode != 0:
        why = " ".join(res.stderr.split()) or f"exit status {res.returncode}"
        raise InputError(f"SLURM refuses the worker job (check the partition, account, cores, memory, walltime "
                         f"and extra #SBATCH options): {why}")


@dataclass
class Task:
    """One independent job: ``func`` ("module:function") called with ``kwargs`` (plain, picklable values);
    its return value (a dict) goes into ``<outdir>/<name>.json``."""

    name: str
    func: str
    kwargs: dict = field(default_factory=dict)
    arch: str = "cpu"
    precision: str = "f64"


def result_path(outdir, name: str) -> Path:
    return Path(outdir) / f"{name}.json"


def finished(outdir, name: str) -> dict | None:
    """The complete result record of task ``name`` in ``outdir``, or None (absent, partial or failed)."""
    path = result_path(outdir, name)
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(rec, dict) and rec.get("format") == RESULT_FORMAT and rec.get("status") == "complete":
        return rec
    return None


def execute_task(func: str, kwargs: dict, path: str, name: str, threads: int, arch: str = "cpu",
                 precision: str = "f64") -> dict:
    """Run one task where it is scheduled (a Dask worker or this process) and write its result file.

    Initialises this process's Taichi backend first (``arch``, ``precision``, ``threads``): each worker
    process has its own. A failure is returned as ``{"status": "failed", ...}`` (and written to
    ``<name>.failed.json``) rather than raised, so one bad point does not stop a sweep.
    """
    from mfdem.engine import backend  # noqa: PLC0415

    t0 = wallclock.perf_counter()
    base = {"format": RESULT_FORMAT, "name": name, "func": func, "kwargs": jsonable(kwargs),
            "host": socket.gethostname(), "pid": os.getpid()}
    if os.environ.get("SLURM_JOB_ID"):   # the job whose log (<log_directory>/mfdem-<id>.err) tells its story
        base["slurm_job"] = os.environ["SLURM_JOB_ID"]
    try:
        backend.init(arch, precision, threads)
        module, _, attr = func.partition(":")
        fn = getattr(importlib.import_module(module), attr)
        result = fn(**kwargs)
        rec = {**base, "status": "complete", "result": jsonable(result),
               "runtime_s": wallclock.perf_counter() - t0, "finished_at": wallclock.time()}
        atomic_write_json(path, rec)
        Path(path).with_suffix(".failed.json").unlink(missing_ok=True)
        return rec
    except Exception as exc:  # noqa: BLE001 - reported per task
        rec = {**base, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
               "traceback": traceback.format_exc(), "runtime_s": wallclock.perf_counter() - t0}
        with contextlib.suppress(OSError):
            atomic_write_json(Path(path).with_suffix(".failed.json"), rec)
        return rec


def call(func: str, kwargs: dict, threads: int = 1, arch: str = "cpu", precision: str = "f64"):
    """Call ``func`` ("module:function") with ``kwargs`` after initialising this process's Taichi backend and
    return its result as it is (no result file): ``client.submit(call, ...)`` runs a one-off job on a worker."""
    from mfdem.engine import backend  # noqa: PLC0415

    backend.init(arch, precision, threads)
    module, _, attr = func.partition(":")
    return getattr(importlib.import_module(module), attr)(**kwargs)


def run_tasks(tasks: list, outdir, *, client=None, spec: ClusterSpec = None, on_done=None,
              threads: int = None, progress: str = "") -> dict:
    """Run every task whose result file is not complete yet; returns ``{name: record}`` for all tasks
    (finished ones read back with ``"skipped": True``). ``client``: a Dask client, or None to run inline
    (or give ``spec`` to open one). ``on_done(name, record)`` is called as each task ends. ``threads``: Taichi
    CPU threads per task (default: the spec's, else 1). ``progress``: a description to show the tasks' progress
    under (mfdem/progress.py; failures get a line of their own), empty for none."""
    outdir = Path(outdir).absolute()   # the same files wherever a worker runs (its job may start elsewhere)
    outdir.mkdir(parents=True, exist_ok=True)
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise InputError("tasks: names must be unique (they name the result files)")
    records = {}
    todo = []
    for t in tasks:
        rec = finished(outdir, t.name)
        if rec is not None:
            records[t.name] = {**rec, "skipped": True}
        else:
            todo.append(t)
    if threads is None:
        threads = spec.task_threads if spec is not None else 1
    with Progress(len(tasks), desc=progress, unit="task", enabled=bool(progress), initial=len(records)) as bar:
        def done(name, rec):
            bar.update_to(bar.done + 1, f"{name} {rec.get('status')}")
            if rec.get("status") != "complete":
                bar.write(f"{name}: FAILED: {rec.get('error')}")
            if on_done:
                on_done(name, rec)

        if spec is not None and client is None and spec.scheduler != "inline":
            if todo:   # else no cluster is started (no SLURM job submitted) at all
                with dask_client(spec.for_run(outdir, len(todo))) as c:
                    records.update(_run(todo, outdir, c, threads, done))
        else:
            records.update(_run(todo, outdir, client, threads, done))
    return {t.name: records[t.name] for t in tasks}


def _run(todo, outdir, client, threads, on_done) -> dict:
    out = {}
    if client is None:
        for t in todo:
            rec = execute_task(t.func, t.kwargs, str(result_path(outdir, t.name)), t.name, threads, t.arch,
                               t.precision)
            out[t.name] = rec
            if on_done:
                on_done(t.name, rec)
        return out
    futures = {}
    for t in todo:
        fut = client.submit(execute_task, t.func, t.kwargs, str(result_path(outdir, t.name)), t.name, threads,
                            t.arch, t.precision, pure=False, key=f"mfdem-{t.name}-{os.urandom(4).hex()}")
        futures[fut] = t.name
    jobs = _SlurmJobs(client) if _SlurmJobs.applies(client) else None
    next_check = wallclock.monotonic() + SLURM_CHECK_S
    while futures:
        done = [fut for fut in futures if fut.done()]
        for fut in done:
            name = futures.pop(fut)
            # the task's own result file first: a result still held by a worker whose job has just ended
            # (scancel) cannot be gathered any more, and waiting for it would wait for a new worker
            rec = finished(outdir, name)
            if rec is None:
                try:
                    rec = fut.result(timeout=GATHER_TIMEOUT_S)
                except Exception as exc:  # noqa: BLE001 - a worker died: report the point as failed
                    rec = {"format": RESULT_FORMAT, "name": name, "status": "failed",
                           "error": f"{type(exc).__name__}: {exc}" if str(exc) else
                                    f"{type(exc).__name__}: the worker ended before its result was collected"}
            out[name] = rec
            if on_done:
                on_done(name, rec)
        if jobs is not None:
            jobs.note()
        if futures and jobs is not None and wallclock.monotonic() >= next_check:
            next_check = wallclock.monotonic() + SLURM_CHECK_S
            if jobs.all_ended():
                client.cancel(list(futures))
                left = sorted(futures.values())
                raise ClusterLost(
                    f"every SLURM job of this run has ended (scancel, wall time, node failure, or a job that could "
                    f"not start) with {len(left)} of {len(todo)} task(s) unfinished ({', '.join(left)}); the "
                    f"finished ones are saved in {outdir}: run the same command again to resume"
                    + (f" (job logs: {jobs.log_directory})" if jobs.log_directory else ""))
        if not done:
            wallclock.sleep(0.2)
    return out


class _SlurmJobs:
    """The jobs of the dask-jobqueue SLURM cluster behind ``client``: have they all ended?"""

    def __init__(self, client):
        self.client = client
        self.cluster = client.cluster
        self.job_ids = set()
        self.refused = False          # sbatch refused a job
        self.log_directory = None

    @staticmethod
    def applies(client) -> bool:
        jobqueue = sys.modules.get("dask_jobqueue")   # imported if a SLURM cluster was made
        return jobqueue is not None and isinstance(getattr(client, "cluster", None), jobqueue.SLURMCluster)

    def note(self) -> None:
        """Remember the cluster's jobs (a job that ended leaves ``cluster.workers`` 15 s after its worker)."""
        for job in list(self.cluster.workers.values()):
            if job.job_id:
                self.job_ids.add(job.job_id)
            else:
                self.refused = True
            self.log_directory = self.log_directory or job.log_directory

    def all_ended(self) -> bool:
        """True when no worker is connected and none of the jobs is queued or running any more; a job that
        is pending or starting counts as alive, and so does everything while squeue does not answer."""
        if self.client.nthreads():
            return False
        if not self.job_ids:
            return self.refused    # else still submitting
        try:
            res = subprocess.run(["squeue", "-h", "-o", "%i", "-u", getpass.getuser()], capture_output=True,
                                 text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return res.returncode == 0 and not self.job_ids & set(res.stdout.split())
