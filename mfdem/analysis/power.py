"""Simulated and measured specific power and the measured specific energy (paper eqs. 1 and 3, Fig. 6b).

Simulated side
    Net specific rotor power = mean rotor power over the analysis window / simulated mass (W/kg). The mean is
    the exact time average ``Σ intervals/rotor_work / Σ (t_end − t_start)`` over the window; the standard
    deviation is that of the ``timeseries/rotor_power`` samples inside the window (the fluctuation shown as
    error bar in the paper's Fig. 6b), and the standard error comes from batch means over intervals. The
    simulated mass is that of the simulated part (one fifth of the mixer for a 72° sector), so the specific
    power is directly comparable with the measured one of the whole batch.

Measured side (paper "Power data evaluation")
    The CSV trace P(t) (W, sampled every 5 s in the paper) is restricted to the mixing phase (from
    ``mix_start``, default the first sample, to the end of the record), smoothed with a Savitzky–Golay filter
    of span 50 samples and degree 2, the idle power P_0 is subtracted (ΔP = P_smoothed − P_0) and

    * net specific power = time average of ΔP over the mixing phase / m_total (W/kg), with the standard
      deviation of ΔP / m_total,
    * E_m,exp(t_mix) = ∫_{t0}^{t0+t_mix} ΔP dt / m_total (eq. 3, J/kg; eq. 1 is the same integral before
      smoothing). The integral is the trapezoidal rule over the samples, with ΔP interpolated linearly at
      ``t0 + t_mix``; this equals eq. 3's Σ ΔP·Δt up to end corrections of one sample. If the record stops
      less than one sampling step before ``t0 + t_mix`` the last value is held; if it stops earlier,
      E_m,exp for that t_mix is not computed (None, with a warning).

Savitzky–Golay window parity
    The paper's "span of 50 data points" follows MATLAB's ``smooth(y, span, 'sgolay')``, which requires an
    odd span and *reduces an even span by 1*; its default degree is 2. We do the same: span 50 → a window of
    49 samples, polynomial degree 2, ``scipy.signal.savgol_filter(mode="interp")``. (SciPy accepts even
    windows but then evaluates the fit half a sample off centre, shifting the trace in time.) A record
    shorter than the window is smoothed with the longest odd window it holds (as MATLAB does), with a
    warning; a record too short for any window above the degree is not smoothed.

CSV format (:func:`read_power_csv`)
    Either a header row naming a ``time`` column (s) and a ``power`` column (W) — names are matched
    case-insensitively and may carry a unit, e.g. ``Time [s]``, ``power (W)``, ``time_s`` — or no header, in
    which case the first two columns are time and power. Delimiter: comma, semicolon or tab (detected from
    the first row), or whitespace; with semicolons a decimal comma is accepted. Blank lines and lines
    starting with ``#`` are skipped. Every other row must have a finite number in both columns, and time must
    increase strictly; otherwise :class:`AnalysisError` names the file, line and column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import savgol_filter

from mfdem.analysis.errors import AnalysisError, warn
from mfdem.analysis.stress_model import batch_means

SG_SPAN = 50
SG_ORDER = 2


# ----------------------------------------------------------------------------------------------- simulated


@dataclass
class SimulatedPower:
    """Net rotor power of the simulated part over the analysis window."""

    mean_power: float       # W
    std_power: float        # W, fluctuation of the time-series samples in the window
    sem_power: float        # W, standard error of the mean (batch means over intervals)
    m_total: float          # kg, simulated mass
    n_samples: int          # time-series samples in the window (0: std from per-interval powers)

    @property
    def specific(self) -> float:
        """Net specific rotor power, W/kg."""
        return self.mean_power / self.m_total

    @property
    def specific_std(self) -> float:
        """Standard deviation of the specific rotor power, W/kg."""
        return self.std_power / self.m_total

    @property
    def specific_sem(self) -> float:
        """Standard error of the mean specific rotor power, W/kg."""
        return self.sem_power / self.m_total


def simulated_specific_power(rotor_work, durations, m_total: float, sample_power=None,
                             n_batches: int = 10) -> SimulatedPower:
    """Mean rotor power over a window of output intervals, and its spread (see the module docstring).

    ``rotor_work`` (J) and ``durations`` (s) per interval of the window; ``m_total`` (kg) the simulated mass;
    ``sample_power`` (W) the ``timeseries/rotor_power`` samples inside the window (optional).
    """
    rotor_work = np.asarray(rotor_work, dtype=float)
    durations = np.asarray(durations, dtype=float)
    if len(rotor_work) == 0 or durations.sum() <= 0:
        raise AnalysisError("no output interval in the window for the rotor power")
    if not m_total > 0:
        raise AnalysisError(f"simulated mass must be positive, got {m_total} kg")
    mean = float(rotor_work.sum() / durations.sum())
    samples = np.asarray(sample_power if sample_power is not None else [], dtype=float)
    if len(samples) >= 2:
        std = float(np.std(samples, ddof=1))
    elif len(rotor_work) >= 2:
        std = float(np.std(rotor_work / durations, ddof=1))
    else:
        std = math.nan
    _, sem = batch_means(rotor_work, durations, n_batches)
    return SimulatedPower(mean_power=mean, std_power=std, sem_power=sem, m_total=float(m_total),
                          n_samples=len(samples))


# ----------------------------------------------------------------------------------------------- CSV


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _split(line: str, delimiter: str | None) -> list[str]:
    return [f.strip().strip('"').strip("'").strip() for f in
            (line.split(delimiter) if delimiter else line.split())]


def _column_name(name: str) -> str:
    """``'Time [s]'`` → ``'time'``; ``'power_W'`` → ``'power'``."""
    return re.split(r"[\s\[\(/_,;:]", name.strip().lower(), maxsplit=1)[0]


def read_power_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a measured power trace: returns ``(time (s), power (W))`` (format: see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"{path}: no such file (measured power CSV)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"{path}: not a text CSV file ({exc})") from exc
    lines = [(no, line) for no, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise AnalysisError(f"{path}: empty CSV file; expected columns 'time' (s) and 'power' (W)")
    first = lines[0][1]
    delimiter = next((d for d in (";", ",", "\t") if d in first), None)
    decimal_comma = delimiter == ";"

    def number(raw: str) -> float | None:
        s = raw.replace(",", ".") if decimal_comma else raw
        if not _NUMBER.match(s):
            return None
        return float(s)

    fields = _split(first, delimiter)
    if any(number(f) is not None for f in fields):  # a data row, no header: first two columns
        if len(fields) < 2:
            raise AnalysisError(f"{path} line {lines[0][0]}: found {len(fields)} column, expected two "
                                "(time in s, power in W) or a header naming 'time' and 'power'")
        cols = {"time": 0, "power": 1}
        names = ["time", "power"]
        data_lines = lines
    else:
        names = [_column_name(f) for f in fields]
        cols = {}
        for want in ("time", "power"):
            hits = [i for i, n in enumerate(names) if n == want]
            if not hits:
                raise AnalysisError(
                    f"{path} line {lines[0][0]}: the header {fields} has no '{want}' column; expected a header "
                    "with columns 'time' (s) and 'power' (W), or no header and time, power as the first two "
                    "columns")
            if len(hits) > 1:
                raise AnalysisError(f"{path} line {lines[0][0]}: the header names '{want}' more than once "
                                    f"(columns {', '.join(str(h + 1) for h in hits)})")
            cols[want] = hits[0]
        data_lines = lines[1:]
    time, power = [], []
    for no, line in data_lines:
        row = _split(line, delimiter)
        values = {}
        for key, c in cols.items():
            label = f"column {c + 1} ('{key}', {'s' if key == 'time' else 'W'})"
            if c >= len(row) or row[c] == "":
                raise AnalysisError(f"{path} line {no}, {label}: missing value "
                                    f"(the row has {len([f for f in row if f])} values)")
            v = number(row[c])
            if v is None or not math.isfinite(v):
                raise AnalysisError(f"{path} line {no}, {label}: '{row[c]}' is not a finite number")
            values[key] = v
        if time and values["time"] <= time[-1]:
            raise AnalysisError(f"{path} line {no}, column {cols['time'] + 1} ('time', s): time "
                                f"{values['time']:g} s does not increase (previous sample {time[-1]:g} s)")
        time.append(values["time"])
        power.append(values["power"])
    if len(time) < 2:
        raise AnalysisError(f"{path}: {len(time)} data row(s); a power trace needs at least two samples")
    return np.asarray(time), np.asarray(power)


# ----------------------------------------------------------------------------------------------- measured


def sg_window_length(span: int, n_samples: int, polyorder: int = SG_ORDER) -> int | None:
    """Odd Savitzky–Golay window for ``span`` samples (even spans reduced by 1, as MATLAB ``smooth``), at most
    ``n_samples`` long; None if no odd window longer than ``polyorder`` fits."""
    w = int(span)
    if w % 2 == 0:
        w -= 1
    w = min(w, n_samples if n_samples % 2 else n_samples - 1)
    return w if w > polyorder else None


def savgol_smooth(power, span: int = SG_SPAN, polyorder: int = SG_ORDER) -> tuple[np.ndarray, int | None]:
    """Savitzky–Golay smoothing of a uniformly sampled trace; returns ``(smoothed, window used or None)``."""
    power = np.asarray(power, dtype=float)
    w = sg_window_length(span, len(power), polyorder)
    if w is None:
        return power.copy(), None
    return savgol_filter(power, window_length=w, polyorder=polyorder, mode="interp"), w


@dataclass
class MeasuredPower:
    """A measured mixer power trace with what eq. 3 needs.

    ``time`` (s) and ``power`` (W) samples; ``idle_power`` P_0 (W) of the empty mixer at the same speed;
    ``batch_mass`` m_total (kg) of the powder in the mixer; ``mix_start`` (s) start of the mixing phase in
    the trace (default: the first sample).
    """

    time: np.ndarray
    power: np.ndarray
    idle_power: float
    batch_mass: float
    mix_start: float | None = None
    source: str = ""

    @classmethod
    def from_csv(cls, path, idle_power: float, batch_mass: float, mix_start: float | None = None):
        time, power = read_power_csv(path)
        return cls(time=time, power=power, idle_power=idle_power, batch_mass=batch_mass, mix_start=mix_start,
                   source=str(path))


@dataclass
class MeasuredPowerResult:
    """Evaluated measured power (see the module docstring)."""

    source: str
    idle_power: float               # W
    batch_mass: float               # kg
    mix_start: float                # s
    mix_end: float                  # s, last sample
    sg_window: int | None           # samples actually used (None: not smoothed)
    sg_order: int
    net_power_mean: float           # W, time average of ΔP over the mixing phase
    net_power_std: float            # W
    e_m_exp: dict[float, float | None]  # {t_mix (s): E_m,exp (J/kg)}
    time: np.ndarray = field(repr=False)            # s, mixing-phase samples
    power: np.ndarray = field(repr=False)           # W, raw
    net_power: np.ndarray = field(repr=False)       # W, smoothed minus idle
    warnings: list[str] = field(default_factory=list)

    @property
    def specific_power(self) -> float:
        """Net specific power, W/kg."""
        return self.net_power_mean / self.batch_mass

    @property
    def specific_power_std(self) -> float:
        """Standard deviation of the net specific power, W/kg."""
        return self.net_power_std / self.batch_mass


def measured_specific_energy(time, net_power, batch_mass: float, t_mix: float,
                             t0: float | None = None) -> float | None:
    """E_m,exp = ∫_{t0}^{t0+t_mix} ΔP dt / m_total (paper eqs. 1, 3), J/kg, or None if the record is too short.

    ``time`` (s), ``net_power`` ΔP (W), ``batch_mass`` (kg), ``t_mix`` (s); ``t0`` defaults to the first
    sample. Trapezoidal rule with linear interpolation at the end point; the last value is held for at most
    one sampling step past the record.
    """
    time = np.asarray(time, dtype=float)
    net_power = np.asarray(net_power, dtype=float)
    t0 = float(time[0]) if t0 is None else float(t0)
    t_stop = t0 + float(t_mix)
    step = float(np.median(np.diff(time))) if len(time) > 1 else 0.0
    if t_stop > time[-1] + step * (1 + 1e-9):
        return None
    inside = (time >= t0) & (time < t_stop)
    tt = np.concatenate(([t0], time[inside], [t_stop]))
    tt = np.unique(tt)
    pp = np.interp(tt, time, net_power)
    return float(np.trapezoid(pp, tt) / batch_mass)


def evaluate_measured_power(measured: MeasuredPower, t_mix=(3600.0,), span: int = SG_SPAN,
                            polyorder: int = SG_ORDER) -> MeasuredPowerResult:
    """Smooth, subtract idle power, normalise by batch mass and integrate (paper "Power data evaluation")."""
    src = measured.source or "measured power"
    msgs: list[str] = []
    time = np.asarray(measured.time, dtype=float)
    power = np.asarray(measured.power, dtype=float)
    if time.shape != power.shape or time.ndim != 1 or len(time) < 2:
        raise AnalysisError(f"{src}: time and power must be 1-D arrays of equal length (at least 2 samples)")
    if not (np.all(np.isfinite(time)) and np.all(np.isfinite(power))):
        raise AnalysisError(f"{src}: time and power must be finite numbers")
    if np.any(np.diff(time) <= 0):
        raise AnalysisError(f"{src}: time must increase strictly")
    if not (measured.batch_mass > 0 and math.isfinite(measured.batch_mass)):
        raise AnalysisError(f"{src}: the batch mass must be a positive number of kg, got {measured.batch_mass}")
    if not math.isfinite(measured.idle_power):
        raise AnalysisError(f"{src}: the idle power must be a finite number of W, got {measured.idle_power}")
    t0 = float(time[0]) if measured.mix_start is None else float(measured.mix_start)
    if t0 < time[0] or t0 >= time[-1]:
        raise AnalysisError(f"{src}: mixing start {t0:g} s lies outside the record ({time[0]:g} … {time[-1]:g} s)")
    keep = time >= t0
    time, power = time[keep], power[keep]
    if len(time) < 2:
        raise AnalysisError(f"{src}: fewer than two samples after the mixing start {t0:g} s")
    steps = np.diff(time)
    if steps.max() > 1.05 * steps.min():
        warn(msgs, f"{src}: uneven sampling ({steps.min():g} … {steps.max():g} s); the Savitzky-Golay filter "
                   "assumes equal steps")
    smoothed, w = savgol_smooth(power, span, polyorder)
    expected = sg_window_length(span, 10**9, polyorder)
    if w is None:
        warn(msgs, f"{src}: only {len(power)} samples, too few for a Savitzky-Golay window of degree "
                   f"{polyorder}; the trace is used unsmoothed")
    elif w != expected:
        warn(msgs, f"{src}: only {len(power)} samples; Savitzky-Golay window reduced from {expected} to {w}")
    net = smoothed - float(measured.idle_power)
    duration = float(time[-1] - t0)
    net_mean = float(np.trapezoid(net, time) / duration)
    net_std = float(np.std(net, ddof=1))
    if net_mean <= 0:
        warn(msgs, f"{src}: the mean net power is {net_mean:.4g} W (idle power {measured.idle_power:g} W): "
                   "is the idle power right?")
    energies: dict[float, float | None] = {}
    for tm in t_mix:
        e = measured_specific_energy(time, net, measured.batch_mass, float(tm), t0)
        if e is None:
            warn(msgs, f"{src}: the record covers {duration:g} s of mixing, t_mix = {float(tm):g} s needs more; "
                       "E_m,exp not computed for it")
        energies[float(tm)] = e
    return MeasuredPowerResult(source=src, idle_power=float(measured.idle_power),
                               batch_mass=float(measured.batch_mass), mix_start=t0, mix_end=float(time[-1]),
                               sg_window=w, sg_order=polyorder, net_power_mean=net_mean, net_power_std=net_std,
                               e_m_exp=energies, time=time, power=power, net_power=net, warnings=msgs)
