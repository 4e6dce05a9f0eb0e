"""One particle–wall contact: kinematics of the contact point and the contact law, for every wall type."""

import taichi as ti

from mfdem.engine.contact import law


@ti.func
def wall_contact(normal_model: ti.template(), rolling_model: ti.template(), i, s: ti.template(), delta, nrm,
                 r_ref, v_wall, omega_w, h, pp, dt):
    """Contact of particle i with a wall moving at ``v_wall`` (m/s) and turning at ``omega_w`` (rad/s) about a
    reference point; ``r_ref`` is the particle centre relative to that point, ``nrm`` the unit normal from the
    wall to the particle. The contact point lies in the middle of the overlap.

    Returns ``(F, T, T_wall, h_new, dD, started, event)``: force and torque on the particle, the torque of the
    contact force about the wall's reference point (for the wall's sums), new history, dissipated work (J),
    1 if the contact began, 1 if a stress event began.
    """
    ri = s.radius[i]
    r_ic = -(ri - 0.5 * delta) * nrm
    r_c = r_ref + r_ic                                     # contact point relative to the reference point
    v_c = s.v[i] + s.w[i].cross(r_ic) - (v_wall + omega_w.cross(r_c))
    # Type-A limiter: the particle's inertia about the contact point (it rolls on the wall)
    F, M, h_new, dD, _, started, event = law.evaluate(normal_model, rolling_model, delta, nrm, v_c, s.w[i] - omega_w, h,
                                               pp, ri, 1.0, s.inertia[i] + s.mass[i] * ri * ri, dt)
    return F, r_ic.cross(F) + M, r_c.cross(F) + M, h_new, dD, started, event
