"""The time step as kernels: half kick and drift, then — unless a particle has moved far enough that the
neighbour lists must be rebuilt first — pair forces, reactions, walls, meshes and the closing half kick.

Two launch modes run the same stages (integrator.drift_stage, forces.pair_stage, forces.reaction_stage and
the walls' work sums):

* ``step_parallel`` — one step per launch, each stage a parallel loop (large systems);
* ``steps_serial`` — up to ``n_steps`` steps in one launch, every loop on one thread (small systems on a
  CPU, where launching kernels, not computing, would otherwise set the pace).

Both return ``2·done + pending``: ``done`` steps completed, ``pending`` = 1 when the next step's drift has
been made but its forces wait for a neighbour-list rebuild (``Simulation.step`` rebuilds, then calls the
kernel again with ``drift`` = 0 for the forces alone; that call also makes the initial force evaluation).
The time of step k is t₀ + k·Δt (t₀ moves when the step changes, ``Simulation.change_time_step``), and the
turning frame of the list displacements (see integrator.drift_stage) turns at ``frame[0]`` rad/s from the
time ``frame[1]`` of the last build.
"""

import taichi as ti

from mfdem.engine.forces import pair_stage, reaction_stage
from mfdem.engine.integrator import drift_stage

frame_type = ti.types.vector(2, ti.f64)


@ti.func
def _force_stages(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), space: ti.template(),
                  nl: ti.template(), cur, walls: ti.template(), n_walls, mesh: ti.template(), n_bodies,
                  pair_par: ti.template(), n, time, dt, half_dt, work_dt):
    pair_stage(normal_model, rolling_model, s, nl, cur, pair_par, space, n, ti.cast(dt, float))
    reaction_stage(normal_model, rolling_model, s, nl, cur, walls, n_walls, mesh, n_bodies, pair_par, space, n, time,
                   ti.cast(dt, float), half_dt)
    walls.accumulate_work(n_walls, work_dt)
    mesh.accumulate_work(n_bodies, time, work_dt)


@ti.func
def _drift(s: ti.template(), space: ti.template(), nl: ti.template(), cur, mesh: ti.template(), walls: ti.template(),
           n_walls, n_bodies, n, drift, dt, half_dt, time, frame, trigger):
    """Half kick and drift into the step at ``time`` (unless ``drift`` is 0), and the mesh near flags where
    they are stale or may have expired (walls/mesh.py, Reach); ``nl.displaced`` says whether the lists must be
    rebuilt: a particle has moved past its margin (``trigger`` = 1) or in any case (−1)."""
    mark = 0
    if ti.static(mesh.n_bodies > 0):
        mesh.set_pose(n_bodies, time)
        if mesh.near_stale[None] != 0 or mesh.reach_expired(space, frame[0], time):
            mark = 1
            mesh.near_stale[None] = 0
            mesh.near_time[None] = time
    turn = frame[0] * dt
    angle = frame[0] * (time - frame[1])
    drift_stage(s, space, nl, cur, mesh, walls, n_walls, ti.select((drift | mark) != 0, n, 0), half_dt, dt,
                ti.Vector([ti.cos(turn), ti.sin(turn)]), ti.Vector([ti.cos(angle), ti.sin(angle)]), trigger, drift,
                mark)


@ti.func
def _step(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), space: ti.template(),
          nl: ti.template(), cur, walls: ti.template(), n_walls, mesh: ti.template(), n_bodies,
          pair_par: ti.template(), n, dt, half_dt, t0, step, drift, trigger, frame, kick_dt, work_dt):
    """Drift into step ``step`` (unless ``drift`` is 0: forces only) and, unless the lists must be rebuilt
    (``trigger``, see ``_drift``), its forces and closing half kick of ``kick_dt``; returns whether the forces
    were evaluated. A force loop runs over nothing when they are not (a loop inside an `if` would not be parallel)."""
    time = t0 + ti.cast(step, ti.f64) * dt
    _drift(s, space, nl, cur, mesh, walls, n_walls, n_bodies, n, drift, dt, half_dt, time, frame, trigger)
    go = nl.displaced[None] == 0
    _force_stages(normal_model, rolling_model, s, space, nl, cur, walls, ti.select(go, n_walls, 0), mesh,
                  ti.select(go, n_bodies, 0), pair_par, ti.select(go, n, 0), time, dt, kick_dt, work_dt)
    return go


@ti.kernel
def step_parallel(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), space: ti.template(),
                  nl: ti.template(), cur: ti.i32, walls: ti.template(), n_walls: ti.i32, mesh: ti.template(),
                  n_bodies: ti.i32, pair_par: ti.template(), n: ti.i32, dt: ti.f64, half_dt: float, t0: ti.f64,
                  step: ti.i64, drift: ti.i32, trigger: ti.f64, frame: frame_type, kick_dt: float,
                  work_dt: ti.f64) -> ti.i32:
    """Step ``step`` (module docstring)."""
    go = _step(normal_model, rolling_model, s, space, nl, cur, walls, n_walls, mesh, n_bodies, pair_par, n, dt, half_dt,
               t0, step, drift, trigger, frame, kick_dt, work_dt)
    return ti.select(go, 2, 1)


@ti.kernel
def steps_serial(normal_model: ti.template(), rolling_model: ti.template(), s: ti.template(), space: ti.template(),
                 nl: ti.template(), cur: ti.i32, walls: ti.template(), n_walls: ti.i32, mesh: ti.template(),
                 n_bodies: ti.i32, pair_par: ti.template(), n: ti.i32, dt: ti.f64, half_dt: float, t0: ti.f64,
                 step: ti.i64, drift: ti.i32, trigger: ti.f64, frame: frame_type, kick_dt: float, work_dt: ti.f64,
                 n_steps: ti.i32) -> ti.i32:
    """Steps ``step`` … ``step`` + ``n_steps`` − 1 on one thread, stopping early for a rebuild (module
    docstring)."""
    result = 2 * n_steps
    ti.loop_config(serialize=True)
    for k in range(n_steps):
        if not _step(normal_model, rolling_model, s, space, nl, cur, walls, n_walls, mesh, n_bodies, pair_par, n, dt,
                     half_dt, t0, step + k, drift, trigger, frame, kick_dt, work_dt):
            result = 2 * k + 1
            break
    return result
