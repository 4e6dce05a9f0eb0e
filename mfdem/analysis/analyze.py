"""Top-level analysis of run files: :func:`analyze_run` and :func:`analyze_runs` (what ``mfdem analyze`` calls).

Window
    The analysis window runs from ``steady_from`` to the end of the last complete output interval. It is made
    of whole output intervals: the first one is the first interval starting at or after ``steady_from`` (so
    the reported ``steady_from`` is that interval's start). Without ``steady_from`` the plateau of rotor power
    and kinetic energy is detected (:mod:`mfdem.analysis.steady_state`).

Mass
    ``m_total`` is the summed mass of the particles present at the end of the window: the
    ``intervals/n_inserted`` of the last window interval, taken in order of ``particles/insert_time``.
    ``m_particle`` = m_total / number of present particles (the CG particle mass for the monodisperse
    default; for a polydisperse charge it makes m_particle / m_total = 1 / N, so SN_p stays the number of
    stress events per particle). SI uses each particle's own mass (eq. 4).

See :mod:`mfdem.analysis.stress_model` for SI, SF, SN_p, E_m,sim and :mod:`mfdem.analysis.power` for the
power comparison. All numbers are SI units: s, kg, J, W, J/kg, W/kg, 1/s.

One module, past the usual size: it is the assembly of one run's (or a batch's) analysis from those
modules — windows, classes, power check, report — and each step feeds the next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mfdem.analysis.errors import AnalysisError, warn
from mfdem.analysis.fit import PowerLawFit, fit_power_law
from mfdem.analysis.power import (SG_ORDER, SG_SPAN, MeasuredPower, MeasuredPowerResult, SimulatedPower,
                                  evaluate_measured_power, simulated_specific_power)
from mfdem.analysis.steady_state import SteadyState, detect_steady_state
from mfdem.analysis.stress_model import (DEFAULT_PERCENTILES, StressStatistics, specific_energy, stress_number,
                                         stress_statistics)
from mfdem.io import RunFileError, open_run

#: rotor power and dissipated power differing by more than this fraction trigger a warning
ENERGY_BALANCE_TOL = 0.10
_NEEDED = ("t_start", "dissipated_work", "collisions", "rotor_work", "n_inserted")
#: timeseries/ datasets kept in RunAnalysis.timeseries (the power table); the first three are required
_SERIES = ("time", "rotor_power", "kinetic_energy", "elastic_energy", "potential_energy", "rotor_work_total",
           "dissipated_work_total")


@dataclass
class StressNumberResult:
    """SN_p and E_m for one mixing time."""

    t_mix: float                     # s
    SN_p: float                      # -, eq. 5
    SN_p_sem: float                  # -
    E_m_sim: float                   # J/kg, eq. 2 (= SI_CG · SN_p exactly)
    E_m_sim_sem: float               # J/kg
    E_m_exp: float | None = None     # J/kg, eq. 3 (with measured power)

    @property
    def E_m_ratio(self) -> float | None:
        """E_m,sim / E_m,exp, -."""
        if self.E_m_exp is None or self.E_m_exp == 0:
            return None
        return self.E_m_sim / self.E_m_exp

    def to_dict(self) -> dict:
        return {"t_mix": self.t_mix, "SN_p": self.SN_p, "SN_p_sem": self.SN_p_sem, "E_m_sim": self.E_m_sim,
                "E_m_sim_sem": self.E_m_sim_sem, "E_m_exp": self.E_m_exp, "E_m_ratio": self.E_m_ratio}


@dataclass
class RunAnalysis:
    """Everything ``mfdem analyze`` reports for one run (units in the field comments)."""

    path: str
    rpm: float                        # rev/min
    status: str
    sector_angle_deg: float           # deg
    steady_from: float                # s, start of the first analysed interval
    steady_from_source: str           # "auto" (plateau detection) or "user"
    steady_state: SteadyState | None  # detection details when "auto"
    window_end: float                 # s
    n_particles: int                  # particles present
    m_total: float                    # kg, simulated mass
    m_particle: float                 # kg
    stress: StressStatistics
    power: SimulatedPower
    per_t_mix: list[StressNumberResult]
    measured: MeasuredPowerResult | None = None
    max_overlap_ratio: float | None = None   # -, largest δ/R of any contact in the window (time series)
    # the same statistics with geometric contact starts as the events (None for format-1 files)
    stress_contact_starts: StressStatistics | None = None
    # time (s), rotor_power (W), the energies of _SERIES (J; NaN if the file lacks one), in_window (bool)
    timeseries: dict = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)

    # -- headline numbers
    @property
    def SI_CG(self) -> float:
        """Mean collision-weighted stress intensity, J/kg."""
        return self.stress.si_cg

    @property
    def SF_CG(self) -> float:
        """Stress events of all simulated particles per second, 1/s."""
        return self.stress.sf_cg

    @property
    def t_mix(self) -> float:
        """Primary mixing time (the first one given), s."""
        return self.per_t_mix[0].t_mix

    @property
    def SN_p(self) -> float:
        """Stress number per particle for the primary t_mix (eq. 5), -."""
        return self.per_t_mix[0].SN_p

    @property
    def E_m_sim(self) -> float:
        """Simulated specific energy for the primary t_mix (eq. 2), J/kg."""
        return self.per_t_mix[0].E_m_sim

    @property
    def E_m_exp(self) -> float | None:
        """Measured specific energy for the primary t_mix (eq. 3), J/kg."""
        return self.per_t_mix[0].E_m_exp

    @property
    def window_duration(self) -> float:
        return self.stress.duration

    @property
    def specific_power_sim(self) -> float:
        """Mean net rotor power per simulated mass, W/kg."""
        return self.power.specific

    @property
    def dissipated_specific_power(self) -> float:
        """Dissipated work of all particles per window duration and simulated mass, W/kg."""
        return self.stress.work_total / self.stress.duration / self.m_total

    @property
    def specific_power_exp(self) -> float | None:
        """Measured net specific power, W/kg."""
        return None if self.measured is None else self.measured.specific_power

    @property
    def power_ratio(self) -> float | None:
        """Simulated / measured net specific power, -."""
        exp = self.specific_power_exp
        return None if exp is None or exp == 0 else self.specific_power_sim / exp

    def to_dict(self, distribution: bool = True) -> dict:
        """JSON-ready dict (NaN → None). Keys are those of ``mfdem analyze --json``."""
        s = self.stress
        d = {
            "file": self.path, "rpm": self.rpm, "status": self.status, "sector_angle_deg": self.sector_angle_deg,
            "steady_from": self.steady_from, "steady_from_source": self.steady_from_source,
            "steady_detected": None if self.steady_state is None else self.steady_state.time,
            "window_end": self.window_end, "window_duration": s.duration, "n_intervals": s.n_intervals,
            "n_particles": self.n_particles, "m_total": self.m_total, "m_particle": self.m_particle,
            "SI_CG": s.si_cg, "SI_CG_sem": s.si_cg_sem,
            "SI_median": s.percentiles.get(50.0), "SI_p90": s.percentiles.get(90.0),
            "SI_p99": s.percentiles.get(99.0), "SI_max": s.si_max,
            "SI_percentiles": {f"{q:g}": v for q, v in s.percentiles.items()},
            "SF_CG": s.sf_cg, "SF_CG_sem": s.sf_cg_sem, "SF_per_particle": s.sf_cg * self.m_particle / self.m_total,
            "n_events": s.events,
            "wall_event_fraction": s.wall_events / s.events if s.wall_events >= 0 else None,
            "zero_si_event_fraction": s.zero_si_events / s.events,
            "work_fraction_without_collision": s.work_fraction_without_collision,
            "n_batches": s.n_batches,
            "t_mix": self.t_mix, "SN_p": self.SN_p, "SN_p_sem": self.per_t_mix[0].SN_p_sem,
            "E_m_sim": self.E_m_sim, "E_m_sim_sem": self.per_t_mix[0].E_m_sim_sem,
            "per_t_mix": [r.to_dict() for r in self.per_t_mix],
            "rotor_power": self.power.mean_power, "rotor_power_std": self.power.std_power,
            "specific_power_sim": self.specific_power_sim, "specific_power_sim_std": self.power.specific_std,
            "specific_power_sim_sem": self.power.specific_sem,
            "dissipated_specific_power": self.dissipated_specific_power,
            "max_overlap_ratio": self.max_overlap_ratio,
        }
        c = self.stress_contact_starts
        if c is not None:
            d.update({"SI_CG_contact_starts": c.si_cg, "SI_CG_contact_starts_sem": c.si_cg_sem,
                      "SF_CG_contact_starts": c.sf_cg, "SF_CG_contact_starts_sem": c.sf_cg_sem,
                      "SF_per_particle_contact_starts": c.sf_cg * self.m_particle / self.m_total,
                      "work_fraction_without_contact_start": c.work_fraction_without_collision})
        if self.measured is not None:
            m = self.measured
            d.update({"specific_power_exp": m.specific_power, "specific_power_exp_std": m.specific_power_std,
                      "E_m_exp": self.E_m_exp, "power_ratio": self.power_ratio,
                      "E_m_ratio": self.per_t_mix[0].E_m_ratio, "measured_file": m.source,
                      "idle_power": m.idle_power, "batch_mass": m.batch_mass, "mix_start": m.mix_start,
                      "mix_end": m.mix_end, "sg_window": m.sg_window, "sg_order": m.sg_order})
        if distribution:
            d["si_sf_distribution"] = s.distribution.to_dict()
        d["warnings"] = list(self.warnings)
        return _clean(d)

    def to_dataframe(self, table: str = "summary"):
        """This run's ``table`` as a pandas DataFrame: "summary" (one row), "classes" (the SI–SF
        distribution, one row per SI class) or "power" (the power and energy time series); the columns, with
        their units, are those of ``mfdem analyze --csv`` (:mod:`mfdem.analysis.tables`). Needs pandas
        (``pip install 'mfdem[tables]'``)."""
        from mfdem.analysis.tables import table as build  # noqa: PLC0415

        return build([self], table).to_dataframe()


def _series(run, name: str) -> np.ndarray:
    """``timeseries/<name>``; an optional energy missing from the file reads as NaN."""
    try:
        return run.timeseries(name)
    except KeyError:
        if name in _SERIES[:3]:
            raise
        return np.full(run.n_timeseries, np.nan)


def _clean(obj):
    """Replace NaN/inf by None and numpy scalars by Python ones, recursively (strict JSON)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _positive_times(t_mix) -> tuple[float, ...]:
    values = (t_mix,) if np.isscalar(t_mix) else tuple(t_mix)
    if not values:
        raise AnalysisError("give at least one mixing time t_mix (s)")
    out = []
    for v in values:
        v = float(v)
        if not (v > 0 and math.isfinite(v)):
            raise AnalysisError(f"mixing time t_mix must be a positive number of seconds, got {v:g}")
        out.append(v)
    return tuple(out)


