"""Incremental tangential spring with Coulomb limit (physics.md §4.1).

History ξ (m) is the elastic tangential displacement; the no-slip stiffness is k_t = 8 G* a with the
current contact radius a (Mindlin). Each step the old ξ is projected onto the current tangent plane and
rescaled to keep its length, then incremented by v_t Δt; if k_t|ξ| exceeds μ|F_n| the spring slips and ξ is
reset to the Coulomb limit.
"""

import taichi as ti


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
def spring_force(xi_old, n, v_t, dt, k_t, mu, f_n):
    """Return ``(F_t, xi)``: tangential force on the first body (N) and the new elastic displacement (m)."""
    xi = project(xi_old, n) + v_t * dt
    F_t = -k_t * xi
    f_max = mu * f_n
    f2 = F_t.dot(F_t)
    if f2 > f_max * f_max:
        F_t *= f_max / ti.sqrt(f2)
        if k_t > 0.0:
            xi = -F_t / k_t
    return F_t, xi
