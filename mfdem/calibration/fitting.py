"""Fit particle parameters to measured calibration targets with the calibration twins (calibration/twins.py).

Targets (any subset): a measured force–displacement curve (:func:`mfdem.calibration.compaction.read_curve_csv`),
a flowing angle (degrees) and a poured bulk density (kg/m³). Search space: any of the parameters in
``PARAMETERS`` with bounds. Every evaluation runs the twins the targets need (the compaction twin for the
curve and the bulk density, the drum twin for the angle) with one parameter set.

Objective (reported for every evaluation): the weighted root mean square of relative errors,
``J = sqrt(Σ_k w_k e_k² / Σ_k w_k)``, with

* curve: e² = mean over force levels of ((s_sim − s_meas) / s_meas(F_max))², where s is the displacement at
  20 %, 30 %, …, 100 % of the measured maximum force on loading and at 80, 60, 40, 20, 10 % on unloading
  (if the measured file has an unloading branch), both measured from the displacement at 10 % of the maximum
  force (so the zero of either displacement axis does not matter); the twin is run to the measured maximum
  force;
* angle: e = (θ_sim − θ_meas) / θ_meas;  bulk density: e = (ρ_sim − ρ_meas) / ρ_meas.

The optimiser (and why this one) is in :mod:`mfdem.calibration.optimizer`; the parameters a fit may vary in
:mod:`mfdem.calibration.search_space`.

Evaluations are tasks with their own result files ``<outdir>/evaluations/<hash>.json`` named by the
parameter values; the sequence of proposals is deterministic given the results, so a fit that was killed
is resumed by running it again: finished evaluations are read back, not rerun.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mfdem.calibration.common import CalibrationError, base_config, with_overrides
from mfdem.calibration.optimizer import ResponseSurfaceOptimizer, min_initial
from mfdem.calibration.search_space import SearchSpace, overrides_for
from mfdem.calibration.twins import BY_NAME, TARGETS, TWINS
from mfdem.config import Config, make_config, read_text
from mfdem.io.atomic import atomic_write_json, atomic_write_text, jsonable
from mfdem.progress import Progress
from mfdem.tasks import ClusterSpec, Task, dask_client, run_tasks
from mfdem.validation import InputError


class Targets:
    """Measured values to reproduce, by the names the registered twins declare (calibration/twins.py): today
    ``curve`` (a MeasuredCurve), ``bulk_density`` (kg/m³) and ``flowing_angle_deg``; ``weights`` per target
    key (curve, bulk_density, angle), 1 when not given."""

    def __init__(self, weights: dict = None, **measured):
        for name in measured:
            if name not in TARGETS:
                raise InputError(f"targets: unknown target {name!r}; allowed: {', '.join(TARGETS)}")
        self.values = {name: t.check(measured[name]) if measured.get(name) is not None else None
                       for name, t in TARGETS.items()}
        if all(v is None for v in self.values.values()):
            raise InputError("targets: give at least one of " + ", ".join(f"a {t.doc} ({t.unit})"
                                                                          for t in TARGETS.values()))
        keys = [t.key for t in TARGETS.values()]
        self.weights = {k: 1.0 for k in keys}
        for k, w in (weights or {}).items():
            if k not in keys:
                raise InputError(f"weights: unknown target {k!r}; allowed: {', '.join(keys)}")
            if not (isinstance(w, (int, float)) and w >= 0 and math.isfinite(w)):
                raise InputError(f"weights.{k} = {w!r}: must be a number ≥ 0")
            self.weights[k] = float(w)

    def __getattr__(self, name):
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def twins(self) -> list:
        """The registered twins these targets need, in order."""
        return [t for t in TWINS if t.needed(self)]

    def measured_features(self) -> dict:
        return {k: v for twin in self.twins() for k, v in twin.measured(self).items()}


# ------------------------------------------------------------------------------------------ one evaluation


def evaluate_point(values: dict, base_config_toml: str, progress: bool = False, **setups) -> dict:
    """Run the twins for one parameter set (``values``: {parameter name: value}); the task function of a fit.
    ``setups``: {twin name: its planned set-up, or None where that twin is not needed}. ``progress``: the
    twins report where they run. Returns ``{"values": ..., twin name: its record}``."""
    cfg = with_overrides(make_config(toml_text=base_config_toml, origin="fit base config"), overrides_for(values))
    out = {"values": values}
    for name, setup in setups.items():
        if setup is not None:
            out[name] = BY_NAME[name].simulate(setup, cfg, progress)
    return out


def responses(record: dict, targets: Targets) -> dict:
    """The modelled responses of an evaluation, from each needed twin's record (e.g. {"load": [...],
    "unload": [...], "bulk_density": ρ, "angle": θ})."""
    return {k: v for twin in targets.twins() if record.get(twin.name) is not None
            for k, v in twin.features(record[twin.name], targets).items()}


def objective(resp: dict, targets: Targets, measured: dict) -> tuple[float, dict]:
    """``(J, {target key: relative error})`` (module docstring): each twin's errors, weighted."""
    parts = {k: e for twin in targets.twins() for k, e in twin.errors(resp, targets, measured).items()}
    w = targets.weights
    total_w = sum(w.get(k, 1.0) for k in parts)
    if total_w <= 0:
        raise InputError("weights: at least one target needs a weight > 0")
    j = math.sqrt(sum(w.get(k, 1.0) * e * e for k, e in parts.items()) / total_w)
    return j, parts