def analyze_run(path, steady_from: float | None = None, t_mix=(3600.0,), measured: MeasuredPower | None = None,
                *, bins_per_decade: int = 10, n_batches: int = 10, percentiles=DEFAULT_PERCENTILES,
                sg_span: int = SG_SPAN, sg_order: int = SG_ORDER, steady_tol: float = 0.05,
                allow_failed: bool = False) -> RunAnalysis:
    """Analyse one run file (stress model, simulated power, optional comparison with measured power).

    ``path``: the run's HDF5 file (read through :func:`mfdem.io.open_run`).
    ``steady_from``: start of the analysis window, s (None: detect the plateau automatically).
    ``t_mix``: one or several real mixing times, s, for SN_p (eq. 5), E_m,sim (eq. 2) and E_m,exp (eq. 3);
    the first is the primary one.
    ``measured``: a :class:`MeasuredPower` (trace, idle power, batch mass) to compare with.
    ``allow_failed``: analyse a run whose status is "failed" (refused otherwise).
    ``bins_per_decade``: SI classes per decade of the SI–SF distribution; ``n_batches``: batches for the
    batch-means standard errors; ``percentiles`` (%); ``sg_span``/``sg_order``: Savitzky–Golay span
    (samples) and degree; ``steady_tol``: relative band of the plateau detection.
    Raises :class:`AnalysisError` for a file that is not an mfdem run, an empty window or one without any
    collision.
    """
    t_mix = _positive_times(t_mix)
    msgs: list[str] = []
    try:
        run = open_run(path)
    except RunFileError as exc:
        raise AnalysisError(str(exc)) from exc
    with run:
        src = str(run.path)
        missing = []
        for name in _NEEDED:
            try:
                run.interval(name, 0, 0)
            except KeyError:
                missing.append(f"intervals/{name}")
        if missing:
            raise AnalysisError(f"{src}: damaged mfdem run file, missing {', '.join(missing)}")
        try:
            run.interval("collisions_wall", 0, 0)
            has_wall = True
        except KeyError:
            has_wall = False
        n_int = run.n_intervals
        if n_int == 0:
            raise AnalysisError(f"{src}: the run has no complete output interval yet (status {run.status!r})")
        if run.status == "failed" and not allow_failed:
            raise AnalysisError(f"{src}: the run failed ({run.failure or 'no reason recorded'}); its numbers are not "
                                "a result. Pass --allow-failed (allow_failed=True) to analyse its "
                                f"{n_int} completed intervals anyway")
        if run.status != "complete":
            warn(msgs, f"{src}: run status is {run.status!r}; analysing its {n_int} complete output intervals")
        t_start, t_end = run.interval("t_start"), run.interval("t_end")
        ts = {name: _series(run, name) for name in _SERIES}
        attrs = run.attrs
        rotor_start = float(attrs.get("rotor_start_time", attrs.get("fill_end_time", 0.0)))

        # -- window
        steady = None
        if steady_from is None:
            steady = detect_steady_state(ts["time"], ts["rotor_power"], ts["kinetic_energy"], rotor_start,
                                         rel_tol=steady_tol, source=src)
            t_req, source = steady.time, "auto"
        else:
            t_req, source = float(steady_from), "user"
            if not math.isfinite(t_req):
                raise AnalysisError(f"steady_from must be a finite time in s, got {steady_from}")
            if t_req < rotor_start:
                warn(msgs, f"{src}: the window starts at {t_req:g} s, before the rotor start at {rotor_start:g} s")
        eps = 1e-6 * run.output_interval
        after = np.nonzero(t_start >= t_req - eps)[0]
        if len(after) == 0:
            raise AnalysisError(f"{src}: empty analysis window: steady_from = {t_req:g} s is after the start of "
                                f"the last complete output interval ({t_start[-1]:g} s; the run ends at "
                                f"{t_end[-1]:g} s)")
        k0 = int(after[0])
        n_rows = n_int - k0
        durations = t_end[k0:] - t_start[k0:]
        if n_rows < 2:
            warn(msgs, f"{src}: the window holds only {n_rows} output interval; no batch-means uncertainty")

        # -- mass
        n_inserted = run.interval("n_inserted", k0)
        n_present = int(n_inserted[-1])
        if n_present <= 0:
            raise AnalysisError(f"{src}: no particles present in the analysis window")
        if n_inserted.min() != n_inserted.max():
            warn(msgs, f"{src}: particles were still being inserted in the window ({int(n_inserted.min())} to "
                       f"{n_present}); m_total uses the count at the window end")
        mass = np.asarray(run.mass, dtype=float)
        present = np.argsort(run.insert_time, kind="stable")[:n_present]
        if np.any(~(mass[present] > 0)):
            raise AnalysisError(f"{src}: particles/mass holds non-positive masses")
        m_total = float(mass[present].sum())
        m_particle = m_total / n_present
        mass_si = np.ones_like(mass)
        mass_si[present] = mass[present]      # absent particles have no collisions; keep the division safe

        def read_block(a, b):
            wall = run.interval("collisions_wall", k0 + a, k0 + b) if has_wall else None
            return (run.interval("dissipated_work", k0 + a, k0 + b), run.interval("collisions", k0 + a, k0 + b),
                    wall)

        stats = stress_statistics(read_block, n_rows, mass_si, durations, bins_per_decade=bins_per_decade,
                                  n_batches=n_batches, percentiles=percentiles,
                                  particle_to_total_mass=m_particle / m_total, source=src)
        if stats.si_cg < 0:
            warn(msgs, f"{src}: the mean SI_CG is negative ({stats.si_cg:.3g} J/kg): the particles' dissipated work "
                       "went down in the window, which no contact law allows; the run's energy books are broken "
                       "(a blow-up or a time step far too long), so its numbers mean nothing")
        starts = None
        if run.has_interval("contact_starts"):
            def read_starts(a, b):
                return (run.interval("dissipated_work", k0 + a, k0 + b),
                        run.interval("contact_starts", k0 + a, k0 + b),
                        run.interval("contact_starts_wall", k0 + a, k0 + b))
            try:
                starts = stress_statistics(read_starts, n_rows, mass_si, durations,
                                           bins_per_decade=bins_per_decade, n_batches=n_batches,
                                           percentiles=percentiles, particle_to_total_mass=m_particle / m_total,
                                           source=src)
            except AnalysisError:   # no contact start in the window: nothing to set beside the events
                starts = None

        # -- simulated power
        t_lo, t_hi = float(t_start[k0]), float(t_end[-1])
        in_win = (ts["time"] > t_lo + eps) & (ts["time"] <= t_hi + eps)
        ts["in_window"] = in_win
        power = simulated_specific_power(run.interval("rotor_work", k0), durations, m_total,
                                         ts["rotor_power"][in_win], n_batches)
        try:
            overlap = run.timeseries("max_overlap_ratio")[in_win]
            max_overlap = float(overlap.max()) if len(overlap) else None
        except KeyError:
            max_overlap = None
        rpm = run.rpm
        sector = run.sector_angle_deg
        status = run.status

    if stats.work_fraction_without_collision > 0.5:
        warn(msgs, f"{src}: {stats.work_fraction_without_collision:.0%} of the dissipated work falls into "
                   "(particle, interval) pairs without a stress event (enduring contacts); SI_CG does not "
                   "include it")
    p_diss = stats.work_total / stats.duration
    if power.mean_power > 0 and abs(p_diss - power.mean_power) > ENERGY_BALANCE_TOL * power.mean_power:
        warn(msgs, f"{src}: dissipated power {p_diss:.4g} W and rotor power {power.mean_power:.4g} W differ by more "
                   f"than {ENERGY_BALANCE_TOL:.0%}: the window may not be at steady state")

    meas = None
    if measured is not None:
        meas = evaluate_measured_power(measured, t_mix, sg_span, sg_order)
        msgs.extend(meas.warnings)
    ratio = m_particle / m_total
    per = []
    for tm in t_mix:
        sn = stress_number(stats.sf_cg, tm, m_particle, m_total)
        per.append(StressNumberResult(
            t_mix=tm, SN_p=sn, SN_p_sem=stats.sf_cg_sem * tm * ratio,
            E_m_sim=specific_energy(stats.si_cg, sn), E_m_sim_sem=stats.collided_specific_rate_sem * tm * ratio,
            E_m_exp=None if meas is None else meas.e_m_exp.get(tm)))
    return RunAnalysis(path=src, rpm=rpm, status=status, sector_angle_deg=sector, steady_from=t_lo,
                       steady_from_source=source, steady_state=steady, window_end=t_hi, n_particles=n_present,
                       m_total=m_total, m_particle=m_particle, stress=stats, power=power, per_t_mix=per,
                       measured=meas, max_overlap_ratio=max_overlap, stress_contact_starts=starts, timeseries=ts,
                       warnings=msgs)


