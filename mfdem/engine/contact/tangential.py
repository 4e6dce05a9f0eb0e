"""Incremental tangential spring with Coulomb limit (physics.md §4.1).

History ξ (m) is the elastic tangential displacement; the no-slip stiffness is k_t = 8 G* a with the
current contact radius a (Mindlin). Each step the old ξ is projected onto the current tangent plane and
rescaled to keep its length, then incremented by v_t Δt. A sticking contact slips when k_t|ξ| exceeds
μ_s F_n (static friction); a sliding contact carries μ_d F_n (dynamic friction) and sticks again once the
spring force falls below that, as in Rocky's static/dynamic Coulomb limit. In slip ξ is reset to the force
actually carried. A contact without normal force (an unloaded Thornton–Ning contact inside its residual
overlap, F_n = 0) carries no tangential force and its spring is released (ξ = 0), so that it does not wind
up while the surfaces only touch.
"""

import taichi as ti

from mfdem.engine.contact.spec import Coefficient, Slot

NAME = "mindlin_coulomb"
KIND = "tangential"
DOC = "incremental Mindlin spring k_t = 8 G* a with a static/dynamic Coulomb limit"
COEFFICIENTS = (
    Coefficient("g_star", "Pa", 0, None, derived=True, doc="effective shear modulus G* (physics.md §0)"),
    Coefficient("friction", "-", 0, None, doc="sliding (dynamic) friction coefficient"),
    Coefficient("static_friction", "-", 0, None, doc="static friction coefficient (from the friction when not given)"),
)
HISTORY = (
    Slot("stiffness_prev"),               # N/m, k_t of the previous step (for the energy bookkeeping)
    Slot("spring", 3, "vector"),          # m, the elastic tangential displacement ξ
    Slot("sliding", 1, "flag"),           # 1 while the contact slides (dynamic friction until it sticks)
)


def pair_values(a, b, e_star: float) -> dict:
    from mfdem.engine.materials import effective_shear_modulus  # noqa: PLC0415

    return {"g_star": effective_shear_modulus(a, b)}


@ti.func
def stiffness(a, coef):
    """No-slip tangential stiffness k_t = 8 G* a (N/m) at contact radius ``a`` (Mindlin)."""
    return 8.0 * coef[0] * a


@ti.func
def project(vec, n):
    """``vec`` projected onto the plane normal to unit ``n``, keeping its length."""
    c = vec.dot(n)
    p = vec - c * n
    p2 = p.dot(p)
    out = p
    if c * c > 1e-16 * p2 and p2 > 0.0:  # skip the rescaling when it would not change a digit
        out = p * ti.sqrt(1.0 + c * c / p2)
    return out


@ti.func
def spring_force(xi_old, n, v_t, dt, k_t, mu_static, mu_dynamic, f_n, sliding_old):
    """Return ``(F_t, xi, sliding)``: tangential force on the first body (N), the new elastic displacement
    (m) and 1 if the contact slides (its previous value ``sliding_old`` selects the limit)."""
    xi = project(xi_old, n) + v_t * dt
    F_t = -k_t * xi
    sliding = 0.0
    if f_n > 0.0 and k_t > 0.0:
        limit = mu_static * f_n
        if sliding_old > 0.0:
            limit = mu_dynamic * f_n
        f2 = F_t.dot(F_t)
        if f2 > limit * limit:
            F_t *= mu_dynamic * f_n / ti.sqrt(f2)
            xi = -F_t / k_t
            sliding = 1.0
    else:
        F_t = ti.zero(F_t)
        xi = ti.zero(xi)
    return F_t, xi, sliding
