"""Materials and the per-pair contact parameters derived from them (physics.md §0, §1.8, §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mfdem.validation import InputError, check_range  # noqa: F401 - InputError: re-exported for callers

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
