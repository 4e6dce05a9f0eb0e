"""Hertz elastic normal contact (physics.md §0, §1.1); for validation against the analytic impact."""

import taichi as ti

from mfdem import theory

NAME = "hertz"
KIND = "normal"
DOC = "elastic spheres (no yield, no dissipation in the normal direction)"
COEFFICIENTS = ()
HISTORY = ()
STEPS_PER_CONTACT = 10   # e = 1 within 0.26 % wherever in a step the touch falls (0.47 % at 8)


def contact_time(m_star: float, r_star: float, e_star: float, speed: float, coefficients: dict) -> float:
    """Hertz contact time (s) at relative normal speed ``speed`` (physics.md §6)."""
    return theory.hertz_impact(m_star, r_star, e_star, speed).contact_time


@ti.func
def normal_force(delta, e_star, r_star):
    """``(F, U, a)`` for overlap ``delta`` > 0: F = 4/3 E* √R* δ^{3/2}, U = 2/5 F δ, a = √(R* δ)."""
    a = ti.sqrt(r_star * delta)
    F = 4.0 / 3.0 * e_star * a * delta
    return F, 0.4 * F * delta, a


@ti.func
def force(delta, delta_prev, f_prev, hist, coef, e_star, r_star, yield_scale, sampled):
    """The registry's normal-law call: ``(F, U, a, hist)`` for overlap ``delta`` > 0."""
    F, U, a = normal_force(delta, e_star, r_star)
    return F, U, a, hist
