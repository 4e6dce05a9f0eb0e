"""Particle–particle contacts: the owner pass evaluates each pair once, the mirror pass hands the partner
its reaction (see neighbor_list.py)."""

import taichi as ti

from mfdem.engine.contact import law, registry
from mfdem.engine.neighbor_list import IDLE, PARTED, TOUCHING


@ti.func
def owner_contacts(normal_model: ti.template(), rolling_model: ti.template(), i, s: ti.template(),
                   nl: ti.template(), cur, pair_par: ti.template(), space: ti.template(), dt):
    """Evaluate the contacts of particle i with its neighbours j > i; store each result for j.

    Returns ``(F, T, work, starts, events, max δ/R, partner)`` for i: force (N) and torque (N·m), half of the
    dissipated work of each contact (J), contacts and stress events that began this step, the largest
    overlap ratio of a pair (δ over the smaller radius) and that pair's partner. Starts and events are counted
    for j here too (integer atomics: order-independent).
    """
    F_i = ti.Vector([0.0, 0.0, 0.0])
    T_i = ti.Vector([0.0, 0.0, 0.0])
    work_i = 0.0
    starts_i = 0
    events_i = 0
    ovl = 0.0
    partner = -1
    # i's inputs, read once: the loop's stores could alias them for the compiler, which would reload them per entry
    ri, x_i, v_i, w_i, mat_i = s.radius[i], s.x[i], s.v[i], s.w[i], s.material[i]
    start = nl.own_start[cur, i]
    for k in range(nl.own_count[cur, i]):
        p = start + k
        entry = nl.state[cur, p]
        touching = entry == TOUCHING
        j = nl.own_nbr[cur, i, k]
        d64, img = space.image(x_i, s.x[j])                    # img ≠ 0: partner across a rotational seam
        d = ti.cast(d64, float)
        rj = s.radius[j]
        rsum = ri + rj
        dist2 = d.dot(d)
        if dist2 < rsum * rsum or touching:
            h = ti.Vector([0.0] * nl.hist.n)
            if touching:
                h = nl.hist[cur, p]
            dist = ti.sqrt(dist2)
            nrm = d * (1.0 / ti.max(dist, 1e-300))          # unit normal from j to i
            delta = rsum - dist
            a_i = ri - 0.5 * delta                            # lever arms to the middle of the overlap (m)
            a_j = rj - 0.5 * delta
            v_j = space.rotate(s.v[j], img)
            w_j = space.rotate(s.w[j], img)
            v_c = v_i - v_j - (a_i * w_i + a_j * w_j).cross(nrm)
            r_star = ri * rj / rsum
            i_eff = 0.0
            if ti.static(registry.ROLLING[rolling_model].NEEDS_INERTIA):  # only the Type-A limiter needs it
                i_eff = s.inertia[i] * s.inertia[j] / (s.inertia[i] + s.inertia[j])
            F, M, h_new, dD, U, started, event = law.evaluate(
                normal_model, rolling_model, delta, nrm, v_c, w_i - w_j, h,
                pair_par[mat_i, s.material[j]], r_star, 2.0, i_eff, dt)
            if delta > 0.0:
                nl.hist[cur, p] = h_new
                nl.state[cur, p] = TOUCHING
            else:
                nl.state[cur, p] = PARTED
            T_j = -a_j * nrm.cross(F) - M
            nl.res[nl.own_mir[p]] = ti.Vector([F[0], F[1], F[2], T_j[0], T_j[1], T_j[2], dD, img])
            F_i += F
            T_i += -a_i * nrm.cross(F) + M
            work_i += 0.5 * dD
            if started:
                starts_i += 1
                ti.atomic_add(s.starts_particle[j], 1)
            if event:
                events_i += 1
                ti.atomic_add(s.events_particle[j], 1)
            ratio = delta / ti.min(ri, rj)
            if ratio > ovl:
                ovl = ratio
                partner = j
        elif entry == PARTED:
            nl.state[cur, p] = IDLE
            m = nl.own_mir[p]
            nl.res[m] = ti.zero(nl.res[m])              # an idle entry adds nothing to the reaction sums
    return F_i, T_i, work_i, starts_i, events_i, ovl, partner


@ti.func
def mirror_contacts(i, nl: ti.template(), space: ti.template()):
    """Collect the reactions of particle i's contacts with neighbours j < i (evaluated by j this step):
    ``(F, T, work)``. Results across a rotational seam are turned from the owner's frame into i's."""
    F_i = ti.Vector([0.0, 0.0, 0.0])
    T_i = ti.Vector([0.0, 0.0, 0.0])
    work_i = 0.0
    start = nl.mir_start[i]
    for k in range(nl.mir_count[i]):
        r = nl.res[start + k]                # zero for an idle entry
        img = -ti.cast(r[7], ti.i32)         # the owner saw the image R(r[7] α)x_i: turn its result back
        F_i -= space.rotate(ti.Vector([r[0], r[1], r[2]]), img)
        T_i += space.rotate(ti.Vector([r[3], r[4], r[5]]), img)
        work_i += 0.5 * r[6]
    return F_i, T_i, work_i
