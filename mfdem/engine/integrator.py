"""Velocity-Verlet time integration of translation and rotation (spheres: isotropic inertia).

One step: half kick and drift (``drift_stage``), forces and the closing half kick (``forces.reaction_stage``);
``stepper.py`` runs them as one kernel launch.
The tangential and rolling increments of the contact laws use the mid-step velocities, i.e. exactly the
step's relative displacement, which is what makes the contact-work bookkeeping close with the kinetic energy.
"""

import taichi as ti

from mfdem.engine.contact.registry import VECTOR_SLOTS
from mfdem.engine.walls.mesh import MAX_SLOTS


@ti.func
def _turn_z(v, c, s):
    """v turned about the z axis by the angle with cosine c and sine s."""
    return ti.Vector([c * v[0] - s * v[1], s * v[0] + c * v[1], v[2]])


@ti.func
def _rotate_history(h, space: ti.template(), rot):
    """A contact history with its vectors (tangential spring ξ, rolling torque M) turned by the seam rotation."""
    for c0 in ti.static(VECTOR_SLOTS):
        v = space.rotate(ti.Vector([h[c0], h[c0 + 1], h[c0 + 2]]), rot)
        for c in ti.static(range(3)):
            h[c0 + c] = v[c]
    return h


@ti.func
def drift_stage(s: ti.template(), space: ti.template(), nl: ti.template(), cur, mesh: ti.template(),
                walls: ti.template(), n_walls, n, half_dt, dt, frame_step, frame_angle, trigger, move, mark):
    """For particles 0..n−1: if ``move``, their half kick and drift (``_move``); if ``mark``, their mesh near
    flags at the new positions (walls/mesh.py, Reach; the bodies' poses must be set)."""
    nl.displaced[None] = 0
    for i in range(n):
        if move:
            _move(s, space, nl, cur, mesh, walls, n_walls, i, half_dt, dt, frame_step, frame_angle, trigger)
        if ti.static(mesh.n_bodies > 0):
            if mark:
                mesh.near[i] = mesh.is_near(space, i, s.x[i])


@ti.func
def _move(s: ti.template(), space: ti.template(), nl: ti.template(), cur, mesh: ti.template(), walls: ti.template(),
          n_walls, i, half_dt, dt, frame_step, frame_angle, trigger):
    """v += f/m·Δt/2, ω += t/I·Δt/2, x += v Δt (wrapped into periodic boxes) for particle i; sets
    ``nl.displaced`` to 1 if its displacement since the last neighbour-list build exceeds its margin
    (``trigger`` = 1) or in any case (``trigger`` = −1) (a flag each such particle stores, not a maximum all of
    them contend for).

    Displacements are measured in a frame turning about the z axis (``frame_step`` = cos, sin of its turn
    in this step, ``frame_angle`` = cos, sin of its angle since the build): a common rotation about z keeps
    every pair distance, so a charge swirling round the mixer does not trigger rebuilds by itself.
    A particle wrapped through a rotational seam is turned as a whole: position, velocity, angular
    velocity, displacement and the vectors of the contact histories it owns (pairs, analytic walls and mesh
    contacts; walls in a rotationally periodic domain are symmetric about z, so the contact carries on). It is
    marked near the meshes until their flags are renewed.
    """
    v = s.v[i] + s.f[i] * (half_dt / s.mass[i])
    w = s.w[i] + s.t[i] * (half_dt / s.inertia[i])
    step = ti.cast(v, ti.f64) * dt
    x_old = s.x[i]
    x, rot = space.wrap(x_old + step)
    # y = R(−θ)x in the turning frame: Δy = R(−θ_new)(x_new − R(Δθ)x_old); exactly `step` when θ ≡ 0
    moved = step + (x_old - _turn_z(x_old, frame_step[0], frame_step[1]))
    dsp = s.disp[i] + _turn_z(moved, frame_angle[0], -frame_angle[1])
    if ti.static(space.rotational):
        if rot != 0:
            v = space.rotate(v, rot)
            w = space.rotate(w, rot)
            dsp = space.rotate(dsp, rot)
            for k in range(nl.own_count[cur, i]):
                p = nl.slot(cur, i, k)   # any state: an idle entry's history is never read
                nl.hist[cur, p] = _rotate_history(nl.hist[cur, p], space, rot)
            for k in range(n_walls):
                walls.hist[i, k] = _rotate_history(walls.hist[i, k], space, rot)
            for k in ti.static(range(MAX_SLOTS)):
                mesh.slot_hist[i, k] = _rotate_history(mesh.slot_hist[i, k], space, rot)
                mesh.slot_normal[i, k] = space.rotate(mesh.slot_normal[i, k], rot)
            if ti.static(mesh.n_bodies > 0):
                mesh.near[i] = 1
    s.x[i] = x
    s.v[i] = v
    s.w[i] = w
    s.disp[i] = dsp
    if dsp.dot(dsp) > trigger * s.margin[i] * s.margin[i]:
        nl.displaced[None] = 1


@ti.kernel
def kick_drift(s: ti.template(), space: ti.template(), nl: ti.template(), cur: ti.i32, mesh: ti.template(),
               walls: ti.template(), n_walls: ti.i32, n: ti.i32, half_dt: float, dt: ti.f64,
               frame_step: ti.types.vector(2, ti.f64), frame_angle: ti.types.vector(2, ti.f64),
               trigger: ti.f64):
    """``drift_stage`` on its own, without marking (for timing the stages)."""
    drift_stage(s, space, nl, cur, mesh, walls, n_walls, n, half_dt, dt, frame_step, frame_angle, trigger, 1, 0)


@ti.kernel
def mean_spin_z(s: ti.template(), n: ti.i32) -> ti.f64:
    """Mass-weighted mean angular velocity of the particles about the z axis (rad/s): L_z / I_z."""
    l_z = ti.cast(0.0, ti.f64)
    i_z = ti.cast(0.0, ti.f64)
    for i in range(n):
        x = s.x[i]
        v = ti.cast(s.v[i], ti.f64)
        l_z += s.mass[i] * (x[0] * v[1] - x[1] * v[0])
        i_z += s.mass[i] * (x[0] * x[0] + x[1] * x[1])
    return l_z / ti.max(i_z, 1e-300)
