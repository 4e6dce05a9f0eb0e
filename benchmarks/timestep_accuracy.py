"""Restitution error against time steps per contact, Thornton–Ning at the rotor tip speed.

The mixer's time step gives ``run.steps_per_contact`` steps per elastic (Hertz) contact at the tip speed, for
the stiffer of the particle–particle and particle–wall pairs (mixer/scenario.time_step). A plastic
Thornton–Ning contact lasts longer than the Hertz one, so that rule may be stricter than the restitution
needs. This script simulates normal impacts of the configured particle at the tip speed (and at a tenth of
it) on an equal sphere and on the wall, with Δt = t_Hertz / k for a range of k, and prints e(k), its error
against a converged run (k = 400) and the smallest k that keeps every e within the tolerance.

    python benchmarks/timestep_accuracy.py                    # default material, 10,000 rpm
    python benchmarks/timestep_accuracy.py --rpm 5000 --config my.toml --json
"""

import json
import math

import click

from mfdem.config import make_config
from mfdem.mixer import scenario as mixer
from mfdem.scenarios.impact import simulate_impact

STEPS = (5, 6, 8, 10, 12, 15, 18, 20, 25, 30)
REFERENCE = 400


def impact(cfg, target: str, velocity: float, k: int):
    p, w = cfg.particles, cfg.wall
    kwargs = {"yield_ratio": p.yield_ratio} if p.yield_ratio else {"yield_pressure": p.yield_pressure}
    return simulate_impact(radius=p.diameter / 2, density=p.density, youngs_modulus=p.youngs_modulus,
                           poisson_ratio=p.poisson_ratio, velocity=velocity, target=target,
                           wall_youngs_modulus=w.youngs_modulus, wall_poisson_ratio=w.poisson_ratio,
                           steps_per_contact=k, normal_model="thornton_ning",
                           yield_ratio_definition=p.yield_ratio_definition, **kwargs)


@click.command()
@click.option("--rpm", default=10_000.0, show_default=True, help="Rotor speed, rev/min (sets the tip speed).")
@click.option("--tolerance", default=0.01, show_default=True, help="Largest relative error of e.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="Run config TOML.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(rpm, tolerance, config_file, as_json):
    toml_text = open(config_file).read() if config_file else None
    cfg = make_config(toml_text=toml_text, origin=config_file or "config", overrides={"run": {"rpm": rpm}})
    tip = mixer.tip_speed(cfg, mixer.build_geometry(cfg))
    rows, needed = [], 0
    for target in ("sphere", "wall"):
        for speed in (tip, 0.1 * tip):
            ref = impact(cfg, target, speed, REFERENCE)
            errors = {}
            for k in STEPS:
                r = impact(cfg, target, speed, k)
                errors[k] = abs(r.restitution / ref.restitution - 1.0) if not r.pass_through else math.inf
            ok = [k for k in STEPS if all(errors[j] <= tolerance for j in STEPS if j >= k)]
            first = ok[0] if ok else None
            needed = max(needed, first or math.inf)
            rows.append({"target": target, "speed": speed, "restitution": ref.restitution,
                         "restitution_theory": ref.restitution_theory, "contact_time": ref.contact_time,
                         "hertz_contact_time": ref.hertz_contact_time, "errors": errors,
                         "steps_per_contact_needed": first})
    result = {"rpm": rpm, "tip_speed": tip, "tolerance": tolerance, "rows": rows,
              "steps_per_contact_needed": needed, "configured": cfg.run.steps_per_contact}
    if as_json:
        click.echo(json.dumps(result, default=str))
        return
    click.echo(f"tip speed {tip:.3g} m/s ({rpm:g} rpm); relative error of e against Δt = t_Hertz/{REFERENCE}")
    click.echo("target  speed (m/s)  e        e theory  t_c/t_Hertz  " + "  ".join(f"k={k:<4d}" for k in STEPS))
    for r in rows:
        errs = "  ".join(f"{100 * r['errors'][k]:5.2f}%" for k in STEPS)
        click.echo(f"{r['target']:<7s} {r['speed']:>10.3g}  {r['restitution']:.4f}   {r['restitution_theory']:.4f}"
                   f"    {r['contact_time'] / r['hertz_contact_time']:9.2f}  {errs}")
    click.echo(f"steps per Hertz contact that keep e within {100 * tolerance:g} %: {needed} "
               f"(configured: {cfg.run.steps_per_contact:g})")


if __name__ == "__main__":
    main()
