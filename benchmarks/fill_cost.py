"""What the fill costs per particle-step beside the mixing, in one run (the paper-case projection's fill share).

``mixer_sector.py`` projects the paper case at the rate of the spinning charge, and charges the fill's
particle-steps at that rate too. A fill, with the rotor at rest and the particles falling into place, is cheaper
per particle-step. This script runs a whole mixer run (``mfdem run``: the inlets fill the charge, then the
rotor turns) at ``--particle-diameter`` and times every output interval. A step costs a fixed part, the launch
of the step kernel, and a part per particle. The fixed part (the launch with no particles, timed after the run)
is taken off both phases, because at 300 µm it is small beside 113,551 particles' work. It prints:

* per interval: the time step, particles, steps, list builds and wall time;
* the fixed cost per step, and the fill's and the mixing's cost per particle-step net of it (the mixing over
  the rotor's intervals that start after its spin-up, ``run.rotor_ramp_time``), and their ratio;
* what that ratio would take off the paper case's projection: the fill's share of its particle-steps
  (mixer.run_particle_steps) times (1 − ratio).

The launches run one step each on every thread, as a 300 µm run does (a system this small would otherwise
run many steps per launch on one thread, ``Simulation.serial_particles``).

    python benchmarks/fill_cost.py                                  # 0.6 mm: 14,194 particles, about 17 min
    python benchmarks/fill_cost.py --particle-diameter 0.8e-3 --rotor-time 0.01 --json
"""

import json
import tempfile
import time
from pathlib import Path

import click
from stages import empty_step_seconds

from mfdem.config import make_config, read_text
from mfdem.mixer import scenario as mixer
from mfdem.mixer.runner import MixerRun


def timed_run(cfg, path: Path) -> tuple[list[dict], float]:
    """Run ``cfg`` to its end; per output interval its phase, time step, particles at the end, steps,
    particle-steps (the particles present at each step), list builds and wall time (s); and the fixed cost of a
    step (s)."""
    run = MixerRun.create(cfg, path, overwrite=True)
    sim = run.sim
    sim.serial_particles = 0
    rows, mark = [], {"step": 0, "time": sim.time, "t": time.perf_counter(), "ps": 0, "builds": 0}
    step = sim.step

    def counting_step(n_steps=1):
        mark["ps"] += n_steps * sim.n          # the inlets insert between calls
        return step(n_steps)

    end_interval = run._end_interval

    def timed_end_interval(*args, **kwargs):
        rows.append({"phase": "fill" if run.interval < (run.fill_intervals or 0) else "mixing", "dt": sim.dt,
                     "start_s": mark["time"], "end_s": sim.time, "particles": sim.n,
                     "steps": sim.step_count - mark["step"], "particle_steps": mark["ps"],
                     "builds": sim.neighbors.n_builds - mark["builds"], "wall_s": time.perf_counter() - mark["t"]})
        result = end_interval(*args, **kwargs)
        mark.update(step=sim.step_count, time=sim.time, t=time.perf_counter(), ps=0, builds=sim.neighbors.n_builds)
        return result

    sim.step, run._end_interval = counting_step, timed_end_interval
    status = run.run(progress=False)
    if status != "complete":
        raise click.ClickException(f"the run ended {status}")
    return rows, empty_step_seconds(sim, 200)


def costs(rows: list[dict], fixed: float, spun_from: float) -> dict:
    """The fill's and the mixing's cost per particle-step (s) net of the ``fixed`` cost of a step (s); the
    mixing over the intervals that start at ``spun_from`` (s, the end of the rotor's spin-up) or later."""
    fill = [r for r in rows if r["phase"] == "fill"]
    spun = [r for r in rows if r["phase"] == "mixing" and r["start_s"] >= spun_from * (1 - 1e-9)]
    if not fill or not spun:
        raise click.ClickException("need a fill interval and a rotor interval after the spin-up: lengthen "
                                   "--fill-time or --rotor-time, or shorten --output-interval")

    def net(phase):
        return sum(r["wall_s"] - fixed * r["steps"] for r in phase) / sum(r["particle_steps"] for r in phase)

    fill_cost, mixing_cost = net(fill), net(spun)
    return {"fixed_s_per_step": fixed, "fill_s_per_particle_step": fill_cost,
            "mixing_s_per_particle_step": mixing_cost, "fill_to_mixing": fill_cost / mixing_cost}


@click.command()
@click.option("--particle-diameter", default=0.6e-3, show_default=True, help="m.")
@click.option("--fill-time", default=None, type=float, help="s (default: the config's, 0.1).")
@click.option("--rotor-time", default=0.015, show_default=True, help="Rotor time after the fill, s.")
@click.option("--output-interval", default=None, type=float, help="s (default: the config's, 0.005).")
@click.option("--threads", default=2, show_default=True, help="CPU threads.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Run config TOML (material, mixer); the options above override it.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(particle_diameter, fill_time, rotor_time, output_interval, threads, config_file, as_json):
    run = {"arch": "cpu", "threads": threads, "duration": rotor_time}
    for key, value in (("fill_time", fill_time), ("output_interval", output_interval)):
        if value is not None:
            run[key] = value
    cfg = make_config(toml_text=read_text(config_file) if config_file else None, origin=config_file or "config",
                      overrides={"run": run, "particles": {"diameter": particle_diameter}})
    spin_up, interval = cfg.run.rotor_ramp_time, cfg.run.output_interval
    if rotor_time < spin_up + interval * (1 - 1e-9):
        raise click.BadParameter(f"{rotor_time:g} s: the mixing is timed over whole output intervals after the "
                                 f"rotor's spin-up (run.rotor_ramp_time = {spin_up:g} s), so it must be at least "
                                 f"{spin_up + interval:g} s (spin-up + --output-interval of {interval:g} s)",
                                 param_hint="--rotor-time")
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        rows, fixed = timed_run(cfg, Path(folder) / "fill_cost.h5")
        wall = time.perf_counter() - t0
    result = {"particle_diameter": particle_diameter, "particles": rows[-1]["particles"], "threads": threads,
              "intervals": rows, "wall_s": wall, **costs(rows, fixed, cfg.run.fill_time + spin_up)}
    paper = make_config()
    geometry = mixer.build_geometry(paper)
    dt, fill_dt = mixer.time_step(paper, geometry), mixer.fill_time_step(paper, geometry)
    total = mixer.run_particle_steps(paper, dt, fill_dt)
    fill_share = (total - paper.n_particles * paper.run.duration / dt) / total
    result["paper_case_fill_share"] = fill_share
    result["paper_case_projection_change"] = -fill_share * (1 - result["fill_to_mixing"])
    if as_json:
        click.echo(json.dumps(result))
        return
    for r in rows:
        click.echo(f"{r['phase']:6s} dt {r['dt']:.3g} s, {r['particles']:6d} particles, {r['steps']} steps, "
                   f"{r['builds']} list builds, {r['wall_s']:.1f} s")
    click.echo(f"fixed cost {result['fixed_s_per_step'] * 1e6:.0f} µs per step; net of it, a particle-step costs "
               f"{result['fill_s_per_particle_step'] * 1e9:.0f} ns in the fill and "
               f"{result['mixing_s_per_particle_step'] * 1e9:.0f} ns in the mixing: "
               f"ratio {result['fill_to_mixing']:.2f}")
    click.echo(f"the paper case's fill is {fill_share:.1%} of its particle-steps: at this ratio its projection "
               f"(mixer_sector.py, fill at the mixing rate) would change by "
               f"{result['paper_case_projection_change']:+.1%}")


if __name__ == "__main__":
    main()
