"""Particle–particle contacts: the owner pass evaluates each pair once, the mirror pass hands the partner
its reaction (see neighbor_list.py)."""

import taichi as ti

from mfdem.engine.contact import law, rolling


@ti.func
def owner_contacts(normal_model: ti.template(), rolling_model: ti.template(), i, s: ti.template(),
                   nl: ti.template(), cur, pair_par: ti.template(), space: ti.template(), dt):
    """Evaluate the contacts of particle i with its neighbours j > i; store each result for j.

    Returns ``(F, T, work, starts, max δ/R)`` for i: force (N) and torque (N·m), half of the dissipated work
    of each contact (J), contacts that began this step, the largest overlap ratio of the pair (δ over the
    smaller radius). A contact start is counted for j here too (integer atomics: order-independent).
    """
    F_i = ti.Vector([0.0, 0.0, 0.0])
    T_i = ti.Vector([0.0, 0.0, 0.0])
    work_i = 0.0
    starts_i = 0
    ovl = 0.0
    ri = s.radius[i]
    for k in range(nl.own_count[cur, i]):
        h = nl.hist[cur, i, k]
        j = nl.own_nbr[cur, i, k]
        d = ti.cast(space.displacement(s.x[i], s.x[j]), float)
        rj = s.radius[j]
        rsum = ri + rj
        dist2 = d.dot(d)
        res = ti.Vector([0.0] * nl.res.n)
        if dist2 < rsum * rsum or h[1] > 0.0:
            dist = ti.sqrt(dist2)
            nrm = d * (1.0 / ti.max(dist, 1e-300))          # unit normal from j to i
            delta = rsum - dist
            a_i = ri - 0.5 * delta                            # lever arms to the middle of the overlap (m)
            a_j = rj - 0.5 * delta
            v_c = s.v[i] - s.v[j] - (a_i * s.w[i] + a_j * s.w[j]).cross(nrm)
            r_star = ri * rj / rsum
            i_eff = 0.0
            if ti.static(rolling_model == rolling.MODEL_CONSTANT):  # only the Type-A limiter needs it
                i_eff = s.inertia[i] * s.inertia[j] / (s.inertia[i] + s.inertia[j])
            F, M, h_new, dD, U, started = law.evaluate(
                normal_model, rolling_model, delta, nrm, v_c, s.w[i] - s.w[j], h,
                pair_par[s.material[i], s.material[j]], r_star, 2.0, i_eff, dt)
            nl.hist[cur, i, k] = h_new
            T_j = -a_j * nrm.cross(F) - M
            res = ti.Vector([F[0], F[1], F[2], T_j[0], T_j[1], T_j[2], dD])
            F_i += F
            T_i += -a_i * nrm.cross(F) + M
            work_i += 0.5 * dD
            if started:
                starts_i += 1
                ti.atomic_add(s.starts_particle[j], 1)
            ovl = ti.max(ovl, delta / ti.min(ri, rj))
        nl.res[i, k] = res
    return F_i, T_i, work_i, starts_i, ovl


@ti.func
def mirror_contacts(i, s: ti.template(), nl: ti.template()):
    """Collect the reactions of particle i's contacts with neighbours j < i (evaluated by j this step):
    ``(F, T, work)``."""
    F_i = ti.Vector([0.0, 0.0, 0.0])
    T_i = ti.Vector([0.0, 0.0, 0.0])
    work_i = 0.0
    for k in range(nl.mir_count[i]):
        slot = nl.mir_slot[i, k]
        if slot >= 0:
            r = nl.res[nl.mir_nbr[0, i, k], slot]
            F_i -= ti.Vector([r[0], r[1], r[2]])
            T_i += ti.Vector([r[3], r[4], r[5]])
            work_i += 0.5 * r[6]
    return F_i, T_i, work_i