# ------------------------------------------------------------------------------------------ the fit


@dataclass
class FitResult:
    best: dict                    # parameter values, surrogate optimum (noise-averaged)
    best_objective_predicted: float
    best_evaluated: dict          # parameter values of the lowest evaluated objective
    best_evaluated_objective: float
    evaluations: list             # one dict per evaluation, in order
    config: Config                # base config with ``best`` applied
    config_path: Path = None
    report_path: Path = None


def point_name(values: dict) -> str:
    """Result-file name of an evaluation: a hash of its parameter values (12 significant digits)."""
    text = json.dumps({k: float(f"{v:.12g}") for k, v in sorted(values.items())}, sort_keys=True)
    return "eval_" + hashlib.sha1(text.encode()).hexdigest()[:12]


def fit(targets: Targets, space: SearchSpace, *, cfg: Config = None, budget: int = 20, batch: int = 4, seed: int = 1,
        outdir="fit", spec: ClusterSpec = None, client=None, progress: bool = False, on_evaluation=None,
        **setups) -> FitResult:
    """Find the parameters of ``space`` that best reproduce ``targets`` within ``budget`` evaluations, run in
    batches of ``batch`` on ``spec`` (or an open Dask ``client``; default inline). ``setups``: a set-up per
    twin by its name (``compaction=CompactionSetup(...)``, ``drum=DrumSetup(...)``; default set-ups
    otherwise). Writes ``<outdir>/best.toml`` (a full run config), ``<outdir>/report.csv`` / ``report.json``
    (every evaluation) and one result file per evaluation in ``<outdir>/evaluations/`` (module docstring).
    ``progress``: a bar over the evaluations with a line per result here, and each twin's own progress where
    it runs; ``on_evaluation(entry)`` is called with each evaluation's report entry."""
    cfg = base_config(cfg)
    budget = int(budget)
    batch = int(batch)
    if budget < 2:
        raise InputError(f"budget = {budget}: must be ≥ 2 evaluations")
    if batch < 1:
        raise InputError(f"batch = {batch}: must be ≥ 1")
    for name in setups:
        if name not in BY_NAME:
            raise InputError(f"fit: {name!r} is not a calibration twin; twins: {', '.join(BY_NAME)}")
    planned = {t.name: t.plan(setups.get(t.name), targets) if t.needed(targets) else None for t in TWINS}
    measured = targets.measured_features()
    # the base config and the bounds are checked here, before any simulation
    for corner in (0.0, 1.0):
        with_overrides(cfg, space.overrides(space.from_unit(np.full(space.dim, corner))))
    base_toml = cfg.to_toml()
    outdir = Path(outdir)
    evaldir = outdir / "evaluations"

    def obj(resp):
        try:
            return objective(resp, targets, measured)[0]
        except (KeyError, ValueError, TypeError):
            return math.inf

    opt = ResponseSurfaceOptimizer(space.dim, obj, seed=seed, n_initial=min(budget, min_initial(space.dim)))
    threads = spec.task_threads if spec is not None else (cfg.run.threads or 1)
    evaluations = []

    def execute(points):
        tasks = []
        for u in points:
            values = space.from_unit(u)
            tasks.append(Task(point_name(values), "mfdem.calibration.fitting:evaluate_point",
                              {"values": values, "base_config_toml": base_toml, "progress": progress, **planned},
                              arch=cfg.run.arch, precision=cfg.run.precision))
        recs = run_tasks(tasks, evaldir, client=client, threads=threads)
        for u, t in zip(points, tasks):
            rec = recs[t.name]
            entry = {"index": len(evaluations), "name": t.name, "values": space.from_unit(u),
                     "status": rec.get("status"), "skipped": bool(rec.get("skipped"))}
            if rec.get("status") == "complete":
                resp = responses(rec["result"], targets)
                j, parts = objective(resp, targets, measured)
                entry.update(objective=j, errors=parts, result=rec["result"])
                opt.tell(u, resp)
            else:
                entry.update(objective=math.inf, error=rec.get("error", "failed"))
                opt.tell(u, None)
            evaluations.append(entry)
            vals = ", ".join(f"{k}={v:.4g}" for k, v in entry["values"].items())
            bar.write(f"[{entry['index'] + 1}] {vals}: objective {entry['objective']:.4g}"
                      f"{' (from file)' if entry['skipped'] else ''}")
            bar.update_to(len(evaluations))
            if on_evaluation:
                on_evaluation(entry)

    def loop():
        while len(opt.U) < budget:
            n = min(batch, budget - len(opt.U))
            execute(opt.ask(n))

    with Progress(budget, desc="fit", unit="evaluation", enabled=progress) as bar:
        if client is None and spec is not None and spec.scheduler != "inline":
            with dask_client(spec.for_run(outdir, batch)) as c:   # SLURM: a job per batch evaluation, logs in outdir
                client = c
                loop()
        else:
            loop()

    done = [e for e in evaluations if math.isfinite(e["objective"])]
    if not done:
        raise CalibrationError(f"fit: every evaluation failed; see {evaldir} (*.failed.json)")
    best_eval = min(done, key=lambda e: e["objective"])
    try:
        predict = opt.fit_models()
        u_best = opt.model_minimum()
        best = space.from_unit(u_best)
        j_pred = obj(predict(u_best))
    except InputError:
        best, j_pred = dict(best_eval["values"]), best_eval["objective"]
    best_cfg = with_overrides(cfg, space.overrides(best))
    result = FitResult(best, j_pred, dict(best_eval["values"]), best_eval["objective"], evaluations, best_cfg)
    write_outputs(result, targets, space, outdir)
    return result


