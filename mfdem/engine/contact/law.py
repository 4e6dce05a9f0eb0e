"""One contact: normal + tangential + rolling laws and the contact's energy bookkeeping.

A contact law here is a pure function of the geometry, the relative motion, the material pair and the
contact history; the engine loops, this computes (physics.md §1, §4, §5.2). History layout (one vector
per contact): ``[δ_max, δ_prev, F_n,prev, U_prev, k_t,prev, ξ_x, ξ_y, ξ_z, M_x, M_y, M_z, sliding]`` — the
largest overlap, then the overlap, normal force, stored energy and tangential stiffness of the previous step
(for the energy bookkeeping), the tangential spring, the rolling torque and 1 while the contact slides
(dynamic friction applies until it sticks again); all zeros means "not in contact".

Two counts leave each evaluation (docs/hdf5.md, "Stress events"):

* a **contact start** — the geometric overlap turned positive this step (δ_prev ≤ 0 < δ): what a plain
  contact-list DEM code counts as a collision;
* a **stress event** — the normal force rose from zero (a new contact, or the reloading of an unloaded,
  force-free contact inside its residual overlap δ_p) while the partners approach at ≥ ``event_speed``
  (pair parameter, m/s). Resting contacts that flicker open and shut at creeping speeds, and contacts that
  only slide, are not stress events; every real impact, re-impact and bounce is one.

Dissipated work is exact to integrator accuracy (physics.md §1.6): the contact work is integrated with the
trapezoid rule, ΔW = ½(F_old + F_new)·Δs over the step's relative displacement Δs — the same rule by which
velocity Verlet changes the kinetic energy — and the dissipated increment is ΔD = ΔW − ΔU with U the
elastic energy stored in the normal, tangential and rolling springs.
"""

import taichi as ti

from mfdem.engine.contact import hertz, rolling, thornton_ning
from mfdem.engine.contact.tangential import spring_force

NORMAL_TN = 0
NORMAL_HERTZ = 1
NORMAL_MODELS = {"thornton_ning": NORMAL_TN, "hertz": NORMAL_HERTZ}

# pair-parameter vector layout (materials.py fills it): E*, G*, dynamic and static sliding friction, rolling
# friction, yield ratio (a_y/R_i), yield pressure, stress-event speed
P_ESTAR, P_GSTAR, P_MU, P_MUS, P_MUR, P_YR, P_PY, P_VEVENT = 0, 1, 2, 3, 4, 5, 6, 7
PAIR_SIZE = 8
HIST_SIZE = 12
H_XI, H_M, H_SLIDING = 5, 8, 11
OWNER_VECTORS = (H_XI, H_M)   # ξ and M belong to the first body's side: they change sign with the pair's order


@ti.func
def _normal(normal_model: ti.template(), delta, delta_max, e_star, r_star, alpha):
    F, U, a = 0.0, 0.0, 0.0
    if ti.static(normal_model == NORMAL_TN):
        F, U, a = thornton_ning.normal_force(delta, delta_max, e_star, r_star, alpha)
    else:
        F, U, a = hertz.normal_force(delta, e_star, r_star)
    return F, U, a


@ti.func
def evaluate(normal_model: ti.template(), rolling_model: ti.template(), delta, n, v_c, w_rel, h,
             pp, r_star, yield_scale, inertia, dt):
    """Evaluate one contact of body i with a partner.

    delta: overlap (m), may be ≤ 0 when the pair has just separated; n: unit normal from partner to i;
    v_c: velocity of i's contact point relative to the partner's (m/s); w_rel: ω_i − ω_partner (rad/s);
    h: history; pp: pair parameters; r_star: effective radius; yield_scale: R_i/R* of the yield-ratio definition;
    inertia: moment of inertia for the Type-A limiter (kg m²).

    Returns ``(F, M, h_new, dD, U, started, event)``: force on i (N), rolling torque on i (N·m), new history,
    work dissipated in this step by the whole contact (J), elastic energy now stored (J), 1 if the contact
    began geometrically, 1 if a stress event began (module docstring).
    """
    e_star, g_star, mu_r = pp[P_ESTAR], pp[P_GSTAR], pp[P_MUR]
    alpha = thornton_ning.yield_radius_ratio(e_star, yield_scale, pp[P_YR], pp[P_PY])
    d_max_old, d_prev, fn_old, u_old, kt_old = h[0], h[1], h[2], h[3], h[4]
    xi_old = ti.Vector([h[H_XI], h[H_XI + 1], h[H_XI + 2]])
    m_old = ti.Vector([h[H_M], h[H_M + 1], h[H_M + 2]])
    ft_old = -kt_old * xi_old                                  # the tangential force applied last step

    v_t = v_c - v_c.dot(n) * n
    w_r = ti.Vector([0.0, 0.0, 0.0])
    if ti.static(rolling_model != rolling.MODEL_NONE):
        w_r = w_rel - w_rel.dot(n) * n
    F = ti.Vector([0.0, 0.0, 0.0])
    M = ti.Vector([0.0, 0.0, 0.0])
    h_new = ti.Vector([0.0] * HIST_SIZE)
    u_new = 0.0
    started = 0
    event = 0
    dW = 0.0
    if delta > 0.0:
        started = 1 if d_prev <= 0.0 else 0
        d_max = ti.max(d_max_old, delta)
        fn, un, a = _normal(normal_model, delta, d_max, e_star, r_star, alpha)
        if fn > 0.0 and fn_old <= 0.0 and -v_c.dot(n) >= pp[P_VEVENT]:
            event = 1
        k_t = 8.0 * g_star * a
        ft, xi, sliding = spring_force(xi_old, n, v_t, dt, k_t, pp[P_MUS], pp[P_MU], fn, h[H_SLIDING])
        mr, ur = rolling.rolling_torque(rolling_model, m_old, n, w_r, dt, k_t, r_star, mu_r, fn, inertia)
        F = fn * n + ft
        M = mr
        u_new = un + 0.5 * k_t * xi.dot(xi) + ur
        dW = 0.5 * (fn_old + fn) * (delta - d_prev) - 0.5 * (ft_old + ft).dot(v_t) * dt \
            - 0.5 * (m_old + mr).dot(w_r) * dt
        h_new = ti.Vector([d_max, delta, fn, u_new, k_t, xi[0], xi[1], xi[2], mr[0], mr[1], mr[2], sliding])
    elif d_prev > 0.0:  # separated during this step: the force fell to zero, the stored energy is lost
        dW = 0.5 * fn_old * (delta - d_prev) - 0.5 * ft_old.dot(v_t) * dt - 0.5 * m_old.dot(w_r) * dt
    return F, M, h_new, dW - (u_new - u_old), u_new, started, event
