"""Small systems: time steps per second of the rotating-drum twin at about 200, 2,000 and 20,000 particles.

The drum is the calibration twin (`mfdem calibrate drum`: the 84 mm drum at 20 rpm, default material) as a
periodic slice 7 mm wide (35 % of the 20 mm drum). Up to 2,000 particles it holds n particles of 2 mm (200
of them are a thin layer at the bottom); above that the bed of 2,000 such particles is filled with smaller
ones, d = 2 mm·(2000/n)^(1/3). Each size is timed in both launch modes of the engine (engine/stepper.py):
many steps per kernel launch on one thread ("serial") and one launch per step with parallel loops; the
engine picks serial up to ``Simulation.serial_particles`` particles. Compilation is excluded.

    python benchmarks/small_system.py                 # 200, 2,000, 20,000
    python benchmarks/small_system.py --particles 198 --seconds 5 --json
"""

import json
import math
import time

import click

from mfdem.calibration.drum import DrumSetup, build
from mfdem.config import make_config

DIAMETER = 2e-3       # m, particles of the drum up to BED particles
BED = 2000            # particles of DIAMETER that make the largest bed
SLICE = 0.35          # share of the 20 mm drum width simulated (7 mm)


def drum_case(n: int, density: float) -> tuple:
    """``(particle diameter (m), DrumSetup)`` of the n-particle drum (module docstring)."""
    d = DIAMETER * min(1.0, (BED / n) ** (1 / 3))
    mass = min(n, BED) * density * math.pi / 6 * DIAMETER**3
    return d, DrumSetup(slice_fraction=SLICE, fill_mass=mass * (1 + 1e-9))


def measure(sim, serial: bool, seconds: float) -> dict:
    sim.serial_particles = sim.n if serial else -1
    sim.step(20)                                   # compiles the mode's kernels
    steps, t0 = 0, time.perf_counter()
    chunk = 50
    while time.perf_counter() - t0 < seconds:
        sim.step(chunk)
        steps += chunk
        chunk = min(2 * chunk, 20_000)
    wall = time.perf_counter() - t0
    return {"steps": steps, "steps_per_second": steps / wall, "particle_steps_per_second": sim.n * steps / wall}


@click.command()
@click.option("--particles", "counts", multiple=True, type=int, default=(200, 2000, 20000), show_default=True,
              help="Particle counts (repeatable).")
@click.option("--seconds", default=3.0, show_default=True, help="Wall time per size and mode, s.")
@click.option("--threads", default=2, show_default=True, help="CPU threads.")
@click.option("--precision", type=click.Choice(["f64", "f32"]), default="f64", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
def main(counts, seconds, threads, precision, as_json):
    results = []
    for n in counts:
        run = {"arch": "cpu", "threads": threads, "precision": precision}
        d, setup = drum_case(n, make_config().particles.density)
        cfg = make_config(overrides={"run": run, "particles": {"diameter": d, "real_diameter": 3.3e-6}})
        pl, sim = build(setup, cfg)
        row = {"particles": sim.n, "diameter_m": d, "dt": sim.dt, "threads": threads, "precision": precision,
               "default_mode": "serial" if sim.serial else "parallel"}
        for mode in ("serial", "parallel"):
            row[mode] = measure(sim, mode == "serial", seconds)
        results.append(row)
        if not as_json:
            click.echo(f"{row['particles']:>6d} particles (d = {d * 1e3:.3g} mm, dt = {sim.dt:.3g} s): "
                       f"serial {row['serial']['steps_per_second']:>8.0f} steps/s "
                       f"({row['serial']['particle_steps_per_second']:.2e} p·s/s), "
                       f"parallel {row['parallel']['steps_per_second']:>8.0f} steps/s "
                       f"({row['parallel']['particle_steps_per_second']:.2e} p·s/s); the engine uses "
                       f"{row['default_mode']}")
    if as_json:
        click.echo(json.dumps(results))


if __name__ == "__main__":
    main()
