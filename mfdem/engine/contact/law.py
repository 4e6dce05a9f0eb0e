"""One contact: normal + tangential + rolling laws and the contact's energy bookkeeping.

A contact law here is a pure function of the geometry, the relative motion, the material pair and the
contact history; the engine loops, this computes (physics.md §1, §4, §5.2). The laws are chosen from
registry.py, which lays out the history vector from what they declare: today ``[δ_max, δ_prev, F_n,prev,
U_prev, k_t,prev, ξ_x, ξ_y, ξ_z, M_x, M_y, M_z, sliding]`` — the largest overlap (Thornton–Ning), the
overlap, normal force and stored energy of the previous step (kept here for the energy bookkeeping), the
tangential stiffness and spring, the rolling torque and 1 while the contact slides; all zeros means "not in
contact".

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

from mfdem.engine.contact import registry
from mfdem.engine.contact.registry import HISTORY, PAIR

HIST_SIZE, PAIR_SIZE = HISTORY.size, PAIR.size
H_SLIDING = HISTORY["sliding"]
H_DPREV, H_FPREV, H_UPREV, H_KT = HISTORY["delta_prev"], HISTORY["force_prev"], HISTORY["energy_prev"], \
    HISTORY["stiffness_prev"]
H_XI, H_M = HISTORY["spring"], HISTORY["rolling_torque"]


@ti.func
def _gather(v, idx: ti.template()):
    return ti.Vector([v[k] for k in ti.static(idx)])


# per registered law, in registry order: its Taichi function and where its history and coefficients lie
_NORMAL_FORCE = tuple(m.force for m in registry.NORMAL)
_NORMAL_HIST = tuple(registry.history_indices(m) for m in registry.NORMAL)
_NORMAL_COEF = tuple(registry.coefficient_indices(m) for m in registry.NORMAL)
_NORMAL_NHIST = tuple(sum(s.width for s in m.HISTORY) for m in registry.NORMAL)
_ROLLING_TORQUE = tuple(m.torque for m in registry.ROLLING)
_ROLLING_COEF = tuple(registry.coefficient_indices(m) for m in registry.ROLLING)
_TANGENTIAL_COEF = registry.coefficient_indices(registry.TANGENTIAL[0])
_stiffness, _spring_force = registry.TANGENTIAL[0].stiffness, registry.TANGENTIAL[0].spring_force


@ti.func
def _normal(normal_model: ti.template(), delta, d_prev, f_prev, h, pp, r_star, yield_scale, sampled):
    """The selected normal law: ``(F, U, a, h)`` with its history slots of ``h`` updated."""
    F, U, a = 0.0, 0.0, 0.0
    h_new = h
    for k, force in ti.static(enumerate(_NORMAL_FORCE)):
        if ti.static(k == normal_model):
            F, U, a, hl = force(delta, d_prev, f_prev, _gather(h, _NORMAL_HIST[k]), _gather(pp, _NORMAL_COEF[k]),
                                pp[PAIR["e_star"]], r_star, yield_scale, sampled)
            for c in ti.static(range(_NORMAL_NHIST[k])):
                h_new[_NORMAL_HIST[k][c]] = hl[c]
    return F, U, a, h_new


@ti.func
def _rolling(rolling_model: ti.template(), m_old, n, w_r, dt, k_t, r_roll, pp, f_n, inertia):
    M, U = ti.Vector([0.0, 0.0, 0.0]), 0.0
    for k, torque in ti.static(enumerate(_ROLLING_TORQUE)):
        if ti.static(k == rolling_model):
            M, U = torque(m_old, n, w_r, dt, k_t, r_roll, _gather(pp, _ROLLING_COEF[k]), f_n, inertia)
    return M, U


@ti.func
def evaluate(normal_model: ti.template(), rolling_model: ti.template(), delta, n, v_c, w_rel, h,
             pp, r_star, yield_scale, inertia, dt):
    """Evaluate one contact of body i with a partner.

    delta: overlap (m), may be ≤ 0 when the pair has just separated; n: unit normal from partner to i;
    v_c: velocity of i's contact point relative to the partner's (m/s); w_rel: ω_i − ω_partner (rad/s);
    h: history; pp: pair parameters; r_star: effective radius; yield_scale: R_i/R* of the yield-ratio definition;
    inertia: moment of inertia for the Type-A limiter (kg m²); dt: the time step (s), or 0 where the overlaps
    are a prescribed path rather than a trajectory sampled in time (probe.py; see thornton_ning.force);
    normal_model, rolling_model: registry indices.

    Returns ``(F, M, h_new, dD, U, started, event)``: force on i (N), rolling torque on i (N·m), new history,
    work dissipated in this step by the whole contact (J), elastic energy now stored (J), 1 if the contact
    began geometrically, 1 if a stress event began (module docstring).
    """
    d_prev, fn_old, u_old, kt_old = h[H_DPREV], h[H_FPREV], h[H_UPREV], h[H_KT]
    xi_old = ti.Vector([h[H_XI], h[H_XI + 1], h[H_XI + 2]])
    m_old = ti.Vector([h[H_M], h[H_M + 1], h[H_M + 2]])
    ft_old = -kt_old * xi_old                                  # the tangential force applied last step

    v_t = v_c - v_c.dot(n) * n
    w_r = ti.Vector([0.0, 0.0, 0.0])
    if ti.static(registry.ROLLING[rolling_model].NAME != "none"):
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
        fn, un, a, h_new = _normal(normal_model, delta, d_prev, fn_old, h, pp, r_star, yield_scale, dt > 0.0)
        if fn > 0.0 and fn_old <= 0.0 and -v_c.dot(n) >= pp[PAIR["event_speed"]]:
            event = 1
        tc = _gather(pp, _TANGENTIAL_COEF)
        k_t = _stiffness(a, tc)
        ft, xi, sliding = _spring_force(xi_old, n, v_t, dt, k_t, tc[2], tc[1], fn, h[H_SLIDING])
        mr, ur = _rolling(rolling_model, m_old, n, w_r, dt, k_t, r_star, pp, fn, inertia)
        F = fn * n + ft
        M = mr
        u_new = un + 0.5 * k_t * xi.dot(xi) + ur
        dW = 0.5 * (fn_old + fn) * (delta - d_prev) - 0.5 * (ft_old + ft).dot(v_t) * dt \
            - 0.5 * (m_old + mr).dot(w_r) * dt
        h_new[H_DPREV], h_new[H_FPREV], h_new[H_UPREV], h_new[H_KT] = delta, fn, u_new, k_t
        for c in ti.static(range(3)):
            h_new[H_XI + c], h_new[H_M + c] = xi[c], mr[c]
        h_new[H_SLIDING] = sliding
    elif d_prev > 0.0:  # separated during this step: the force fell to zero, the stored energy is lost
        dW = 0.5 * fn_old * (delta - d_prev) - 0.5 * ft_old.dot(v_t) * dt - 0.5 * m_old.dot(w_r) * dt
    return F, M, h_new, dW - (u_new - u_old), u_new, started, event
