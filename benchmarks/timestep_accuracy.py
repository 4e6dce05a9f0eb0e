"""Restitution error against time steps per contact, Thornton–Ning at the rotor tip speed.

The mixer's time step gives ``run.steps_per_contact`` steps per elastic (Hertz) contact at the tip speed (0: the
normal law's own ``STEPS_PER_CONTACT``) for the stiffer of the particle–particle and particle–wall pairs
(mixer/scenario.time_step). This script simulates normal impacts of the configured particle on an equal sphere
and on the wall, at the tip speed and below it, with the mixer's time step for k steps per Hertz contact at the
tip speed (slower impacts last longer, so they get more steps). Where in a step a contact begins moves e, so
each impact is run from ``--phases`` onsets spread over one step. It prints, per k, the largest error of e
against a converged run (t_Hertz/400 at the impact's own speed) and the mean signed error over the onsets, and
the smallest k from which every largest error stays within the tolerance.

    python benchmarks/timestep_accuracy.py                    # default material, 10,000 rpm
    python benchmarks/timestep_accuracy.py --rpm 5000 --config my.toml --json
"""

import dataclasses
import json
import math
import sys
import warnings

import click

from mfdem.config import make_config
from mfdem.engine.timestep import TimeStepWarning
from mfdem.mixer import scenario as mixer
from mfdem.scenarios.impact import simulate_impact

STEPS = (8, 10, 12, 13, 14, 15, 16, 18, 20)
SPEEDS = (1.0, 0.9, 0.5, 0.1)    # fractions of the tip speed
REFERENCE = 400


def impact(cfg, target: str, velocity: float, **step):
    p, w = cfg.particles, cfg.wall
    kwargs = {"yield_ratio": p.yield_ratio} if p.yield_ratio else {"yield_pressure": p.yield_pressure}
    return simulate_impact(radius=p.diameter / 2, density=p.density, youngs_modulus=p.youngs_modulus,
                           poisson_ratio=p.poisson_ratio, velocity=velocity, target=target,
                           wall_youngs_modulus=w.youngs_modulus, wall_poisson_ratio=w.poisson_ratio,
                           normal_model="thornton_ning", yield_ratio_definition=p.yield_ratio_definition,
                           **step, **kwargs)


def mixer_time_step(cfg, geometry, k: int) -> float:
    """The mixer's Δt at k steps per Hertz contact at the tip speed (below the law's own number its advice
    warns: silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TimeStepWarning)
        return mixer.time_step(dataclasses.replace(cfg, run=dataclasses.replace(cfg.run, steps_per_contact=k,
                                                                                  dt=0.0)), geometry)


@click.command()
@click.option("--rpm", default=10_000.0, show_default=True, help="Rotor speed, rev/min (sets the tip speed).")
@click.option("--tolerance", default=0.01, show_default=True, help="Largest relative error of e.")
@click.option("--phases", default=8, show_default=True, type=click.IntRange(1, 100),
              help="Contact onsets per impact, spread evenly over one step.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="Run config TOML.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(rpm, tolerance, phases, config_file, as_json):
    toml_text = open(config_file).read() if config_file else None
    cfg = make_config(toml_text=toml_text, origin=config_file or "config", overrides={"run": {"rpm": rpm}})
    geometry = mixer.build_geometry(cfg)
    tip = mixer.tip_speed(cfg, geometry)
    dts = {k: mixer_time_step(cfg, geometry, k) for k in STEPS}
    onsets = [i / phases for i in range(phases)]
    rows, needed = [], 0
    with click.progressbar(length=2 * len(SPEEDS) * len(STEPS), label="impacts", file=sys.stderr) as bar:
        for target in ("sphere", "wall"):
            for fraction in SPEEDS:
                speed = fraction * tip
                ref = impact(cfg, target, speed, steps_per_contact=REFERENCE)
                errors, mean_errors = {}, {}
                for k in STEPS:
                    runs = [impact(cfg, target, speed, dt=dts[k], onset=o) for o in onsets]
                    signed = [math.inf if r.pass_through else r.restitution / ref.restitution - 1.0 for r in runs]
                    errors[k] = max(abs(e) for e in signed)
                    mean_errors[k] = sum(signed) / len(signed)
                    bar.update(1)
                ok = [k for k in STEPS if all(errors[j] <= tolerance for j in STEPS if j >= k)]
                first = ok[0] if ok else None
                needed = max(needed, first or math.inf)
                rows.append({"target": target, "speed": speed, "restitution": ref.restitution,
                             "restitution_theory": ref.restitution_theory, "contact_time": ref.contact_time,
                             "hertz_contact_time": ref.hertz_contact_time, "errors": errors,
                             "mean_errors": mean_errors, "steps_per_contact_needed": first})
    result = {"rpm": rpm, "tip_speed": tip, "tolerance": tolerance, "phases": phases, "dt": dts, "rows": rows,
              "steps_per_contact_needed": needed, "configured": mixer.steps_per_contact(cfg)}
    if as_json:
        click.echo(json.dumps(result, default=str))
        return
    click.echo(f"tip speed {tip:.3g} m/s ({rpm:g} rpm); k steps per Hertz contact at the tip speed; largest relative "
               f"error of e over {phases} contact onsets (mean signed error in brackets) against Δt = "
               f"t_Hertz/{REFERENCE}")
    click.echo("target  speed (m/s)  e        e theory  t_c/t_Hertz  " + "  ".join(f"k={k:<11d}" for k in STEPS))
    for r in rows:
        errs = "  ".join(f"{100 * r['errors'][k]:5.2f}% ({100 * r['mean_errors'][k]:+.2f})" for k in STEPS)
        click.echo(f"{r['target']:<7s} {r['speed']:>10.3g}  {r['restitution']:.4f}   {r['restitution_theory']:.4f}"
                   f"    {r['contact_time'] / r['hertz_contact_time']:9.2f}  {errs}")
    click.echo(f"steps per Hertz contact that keep e within {100 * tolerance:g} %: {needed} "
               f"(configured: {mixer.steps_per_contact(cfg):g})")


if __name__ == "__main__":
    main()
