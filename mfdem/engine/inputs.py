"""The Simulation's inputs, checked before anything compiles: the domain box, gravity, and the contact inputs
per material pair (friction matrices, the normal law's own coefficients, contact/registry.py). Each error is
an InputError naming the field and what is allowed."""

from dataclasses import dataclass

import numpy as np

from mfdem.engine.contact import registry
from mfdem.validation import InputError, check_range


@dataclass
class Domain:
    """Axis-aligned box [lo, hi] (m) that holds every particle; ``periodic`` per axis (x, y, z).

    ``sector_angle_deg`` makes the domain a periodic sector 0 ≤ φ < angle about the z axis (rotational
    periodicity, the mixer's one-fifth); the box must then hold that sector.
    """

    lo: tuple
    hi: tuple
    periodic: tuple = (False, False, False)
    sector_angle_deg: float = None

    def validate(self):
        lo = np.asarray(self.lo, float).reshape(3)
        hi = np.asarray(self.hi, float).reshape(3)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))) or np.any(hi <= lo):
            raise InputError(f"domain: hi {hi.tolist()} must exceed lo {lo.tolist()} on every axis (m)")
        if len(self.periodic) != 3:
            raise InputError("domain.periodic: give three booleans (x, y, z)")
        if self.sector_angle_deg is not None:
            check_range("domain.sector_angle_deg", self.sector_angle_deg, 0, 180, lo_open=True, hi_open=True,
                        unit="deg")
            if any(self.periodic):
                raise InputError("domain: rotational periodicity cannot be combined with linear periodic axes")
        return lo, hi, tuple(bool(p) for p in self.periodic)


def pair_matrix(name: str, value, m: int) -> np.ndarray:
    """(m, m) symmetric matrix of a coefficient ≥ 0 given as one number or per material pair."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full((m, m), float(arr))
    if arr.shape != (m, m):
        raise InputError(f"{name}: give one number or a {m}×{m} matrix (one entry per material pair)")
    if not np.allclose(arr, arr.T):
        raise InputError(f"{name}: the material-pair matrix must be symmetric")
    for v in arr.ravel():
        check_range(name, v, 0, None)
    return arr


def law_coefficients(values, normal_model: str, m: int) -> dict:
    """The normal law's own coefficients given, as (m, m) matrices checked by name and range (registry.py)."""
    return {name: registry.COEFFICIENTS[name].matrix(v, m)
            for name, v in registry.given_coefficients(normal_model, values).items()}


def static_friction_matrix(value, dynamic: np.ndarray) -> np.ndarray:
    """The static friction matrix: ``dynamic`` when not given; never below the dynamic coefficient."""
    if value is None:
        return dynamic
    mu_s = pair_matrix("static_friction", value, len(dynamic))
    if np.any(mu_s < dynamic):
        raise InputError(f"static_friction = {value!r}: must be ≥ the (dynamic) friction {dynamic.tolist()}")
    return mu_s


def gravity_vector(gravity) -> np.ndarray:
    """Gravity as three finite numbers (m/s²)."""
    try:
        g = np.asarray(gravity, float).reshape(3)
    except (TypeError, ValueError):
        raise InputError(f"gravity = {gravity!r}: must be three numbers (m/s^2)") from None
    if not np.all(np.isfinite(g)):
        raise InputError(f"gravity = {gravity!r}: must be three finite numbers (m/s^2)")
    return g
