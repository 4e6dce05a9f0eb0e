"""Materials and the per-pair contact parameters derived from them (physics.md §0, §1.8, §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mfdem.engine.contact.law import P_ESTAR, P_GSTAR, P_MU, P_MUR, P_MUS, P_PY, P_VEVENT, P_YR, PAIR_SIZE


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
        right = ")" if hi_open or hi is None else "]"
        rng = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
        what = "must be in" if math.isfinite(v) else "must be a finite number in"
        raise InputError(f"{name} = {value!r}: {what} {rng}{' ' + unit if unit else ''}")
    return v


YIELD_RATIO_DEFINITIONS = ("contact_radius", "overlap")


@dataclass
class Material:
    """Elastic–plastic solid. SI units: Pa, kg/m³.

    Give ``yield_pressure`` p_y (Pa, §1.2) or a ``yield_ratio``, not both; neither means elastic (Hertz).
    A yield ratio is read by ``yield_ratio_definition`` (physics.md §1.8): ``"contact_radius"`` — the contact
    radius at first yield a_y = yield_ratio·R_i (LIGGGHTS), so p_y = 2E*·yield_ratio·R_i/(πR*) depends on the
    partner; ``"overlap"`` — the overlap at first yield δ_y = yield_ratio·R*, so p_y = 2E*√yield_ratio/π.
    ``density`` is needed for particles, not for walls.
    """

    youngs_modulus: float
    poisson_ratio: float
    density: float = 0.0
    yield_ratio: float | None = None
    yield_pressure: float | None = None
    name: str = "material"
    yield_ratio_definition: str = "contact_radius"

    def validate(self) -> None:
        p = self.name
        check_range(f"{p}.youngs_modulus", self.youngs_modulus, 0, None, lo_open=True, unit="Pa")
        check_range(f"{p}.poisson_ratio", self.poisson_ratio, -1, 0.5, lo_open=True, hi_open=True)
        check_range(f"{p}.density", self.density, 0, None, unit="kg/m^3")
        if self.yield_ratio is not None and self.yield_pressure is not None:
            raise InputError(f"{p}: give yield_ratio or yield_pressure, not both")
        if self.yield_ratio is not None:
            check_range(f"{p}.yield_ratio", self.yield_ratio, 0, 1, lo_open=True)
        if self.yield_ratio_definition not in YIELD_RATIO_DEFINITIONS:
            raise InputError(f"{p}.yield_ratio_definition = {self.yield_ratio_definition!r}: must be one of "
                             f"{', '.join(YIELD_RATIO_DEFINITIONS)}")
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


def yield_pressure(m: Material, e_star: float, yield_scale: float) -> float | None:
    """p_y (Pa) of material ``m`` in a contact with effective modulus ``e_star``; ``yield_scale`` = R_i/R*
    (1 against a wall, 2 between equal spheres). None for an elastic material (physics.md §1.2, §1.8)."""
    if m.yield_pressure is not None:
        return m.yield_pressure
    if m.yield_ratio is None:
        return None
    if m.yield_ratio_definition == "overlap":
        return 2.0 * e_star * math.sqrt(m.yield_ratio) / math.pi
    return 2.0 * e_star * m.yield_ratio * yield_scale / math.pi


def pair_table(materials: list[Material], friction: np.ndarray, rolling_friction: np.ndarray,
               static_friction: np.ndarray = None, event_speed: float = 0.0) -> np.ndarray:
    """(M, M, PAIR_SIZE) array of pair parameters (layout in contact/law.py).

    Yield of a pair: the softer partner yields first, so the smaller yield ratio / yield pressure is used;
    a contact-radius yield ratio (LIGGGHTS) takes precedence over p_y when either partner gives one, and
    overlap-ratio definitions are converted to p_y here. ``static_friction`` defaults to ``friction``;
    ``event_speed`` (m/s) is the approach speed below which a loading onset is no stress event.
    """
    m = len(materials)
    static_friction = friction if static_friction is None else static_friction
    out = np.zeros((m, m, PAIR_SIZE))
    for i, a in enumerate(materials):
        for j, b in enumerate(materials):
            e_star = effective_modulus(a, b)
            out[i, j, P_ESTAR] = e_star
            out[i, j, P_GSTAR] = effective_shear_modulus(a, b)
            out[i, j, P_MU] = friction[i, j]
            out[i, j, P_MUS] = static_friction[i, j]
            out[i, j, P_MUR] = rolling_friction[i, j]
            out[i, j, P_VEVENT] = event_speed
            ratios = [x.yield_ratio for x in (a, b)
                      if x.yield_ratio is not None and x.yield_ratio_definition == "contact_radius"]
            pressures = [yield_pressure(x, e_star, 1.0) for x in (a, b)
                         if x.yield_pressure is not None or x.yield_ratio is not None]
            if ratios:
                out[i, j, P_YR] = min(ratios)
            elif pressures:
                out[i, j, P_PY] = min(pressures)
            else:
                out[i, j, P_PY] = np.inf  # never yields: Thornton–Ning reduces to Hertz
    return out