def write_outputs(result: FitResult, targets: Targets, space: SearchSpace, outdir) -> None:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    lines = ["# mfdem calibrate fit: best parameters (surrogate optimum)",
             *[f"#   {k} = {v:.6g}" for k, v in result.best.items()],
             f"#   predicted objective {result.best_objective_predicted:.4g} (weighted RMS relative error); best "
             f"single evaluation {result.best_evaluated_objective:.4g}",
             "# Use with: mfdem run --config best.toml", ""]
    result.config_path = atomic_write_text(outdir / "best.toml", "\n".join(lines) + result.config.to_toml())
    keys = [t.key for t in TARGETS.values()]
    columns = [(twin, col, key) for twin in TWINS for col, key in twin.report]
    cols = ["index", "name", "status", *space.names, "objective", *[f"error_{k}" for k in keys],
            *[col for _, col, _ in columns], "runtime_s"]
    rows = [",".join(cols)]
    for e in result.evaluations:
        res = e.get("result") or {}
        err = e.get("errors", {})
        vals = [e["index"], e["name"], e["status"], *[f"{e['values'][n]:.6g}" for n in space.names],
                _num(e["objective"]), *[_num(err.get(k)) for k in keys],
                *[_num((res.get(twin.name) or {}).get(key)) for twin, _, key in columns],
                _num(sum(twin.runtime(res[twin.name]) for twin in TWINS if res.get(twin.name)))]
        rows.append(",".join(str(v) for v in vals))
    result.report_path = atomic_write_text(outdir / "report.csv", "\n".join(rows) + "\n")
    atomic_write_json(outdir / "report.json", {
        "best": result.best, "best_objective_predicted": result.best_objective_predicted,
        "best_evaluated": result.best_evaluated, "best_evaluated_objective": result.best_evaluated_objective,
        "search_space": [asdict(p) for p in space.parameters],
        "targets": {**{k: getattr(v, "path", v) for k, v in targets.values.items()},
                    "weights": targets.weights},
        "config": str(result.config_path),
        "evaluations": [{k: v for k, v in e.items() if k != "result"} | {"result": e.get("result")}
                        for e in result.evaluations]})


def _num(v):
    if v is None:
        return ""
    v = float(v)
    return f"{v:.6g}" if math.isfinite(v) else "inf"


def synthetic_targets(cfg: Config, *, drum_duration_factor: float = 2.0, **setups) -> dict:
    """"Measured" targets made by the twins themselves from the known parameters in ``cfg`` (for examples
    and tests), one twin per set-up given (``compaction=CompactionSetup(...)``, ``drum=DrumSetup(...)``):
    ``{"compaction": CompactionResult, "bulk_density", "drum": DrumResult, "flowing_angle_deg"}``. A twin
    that samples a flow (the drum) samples ``drum_duration_factor`` times longer than its set-up says, for a
    steadier value."""
    out = {}
    for name, setup in setups.items():
        if setup is not None:
            out.update(BY_NAME[name].synthetic(setup, cfg, drum_duration_factor))
    return out


def load_fit_file(path) -> dict:
    """Read a fit description (TOML): [targets], [weights], [search], [fit], a set-up table per twin
    ([compaction], [drum]) and an optional [config] table with ``base`` (a run config path). Paths are
    relative to the file."""
    import tomllib  # noqa: PLC0415

    path = Path(path)
    try:
        data = tomllib.loads(read_text(path, "fit file"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"fit file {path}: not valid TOML ({exc})") from None
    allowed = {"targets", "weights", "search", "fit", "config", *BY_NAME}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(f"fit file {path}: unknown section(s) {', '.join(unknown)}; allowed: "
                         f"{', '.join(sorted(allowed))}")
    data["_dir"] = str(path.parent)
    return jsonable(data)
