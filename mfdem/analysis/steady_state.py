"""Automatic detection of the steady state from the rotor power and the kinetic energy.

Criterion (applied to ``timeseries/rotor_power`` (W) and ``timeseries/kinetic_energy`` (J), each signal X):

1. Only samples after the rotor start are used (root attribute ``rotor_start_time``, else ``fill_end_time``,
   else 0 s); call their number n (at least :data:`MIN_SAMPLES`).
2. **Reference window**: the last ``ref_fraction`` (default 25 %) of these samples, cut into ``ref_blocks``
   (default 10) blocks of m samples. μ_X is its mean.
3. **Running mean**: M_X[j] = mean of X over the m samples starting at sample j.
4. **Noise of the running mean**: a straight line is fitted to X in the reference window (so a drift does not
   pass for noise); s_X = the largest of std(residuals) / √m (right for uncorrelated noise), the standard
   deviation of the m-sample block means of the residuals and that of the 2m-sample block means times √2
   (right for fluctuations correlated over many samples, e.g. blade passages). Taking the largest errs on
   the side of a wider band, i.e. of finding the plateau rather than reporting a false drift.
5. **Tolerance band**: |M_X[j] − μ_X| ≤ tol_X = max(``rel_tol`` · |μ_X|, 4 · s_X · (1 + 1/√ref_blocks))
   (default ``rel_tol`` 5 %; the second term — noise of M_X plus that of μ_X, four standard deviations —
   keeps a noisy but stationary signal from being read as drift).
6. The steady state starts at the earliest sample j0 such that M_X[j] stays inside the band for every
   j ≥ j0 and both signals. The reported time is the start of sample j0's sampling window (the time of
   sample j0 − 1, or the rotor start for j0 = 0); :func:`mfdem.analysis.analyze_run` starts the analysis at
   the first output interval beginning at or after it.
7. **No plateau** — :class:`AnalysisError` asking for a longer run or an explicit ``--steady-from`` — if
   j0 lies inside the reference window, or if the fitted line changes by more than tol_X across the
   reference window (the run still drifts at its end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mfdem.analysis.errors import AnalysisError

MIN_SAMPLES = 20
#: half-width of the noise part of the band, in standard deviations of the running mean
NOISE_FACTOR = 4.0


@dataclass
class SteadyState:
    """Result of :func:`detect_steady_state`."""

    time: float             # s, start of the plateau
    index: int              # first steady sample (index into the arrays passed in)
    power_mean: float       # W, reference-window mean of the rotor power
    power_tol: float        # W, half-width of its band
    ke_mean: float          # J, reference-window mean of the kinetic energy
    ke_tol: float           # J
    avg_samples: int        # m, running-mean length
    ref_start: float        # s, start of the reference window

    def describe(self) -> str:
        return (f"running mean of rotor power within {self.power_mean:.4g} +/- {self.power_tol:.3g} W and of "
                f"kinetic energy within {self.ke_mean:.4g} +/- {self.ke_tol:.3g} J (means of the samples after "
                f"{self.ref_start:.4g} s) from {self.time:.4g} s on")


def _band(ref: np.ndarray, m: int, n_blocks: int, rel_tol: float) -> tuple[float, float, float]:
    """(μ, tolerance, change of the fitted line across ``ref``) of one signal's reference window."""
    mu = float(ref.mean())
    x = np.arange(len(ref), dtype=float)
    slope, intercept = np.polyfit(x, ref, 1) if np.ptp(ref) > 0 else (0.0, mu)
    resid = ref - (slope * x + intercept)
    noise = float(np.std(resid, ddof=2)) / math.sqrt(m)
    for size in (m, 2 * m):     # block means of m and 2m samples, the latter scaled to m samples
        nb = len(ref) // size
        if nb >= 3:
            blocks = resid[len(ref) - nb * size:].reshape(nb, size).mean(axis=1)
            noise = max(noise, float(np.std(blocks, ddof=1)) * math.sqrt(size / m))
    tol = max(rel_tol * abs(mu), NOISE_FACTOR * noise * (1.0 + 1.0 / math.sqrt(n_blocks)))
    return mu, tol, float(abs(slope) * (len(ref) - 1))


