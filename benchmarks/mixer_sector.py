"""BENCH-2: the default mixer sector at 10,000 rpm, its cost per particle-step beside BENCH-1's (benchmarks.md).

The fill is placed directly as an annular layer on the vessel wall (lattice spacing 1.02 d, sites clear of
the rotor), moving with half the tip speed; the rotor turns at full speed from the start. The simulation is
built as a run builds it, at the fill's step, which sets the Verlet skin (mixer.build_simulation: 8 steps at
the tip speed, within 0.2–0.6 R; 0.29 R for the paper case), and then steps at the mixing step. After a warm-up
(kernel compilation, first contacts, ``--warmup-time`` of simulated time) the script times a window of
``--window`` seconds of simulated time (default 1 ms) and prints:

* particle-steps per second (of wall time, and per CPU-second as in dense_bed.py) and peak memory;
* the time step and why: ``run.steps_per_contact`` (0: the normal law's own) steps per Hertz contact at the
  tip speed for the stiffer of the particle–particle and particle–wall pairs (benchmarks/timestep_accuracy.py
  shows the restitution error against that number);
* the projected wall time of the full paper case (the default run: 0.1 s fill + 0.4 s rotor) at this rate,
  counting the fill's growing charge (mixer.run_particle_steps: on average about half the charge is in the
  mixer during the fill) at the fill's own, longer step (mixer.fill_time_step: the rotor stands still), and
  beside it the figure for the whole charge from the start at the mixing step (the basis of the earlier
  figures). Both charge the fill's particle-steps at the window's rate, which overstates them: with BENCH-1
  timed beside the window, a third figure charges them at BENCH-1's rate instead. A fill particle-step costs
  about what a BENCH-1 one does, a bed settling under gravity with the rotor at rest: fill_cost.py measured
  98 ns at 300 µm, net of the step launch, against BENCH-1's 95 ns and BENCH-2's 163 ns on the same day
  (2026-12-07, AMD EPYC VM);
* BENCH-1 (dense_bed.py: 100,000 particles, 1000 steps, same threads and precision) timed in the same process,
  interleaved with the window: the window runs in ``--slices`` parts with a part of BENCH-1 after each, so that
  both legs see the same load from other guests on a shared host; and the cost of a BENCH-2 particle-step over
  a BENCH-1 one (target ≤ 1.5), over the whole window and per slice;
* where the time goes (stages.py), and what sets the list builds: how far the particles had moved since the
  last build, the step before the next one, each against its margin (stages.rebuild_displacements).

    python benchmarks/mixer_sector.py --json
    python benchmarks/mixer_sector.py --particle-diameter 0.6e-3 --window 2e-4     # a smaller variant
    python benchmarks/mixer_sector.py --config my_calibrated.toml                  # another material

The state being timed depends on the material and on this artificial start (a dense layer at half the tip
speed, met by blades at full speed): the script prints the contacts per particle and the largest overlap
(with where it was) beside the rate.
"""

import json
import math
import resource
import time

import click
import numpy as np
from stages import array_bytes, describe, pair_cost_by_law, rebuild_displacements, stage_breakdown

from mfdem.config import make_config
from mfdem.engine.walls.mesh import distance_to_surface
from mfdem.mixer import scenario as mixer
from mfdem.scenarios import dense_bed

BENCH1_STEPS = 1000   # BENCH-1's steps (benchmarks.md), shared out over the slices of the window


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


def timed_window(sim, steps: int, bed, slices: int) -> dict:
    """Step ``sim`` ``steps`` steps in ``slices`` parts, and after each part the BENCH-1 bed (if any) its share of
    ``BENCH1_STEPS``. Returns the wall and CPU seconds of ``sim``'s steps and of the bed's and, per slice, both legs'
    particle-steps per second."""
    out = {"wall": 0.0, "cpu": 0.0, "bench1_wall": 0.0, "bench2_rates": [], "bench1_rates": []}
    for k in range(slices):
        part = steps * (k + 1) // slices - steps * k // slices
        t0, c0 = time.perf_counter(), time.process_time()
        sim.step(part)
        wall = time.perf_counter() - t0
        out["wall"] += wall
        out["cpu"] += time.process_time() - c0
        out["bench2_rates"].append(sim.n * part / wall)
        if bed is not None:
            bed_steps = BENCH1_STEPS * (k + 1) // slices - BENCH1_STEPS * k // slices
            t0 = time.perf_counter()
            bed.step(bed_steps)
            wall = time.perf_counter() - t0
            out["bench1_wall"] += wall
            out["bench1_rates"].append(bed.n * bed_steps / wall)
    return out


