"""Many independent simulations on Dask: calibration evaluations and rpm sweeps of the mixer.

One option chooses where they run (:class:`ClusterSpec.scheduler`):

* ``local`` — a :class:`distributed.LocalCluster` of worker *processes* on this machine (default: one per
  core, one task at a time each; every process initialises its own Taichi backend);
* ``slurm`` — a :class:`dask_jobqueue.SLURMCluster`: ``jobs`` batch jobs with ``cores``/``memory``/
  ``walltime`` on ``queue`` (and ``account``), one worker process per job;
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
import importlib
import json
import logging
import math
import os
import socket
import time as wallclock
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from mfdem.calibration.common import CalibrationError, atomic_write_json, jsonable
from mfdem.engine.materials import InputError

SCHEDULER_TIMEOUT = "10s"   # waiting longer for a scheduler that does not answer helps nobody

RESULT_FORMAT = "mfdem-task-result"


@dataclass
class ClusterSpec:
    """Where tasks run (module docstring). ``threads_per_worker`` is the number of CPU threads Taichi uses in
    each task (local: workers × threads should not exceed the cores)."""

    scheduler: str = "local"
    workers: int = 0                 # local: worker processes (0 = cores / threads_per_worker)
    threads_per_worker: int = 1
    queue: str = ""                  # slurm partition
    account: str = ""                # slurm account
    cores: int = 1                   # slurm: cores per job (= Taichi threads of its worker)
    memory: str = "4GB"              # slurm: memory per job
    walltime: str = "01:00:00"       # slurm: per job
    jobs: int = 1                    # slurm: number of jobs (workers)
    job_extra: tuple = ()            # slurm: extra #SBATCH directives, e.g. ("--gres=gpu:1",)
    local_directory: str = ""        # worker scratch space

    def validate(self) -> "ClusterSpec":
        s = self.scheduler
        if s not in ("local", "slurm", "inline") and not s.startswith(("tcp://", "tls://", "inproc://")):
            raise InputError(f"scheduler = {s!r}: must be local, slurm, inline or a scheduler address "
                             "(tcp://host:port)")
        for name, lo in (("workers", 0), ("threads_per_worker", 1), ("cores", 1), ("jobs", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise InputError(f"{name} = {v!r}: must be an integer ≥ {lo}")
        return self

    @property
    def task_threads(self) -> int:
        return self.cores if self.scheduler == "slurm" else self.threads_per_worker


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
        try:
            from dask_jobqueue import SLURMCluster  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover - a dependency of mfdem
            raise InputError(f"scheduler = slurm needs dask-jobqueue ({exc})") from None
        kwargs = dict(cores=spec.cores, processes=1, memory=spec.memory, walltime=spec.walltime,
                      job_extra_directives=list(spec.job_extra))
        if spec.queue:
            kwargs["queue"] = spec.queue
        if spec.account:
            kwargs["account"] = spec.account
        if spec.local_directory:
            kwargs["local_directory"] = spec.local_directory
        with SLURMCluster(**kwargs) as cluster:
            cluster.scale(jobs=spec.jobs)
            with Client(cluster) as client:
                yield client
    else:
        try:
            client = Client(spec.scheduler, timeout=SCHEDULER_TIMEOUT)
        except OSError as exc:   # unreachable, refused, or not a Dask scheduler
            raise InputError(f"--scheduler {spec.scheduler}: cannot connect ({exc}); check the address, or start "
                             "one with `dask scheduler`") from None
        with client:
            yield client


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
              threads: int = None) -> dict:
    """Run every task whose result file is not complete yet; returns ``{name: record}`` for all tasks
    (finished ones read back with ``"skipped": True``). ``client``: a Dask client, or None to run inline
    (or give ``spec`` to open one). ``on_done(name, record)`` is called as each task ends. ``threads``: Taichi
    CPU threads per task (default: the spec's, else 1)."""
    outdir = Path(outdir)
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
    if spec is not None and client is None and spec.scheduler != "inline":
        with dask_client(spec) as c:
            records.update(_run(todo, outdir, c, threads, on_done))
        return {t.name: records[t.name] for t in tasks}
    records.update(_run(todo, outdir, client, threads, on_done))
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
    from distributed import as_completed  # noqa: PLC0415

    futures = {}
    for t in todo:
        fut = client.submit(execute_task, t.func, t.kwargs, str(result_path(outdir, t.name)), t.name, threads,
                            t.arch, t.precision, pure=False, key=f"mfdem-{t.name}-{os.urandom(4).hex()}")
        futures[fut] = t.name
    for fut in as_completed(list(futures)):
        name = futures[fut]
        try:
            rec = fut.result()
        except Exception as exc:  # noqa: BLE001 - a worker died: report the point as failed
            rec = {"format": RESULT_FORMAT, "name": name, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        out[name] = rec
        if on_done:
            on_done(name, rec)
    return out


# ------------------------------------------------------------------------------------------ rpm sweeps


def mixer_point(config_toml: str, path: str) -> dict:
    """One mixer run at the settings of ``config_toml`` into the run file ``path``: a complete file is
    left as it is, a partial one (killed sweep) is resumed from its last checkpoint, else a new run starts."""
    from mfdem.config import make_config  # noqa: PLC0415
    from mfdem.io import RunFileError, open_run  # noqa: PLC0415
    from mfdem.runner import MixerRun  # noqa: PLC0415

    path = Path(path)
    cfg = make_config(toml_text=config_toml, origin=f"sweep point {path.stem}")
    job = None
    if path.exists():
        try:
            with open_run(path) as rf:
                status = rf.status
        except RunFileError:
            status = "unreadable"
        if status == "complete":
            return _mixer_summary(path, "complete", resumed=False)
        with contextlib.suppress(RunFileError, InputError):
            job = MixerRun.resume(path)
    resumed = job is not None
    if job is None:
        job = MixerRun.create(cfg, path, overwrite=True)
    status = job.run(progress=False)
    if status != "complete":
        raise CalibrationError(f"{path}: the mixer run ended '{status}' ({job.interval} of {job.n_intervals} "
                               "intervals); run the sweep again to resume it")
    return _mixer_summary(path, status, resumed=resumed)


def _mixer_summary(path: Path, status: str, resumed: bool) -> dict:
    from mfdem.io import open_run  # noqa: PLC0415

    with open_run(path) as rf:
        return {"run_file": str(path), "status": status, "resumed": resumed, "rpm": float(rf.rpm),
                "n_particles": int(rf.n_particles), "intervals": int(len(rf.interval("t_end")))}


def rpm_name(rpm: float) -> str:
    return f"rpm_{rpm:g}".replace(".", "p").replace("-", "m")


def rpm_sweep(rpms, cfg, outdir, *, spec: ClusterSpec = None, client=None, on_done=None) -> dict:
    """Mixer runs of ``cfg`` at each of ``rpms`` (rev/min) into ``<outdir>/rpm_<n>.h5`` (+ ``.json`` when
    complete), in parallel on ``spec``'s cluster; resumable (module docstring). Returns ``{name: record}``."""
    rpms = [float(r) for r in rpms]
    if not rpms:
        raise InputError("rpm: give at least one speed (rev/min)")
    for r in rpms:
        if not (math.isfinite(r) and 0 < r <= 100_000):
            raise InputError(f"rpm = {r:g}: must be in (0, 100000] rev/min")
    if len(set(rpms)) != len(rpms):
        raise InputError("rpm: each speed once")
    from mfdem.config import make_config  # noqa: PLC0415

    outdir = Path(outdir)
    tasks = []
    for r in rpms:
        point = make_config(toml_text=cfg.to_toml(), overrides={"run": {"rpm": r}})
        name = rpm_name(r)
        tasks.append(Task(name, "mfdem.calibration.sweep:mixer_point",
                          {"config_toml": point.to_toml(), "path": str(outdir / f"{name}.h5")},
                          arch=point.run.arch, precision=point.run.precision))
    return run_tasks(tasks, outdir, client=client, spec=spec, on_done=on_done,
                     threads=(spec.task_threads if spec is not None else cfg.run.threads or 1))
