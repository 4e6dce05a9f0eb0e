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

On a shared machine one code's rate moves by ±20 % from one minute to the next, so the four runs are
repeated in rounds (``--rounds``, the order reversed every other round, so that neither code always runs
first): each round's ratio is taken against that round's LIGGGHTS-best, and the script prints every round's
ratio, their median and range, and in how many rounds each target (f64 ≥ 1.5×, f32 ≥ 2.5×) was met.

    python benchmarks/vs_liggghts.py                 # 3 rounds of 1000 steps each, about 10 minutes on 2 cores
    python benchmarks/vs_liggghts.py --rounds 1 --steps 2000 --json"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from mfdem.scenarios.dense_bed import BASE, RADIUS, SPACING

HERE = Path(__file__).resolve().parent
TARGETS = {"f64": 1.5, "f32": 2.5}    # × LIGGGHTS-best, BENCH-1 (the engine-speed targets)

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
        out = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=False)
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
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"mfdem ({precision}) failed:\n{out.stderr[-2000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return {"code": "mfdem", "config": f"{precision}, {threads} threads", "precision": precision,
            "particle_steps_per_second": r["particle_steps_per_second"], "breakdown": r["breakdown"]}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def run_round(particles: int, steps: int, threads: int, reverse: bool = False) -> list:
    """The four runs of one round (in reverse order if ``reverse``), in table order, each with its ratio to this
    round's best LIGGGHTS figure."""
    runs = [lambda: run_liggghts(particles, steps, 1), lambda: run_liggghts(particles, steps, 2),
            lambda: run_mfdem(particles, steps, "f64", threads), lambda: run_mfdem(particles, steps, "f32", threads)]
    rows = [None] * len(runs)
    for k in reversed(range(len(runs))) if reverse else range(len(runs)):
        rows[k] = runs[k]()
    best = max(r["particle_steps_per_second"] for r in rows if r["code"] == "LIGGGHTS")
    for r in rows:
        r["ratio_to_liggghts_best"] = r["particle_steps_per_second"] / best
    return rows


def summarize(rounds: list) -> list:
    """Per configuration: its rates and ratios over the rounds, the ratios' median and range, and for mfdem the
    target and the number of rounds that met it."""
    out = []
    for k, first in enumerate(rounds[0]):
        ratios = [rows[k]["ratio_to_liggghts_best"] for rows in rounds]
        row = {"code": first["code"], "config": first["config"],
               "particle_steps_per_second": [rows[k]["particle_steps_per_second"] for rows in rounds],
               "ratios": ratios, "median_ratio": statistics.median(ratios), "min_ratio": min(ratios),
               "max_ratio": max(ratios)}
        if first["code"] == "mfdem":
            target = TARGETS[first["precision"]]
            row.update(target=target, rounds_met=sum(r >= target for r in ratios))
        out.append(row)
    return out


def report(result: dict) -> str:
    n = len(result["rounds"])
    rounds = f"{n} round{'s' if n > 1 else ''}"
    lines = [(f"BENCH-1, {result['particles']} particles, {result['steps']} steps, {result['cpu']} "
              f"({result['cores']} cores), {rounds}; p·s/s (× that round's LIGGGHTS-best)")]
    for row in result["summary"]:
        cells = "  ".join(f"{v:.3e} ({r:.2f})" for v, r in zip(row["particle_steps_per_second"], row["ratios"]))
        lines.append(f"  {row['code']:<9} {row['config']:<27} {cells}")
    for row in result["summary"]:
        if row["code"] == "mfdem":
            lines.append(f"  mfdem {row['config']}: × LIGGGHTS-best median {row['median_ratio']:.2f}, range "
                         f"{row['min_ratio']:.2f}–{row['max_ratio']:.2f}; target ≥ {row['target']}: met in "
                         f"{row['rounds_met']} of {rounds}")
    return "\n".join(lines)


@click.command()
@click.option("--particles", default=100_000, show_default=True, help="Bed size (multiple of 2500).")
@click.option("--steps", default=1000, show_default=True, help="Timed steps of each run.")
@click.option("--threads", default=2, show_default=True, help="mfdem threads (LIGGGHTS gets 1 and 2 ranks).")
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1, 20),
              help="Times the four runs are repeated (the order reversed every other round).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(particles, steps, threads, rounds, as_json):
    if not (shutil.which("liggghts") and shutil.which("mpirun")):
        click.echo("LIGGGHTS is not installed. On Debian or Ubuntu: apt-get update && apt-get install -y liggghts "
                   "(it brings mpirun); then run this script again.", err=True)
        sys.exit(1)
    if particles <= 0 or particles % (BASE * BASE):
        raise click.BadParameter(f"must be a positive multiple of {BASE * BASE}", param_hint="--particles")
    if steps <= 0:
        raise click.BadParameter("must be at least 1", param_hint="--steps")
    done = []
    for k in range(rounds):
        done.append(run_round(particles, steps, threads, reverse=k % 2 == 1))
        click.echo(f"round {k + 1} of {rounds} done", err=True)
    result = {"particles": particles, "steps": steps, "cpu": cpu_name(), "cores": os.cpu_count(), "rounds": done,
              "summary": summarize(done)}
    click.echo(json.dumps(result) if as_json else report(result))


if __name__ == "__main__":
    main()
