"""The force stages: particle pairs (owner pass), then reactions, walls, meshes, gravity and the closing
half kick. ``stepper.py`` runs them inside one time-step kernel; the kernels here run one stage each (for
timing the stages)."""

import taichi as ti

from mfdem.engine.pair_contacts import mirror_contacts, owner_contacts
from mfdem.engine.state import MESH_PARTNER, WALL_PARTNER
from mfdem.engine.walls.analytic import wall_contacts
from mfdem.engine.walls.mesh import mesh_contacts


@ti.func
def pair_stage(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), nl: ti.template(),
               cur, pair_par: ti.template(), space: ti.template(), n, dt):
    """Evaluate every particle pair once; f, t, work, ... of particles 0..n−1 receive the owner part."""
    for i in range(n):
        F, T, work, starts, events, ovl, partner = owner_contacts(normal_model, rolling_model, i, s, nl, cur,
                                                                  pair_par, space, dt)
        s.f[i] = F
        s.t[i] = T
        s.work[i] += work
        if starts:
            ti.atomic_add(s.starts_particle[i], starts)   # owners k < i add to i's counts in this pass too
        if events:
            ti.atomic_add(s.events_particle[i], events)
        if ovl > s.overlap_ratio[i]:
            s.overlap_ratio[i] = ovl
            s.overlap_partner[i] = partner


@ti.func
def reaction_stage(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), nl: ti.template(),
                   cur, walls: ti.template(), n_walls, mesh: ti.template(), n_bodies, pair_par: ti.template(),
                   space: ti.template(), n, time, dt, half_dt):
    """Complete f, t of particles 0..n−1 (reactions, walls, meshes, gravity), update their accumulators, then
    v += f/m·half_dt, ω += t/I·half_dt (half_dt = 0 evaluates forces only). The meshes' poses must be set for
    ``time`` (``MeshWalls.set_pose``; the step sets them before its drift)."""
    for i in range(n):
        Fm, Tm, work_m = mirror_contacts(i, nl, space)
        Fw, Tw, work_w, starts_w, events_w, ovl_w, wall_w = wall_contacts(normal_model, rolling_model, i, s, walls,
                                                                          n_walls, pair_par, time, dt)
        Fb, Tb, work_b, starts_b, events_b, ovl_b, body_b = mesh_contacts(normal_model, rolling_model, i, s, mesh,
                                                                          n_bodies, pair_par, dt)
        F = s.f[i] + Fm + Fw + Fb + ti.cast(s.mass[i] * s.gravity[None], float)
        T = s.t[i] + Tm + Tw + Tb
        s.f[i] = F
        s.t[i] = T
        s.work[i] += work_m + work_w + work_b
        if starts_w + starts_b:
            s.starts_wall[i] += starts_w + starts_b
        if events_w + events_b:
            s.events_wall[i] += events_w + events_b
        if ovl_w > s.overlap_ratio[i]:
            s.overlap_ratio[i] = ovl_w
            s.overlap_partner[i] = WALL_PARTNER - wall_w
        if ovl_b > s.overlap_ratio[i]:
            s.overlap_ratio[i] = ovl_b
            s.overlap_partner[i] = MESH_PARTNER - body_b
        s.v[i] += F * (half_dt / s.mass[i])
        s.w[i] += T * (half_dt / s.inertia[i])


@ti.kernel
def pair_forces(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), nl: ti.template(),
                cur: ti.i32, pair_par: ti.template(), space: ti.template(), n: ti.i32, dt: float):
    pair_stage(normal_model, rolling_model, s, nl, cur, pair_par, space, n, dt)


@ti.kernel
def forces_and_kick(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), nl: ti.template(),
                    cur: ti.i32, walls: ti.template(), n_walls: ti.i32, mesh: ti.template(), n_bodies: ti.i32,
                    pair_par: ti.template(), space: ti.template(), n: ti.i32, time: ti.f64, dt: float, half_dt: float):
    mesh.set_pose(n_bodies, time)
    reaction_stage(normal_model, rolling_model, s, nl, cur, walls, n_walls, mesh, n_bodies, pair_par, space, n, time,
                   dt, half_dt)
