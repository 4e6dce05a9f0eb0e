"""Rolling resistance (physics.md §4.2), rolling radius R_r = R*.

* ``MODEL_EPSD`` — elastic–plastic spring (Type C, LIGGGHTS epsd2 / Iwashita & Oda):
  M ← M_old − k_r ω_r Δt with k_r = k_t R_r², capped at μ_r R_r |F_n|; no damping.
* ``MODEL_CONSTANT`` — constant torque (Type A): M = −μ_r R_r |F_n| ω̂_r, limited to the torque that
  stops the relative rolling within one step (I_eff |ω_r| / Δt) so that it cannot reverse the rotation.
  Being velocity-driven it cannot hold a sphere perfectly still on a slope: it chatters about ω = 0 and
  creeps at roughly g sin θ Δt; use the spring model where static rolling resistance matters.
"""

import taichi as ti

from mfdem.engine.contact.tangential import project

MODEL_NONE = 0
MODEL_EPSD = 1
MODEL_CONSTANT = 2
MODELS = {"none": MODEL_NONE, "epsd": MODEL_EPSD, "constant_torque": MODEL_CONSTANT}


@ti.func
def rolling_torque(model: ti.template(), m_old, n, w_r, dt, k_t, r_roll, mu_r, f_n, inertia):
    """Return ``(M, U)``: rolling torque on the first body (N·m) and energy stored in the spring (J)."""
    M = ti.Vector([0.0, 0.0, 0.0])
    U = 0.0
    m_max = mu_r * r_roll * f_n
    if ti.static(model == MODEL_EPSD):
        k_r = k_t * r_roll * r_roll
        M = project(m_old, n) - k_r * w_r * dt
        m_norm = M.norm()
        if m_norm > m_max:
            M *= m_max / m_norm
        if k_r > 0.0:
            U = 0.5 * M.dot(M) / k_r
    elif ti.static(model == MODEL_CONSTANT):
        w_norm = w_r.norm()
        if w_norm > 0.0:
            M = -ti.min(m_max, inertia * w_norm / dt) / w_norm * w_r
    return M, U
