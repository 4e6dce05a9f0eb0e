"""``mfdem analyze``: a thin command line over :func:`mfdem.analysis.analyze_runs`.

Register on the main group with ``main.add_command(analyze)`` (``from mfdem.analysis.cli import analyze``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from mfdem.analysis.analyze import analyze_runs
from mfdem.analysis.errors import AnalysisError, AnalysisWarning
from mfdem.analysis.power import SG_ORDER, SG_SPAN, MeasuredPower
from mfdem.analysis.report import format_report, to_json_lines
from mfdem.exits import BadInput, Failure
from mfdem.io.paths import check_output
from mfdem.validation import InputError


def _match(values: tuple, n: int, option: str, what: str) -> list:
    """One value for all, or one per ``what``."""
    if len(values) == 1:
        return list(values) * n
    if len(values) != n:
        raise click.UsageError(f"{option}: give it once (for all {what}) or once per {what[:-1]} ({n}); "
                               f"got {len(values)}")
    return list(values)


@click.command("analyze", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.argument("runs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path),
                metavar="RUN.h5 [RUN2.h5 ...]")
@click.option("--steady-from", type=float, multiple=True, metavar="S",
              help="Start of the steady-state analysis window, s; the window runs to the end of the run and "
                   "starts with the first output interval beginning at or after S. Default: detected "
                   "automatically as the earliest time after which the running means of rotor power and "
                   "kinetic energy stay within a band (5 % or 4 noise standard deviations, whichever is wider) "
                   "around their means over the last quarter of the run; the start used is reported. Give "
                   "once for all runs or once per run.")
@click.option("--t-mix", type=float, multiple=True, default=(3600.0,), show_default=True, metavar="S",
              help="Real mixing time, s, for SN_p (eq. 5), E_m,sim (eq. 2) and E_m,exp (eq. 3). Repeat for "
                   "several times; the first is the one in the JSON keys SN_p, E_m_sim, E_m_exp (all are in "
                   "'per_t_mix').")
@click.option("--measured-power", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              metavar="FILE.csv",
              help="Measured mixer power: CSV with a header naming columns 'time' (s) and 'power' (W), or "
                   "without header time and power as the first two columns (5 s sampling in the paper). "
                   "Give once per run, in the order of the runs. Needs --idle-power and --batch-mass.")
@click.option("--idle-power", type=float, multiple=True, metavar="W",
              help="Idle power P_0 of the empty mixer at the run's speed, W, subtracted from the smoothed "
                   "measured power. Once for all measured files or once per file.")
@click.option("--batch-mass", type=float, multiple=True, metavar="KG",
              help="Powder mass m_total in the real mixer, kg (the paper: about 0.020 kg). Once for all "
                   "measured files or once per file.")
@click.option("--mix-start", type=float, default=None, metavar="S",
              help="Start of the mixing phase in the measured trace, s (default: its first sample); the "
                   "measured specific power is averaged from here to the end of the trace.")
@click.option("--sg-span", type=click.IntRange(1, None), default=SG_SPAN, show_default=True, metavar="SAMPLES",
              help="Savitzky-Golay span in samples; an even span is reduced by 1 (as MATLAB's smooth), so 50 "
                   "uses a 49-sample window.")
@click.option("--sg-order", type=click.IntRange(0, None), default=SG_ORDER, show_default=True, metavar="DEGREE",
              help="Savitzky-Golay polynomial degree.")
@click.option("--bins-per-decade", type=click.IntRange(1, 1000), default=10, show_default=True, metavar="N",
              help="Logarithmic SI classes per decade of stress intensity (J/kg) in the SI-SF distribution.")
@click.option("--batches", type=click.IntRange(1, None), default=10, show_default=True, metavar="N",
              help="Contiguous batches of output intervals for the batch-means standard errors of SI_CG, "
                   "SF_CG, SN_p, E_m,sim and the simulated power.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per run and line instead of the table (SI units: rpm in rev/min, "
                   "SI_CG and E_m_* in J/kg, SF_CG in 1/s, specific_power_* in W/kg, steady_from in s).")
@click.option("--plots", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write PNG figures into DIR (created if needed): si_sf.png, power_vs_time.png, rpm.png "
                   "and, with measured power, measured_power.png.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write CSV tables into DIR (created if needed), units in the column names: summary.csv (one "
                   "row per run: SI_CG_J_per_kg, SF_CG_1_per_s, SN_p, E_m_sim_J_per_kg, rotor_power_W, ...), "
                   "si_sf_classes.csv (the SI-SF distribution, one row per SI class and run) and "
                   "power_timeseries.csv (time_s, rotor_power_W, energies in J; one row per sample and run).")
@click.option("--allow-failed", is_flag=True,
              help="Analyse runs whose status is 'failed' (a guard stopped them; refused otherwise).")
def analyze(runs, steady_from, t_mix, measured_power, idle_power, batch_mass, mix_start, sg_span, sg_order,
            bins_per_decade, batches, as_json, plots, csv_dir, allow_failed):
    """Stress intensity/frequency (SI-SF), SN_p, E_m,sim and the power comparison of one or more runs.

    Analyses the steady-state window of each RUN.h5 (paper eqs. 2, 4, 5): per particle and output interval
    SI_i = W_i / (N_c,i m_i), the collision-weighted SI-SF distribution, SI_CG (J/kg), SF_CG (1/s),
    SN_p = SF_CG t_mix m_particle / m_total and E_m,sim = SI_CG SN_p (J/kg); the simulated net specific rotor
    power (W/kg); with --measured-power the measured net specific power and E_m,exp (eq. 3). Several runs
    (different rpm) also give the exponents k of SI_CG ~ n^k and specific power ~ n^k.
    """
    n = len(runs)
    starts = _match(steady_from, n, "--steady-from", "runs") if steady_from else None
    measured = None
    if measured_power:
        if not idle_power or not batch_mass:
            raise click.UsageError("--measured-power needs --idle-power (W) and --batch-mass (kg)")
        if len(measured_power) != n:
            raise click.UsageError(f"--measured-power: give one CSV per run, in the order of the runs ({n}); "
                                   f"got {len(measured_power)}")
        idle = _match(idle_power, n, "--idle-power", "files")
        mass = _match(batch_mass, n, "--batch-mass", "files")
    elif idle_power or batch_mass or mix_start is not None:
        raise click.UsageError("--idle-power, --batch-mass and --mix-start only apply with --measured-power")
    collected: list[str] = []
    for folder, option in ((plots, "--plots"), (csv_dir, "--csv")):
        if folder is not None:
            try:
                check_output(folder, option, folder=True)
            except InputError as exc:
                raise BadInput(str(exc)) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AnalysisWarning)  # printed below from the results
            if measured_power:
                measured = [MeasuredPower.from_csv(f, i, m, mix_start)
                            for f, i, m in zip(measured_power, idle, mass)]
            multi = analyze_runs(list(runs), steady_from=starts, t_mix=t_mix, measured=measured,
                                 bins_per_decade=bins_per_decade, n_batches=batches, sg_span=sg_span,
                                 sg_order=sg_order, allow_failed=allow_failed)
    except AnalysisError as exc:
        raise BadInput(str(exc)) from None
    for r in multi.runs:
        collected += r.warnings
    written = []
    if plots is not None:
        from mfdem.analysis.plots import write_plots
        try:
            written = write_plots(multi, plots)
        except OSError as exc:
            raise Failure(f"cannot write the plots into {plots}: {exc}") from None
    if csv_dir is not None:
        try:
            written += multi.write_csv(csv_dir)
        except OSError as exc:
            raise Failure(f"cannot write the CSV tables into {csv_dir}: {exc}") from None
    for w in collected:
        click.echo(f"warning: {w}", err=True)
    if as_json:
        click.echo(to_json_lines(multi))
    else:
        click.echo(format_report(multi))
    for p in written:
        click.echo(f"wrote {p}", err=as_json)
