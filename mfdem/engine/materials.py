"""Materials and the per-pair contact parameters derived from them (physics.md §0, §1.8, §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mfdem.engine.contact.law import P_ESTAR, P_GSTAR, P_MU, P_MUR, P_PY, P_YR


class InputError(ValueError):
    """Bad user input, raised before any kernel compiles; the message names the field and the range."""


def check_range(name: str, value, lo=None, hi=None, *, lo_open=False, hi_open=False, unit: str = "") -> float:
    """Return ``float(value)`` or raise InputError naming ``name`` and the allowed range."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} = {value!r}: must be a number") from None
    bad = not math.isfinite(v)
    if lo is not None:
        bad |= v <= lo if lo_open else v < lo
    if hi is not None:
        bad |= v >= hi if hi_open else v > hi
    if bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        rng = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
        raise InputError(f"{name} = {value!r}: must be in {rng}{' ' + unit if unit else ''}")
    return v


@dataclass
class Material:
    """Elastic–plastic solid. SI units: Pa, kg/m³.

    Give ``yield_ratio`` (LIGGGHTS definition: contact radius at first yield a_y = yield_ratio·R,
    physics.md §1.8) or ``yield_pressure`` p_y (Pa, §1.2), not both; neither means elastic (Hertz).
    ``density`` is needed for particles, not for walls.
    """

    youngs_modulus: float
    poisson_ratio: float
    density: float = 0.0
    yield_ratio: float | None = None
    yield_pressure: float | None = None
    name: str = "material"

    def validate(self) -> None:
        p = self.name
        check_range(f"{p}.youngs_modulus", self.youngs_modulus, 0, None, lo_open=True, unit="Pa")
        check_range(f"{p}.poisson_ratio", self.poisson_ratio, -1, 0.5, lo_open=True, hi_open=True)
        check_range(f"{p}.density", self.density, 0, None, unit="kg/m^3")
        if self.yield_ratio is not None and self.yield_pressure is not None:
            raise InputError(f"{p}: give yield_ratio or yield_pressure, not both")
        if self.yield_ratio is not None:
            check_range(f"{p}.yield_ratio", self.yield_ratio, 0, 1, lo_open=True)
        if self.yield_pressure is not None:
            check_range(f"{p}.yield_pressure", self.yield_pressure, 0, None, lo_open=True, unit="Pa")

    @property
    def shear_modulus(self) -> float:
        return self.youngs_modulus / (2.0 * (1.0 + self.poisson_ratio))


def effective_modulus(a: Material, b: Material) -> float:
    """E* with 1/E* = (1−ν₁²)/E₁ + (1−ν₂²)/E₂ (physics.md §0)."""
    return 1.0 / ((1 - a.poisson_ratio**2) / a.youngs_modulus + (1 - b.poisson_ratio**2) / b.youngs_modulus)


def effective_shear_modulus(a: Material, b: Material) -> float:
    """G* with 1/G* = (2−ν₁)/G₁ + (2−ν₂)/G₂ (physics.md §0)."""
    return 1.0 / ((2 - a.poisson_ratio) / a.shear_modulus + (2 - b.poisson_ratio) / b.shear_modulus)


def pair_table(materials: list[Material], friction: np.ndarray, rolling_friction: np.ndarray) -> np.ndarray:
    """(M, M, 6) array of pair parameters [E*, G*, μ, μ_r, yield_ratio, p_y].

    Yield of a pair: the softer partner yields first, so the smaller yield ratio / yield pressure is used;
    yield_ratio takes precedence over p_y when either partner gives one.
    """
    m = len(materials)
    out = np.zeros((m, m, 6))
    for i, a in enumerate(materials):
        for j, b in enumerate(materials):
            out[i, j, P_ESTAR] = effective_modulus(a, b)
            out[i, j, P_GSTAR] = effective_shear_modulus(a, b)
            out[i, j, P_MU] = friction[i, j]
            out[i, j, P_MUR] = rolling_friction[i, j]
            ratios = [x.yield_ratio for x in (a, b) if x.yield_ratio is not None]
            pressures = [x.yield_pressure for x in (a, b) if x.yield_pressure is not None]
            if ratios:
                out[i, j, P_YR] = min(ratios)
            elif pressures:
                out[i, j, P_PY] = min(pressures)
            else:
                out[i, j, P_PY] = np.inf  # never yields: Thornton–Ning reduces to Hertz
    return out
