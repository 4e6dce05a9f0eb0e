"""Power-law fit y = a · n^k over several rotor speeds (log–log least squares)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mfdem.analysis.errors import AnalysisError


@dataclass
class PowerLawFit:
    """y ≈ prefactor · n^exponent; ``exponent_se`` is the standard error of k (NaN with two points)."""

    exponent: float
    exponent_se: float
    prefactor: float        # unit of y per (rev/min)^k
    n_points: int
    r2: float

    def predict(self, n):
        return self.prefactor * np.asarray(n, dtype=float) ** self.exponent

    def to_dict(self) -> dict:
        return {"exponent": self.exponent, "exponent_se": self.exponent_se, "prefactor": self.prefactor,
                "n_points": self.n_points, "r2": self.r2}


def fit_power_law(n, y) -> PowerLawFit:
    """Least-squares fit of log y = log a + k log n (``n`` rotor speeds in rev/min, ``y`` positive).

    The standard error of k is ``sqrt(SSR / (p − 2) / Σ (log n − mean)²)`` for p ≥ 3 points. Needs at least
    two distinct speeds and positive values, else :class:`AnalysisError`.
    """
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    if n.shape != y.shape or n.ndim != 1:
        raise AnalysisError("rotor speeds and values must be 1-D arrays of equal length")
    if np.any(~np.isfinite(n)) or np.any(~np.isfinite(y)) or np.any(n <= 0) or np.any(y <= 0):
        raise AnalysisError("a power-law fit needs positive, finite speeds and values")
    if len(np.unique(n)) < 2:
        raise AnalysisError("a power-law fit needs at least two different rotor speeds")
    x, z = np.log(n), np.log(y)
    xm = x.mean()
    sxx = float(((x - xm) ** 2).sum())
    k = float(((x - xm) * (z - z.mean())).sum() / sxx)
    c = float(z.mean() - k * xm)
    resid = z - (c + k * x)
    ssr = float((resid ** 2).sum())
    p = len(x)
    se = math.sqrt(ssr / (p - 2) / sxx) if p > 2 else math.nan
    sst = float(((z - z.mean()) ** 2).sum())
    r2 = 1.0 - ssr / sst if sst > 0 else 1.0
    return PowerLawFit(exponent=k, exponent_se=se, prefactor=math.exp(c), n_points=p, r2=r2)
