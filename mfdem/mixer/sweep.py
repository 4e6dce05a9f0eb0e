"""Mixer runs at several rotor speeds, each a task (mfdem/tasks.py) with its own run file: resumable point by
point, in parallel on a local Dask cluster, SLURM or a scheduler."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

from mfdem.tasks import ClusterSpec, Task, TaskError, run_tasks
from mfdem.validation import InputError


def mixer_point(config_toml: str, path: str, progress: bool = False) -> dict:
    """One mixer run at the settings of ``config_toml`` into the run file ``path``: a complete file is
    left as it is, a partial one (killed sweep) is resumed from its last checkpoint, else a new run starts.
    ``progress``: the run reports where it runs (a worker's log: a line every two minutes)."""
    from mfdem.config import make_config  # noqa: PLC0415
    from mfdem.io import RunFileError, open_run  # noqa: PLC0415
    from mfdem.mixer.runner import MixerRun  # noqa: PLC0415

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
    with job:   # a later run of this worker with the same layout (a rerun, a resume) reuses its compiled engine
        status = job.run(progress=progress)
    if status != "complete":
        raise TaskError(f"{path}: the mixer run ended '{status}' ({job.interval} of {job.n_intervals} "
                               "intervals); run the sweep again to resume it")
    return _mixer_summary(path, status, resumed=resumed)


def _mixer_summary(path: Path, status: str, resumed: bool) -> dict:
    from mfdem.io import open_run  # noqa: PLC0415

    with open_run(path) as rf:
        return {"run_file": str(path), "status": status, "resumed": resumed, "rpm": float(rf.rpm),
                "n_particles": int(rf.n_particles), "intervals": int(len(rf.interval("t_end")))}


def rpm_name(rpm: float) -> str:
    return f"rpm_{rpm:g}".replace(".", "p").replace("-", "m")


def rpm_sweep(rpms, cfg, outdir, *, spec: ClusterSpec = None, client=None, on_done=None,
              progress: bool = False) -> dict:
    """Mixer runs of ``cfg`` at each of ``rpms`` (rev/min) into ``<outdir>/rpm_<n>.h5`` (+ ``.json`` when
    complete), in parallel on ``spec``'s cluster; resumable (module docstring). ``progress``: a bar over the
    points here, and each point's own progress where it runs. Returns ``{name: record}``."""
    rpms = [float(r) for r in rpms]
    if not rpms:
        raise InputError("rpm: give at least one speed (rev/min)")
    for r in rpms:
        if not (math.isfinite(r) and 0 < r <= 100_000):
            raise InputError(f"rpm = {r:g}: must be in (0, 100000] rev/min")
    if len(set(rpms)) != len(rpms):
        raise InputError("rpm: each speed once")
    from mfdem.config import make_config  # noqa: PLC0415

    outdir = Path(outdir).absolute()
    tasks = []
    for r in rpms:
        point = make_config(toml_text=cfg.to_toml(), overrides={"run": {"rpm": r}})
        name = rpm_name(r)
        tasks.append(Task(name, "mfdem.mixer.sweep:mixer_point",
                          {"config_toml": point.to_toml(), "path": str(outdir / f"{name}.h5"),
                           "progress": progress},
                          arch=point.run.arch, precision=point.run.precision))
    return run_tasks(tasks, outdir, client=client, spec=spec, on_done=on_done,
                     threads=(spec.task_threads if spec is not None else cfg.run.threads or 1),
                     progress=f"sweep of {len(tasks)} speeds" if progress else "")
