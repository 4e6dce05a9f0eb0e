"""Figures of ``mfdem analyze --plots DIR`` and of the Python API (matplotlib on an Agg canvas: no display and
no pyplot state, see :mod:`mfdem.figures`).

Every ``plot_*`` function returns a :class:`matplotlib.figure.Figure` (shown inline when it is the last
expression of a Jupyter cell) and, given ``path``, also writes it there (the format from the suffix).
:func:`write_plots` writes these files:

* ``si_sf.png`` (:func:`plot_si_sf`) — SI–SF distribution: stress frequency per SI class (1/s, all simulated
  particles) over stress intensity (J/kg), log–log, one curve per run, SI_CG dashed;
* ``power_vs_time.png`` (:func:`plot_power_vs_time`) — simulated net specific rotor power (W/kg) and kinetic
  energy (J) over time (s), the analysis window shaded;
* ``measured_power.png`` (:func:`plot_measured_power`) — measured net specific power (raw and
  Savitzky–Golay smoothed, W/kg) over time (s), when a measured trace was given;
* ``rpm.png`` (:func:`plot_vs_rpm`) — SI_CG (J/kg) and net specific power (W/kg, simulated and measured)
  over rotor speed (rev/min), with the fitted power laws when there are several speeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from mfdem.analysis.analyze import MultiRunAnalysis, RunAnalysis
from mfdem.figures import figure as _figure
from mfdem.figures import finish


def _label(r: RunAnalysis) -> str:
    return f"{r.rpm:g} rpm"


def plot_si_sf(runs: list[RunAnalysis], path=None) -> Figure:
    """SI–SF distribution of each run."""
    fig, ax = _figure()
    ax = ax[0, 0]
    for i, r in enumerate(runs):
        d = r.stress.distribution
        color = f"C{i % 10}"
        if len(d.events):
            ax.stairs(np.where(d.sf > 0, d.sf, np.nan), d.edges, color=color, label=_label(r))
        ax.axvline(r.SI_CG, color=color, ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("stress intensity SI (J/kg)")
    ax.set_ylabel(f"stress frequency SF per class (1/s, {runs[0].stress.distribution.bins_per_decade} classes/decade)"
                  if runs else "stress frequency SF per class (1/s)")
    ax.set_title("SI-SF distribution (dashed: mean SI_CG)")
    ax.grid(True, which="both", alpha=0.3)
    if runs:
        ax.legend()
    return finish(fig, path)


def plot_power_vs_time(runs: list[RunAnalysis], path=None) -> Figure:
    """Specific rotor power and kinetic energy over time, analysis windows shaded."""
    fig, ax = _figure(2, 1, size=(7.0, 6.0))
    top, bottom = ax[0, 0], ax[1, 0]
    for i, r in enumerate(runs):
        color = f"C{i % 10}"
        ts = r.timeseries
        t = np.asarray(ts.get("time", []))
        if len(t):
            top.plot(t, np.asarray(ts["rotor_power"]) / r.m_total, color=color, lw=0.8, label=_label(r))
            bottom.plot(t, ts["kinetic_energy"], color=color, lw=0.8, label=_label(r))
        top.axhline(r.specific_power_sim, color=color, ls="--", lw=1)
        for a in (top, bottom):
            a.axvspan(r.steady_from, r.window_end, color=color, alpha=0.08)
    top.set_ylabel("net specific rotor power (W/kg)")
    bottom.set_ylabel("kinetic energy (J)")
    bottom.set_xlabel("time (s)")
    top.set_title("simulated power (shaded: analysis window, dashed: window mean)")
    for a in (top, bottom):
        a.grid(True, alpha=0.3)
    if runs:
        top.legend()
    return finish(fig, path)


def plot_measured_power(runs: list[RunAnalysis], path=None) -> Figure:
    """Measured net specific power: raw minus idle and smoothed minus idle."""
    fig, ax = _figure()
    ax = ax[0, 0]
    for i, r in enumerate(runs):
        m = r.measured
        if m is None:
            continue
        color = f"C{i % 10}"
        ax.plot(m.time, (m.power - m.idle_power) / m.batch_mass, color=color, lw=0.5, alpha=0.4)
        ax.plot(m.time, m.net_power / m.batch_mass, color=color, lw=1.5, label=f"{_label(r)} (smoothed)")
        ax.axhline(r.specific_power_sim, color=color, ls="--", lw=1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("net specific power (W/kg)")
    ax.set_title("measured net power (thin: raw, thick: smoothed, dashed: simulated)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return finish(fig, path)


def plot_vs_rpm(multi: MultiRunAnalysis, path=None) -> Figure:
    """SI_CG and net specific power over rotor speed, log–log, with the fitted power laws."""
    runs = multi.runs
    fig, ax = _figure(1, 2, size=(10.0, 4.5))
    left, right = ax[0, 0], ax[0, 1]
    rpm = np.array([abs(r.rpm) for r in runs], dtype=float)
    grid = np.geomspace(rpm.min(), rpm.max(), 50) if len(rpm) and rpm.min() > 0 else None

    def fitted(a, key, color, what):
        fit = multi.fits.get(key)
        if fit is not None and grid is not None:
            a.plot(grid, fit.predict(grid), color=color, lw=1, ls=":", label=f"{what} fit k = {fit.exponent:.2f}")

    si = np.array([r.SI_CG for r in runs])
    si_err = np.array([r.stress.si_cg_sem for r in runs], dtype=float)
    left.errorbar(rpm, si, yerr=np.nan_to_num(si_err), fmt="o", color="C0", label="SI_CG")
    fitted(left, "SI_CG", "C0", "SI_CG")
    left.set_ylabel("mean stress intensity SI_CG (J/kg)")
    p_sim = np.array([r.specific_power_sim for r in runs])
    p_std = np.array([r.power.specific_std for r in runs], dtype=float)
    right.errorbar(rpm, p_sim, yerr=np.nan_to_num(p_std), fmt="o", color="C1", label="simulated")
    fitted(right, "specific_power_sim", "C1", "simulated")
    meas = [r for r in runs if r.measured is not None]
    if meas:
        right.errorbar([abs(r.rpm) for r in meas], [r.specific_power_exp for r in meas],
                       yerr=[r.measured.specific_power_std for r in meas], fmt="s", color="C2", label="measured")
        fitted(right, "specific_power_exp", "C2", "measured")
    right.set_ylabel("net specific power (W/kg)")
    p_all = np.concatenate([p_sim, [r.specific_power_exp for r in meas]])
    for a, values in ((left, si), (right, p_all)):
        a.set_xlabel("rotor speed n (rev/min)")
        if len(rpm) and rpm.min() > 0:
            a.set_xscale("log")
        if len(values) and np.all(values > 0):
            a.set_yscale("log")
        a.grid(True, which="both", alpha=0.3)
        a.legend()
    return finish(fig, path)


def write_plots(multi: MultiRunAnalysis, outdir) -> list[Path]:
    """Write the figures listed in the module docstring into ``outdir`` (created if needed)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    runs = multi.runs
    plots = [(plot_si_sf, runs, "si_sf.png"), (plot_power_vs_time, runs, "power_vs_time.png")]
    if any(r.measured is not None for r in runs):
        plots.append((plot_measured_power, runs, "measured_power.png"))
    plots.append((plot_vs_rpm, multi, "rpm.png"))
    for plot, data, name in plots:
        plot(data, outdir / name)
    return [outdir / name for _, _, name in plots]
