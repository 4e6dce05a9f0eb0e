"""Rolling resistance, elastic–plastic spring (Type C, LIGGGHTS epsd2 / Iwashita & Oda; physics.md §4.2).

M ← M_old − k_r ω_r Δt with k_r = k_t R_r² and rolling radius R_r = R*, capped at μ_r R_r |F_n|; no damping.
"""

import taichi as ti

from mfdem.engine.contact.spec import Coefficient, Slot
from mfdem.engine.contact.tangential import project

NAME = "epsd"
KIND = "rolling"
DOC = "Type C: elastic-plastic rolling spring"
COEFFICIENTS = (Coefficient("rolling_friction", "-", 0, None, doc="rolling friction coefficient μ_r"),)
HISTORY = (Slot("rolling_torque", 3, "vector"),)    # N·m, the spring's torque on the first body
NEEDS_INERTIA = False


@ti.func
def torque(m_old, n, w_r, dt, k_t, r_roll, coef, f_n, inertia):
    """``(M, U)``: rolling torque on the first body (N·m) and energy stored in the spring (J)."""
    m_max = coef[0] * r_roll * f_n
    k_r = k_t * r_roll * r_roll
    M = project(m_old, n) - k_r * w_r * dt
    m_norm = M.norm()
    if m_norm > m_max:
        M *= m_max / m_norm
    U = 0.0
    if k_r > 0.0:
        U = 0.5 * M.dot(M) / k_r
    return M, U
