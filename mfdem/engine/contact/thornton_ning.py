"""Thornton–Ning elastic–perfectly-plastic normal contact, non-adhesive (physics.md §1.1–1.6).

The force is a function of the current overlap δ and the largest overlap δ_max of this contact only
(§1.5), so δ_max is the whole normal history. Every function returns ``(F, U, a)``: normal force (N),
recoverable elastic energy stored in the contact (J, §1.6) and contact radius (m, used by the tangential
and rolling springs).
"""

import taichi as ti


@ti.func
def yield_contact_radius(e_star, r_star, r_yield, yield_ratio, yield_pressure):
    """a_y (m): LIGGGHTS yield ratio a_y = yield_ratio·R (§1.8) when yield_ratio > 0, else from p_y (§1.2)."""
    a_y = 0.0
    if yield_ratio > 0.0:
        a_y = yield_ratio * r_yield
    else:
        a_y = ti.math.pi * yield_pressure * r_star / (2.0 * e_star)
    return a_y


@ti.func
def normal_force(delta, delta_max, e_star, r_star, a_y):
    """TN force for overlap ``delta`` (> 0) given ``delta_max`` ≥ ``delta`` (already updated).

    Elastic (δ_max ≤ δ_y): Hertz, F = 4/3 E* a δ with a = √(R*δ) (§1.1).
    Yielded: F = F_m ((δ − δ_p)/(δ_max − δ_p))^{3/2} (§1.4, robust form), which is the plastic line
    F_m = F_y + k_p (δ_max − δ_y) (§1.3) at δ = δ_max and the Hertzian un/reloading curve below it.
    """
    d_y = a_y * a_y / r_star                                  # §1.2
    F = 0.0
    U = 0.0
    a = 0.0
    if delta_max <= d_y:
        a = ti.sqrt(r_star * delta)
        F = 4.0 / 3.0 * e_star * a * delta                    # §1.1
        U = 0.4 * F * delta                                   # §1.6, elastic: U = 2/5 F δ
    else:
        f_y = 4.0 * e_star * a_y * a_y * a_y / (3.0 * r_star)  # §1.2
        f_m = f_y + 2.0 * e_star * a_y * (delta_max - d_y)    # §1.3, k_p = 2E*a_y
        a_m = ti.sqrt(r_star * delta_max)
        dd = 3.0 * f_m / (4.0 * e_star * a_m)                 # §1.4, δ_max − δ_p
        s = delta - (delta_max - dd)                          # δ − δ_p
        if s > 0.0:
            q = s / dd
            F = f_m * q * ti.sqrt(q)
            U = 0.4 * F * s                                   # §1.6
            a = ti.sqrt(a_m * a_m / dd * s)                   # a = √(R_p (δ − δ_p)), R_p = a_m²/dd
    return F, U, a