@dataclass
class MultiRunAnalysis:
    """Several runs (sorted by rpm) and the power-law exponents over rpm (``fits``; None if not fittable)."""

    runs: list[RunAnalysis]
    fits: dict[str, PowerLawFit | None]

    def fits_dict(self) -> dict:
        return _clean({k: (None if f is None else f.to_dict()) for k, f in self.fits.items()})

    def to_dataframe(self, table: str = "summary"):
        """All runs' ``table`` as one pandas DataFrame (a ``run`` column tells the runs apart): "summary" (one
        row per run), "classes" (SI–SF distribution, one row per SI class and run) or "power" (time series,
        one row per sample and run); the columns of ``mfdem analyze --csv`` (:mod:`mfdem.analysis.tables`).
        Needs pandas (``pip install 'mfdem[tables]'``)."""
        from mfdem.analysis.tables import table as build  # noqa: PLC0415

        return build(self.runs, table).to_dataframe()

    def write_csv(self, outdir) -> list[Path]:
        """Write the three tables of ``mfdem analyze --csv`` into ``outdir``; returns the paths."""
        from mfdem.analysis.tables import write_csv  # noqa: PLC0415

        return write_csv(self, outdir)


def _per_run(value, n: int, name: str) -> list:
    """A scalar or None for all runs, or a sequence with one entry per run (or a single entry)."""
    if value is None or np.isscalar(value) or isinstance(value, MeasuredPower):
        return [value] * n
    value = list(value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise AnalysisError(f"{name}: give one value for all runs or one per run ({n}), got {len(value)}")
    return value


def fit_rpm_exponents(runs: Sequence[RunAnalysis]) -> dict[str, PowerLawFit | None]:
    """Exponents k of SI_CG ∝ n^k, SF_CG ∝ n^k, specific power ∝ n^k (simulated; measured if every run has it).

    A quantity is None when fewer than two distinct rotor speeds (or a non-positive value) are available.
    """
    rpm = np.array([abs(r.rpm) for r in runs], dtype=float)
    quantities = {"SI_CG": [r.SI_CG for r in runs], "SF_CG": [r.SF_CG for r in runs],
                  "specific_power_sim": [r.specific_power_sim for r in runs]}
    if runs and all(r.measured is not None for r in runs):
        quantities["specific_power_exp"] = [r.specific_power_exp for r in runs]
    fits = {}
    for name, values in quantities.items():
        try:
            fits[name] = fit_power_law(rpm, np.array(values, dtype=float))
        except AnalysisError:
            fits[name] = None
    return fits


def analyze_runs(paths, steady_from=None, t_mix=(3600.0,), measured=None, **kwargs) -> MultiRunAnalysis:
    """:func:`analyze_run` for several runs, sorted by rpm, plus the fitted exponents over rpm.

    ``steady_from`` and ``measured`` are either one value for all runs or a sequence with one entry per run
    (in the order of ``paths``; None entries allowed).
    """
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise AnalysisError("no run file given")
    starts = _per_run(steady_from, len(paths), "steady_from")
    meas = _per_run(measured, len(paths), "measured")
    runs = [analyze_run(p, s, t_mix, m, **kwargs) for p, s, m in zip(paths, starts, meas)]
    runs.sort(key=lambda r: abs(r.rpm))
    return MultiRunAnalysis(runs=runs, fits=fit_rpm_exponents(runs) if len(runs) > 1 else {})
