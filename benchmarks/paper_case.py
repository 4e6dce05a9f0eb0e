"""The paper case (Results 2.3): SI_CG at several rotor speeds, beside the paper's, from one shared fill.

The paper's set-up (3.88 g per 72° sector, 10 % fill degree, the default or ``--config`` material) at the
CG particle size ``--particle-diameter``: the charge is filled once (``--fill-time``), then each speed starts
from that filled charge (``MixerRun.create(..., from_fill=...)``) and runs ``--rotor-time`` seconds. The
analysis window starts where rotor power and kinetic energy reach their plateau (mfdem.analysis.steady_state);
a speed that found no plateau in its rotor time is reported with ``steady: false`` and analysed over the
second half of its rotor time.

Per speed it prints SI_CG ± its batch-means standard error, SF_CG, SN_p for 5, 30 and 60 min, the net specific
rotor power, the largest δ/R of the rotor phase, how far the charge turns with the rotor at the end
(``charge_spin_ratio``: mean particle angular velocity / rotor's), and the paper's SI_CG (or the paper's
power-law fit at other speeds) with the ratio; at the end the exponent k of SI_CG ∝ n^k with its standard
error, and the wall time.

    python benchmarks/paper_case.py --rpm 1000,5000 --particle-diameter 0.0008 --rotor-time 0.03 --json
    python benchmarks/paper_case.py --rpm 5000 --particle-diameter 0.0006 --rotor-time 0.02   # CG study

A speed whose run a guard stopped is reported with its reason and leaves the exponent; the script then exits 1.

The mean SI_CG is a ratio of sums (dissipated work / events / m_CG), so it does not depend on the output
interval; the default 1 ms (paper: 5 ms) only gives the short windows here enough intervals for batch means.
"""

import json
import math
import sys
import time
import tomllib
from pathlib import Path

import click
import numpy as np

from mfdem.analysis import AnalysisError, analyze_run
from mfdem.analysis.fit import fit_power_law
from mfdem.config import make_config, read_text
from mfdem.exits import as_click
from mfdem.io import RunFileError, open_run
from mfdem.mixer.runner import MixerRun, RunStopped, config_from_fill
from mfdem.validation import InputError

PAPER_SI_CG = {1000: 0.006, 2500: 0.033, 5000: 0.123}   # J/kg, paper Results 2.3
PAPER_FIT = (1.41e-8, 1.88)                              # SI_CG ≈ 1.41e-8 n^1.88 J/kg, fit to those three
T_MIX = (300.0, 1800.0, 3600.0)                          # s: SN_p after 5, 30 and 60 min of mixing
STEADY = {True: "steady", False: "NOT steady", None: "window given"}   # the window test of each speed


def paper_si(rpm: float) -> tuple[float, str]:
    """The paper's SI_CG at ``rpm`` (J/kg) and where it comes from ("paper" or "paper fit")."""
    if rpm in PAPER_SI_CG:
        return PAPER_SI_CG[rpm], "paper"
    return PAPER_FIT[0] * rpm ** PAPER_FIT[1], "paper fit"


def settings(config_file, diameter, fill_time, output_interval, threads) -> dict:
    """{section: {key: value}}: the ``--config`` file's settings, then the script's options over them."""
    changes = tomllib.loads(read_text(config_file)) if config_file else {}
    for section, values in {"run": {"fill_time": fill_time, "output_interval": output_interval, "threads": threads},
                            "inlets": {"insert_interval": min(0.002, fill_time / 10)},
                            "particles": {} if diameter is None else {"diameter": diameter}}.items():
        changes.setdefault(section, {}).update(values)
    return changes


def fill(cfg, path: Path, rpm: float, quiet: bool) -> None:
    """The shared fill: the fill time (at the fill's own step) plus one output interval of rotor at ``rpm``."""
    cfg.run.rpm, cfg.run.duration = rpm, cfg.run.output_interval
    MixerRun.create(cfg.validate(), path, overwrite=True).run(progress=not quiet)


def charge_spin_ratio(snapshot, omega: float) -> float:
    """Mean angular velocity of the particles about the rotor axis (+z) over the rotor's, at a snapshot:
    1 for a charge turning with the rotor as a solid ring, 0 for one at rest."""
    x, v = snapshot.position.astype(float), snapshot.velocity.astype(float)
    ok = np.all(np.isfinite(x), axis=1)
    r2 = x[ok, 0] ** 2 + x[ok, 1] ** 2
    return float(np.mean((x[ok, 0] * v[ok, 1] - x[ok, 1] * v[ok, 0]) / r2) / omega)


