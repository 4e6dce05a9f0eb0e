"""Hertz elastic normal contact (physics.md §0, §1.1); for validation against the analytic impact."""

import taichi as ti


@ti.func
def normal_force(delta, e_star, r_star):
    """``(F, U, a)`` for overlap ``delta`` > 0: F = 4/3 E* √R* δ^{3/2}, U = 2/5 F δ, a = √(R* δ)."""
    a = ti.sqrt(r_star * delta)
    F = 4.0 / 3.0 * e_star * a * delta
    return F, 0.4 * F * delta, a
