"""Thornton–Ning elastic–perfectly-plastic normal contact, non-adhesive (physics.md §1.1–1.6).

The force is a function of the current overlap δ and the largest overlap δ_max of this contact only
(§1.5), so δ_max is the whole normal history. Every function returns ``(F, U, a)``: normal force (N),
recoverable elastic energy stored in the contact (J, §1.6) and contact radius (m, used by the tangential
and rolling springs).
"""

import taichi as ti


@ti.func
def yield_radius_ratio(e_star, yield_scale, yield_ratio, yield_pressure):
    """a_y / R* (dimensionless).

    LIGGGHTS yield ratio (§1.8): a_y = yield_ratio · R_i, i.e. a_y/R* = yield_ratio · yield_scale with
    yield_scale = R_i/R* (1 against a wall, 2 between equal spheres — the engine uses 2 for every
    particle pair, which keeps the pair law symmetric). Yield pressure (§1.2): a_y/R* = π p_y / (2E*).
    """
    alpha = 0.0
    if yield_ratio > 0.0:
        alpha = yield_ratio * yield_scale
    else:
        alpha = ti.math.pi * yield_pressure / (2.0 * e_star)
    return alpha


@ti.func
def normal_force(delta, delta_max, e_star, r_star, alpha):
    """TN force for overlap ``delta`` (> 0) given ``delta_max`` ≥ ``delta`` (already updated) and
    ``alpha`` = a_y/R*.

    Elastic (δ_max ≤ δ_y): Hertz, F = 4/3 E* a δ with a = √(R*δ) (§1.1).
    Yielded: F = F_m ((δ − δ_p)/(δ_max − δ_p))^{3/2} (§1.4, robust form), which is the plastic line
    F_m = F_y + k_p (δ_max − δ_y) (§1.3) at δ = δ_max and the Hertzian un/reloading curve below it.
    """
    a_y = alpha * r_star
    d_y = alpha * a_y                                         # §1.2: δ_y = a_y²/R*
    F = 0.0
    U = 0.0
    a = 0.0
    if delta_max <= d_y:
        a = ti.sqrt(r_star * delta)
        F = 4.0 / 3.0 * e_star * a * delta                    # §1.1
        U = 0.4 * F * delta                                   # §1.6, elastic: U = 2/5 F δ
    else:
        k_p = 2.0 * e_star * a_y                              # §1.3
        f_y = k_p * d_y / 1.5                                 # §1.2: F_y = 4E* a_y³/(3R*) = k_p δ_y · 2/3
        f_m = f_y + k_p * (delta_max - d_y)                   # §1.3
        a_m = ti.sqrt(r_star * delta_max)
        num, den = 3.0 * f_m, 4.0 * e_star * a_m
        inv = 1.0 / (num * den)                               # one division for both ratios below
        dd = num * num * inv                                  # §1.4: δ_max − δ_p = 3F_m/(4E* a_m)
        s = delta - (delta_max - dd)                          # δ − δ_p
        if s > 0.0:
            q = s * den * den * inv                           # (δ − δ_p)/(δ_max − δ_p)
            sq = ti.sqrt(q)
            F = f_m * q * sq
            U = 0.4 * F * s                                   # §1.6
            a = a_m * sq                                      # a = √(R_p (δ − δ_p)), R_p = a_m²/(δ_max − δ_p)
    return F, U, a
