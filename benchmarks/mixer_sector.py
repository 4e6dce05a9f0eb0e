"""BENCH-2: the default mixer sector at 10,000 rpm after filling (benchmarks.md).

The fill is placed directly as an annular layer on the vessel wall (lattice spacing 1.02 d, sites clear of
the rotor), moving with half the tip speed; the rotor turns at full speed from the start. After a warm-up
(kernel compilation, first contacts) the script times a window of steps and prints particle-steps per
second (of wall time, and per CPU-second as in dense_bed.py), peak memory and the projected wall time of the
full 0.5 s run (fill + rotor) at the same Δt.

    python benchmarks/mixer_sector.py --json
    python benchmarks/mixer_sector.py --particle-diameter 0.6e-3 --steps 500     # a smaller variant
    python benchmarks/mixer_sector.py --config my_calibrated.toml                # another material

The state being timed depends on the material and on this artificial start (a dense layer at half the tip
speed, met by blades at full speed): the script prints the contacts per particle and the largest overlap
(with where it was) beside the rate, and where the time goes (stages.py): list entries per particle,
contacts across the seam and the time of the pair, mirror/wall, mesh and list-build stages.
"""

import json
import math
import resource
import time

import click
import numpy as np
from stages import describe, stage_breakdown

from mfdem.config import make_config
from mfdem.engine.walls.mesh import distance_to_surface
from mfdem.scenarios import mixer


def annular_bed(cfg, geometry, n: int, rng) -> np.ndarray:
    """n positions (m) in a layer against the vessel wall of the 72° sector, clear of the rotor: rings 1.02 d
    apart, on each ring a whole number of sites at ≥ 1.02 d (so that the sites meet their images across the
    periodic seams at the same spacing), no overlaps."""
    d = cfg.particles.diameter
    spacing = 1.02 * d
    rv, length = geometry.vessel_radius, geometry.length
    pts = []
    r = rv - 0.51 * d
    while sum(len(p) for p in pts) < 1.3 * n and r > 0.3 * rv:
        step = math.radians(72.0) / math.floor(math.radians(72.0) * r / spacing)
        arc = (np.arange(math.floor(math.radians(72.0) / step + 0.5)) + 0.5) * step
        z = np.arange(0.6 * d, length - 0.6 * d, spacing)
        phi, zz = np.meshgrid(arc, z, indexing="ij")
        pts.append(np.stack([r * np.cos(phi).ravel(), r * np.sin(phi).ravel(), zz.ravel()], axis=1))
        r -= spacing
    pts = np.concatenate(pts)
    pts = pts[distance_to_surface(pts, geometry.rotor.vertices, geometry.rotor.faces, 0.55 * d) > 0.55 * d]
    if len(pts) < n:
        raise SystemExit(f"only {len(pts)} sites for {n} particles")
    return pts[np.sort(rng.permutation(len(pts))[:n])]


def _deepest(sim) -> dict:
    """Where the largest overlap was: partner (particle index, "mesh 0" = rotor, "mesh 1" = vessel), radial
    position (m) and the relative speed now (m/s)."""
    c = sim.deepest_contact()
    return {"partner": c["partner"], "radius_m": float(np.hypot(*c["position"][:2])), "z_m": float(c["position"][2]),
            "relative_speed": c["speed"]}


@click.command()
@click.option("--rpm", default=10_000.0, show_default=True, help="Rotor speed, rev/min.")
@click.option("--particle-diameter", default=300e-6, show_default=True, help="m (the default fills 113,600).")
@click.option("--warmup", default=200, show_default=True, help="Steps before timing.")
@click.option("--steps", default=1000, show_default=True, help="Timed steps.")
@click.option("--threads", default=2, show_default=True, help="CPU threads.")
@click.option("--skin", default=0.0, show_default=True, help="Verlet skin, m (0: the run's default).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Run config TOML (material, contact); the options above override it.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(rpm, particle_diameter, warmup, steps, threads, skin, config_file, as_json):
    toml_text = open(config_file).read() if config_file else None
    overrides = {"run": {"rpm": rpm, "fill_time": 1e-9, "rotor_ramp_time": 0.0, "arch": "cpu", "threads": threads},
                 "particles": {"diameter": particle_diameter}, "engine": {"skin": skin}}
    cfg = make_config(toml_text=toml_text, origin=config_file or "config", overrides=overrides)
    geometry = mixer.build_geometry(cfg)
    dt = mixer.time_step(cfg, geometry)
    sim = mixer.build_simulation(cfg, geometry, dt)
    rng = np.random.default_rng(0)
    pos = annular_bed(cfg, geometry, cfg.n_particles, rng)
    tip = 2 * math.pi * rpm / 60.0 * cfg.geometry.tip_radius
    tangential = np.stack([-pos[:, 1], pos[:, 0], np.zeros(len(pos))], axis=1)
    tangential /= np.linalg.norm(tangential, axis=1, keepdims=True)
    sim.add_particles(pos, particle_diameter / 2, velocities=0.5 * tip * tangential)
    sim.step(warmup)
    sim.max_overlap_ratio(reset=True)           # report the overlaps of the timed window only
    for _attempt in range(3):   # prefer a window in which the lists did not grow (growth recompiles kernels)
        lists = sim.neighbors
        builds = lists.n_builds
        t0, c0 = time.perf_counter(), time.process_time()
        sim.step(steps)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if sim.neighbors is lists:
            break
    rate = sim.n * steps / wall
    builds = sim.neighbors.n_builds - builds
    pairs, wall_contacts = sim.contact_count()
    full_steps = (cfg.run.fill_time + cfg.run.duration + 0.1) / dt     # the default run: 0.1 s fill + 0.4 s
    result = {"particles": sim.n, "rpm": rpm, "dt": dt, "steps": steps, "wall_seconds": wall,
              "window_end_s": sim.time, "particle_steps_per_second": rate, "cpu_seconds": cpu,
              "particle_steps_per_cpu_second": sim.n * steps / cpu,
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
              "neighbor_builds": builds, "max_overlap_ratio": sim.max_overlap_ratio(),
              "deepest_contact": _deepest(sim),
              "contacts_per_particle": (2 * pairs + wall_contacts) / sim.n,
              "rotor_power_w": sim.mesh_axial_torque(0) * 2 * math.pi * rpm / 60,
              "projected_hours_full_run": full_steps * sim.n / rate / 3600, "threads": threads}
    result["breakdown"] = stage_breakdown(sim, builds / steps)     # last: it re-evaluates forces
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(f"{sim.n} particles at {rpm:g} rpm, dt {dt:.3g} s, window ending at t = {sim.time * 1e3:.3f} ms: "
                   f"{rate:.3e} particle-steps/s ({result['particle_steps_per_cpu_second']:.3e} per CPU-second), "
                   f"{result['contacts_per_particle']:.1f} contacts/particle, max overlap "
                   f"{result['max_overlap_ratio']:.2f} R ({result['deepest_contact']}), peak RSS {result['peak_rss_mb']:.0f} MB, "
                   f"{result['neighbor_builds']} list builds in {steps} steps; the full 0.5 s run would take "
                   f"{result['projected_hours_full_run']:.1f} h here\n    {describe(result['breakdown'])}")


if __name__ == "__main__":
    main()