def where_the_work_goes(rf, steady_from: float, vessel_radius: float) -> dict:
    """Split the window's dissipated work and stress events between particle-intervals with a wall event
    (rotor or vessel) and those without, and between the outer layer (centre within one diameter of the vessel
    wall at the interval's end snapshot; intervals with a snapshot only) and the rest; SI_CG of each part."""
    k0 = int(np.flatnonzero(rf.interval("t_start") >= steady_from - 1e-9)[0])
    work, events = rf.interval("dissipated_work", k0), rf.interval("collisions", k0)
    m, d = float(rf.mass[0]), 2 * float(rf.radius[0])
    snap = {int(k): j for j, k in enumerate(rf.snapshot_interval_index)}
    rows = [k - k0 for k in range(k0, k0 + len(work)) if k in snap]
    outer = np.array([np.hypot(*rf.snapshot(snap[k0 + i]).position[:, :2].T.astype(float)) > vessel_radius - d
                      for i in rows])
    out = {}
    for name, w, n, part in (("wall_event", work, events, rf.interval("collisions_wall", k0) > 0),
                             ("outer_layer", work[rows], events[rows], outer)):
        out[f"work_share_{name}"] = float(w[part].sum() / w.sum())
        out[f"event_share_{name}"] = float(n[part].sum() / n.sum())
        out[f"SI_CG_without_{name}"] = float(w[~part].sum() / max(n[~part].sum(), 1) / m)
    return out


def run_speed(fill_file: Path, changes: dict, rpm: float, rotor_time: float, path: Path, quiet: bool,
              window_start: float = None) -> dict:
    """One speed from the filled charge with the study's settings ``changes`` (the --config file and the
    options): particles, walls and geometry must be the fill's, contact settings such as friction may differ
    (``mfdem run --from-fill`` makes the same run file)."""
    overrides = {section: dict(values) for section, values in changes.items()}
    overrides["run"].update(rpm=rpm, duration=rotor_time)
    cfg = config_from_fill(fill_file, overrides=overrides)
    t0 = time.perf_counter()
    out = {"rpm": rpm}
    try:
        job = MixerRun.create(cfg, path, overwrite=True, from_fill=fill_file)
        out["status"] = job.run(progress=not quiet)
    except RunStopped as exc:
        out.update(status="failed", failure=str(exc))
    out["wall_s"] = time.perf_counter() - t0
    if out["status"] == "failed":
        return out
    try:
        if window_start is not None:
            a = analyze_run(path, steady_from=cfg.run.fill_time + window_start, t_mix=T_MIX)
            out["steady"] = None   # not tested: the window was given
        else:
            a = analyze_run(path, t_mix=T_MIX)
            out["steady"] = True
    except AnalysisError as exc:
        print(f"warning: {exc}; analysing the second half of the rotor time", file=sys.stderr)
        a = analyze_run(path, steady_from=cfg.run.fill_time + rotor_time / 2, t_mix=T_MIX)
        out["steady"] = False
    d = a.to_dict(distribution=False)
    with open_run(path) as rf:
        t = rf.timeseries("time")
        max_overlap = float(np.max(rf.timeseries("max_overlap_ratio")[t > cfg.run.fill_time]))
        spin = charge_spin_ratio(rf.snapshot(-1), rf.omega)
        where = where_the_work_goes(rf, d["steady_from"], job.geometry.vessel_radius)
    paper, source = paper_si(rpm)
    d_cg = cfg.particles.diameter
    out.update({
        "particle_diameter": d_cg, "cg_factor": cfg.cg_factor, "n_particles": d["n_particles"],
        "window": [d["steady_from"], d["window_end"]],
        "SI_CG": d["SI_CG"], "SI_CG_sem": d["SI_CG_sem"], "SI_median": d["SI_median"], "SI_p99": d["SI_p99"],
        "SF_CG": d["SF_CG"], "SF_CG_sem": d["SF_CG_sem"], "SF_per_particle": d["SF_per_particle"],
        "SF_per_particle_x_d_CG": d["SF_per_particle"] * d_cg,
        **{f"SN_p_{int(r['t_mix'] / 60)}min": r["SN_p"] for r in d["per_t_mix"]},
        "specific_power": d["specific_power_sim"], "specific_power_sem": d["specific_power_sim_sem"],
        "dissipated_specific_power": d["dissipated_specific_power"], "max_overlap_ratio": max_overlap,
        "charge_spin_ratio": spin,
        "SI_CG_contact_starts": d.get("SI_CG_contact_starts"),
        "work_fraction_without_event": d["work_fraction_without_collision"],
        **where, "paper_SI_CG": paper, "paper_source": source, "ratio_to_paper": d["SI_CG"] / paper})
    return out


@click.command()
@click.option("--rpm", "rpm_list", default="1000,2500,5000,10000", show_default=True,
              help="Rotor speeds, rev/min, comma separated.")
