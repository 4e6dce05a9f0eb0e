"""BENCH-1 side by side with LIGGGHTS on the same cores: one run, one table, the ratios.

Runs, one after the other (never two at once), the BENCH-1 dense bed (benchmarks.md: 100,000 spheres of
300 µm, Thornton–Ning, yield ratio 0.01, friction 0.5, Δt = 2e-7 s):

* LIGGGHTS (the Debian package ``liggghts``, LIGGGHTS-PUBLIC 3.8) on 1 MPI rank and on 2 ranks with
  ``processors 2 1 1`` (split along x; its default splits z, which leaves the bed on one rank);
* mfdem in f64 and in f32 with 2 threads (dense_bed.py, each in its own process).

The same deck for both: material, lattice, periodic x/y, a floor at z = 0, gravity, skin 30 µm. LIGGGHTS'
``thornton_ning`` adds tangential viscous damping (from coefficientRestitution 0.5); mfdem has none.
Prints particle-steps per second (p·s/s, compilation and the first 10 steps excluded) and each mfdem figure
over the best LIGGGHTS one. Without LIGGGHTS installed it says how to install it and exits with status 1.

    python benchmarks/vs_liggghts.py                 # 1000 steps each, about 3 minutes on 2 cores
    python benchmarks/vs_liggghts.py --steps 2000 --json
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from mfdem.scenarios.dense_bed import BASE, RADIUS, SPACING

HERE = Path(__file__).resolve().parent

DECK = """\
atom_style granular
atom_modify map array
boundary p p f
newton off
communicate single vel yes
units si
{processors}
region box block 0 {side} 0 {side} {zlo} {zhi} units box
create_box 1 box
neighbor {skin} bin
neigh_modify delay 0
fix m1 all property/global youngsModulus peratomtype 5e7
fix m2 all property/global poissonsRatio peratomtype 0.3
fix m3 all property/global coefficientRestitution peratomtypepair 1 0.5
fix m4 all property/global coefficientFriction peratomtypepair 1 0.5
fix m5 all property/global coefficientYieldRatio peratomtype 0.01
fix m6 all property/global surfaceEnergy peratomtypepair 1 0.0
pair_style gran model thornton_ning tangential history
pair_coeff * *
timestep 2e-7
fix gravi all gravity 9.81 vector 0 0 -1
fix floor all wall/gran model thornton_ning tangential history primitive type 1 zplane 0.0
lattice sc {spacing} origin 0.5 0.5 0.0
region bed block 0 {side} 0 {side} {bed_lo} {bed_hi} units box
create_atoms 1 region bed
set group all diameter {diameter} density 2417
fix integr all nve/sphere
thermo 0
run 10
run {steps}
"""
LOOP = re.compile(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")


def deck(n: int, steps: int, processors: str = "") -> str:
    layers = n // (BASE * BASE)
    side = BASE * SPACING
    return DECK.format(processors=processors, side=side, zlo=-SPACING, zhi=(layers + 3) * SPACING,
                       skin=0.2 * RADIUS, spacing=SPACING, bed_lo=0.5 * SPACING, bed_hi=(layers + 0.5) * SPACING,
                       diameter=2 * RADIUS, steps=steps)


def run_liggghts(n: int, steps: int, ranks: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "in.bench1")
        path.write_text(deck(n, steps, "processors 2 1 1" if ranks == 2 else ""))
        cmd = ["liggghts", "-in", str(path), "-echo", "none", "-log", "none"]
        if ranks > 1:
            cmd = ["mpirun", "--allow-run-as-root", "-np", str(ranks), *cmd]
        out = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
    loops = LOOP.findall(out.stdout)
    if out.returncode or len(loops) < 2:
        raise SystemExit(f"LIGGGHTS ({ranks} rank(s)) failed (exit {out.returncode}):\n{out.stdout[-2000:]}"
                         f"{out.stderr[-2000:]}")
    seconds, _, k, atoms = loops[-1]
    if int(atoms) != n:
        raise SystemExit(f"LIGGGHTS created {atoms} particles, not {n}: the deck does not match BENCH-1")
    return {"code": "LIGGGHTS", "config": f"{ranks} rank" + ("s, processors 2 1 1" if ranks == 2 else ""),
            "particle_steps_per_second": n * int(k) / float(seconds)}


def run_mfdem(n: int, steps: int, precision: str, threads: int) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "dense_bed.py"), "--particles", str(n), "--steps", str(steps),
                          "--precision", precision, "--threads", str(threads), "--json"],
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"mfdem ({precision}) failed:\n{out.stderr[-2000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return {"code": "mfdem", "config": f"{precision}, {threads} threads",
            "particle_steps_per_second": r["particle_steps_per_second"], "breakdown": r["breakdown"]}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


@click.command()
@click.option("--particles", default=100_000, show_default=True, help="Bed size (multiple of 2500).")
@click.option("--steps", default=1000, show_default=True, help="Timed steps of each run.")
@click.option("--threads", default=2, show_default=True, help="mfdem threads (LIGGGHTS gets 1 and 2 ranks).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(particles, steps, threads, as_json):
    if not (shutil.which("liggghts") and shutil.which("mpirun")):
        click.echo("LIGGGHTS is not installed. On Debian or Ubuntu: apt-get update && apt-get install -y liggghts "
                   "(it brings mpirun); then run this script again.", err=True)
        sys.exit(1)
    if particles <= 0 or particles % (BASE * BASE):
        raise click.BadParameter(f"must be a positive multiple of {BASE * BASE}", param_hint="--particles")
    rows = [run_liggghts(particles, steps, 1), run_liggghts(particles, steps, 2),
            run_mfdem(particles, steps, "f64", threads), run_mfdem(particles, steps, "f32", threads)]
    best = max(r["particle_steps_per_second"] for r in rows if r["code"] == "LIGGGHTS")
    for r in rows:
        r["ratio_to_liggghts_best"] = r["particle_steps_per_second"] / best
    result = {"particles": particles, "steps": steps, "cpu": cpu_name(), "cores": os.cpu_count(), "runs": rows}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"BENCH-1, {particles} particles, {steps} steps, {cpu_name()} ({os.cpu_count()} cores)")
    for r in rows:
        click.echo(f"  {r['code']:<9} {r['config']:<27} {r['particle_steps_per_second']:.3e} p·s/s  "
                   f"{r['ratio_to_liggghts_best']:.2f} × LIGGGHTS-best")


if __name__ == "__main__":
    main()
