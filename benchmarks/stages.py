"""Where a step's time goes: each stage of the force evaluation timed on its own, shared by the benchmarks.

The stages are re-run on the state reached at the end of the timed window. That advances the contact
springs a second time within the step, so a script calls this last, after its figures are taken.
"""

import math
import time

import numpy as np
import taichi as ti

from mfdem.engine.contact import registry
from mfdem.engine.forces import forces_and_kick, pair_forces
from mfdem.engine.integrator import kick_drift
from mfdem.engine.neighbor_list import TOUCHING
from mfdem.engine.stepper import step_parallel


def _seconds_per_call(fn, repeats: int) -> float:
    fn()                                   # warm-up; compiles the variant without meshes
    ti.sync()
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    ti.sync()
    return (time.perf_counter() - t0) / repeats


def empty_step_seconds(sim, repeats: int = 100) -> float:
    """Seconds of one launch of the parallel step kernel with no particles: the fixed cost of a step."""
    nl = sim.neighbors

    def empty_step():
        step_parallel(sim._normal, sim._rolling, sim.state, sim.space, nl, nl.current, sim.walls, 0, sim.meshes, 0,
                      sim.pair_par, 0, sim.dt, 0.5 * sim.dt, 0.0, sim.step_count, 0, math.inf, (0.0, 0.0), 0.0, 0.0)

    return _seconds_per_call(empty_step, repeats)


