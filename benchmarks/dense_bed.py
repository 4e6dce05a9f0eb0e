"""BENCH-1: dense bed throughput (benchmarks.md). Prints particle-steps per second of wall time (compilation
excluded) and per CPU-second of the process (less disturbed by other guests on a shared machine; with T
threads fully busy it is 1/T of the wall-time rate), peak RSS, contacts per particle and where the time goes
(stages.py); ``--sweep`` repeats it for 10k, 30k, 100k and 300k particles.

    python benchmarks/dense_bed.py --particles 100000 --steps 2000 --json
"""

import json
import subprocess
import sys
import time

import click
import psutil
from stages import array_bytes, describe, stage_breakdown

from mfdem.scenarios import dense_bed


def measure(n: int, steps: int, precision: str, threads: int, arch: str = "cpu") -> dict:
    sim = dense_bed.build(n, precision=precision, arch=arch, threads=threads)
    sim.step(10)                      # compiles every kernel and builds the first lists
    builds0 = sim.neighbors.n_builds
    t0, c0 = time.perf_counter(), time.process_time()
    sim.step(steps)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    pp, pw = sim.contact_count()
    builds = sim.neighbors.n_builds - builds0
    peak = psutil.Process().memory_info().rss
    try:
        import resource  # noqa: PLC0415 - not on Windows

        peak = max(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    except ImportError:
        pass
    return {"particles": n, "steps": steps, "arch": sim.arch, "wall_seconds": wall,
            "particle_steps_per_second": n * steps / wall, "cpu_seconds": cpu,
            "particle_steps_per_cpu_second": n * steps / cpu,
            "peak_rss_mb": peak / 2**20, "bytes_per_particle": peak / n,
            "contacts_per_particle": (2 * pp + pw) / n,
            "neighbor_builds": builds, "precision": precision, "threads": threads,
            "array_bytes_per_particle": array_bytes(sim) / n,
            "breakdown": stage_breakdown(sim, builds / steps)}


@click.command()
@click.option("--particles", default=100_000, show_default=True, help="Number of particles (multiple of 2500).")
@click.option("--steps", default=2000, show_default=True, help="Time steps of 2e-7 s to time.")
@click.option("--precision", type=click.Choice(["f64", "f32"]), default="f64", show_default=True)
@click.option("--threads", default=2, show_default=True, help="CPU threads.")
@click.option("--arch", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--sweep", is_flag=True, help="Run 10k, 30k, 100k, 300k, each in a fresh process (own peak memory).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (a list with --sweep).")
def main(particles, steps, precision, threads, arch, sweep, as_json):
    if sweep:
        results = []
        for n in (10_000, 30_000, 100_000, 300_000):
            out = subprocess.run([sys.executable, __file__, "--particles", str(n), "--steps", str(steps), "--precision",
                                  precision, "--threads", str(threads), "--arch", arch, "--json"],
                                 capture_output=True, text=True,
                                 check=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    else:
        results = [measure(particles, steps, precision, threads, arch)]
    if as_json:
        click.echo(json.dumps(results if sweep else results[0]))
        return
    for r in results:
        click.echo(f"{r['particles']:>8d} particles  {r['particle_steps_per_second']:.3e} particle-steps/s  "
                   f"({r['particle_steps_per_cpu_second']:.3e} per CPU-second)  "
                   f"peak RSS {r['peak_rss_mb']:.0f} MB ({r['bytes_per_particle']:.0f} B/particle, arrays "
                   f"{r['array_bytes_per_particle']:.0f} B/particle)  "
                   f"{r['contacts_per_particle']:.2f} contacts/particle  {r['neighbor_builds']} list builds\n"
                   f"    {describe(r['breakdown'])}")


if __name__ == "__main__":
    main()
