"""Particle–particle contacts of one particle over its Verlet list."""

import taichi as ti

from mfdem.engine.contact import law, rolling


@ti.func
def pair_contacts(normal_model: ti.template(), rolling_model: ti.template(), i, s: ti.template(),
                  nl: ti.template(), cur, pair_par: ti.template(), space: ti.template(), dt):
    """Sum the contacts of particle i; updates their histories in place.

    Returns ``(F, T, work, elastic, starts, max δ/R)``: force (N) and torque (N·m) on i, half of the
    dissipated work and half of the stored energy of each contact (J), contacts that began this step.
    """
    F_i = ti.Vector([0.0, 0.0, 0.0])
    T_i = ti.Vector([0.0, 0.0, 0.0])
    work_i = 0.0
    elastic_i = 0.0
    starts_i = 0
    ovl = 0.0
    ri = s.radius[i]
    inv_ri = 1.0 / ri
    for k in range(nl.count[cur, i]):
        h = nl.hist[cur, i, k]
        j = nl.nbr[cur, i, k]
        d = ti.cast(space.displacement(s.x[i], s.x[j]), float)
        rsum = ri + s.radius[j]
        dist2 = d.dot(d)
        if dist2 < rsum * rsum or h[1] > 0.0:
            dist = ti.sqrt(dist2)
            nrm = d * (1.0 / ti.max(dist, 1e-300))
            delta = rsum - dist
            # contact point in the middle of the overlap; lever arms a_i, a_j (m)
            a_i = ri - 0.5 * delta
            a_j = s.radius[j] - 0.5 * delta
            # written symmetrically in (i, j): the j side computes the exact negative (momentum conservation)
            v_c = (s.v[i] - s.v[j]) - (a_i * s.w[i].cross(nrm) + a_j * s.w[j].cross(nrm))
            r_star = ri * s.radius[j] / rsum
            i_eff = 0.0
            if ti.static(rolling_model == rolling.MODEL_CONSTANT):  # only the Type-A limiter needs it
                i_eff = s.inertia[i] * s.inertia[j] / (s.inertia[i] + s.inertia[j])
            F, M, h_new, dD, U, started = law.evaluate(
                normal_model, rolling_model, delta, nrm, v_c, s.w[i] - s.w[j], h,
                pair_par[s.material[i], s.material[j]], r_star, 2.0, i_eff, dt)
            nl.hist[cur, i, k] = h_new
            F_i += F
            T_i += -a_i * nrm.cross(F) + M
            work_i += 0.5 * dD
            elastic_i += 0.5 * U
            starts_i += started
            ovl = ti.max(ovl, delta * inv_ri)
    return F_i, T_i, work_i, elastic_i, starts_i, ovl