@click.option("--particle-diameter", type=float, default=None, help="CG particle diameter, m [the config's: 300e-6].")
@click.option("--rotor-time", type=float, default=0.05, show_default=True, help="Rotor run per speed, s.")
@click.option("--fill-time", type=float, default=0.01, show_default=True,
              help="Fill time of the shared fill, s (paper: 0.1; the charge settles on the rotor anyway).")
@click.option("--output-interval", type=float, default=0.001, show_default=True, help="Log interval, s.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Run config (material, geometry) [the paper case with mfdem's default particle].")
@click.option("--fill-from", type=click.Path(exists=True, dir_okay=False),
              help="Use this run file's filled charge instead of filling (same particles and geometry).")
@click.option("--window-start", type=float, default=None,
              help="Start the analysis window this long after the rotor start, s (same window for every run, "
                   "e.g. in a CG study) [where power and kinetic energy reach their plateau].")
@click.option("--out-dir", type=click.Path(file_okay=False), default="paper_case_runs", show_default=True)
@click.option("--threads", type=int, default=0, show_default=True, help="CPU threads (0 = all cores).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per speed, then one with the exponent.")
@click.option("--quiet", is_flag=True, help="No progress lines.")
def main(**options):
    try:
        study(**options)
    except (InputError, RunFileError) as exc:   # bad input: one line, exit 2 (as the mfdem command)
        raise as_click(exc) from None


def study(rpm_list, particle_diameter, rotor_time, fill_time, output_interval, config_file, fill_from,
          window_start, out_dir, threads, as_json, quiet):
    t0 = time.perf_counter()
    try:
        speeds = [float(s) for s in rpm_list.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(f"{rpm_list!r}: give rotor speeds as numbers separated by commas",
                                 param_hint="--rpm") from None
    if not speeds or min(speeds) <= 0:
        raise click.BadParameter("give at least one positive rotor speed", param_hint="--rpm")
    if not rotor_time > 0:
        raise click.BadParameter(f"{rotor_time}: must be > 0 s", param_hint="--rotor-time")
    changes = settings(config_file, particle_diameter, fill_time, output_interval, threads)
    cfg = make_config(overrides=changes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tag = f"d{cfg.particles.diameter * 1e6:.0f}um"
    fill_file = Path(fill_from) if fill_from else out / f"fill_{tag}.h5"
    if not fill_from:
        t = time.perf_counter()
        fill(cfg, fill_file, max(speeds), quiet)
        print(f"fill: {cfg.n_particles} particles of {cfg.particles.diameter * 1e3:.3g} mm in "
              f"{time.perf_counter() - t:.0f} s -> {fill_file}", file=sys.stderr)
    results = []
    for rpm in speeds:
        r = run_speed(fill_file, changes, rpm, rotor_time, out / f"{tag}_n{rpm:g}.h5", quiet, window_start)
        results.append(r)
        if as_json:
            print(json.dumps(_clean(r)), flush=True)
        else:
            _print_row(r)
    ok = [r for r in results if r["status"] == "complete" and r["SI_CG"] and r["SI_CG"] > 0]
    summary = {"exponent_k": None, "exponent_k_se": None, "paper_k": PAPER_FIT[1],
               "wall_time_s": time.perf_counter() - t0, "cpu": _cpu()}
    if len({r["rpm"] for r in ok}) >= 2:
        f = fit_power_law([r["rpm"] for r in ok], [r["SI_CG"] for r in ok])
        summary.update(exponent_k=f.exponent, exponent_k_se=f.exponent_se)
    if as_json:
        print(json.dumps(_clean(summary)))
    else:
        k, se = summary["exponent_k"], summary["exponent_k_se"]
        print(f"SI_CG ∝ n^k: k = {'n/a' if k is None else f'{k:.2f} ± {se:.2f}'} "
              f"(paper {PAPER_FIT[1]}); wall time {summary['wall_time_s']:.0f} s on {summary['cpu']}")
    if len(ok) < len(results):
        raise SystemExit(1)


def _print_row(r: dict) -> None:
    if r["status"] != "complete":
        print(f"{r['rpm']:>7g} rpm: {r['status']} {r.get('failure', '')}")
        return
    print(f"{r['rpm']:>7g} rpm: SI_CG {r['SI_CG']:.3g} ± {r['SI_CG_sem']:.2g} J/kg ({r['paper_source']} "
          f"{r['paper_SI_CG']:.3g}, ratio {r['ratio_to_paper']:.3g}), SF_CG {r['SF_CG']:.3g} 1/s, SN_p(60 min) "
          f"{r['SN_p_60min']:.3g}, specific power {r['specific_power']:.3g} W/kg, max δ/R "
          f"{r['max_overlap_ratio']:.3g}, {STEADY[r['steady']]}, {r['wall_s']:.0f} s")


def _clean(obj):
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform  # noqa: PLC0415

    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