def _last_violation(x: np.ndarray, m: int, mu: float, tol: float) -> int:
    """Index of the last forward running-mean window outside the band, −1 if none."""
    c = np.concatenate(([0.0], np.cumsum(x - mu)))
    dev = (c[m:] - c[:-m]) / m              # running mean minus μ, windows j = 0 … n−m
    bad = np.nonzero(np.abs(dev) > tol)[0]
    return int(bad[-1]) if len(bad) else -1


def detect_steady_state(time, rotor_power, kinetic_energy, start_time: float = 0.0, *, rel_tol: float = 0.05,
                        ref_fraction: float = 0.25, ref_blocks: int = 10, source: str = "") -> SteadyState:
    """Earliest time after which rotor power and kinetic energy stay on their final plateau (criterion above).

    ``time`` (s, end of each sampling window), ``rotor_power`` (W), ``kinetic_energy`` (J): the run's time
    series; ``start_time`` (s): rotor start. Raises :class:`AnalysisError` if there are too few samples or no
    plateau.
    """
    time = np.asarray(time, dtype=float)
    power = np.asarray(rotor_power, dtype=float)
    ke = np.asarray(kinetic_energy, dtype=float)
    sel = time > start_time
    t, p, k = time[sel], power[sel], ke[sel]
    n = len(t)
    hint = "pass --steady-from (s) to choose the analysis window yourself"
    if n < MIN_SAMPLES:
        raise AnalysisError(f"{source}: cannot detect the steady state: only {n} time-series samples after the "
                            f"rotor start at {start_time:g} s (need {MIN_SAMPLES}); {hint}")
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(k))):
        raise AnalysisError(f"{source}: rotor power or kinetic energy contains non-finite values; {hint}")
    n_blocks = max(2, int(ref_blocks))
    m = max(1, int(round(ref_fraction * n / n_blocks)))
    n_ref = n_blocks * m
    if n_ref > n:
        n_blocks, n_ref = n // m, (n // m) * m
    ref0 = n - n_ref
    bands = []
    last_bad = -1
    for name, x, unit in (("rotor power", p, "W"), ("kinetic energy", k, "J")):
        mu, tol, drift = _band(x[ref0:], m, n_blocks, rel_tol)
        bands.append((mu, tol))
        if drift > tol:
            raise AnalysisError(
                f"{source}: no steady state found: the {name} still drifts by {drift:.3g} {unit} over the last "
                f"{ref_fraction:.0%} of the run (after {t[ref0]:.4g} s; band +/- {tol:.3g} {unit} around "
                f"{mu:.4g} {unit}); run longer or {hint}")
        last_bad = max(last_bad, _last_violation(x, m, mu, tol))
    j0 = last_bad + 1
    if j0 > ref0:
        raise AnalysisError(
            f"{source}: no steady state found: the running mean ({m} samples) of rotor power or kinetic energy "
            f"leaves its band (power {bands[0][0]:.4g} +/- {bands[0][1]:.3g} W, kinetic energy "
            f"{bands[1][0]:.4g} +/- {bands[1][1]:.3g} J: the means of the last {ref_fraction:.0%} of the run, "
            f"after {t[ref0]:.4g} s) as late as {t[min(last_bad, n - 1)]:.4g} s; run longer or {hint}")
    t_start = float(t[j0 - 1]) if j0 > 0 else float(start_time)
    return SteadyState(time=t_start, index=int(np.nonzero(sel)[0][j0]), power_mean=bands[0][0],
                       power_tol=bands[0][1], ke_mean=bands[1][0], ke_tol=bands[1][1], avg_samples=m,
                       ref_start=float(t[ref0 - 1]) if ref0 > 0 else float(start_time))
