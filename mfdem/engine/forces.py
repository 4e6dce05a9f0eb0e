"""The force kernel: gravity, particle pairs and walls for each particle, then the closing half kick."""

import taichi as ti

from mfdem.engine.pair_contacts import pair_contacts
from mfdem.engine.walls.analytic import wall_contacts


@ti.kernel
def forces_and_kick(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), nl: ti.template(),
                    cur: ti.i32, walls: ti.template(), n_walls: ti.i32, pair_par: ti.template(), space: ti.template(),
                    n: ti.i32, time: ti.f64, dt: float, half_dt: float):
    """Set f, t of particles 0..n−1, update their accumulators, then v += f/m·half_dt, ω += t/I·half_dt
    (half_dt = 0 evaluates forces only)."""
    for i in range(n):
        F, T, work, elastic, starts, ovl = pair_contacts(normal_model, rolling_model, i, s, nl, cur, pair_par, space,
                                                         dt)
        Fw, Tw, work_w, elastic_w, starts_w, ovl_w = wall_contacts(normal_model, rolling_model, i, s, walls,
                                                                   n_walls, pair_par, time, dt)
        F += ti.cast(s.mass[i] * s.gravity[None], float) + Fw
        T += Tw
        s.f[i] = F
        s.t[i] = T
        s.work[i] += work + work_w
        s.elastic[i] = elastic + elastic_w
        s.starts_particle[i] += starts
        s.starts_wall[i] += starts_w
        s.overlap_ratio[i] = ti.max(s.overlap_ratio[i], ti.max(ovl, ovl_w))
        s.v[i] += F * (half_dt / s.mass[i])
        s.w[i] += T * (half_dt / s.inertia[i])