def stage_breakdown(sim, builds_per_step: float, repeats: int = 10) -> dict:
    """Nanoseconds per particle-step of each stage, list entries per particle and, for a rotational sector,
    the fraction of contacts across the seam.

    ``empty_step_us`` is the time of one step launch with no particles (µs; the parallel step kernel, which
    returns its code to the host every step): the fixed cost of a step whatever its size.

    Stages: ``pair_contacts`` (owner pass: every pair within the cut-off, evaluated once),
    ``reactions_and_walls`` (mirror pass: reactions, analytic walls, gravity, kick), ``mesh_walls`` (triangle
    meshes: the extra time of the mirror pass with the meshes on), ``list_builds`` (a rebuild's time times the
    builds per step of the window) and ``drift`` (half kick, drift and the rebuild trigger). Timed
    back to back, their sum is less disturbed by other guests on the host than the window's rate.
    """
    nl, n = sim.neighbors, sim.n
    touching = nl.state.to_numpy()[nl.current, : nl.n_pairs] == TOUCHING    # before the rebuild moves them
    across = nl.seam_images()[touching] != 0
    counts = {"list_entries_per_particle": nl.n_pairs / n,
              "touching_pairs_per_particle": float(np.count_nonzero(touching)) / n,
              "seam_contact_fraction": float(across.mean()) if sim.space.rotational and across.size else None}

    def pairs():
        pair_forces(sim._normal, sim._rolling, sim.state, nl, nl.current, sim.pair_par, sim.space, n, sim.dt)

    def mirror(n_bodies):
        forces_and_kick(sim._normal, sim._rolling, sim.state, nl, nl.current, sim.walls, sim.walls.n, sim.meshes,
                        n_bodies, sim.pair_par, sim.space, n, sim.time, sim.dt, 0.0)

    t_pairs = _seconds_per_call(pairs, repeats)
    t_no_mesh = _seconds_per_call(lambda: mirror(0), repeats)
    t_mesh = 0.0
    if sim.meshes.n_bodies:
        t_mesh = max(_seconds_per_call(lambda: mirror(sim.meshes.n_bodies), repeats) - t_no_mesh, 0.0)
    t_drift = _seconds_per_call(lambda: kick_drift(sim.state, sim.space, nl, nl.current, sim.meshes, sim.walls,
                                                   sim.walls.n, n, 0.5 * sim.dt, sim.dt, (1.0, 0.0), (1.0, 0.0),
                                                   1.0),
                                repeats)
    t_build = _seconds_per_call(sim._rebuild, max(2, repeats // 4))

    t_empty = empty_step_seconds(sim, 10 * repeats)
    ns = 1e9 / n
    stages = {"pair_contacts": t_pairs * ns, "reactions_and_walls": t_no_mesh * ns, "mesh_walls": t_mesh * ns,
              "list_builds": t_build * builds_per_step * ns, "drift": t_drift * ns}
    return {**counts, "ns_per_particle_step": stages, "empty_step_us": t_empty * 1e6}


def rebuild_displacements(sim, max_steps: int = 500) -> dict | None:
    """What sets the list builds: step one step at a time up to the next build that the displacement trigger
    asks for, and return the particles' list displacements of the step before it, each over its margin
    (neighbor_list.py) — median, 90th, 99th and 99.9th percentiles, and the largest (below 1) — the steps
    between the two builds and the margins over half the skin (mean, and the fraction at half the skin). None if
    no such build came within ``max_steps`` steps. The state moves on: call this after the figures are taken."""
    nl, n, half = sim.neighbors, sim.n, 0.5 * sim.skin
    since, before, margin = None, None, None
    for _ in range(max_steps):
        builds = nl.n_builds
        sim.step(1)
        if nl.n_builds != builds:
            if since is not None and before is not None and before.max() > 0.5:   # not a sort or a forced build
                q = np.percentile(before, [50, 90, 99, 99.9])
                return {"median": q[0], "p90": q[1], "p99": q[2], "p99_9": q[3], "max": float(before.max()),
                        "steps_between_builds": since + 1, "mean_margin": float(margin.mean()),
                        "at_half_skin": float(np.mean(margin >= 1.0))}
            since, before = 0, None
            continue
        if since is not None:
            since += 1
        margin = sim.state.margin.to_numpy()[:n] / half
        before = np.linalg.norm(sim.state.disp.to_numpy()[:n], axis=1) / (half * margin)
    return None


def pair_cost_by_law(sim, repeats: int = 10) -> dict:
    """Nanoseconds per touching pair of the pair pass on the current state, evaluated with each combination
    of normal model and rolling model ({"thornton_ning+epsd": ns, ...}): what the contact law's branches
    cost. Each combination compiles the pass once; like ``stage_breakdown``, call this last."""
    nl, n = sim.neighbors, sim.n
    touching = int(np.count_nonzero(nl.state.to_numpy()[nl.current, : nl.n_pairs] == TOUCHING))
    out = {}
    for normal_name in registry.names("normal"):
        normal = registry.model_id("normal", normal_name)
        for rolling_name in ("epsd", "none"):
            rolling_model = registry.model_id("rolling", rolling_name)
            t = _seconds_per_call(lambda normal=normal, rolling_model=rolling_model: pair_forces(
                normal, rolling_model, sim.state, nl, nl.current, sim.pair_par, sim.space, n, sim.dt), repeats)
            out[f"{normal_name}+{rolling_name}"] = t * 1e9 / max(touching, 1)
    return out


def array_bytes(sim) -> int:
    """Bytes of the engine's Taichi arrays (particles, lists, walls, meshes): on a GPU, its memory in use."""
    total = 0
    for part in (sim.state, sim.neighbors, sim.walls, sim.meshes, sim.neighbors.cells, sim.neighbors.prefix_sum):
        for value in vars(part).values():
            if isinstance(value, ti.Field):
                item = np.dtype(ti.lang.util.to_numpy_type(value.dtype)).itemsize
                per = value.n * value.m if isinstance(value, ti.MatrixField) else 1
                total += int(np.prod(value.shape)) * per * item
    return total


def describe(b: dict) -> str:
    stages = ", ".join(f"{k.replace('_', ' ')} {v:.0f}" for k, v in b["ns_per_particle_step"].items())
    seam = b["seam_contact_fraction"]
    seam = "" if seam is None else f", {100 * seam:.2f} % of contacts across the seam"
    total = sum(b["ns_per_particle_step"].values())
    return (f"{b['list_entries_per_particle']:.2f} list entries and {b['touching_pairs_per_particle']:.2f} touching "
            f"pairs per particle{seam}; ns per particle-step: {stages} (sum {total:.0f}); an empty step launch "
            f"{b['empty_step_us']:.0f} µs")
