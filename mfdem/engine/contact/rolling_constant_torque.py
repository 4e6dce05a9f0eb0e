"""Rolling resistance, constant torque (Type A; physics.md §4.2).

M = −μ_r R_r |F_n| ω̂_r, limited to the torque that stops the relative rolling within one step
(I_eff |ω_r| / Δt) so that it cannot reverse the rotation. Being velocity-driven it cannot hold a sphere
perfectly still on a slope: it chatters about ω = 0 and creeps at roughly g sin θ Δt; use the spring model
(epsd) where static rolling resistance matters.
"""

import taichi as ti

from mfdem.engine.contact.spec import Coefficient, Slot

NAME = "constant_torque"
KIND = "rolling"
DOC = "Type A: constant rolling torque"
COEFFICIENTS = (Coefficient("rolling_friction", "-", 0, None, doc="rolling friction coefficient μ_r"),)
HISTORY = (Slot("rolling_torque", 3, "vector"),)    # N·m, the torque of the step (kept for the bookkeeping)
NEEDS_INERTIA = True   # the limiter needs the pair's effective moment of inertia


@ti.func
def torque(m_old, n, w_r, dt, k_t, r_roll, coef, f_n, inertia):
    """``(M, U)``: rolling torque on the first body (N·m); nothing is stored (U = 0)."""
    M = ti.Vector([0.0, 0.0, 0.0])
    w_norm = w_r.norm()
    if w_norm > 0.0:
        M = -ti.min(coef[0] * r_roll * f_n, inertia * w_norm / dt) / w_norm * w_r
    return M, 0.0