@click.command()
@click.option("--rpm", default=10_000.0, show_default=True, help="Rotor speed, rev/min.")
@click.option("--particle-diameter", default=300e-6, show_default=True, help="m (the default fills 113,600).")
@click.option("--warmup-time", default=2e-4, show_default=True, help="Simulated time before the window, s.")
@click.option("--window", default=1e-3, show_default=True, help="Simulated time timed, s.")
@click.option("--threads", default=2, show_default=True, help="CPU threads.")
@click.option("--precision", type=click.Choice(["f64", "f32"]), default=None,
              help="Contact arithmetic (default: the config's, f64); BENCH-1 runs in the same.")
@click.option("--bed-seed", default=0, show_default=True, help="Seed of the starting layer's site choice.")
@click.option("--arch", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--skin", default=0.0, show_default=True,
              help="Verlet skin, m (0: a run's, 8 tip-speed steps of the fill within 0.2-0.6 R).")
@click.option("--no-bench1", is_flag=True, help="Skip the BENCH-1 leg that the cost ratio needs.")
@click.option("--bench1-particles", default=100_000, show_default=True,
              help="Particles of the BENCH-1 leg (a multiple of 2,500; 100,000 is BENCH-1).")
@click.option("--slices", default=4, show_default=True, help="Parts of the window, each followed by BENCH-1's.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Run config TOML (material, contact); the options above override it.")
@click.option("--law-variants", is_flag=True,
              help="Also time the pair pass on the final state with each normal and rolling model (ns per touching "
                   "pair).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(rpm, particle_diameter, warmup_time, window, threads, precision, bed_seed, arch, skin, no_bench1,
         bench1_particles, slices, config_file, law_variants, as_json):
    toml_text = open(config_file).read() if config_file else None
    overrides = {"run": {"rpm": rpm, "fill_time": 1e-9, "rotor_ramp_time": 0.0, "arch": arch, "threads": threads,
                         **({"precision": precision} if precision else {})},
                 "particles": {"diameter": particle_diameter}, "engine": {"skin": skin}}
    cfg = make_config(toml_text=toml_text, origin=config_file or "config", overrides=overrides)
    paper = make_config()   # the full paper case: the default run (300 µm, 10,000 rpm, 0.1 s fill + 0.4 s)
    paper_geometry = mixer.build_geometry(paper)
    paper_dt, paper_fill_dt = mixer.time_step(paper, paper_geometry), mixer.fill_time_step(paper, paper_geometry)
    geometry = mixer.build_geometry(cfg)
    dt = mixer.time_step(cfg, geometry)
    tip = mixer.tip_speed(cfg, geometry)
    # built as a run builds it (MixerRun.create), at the fill's step, which sets the skin; then the mixing step
    sim = mixer.build_simulation(cfg, geometry, mixer.fill_time_step(cfg, geometry))
    sim.change_time_step(dt)
    rng = np.random.default_rng(bed_seed)
    pos = annular_bed(cfg, geometry, cfg.n_particles, rng)
    tangential = np.stack([-pos[:, 1], pos[:, 0], np.zeros(len(pos))], axis=1)
    tangential /= np.linalg.norm(tangential, axis=1, keepdims=True)
    sim.add_particles(pos, particle_diameter / 2, velocities=0.5 * tip * tangential)
    sim.step(max(1, round(warmup_time / dt)))
    sim.max_overlap_ratio(reset=True)           # report the overlaps of the timed window only
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024     # before the BENCH-1 bed is built
    bed = None
    if not no_bench1:
        bed = dense_bed.build(bench1_particles, precision=cfg.run.precision, arch=arch, threads=threads)
        bed.step(10)                            # compiles its kernels, builds its first lists
    steps = max(1, round(window / dt))
    for _attempt in range(3):   # prefer a window in which the lists did not grow (growth recompiles kernels)
        lists = sim.neighbors
        builds = lists.n_builds
        timed = timed_window(sim, steps, bed, max(1, min(slices, steps)))
        if sim.neighbors is lists:
            break
    wall, cpu = timed["wall"], timed["cpu"]
    rate = sim.n * steps / wall
    builds = sim.neighbors.n_builds - builds
    pairs, wall_contacts = sim.contact_count()
    paper_ps = mixer.run_particle_steps(paper, paper_dt, paper_fill_dt)
    full_charge_ps = (paper.run.fill_time + paper.run.duration) / paper_dt * paper.n_particles
    result = {"particles": sim.n, "rpm": rpm, "dt": dt, "tip_speed": tip, "skin_m": sim.skin,
              "steps_per_contact": mixer.steps_per_contact(cfg), "steps": steps, "wall_seconds": wall,
              "window_start_s": sim.time - steps * dt, "window_end_s": sim.time, "particle_steps_per_second": rate,
              "precision": cfg.run.precision, "bed_seed": bed_seed,
              "cpu_seconds": cpu, "particle_steps_per_cpu_second": sim.n * steps / cpu,
              "peak_rss_mb": peak_rss,
              "neighbor_builds": builds, "max_overlap_ratio": sim.max_overlap_ratio(),
              "deepest_contact": _deepest(sim),
              "contacts_per_particle": (2 * pairs + wall_contacts) / sim.n,
              "rotor_power_w": sim.mesh_axial_torque(0) * 2 * math.pi * rpm / 60,
              "paper_case_fill_dt": paper_fill_dt, "paper_case_particle_steps": paper_ps,
              "projected_hours_paper_case": paper_ps / rate / 3600,
              "projected_hours_paper_case_full_charge": full_charge_ps / rate / 3600, "threads": threads,
              "arch": sim.arch, "array_bytes_per_particle": array_bytes(sim) / sim.n}
    result["rebuild_displacements"] = rebuild_displacements(sim)    # steps on: after the figures
    result["breakdown"] = stage_breakdown(sim, builds / steps)     # last: it re-evaluates forces
    if law_variants:
        result["pair_ns_per_touching_pair_by_law"] = pair_cost_by_law(sim)
    if bed is not None:
        result["bench1_particles"] = bed.n
        result["bench1_particle_steps_per_second"] = bed.n * BENCH1_STEPS / timed["bench1_wall"]
        result["cost_ratio_to_bench1"] = result["bench1_particle_steps_per_second"] / rate
        result["cost_ratio_per_slice"] = list(np.array(timed["bench1_rates"]) / np.array(timed["bench2_rates"]))
        fill_ps = result["paper_case_fill_particle_steps"] = mixer.fill_particle_steps(paper, paper_fill_dt)
        result["projected_hours_paper_case_fill_at_bench1"] = (
            fill_ps / result["bench1_particle_steps_per_second"] + (paper_ps - fill_ps) / rate) / 3600
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{sim.n} particles at {rpm:g} rpm (tip {tip:.3g} m/s); dt {dt:.3g} s = the Hertz contact time at the "
               f"tip speed / {result['steps_per_contact']:g} (run.steps_per_contact, 0 = the normal law's own: the "
               "fewest steps that keep the restitution within 1 %, benchmarks/timestep_accuracy.py)")
    click.echo(f"window {result['window_start_s'] * 1e3:.3f}–{sim.time * 1e3:.3f} ms ({steps} steps): {rate:.3e} "
               f"particle-steps/s ({result['particle_steps_per_cpu_second']:.3e} per CPU-second), "
               f"{result['contacts_per_particle']:.1f} contacts/particle, "
               f"skin {2 * sim.skin / particle_diameter:.2f} R, max overlap "
               f"{result['max_overlap_ratio']:.2f} R ({result['deepest_contact']}), peak RSS "
               f"{result['peak_rss_mb']:.0f} MB (arrays {result['array_bytes_per_particle']:.0f} B/particle), "
               f"{result['neighbor_builds']} list builds")
    click.echo(f"paper case ({paper.run.fill_time + paper.run.duration:g} s in steps of {paper_dt:.3g} s, "
               f"{paper.n_particles} particles, filled over {paper.run.fill_time:g} s in steps of "
               f"{paper_fill_dt:.3g} s: {result['paper_case_particle_steps']:.3g} particle-steps): "
               f"{result['projected_hours_paper_case']:.1f} h "
               f"at this rate ({result['projected_hours_paper_case_full_charge']:.1f} h with the whole charge from the "
               "start)")
    if not no_bench1:
        per_slice = result["cost_ratio_per_slice"]
        click.echo(f"BENCH-1 ({result['bench1_particles']} particles) interleaved with the window: "
                   f"{result['bench1_particle_steps_per_second']:.3e} particle-steps/s; a BENCH-2 particle-step costs "
                   f"{result['cost_ratio_to_bench1']:.2f} × a BENCH-1 one (target ≤ 1.5; per slice "
                   f"{min(per_slice):.2f}–{max(per_slice):.2f}); paper case with the fill's particle-steps at "
                   f"BENCH-1's rate: {result['projected_hours_paper_case_fill_at_bench1']:.1f} h")
    click.echo(f"    {describe(result['breakdown'])}")
    moved = result["rebuild_displacements"]
    if moved:
        click.echo(f"    what sets the list builds (every {moved['steps_between_builds']} steps): list displacements "
                   "the step before a build, each over its margin: median "
                   f"{moved['median']:.2f}, 90 % {moved['p90']:.2f}, 99 % {moved['p99']:.2f}, 99.9 % "
                   f"{moved['p99_9']:.2f}, largest {moved['max']:.2f}; margins {moved['mean_margin']:.2f} × half "
                   f"the skin on average, {100 * moved['at_half_skin']:.1f} % at half the skin")
    if law_variants:
        click.echo("    pair pass, ns per touching pair: " + ", ".join(
            f"{k} {v:.0f}" for k, v in result["pair_ns_per_touching_pair_by_law"].items()))


if __name__ == "__main__":
    main()
