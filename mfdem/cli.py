"""The ``mfdem`` command line: a thin layer over the Python API (SI units unless an option says otherwise)."""

import json
import math
import time
import warnings

import click

from mfdem import __version__
from mfdem.analysis.cli import analyze
from mfdem.calibration.cli import calibrate
from mfdem.cli_common import CTX, OUT_RULE, echo_json, with_options
from mfdem.cli_common import fail as _fail
from mfdem.engine.contact import registry
from mfdem.exits import Commands, Failure
from mfdem.mixer.cli import sweep
from mfdem.viz.cli import export_vtk_command, play_command


@click.group(cls=Commands, context_settings=CTX)
@click.version_option(__version__, prog_name="mfdem")
def main() -> None:
    """Coarse-grained DEM for high-intensity rotor-stator powder mixers.

    Units and options, the same in every command: SI units (masses in kg), rotor and drum speeds in rev/min
    (--rpm). --out is the output file of a command that writes one file (run) and the output folder of one that
    writes several (calibrate compaction|drum|fit, sweep, export-vtk; analyze writes its figures into --plots
    DIR). --json prints one JSON object on stdout (analyze: one per run and line) and nothing else there. Old
    spellings work in this version with a warning: --fill-mass and --mass in grams, --sliding-friction,
    --wall-friction, export-vtk's OUTDIR argument, run.fill_mass in g, and in fit files mass, fill_mass, omega
    (rad/s) and sliding_friction.
    """
    warnings.formatwarning = _one_line_warning


def _one_line_warning(message, category, filename, lineno, line=None) -> str:  # noqa: ARG001
    return f"warning: {message}\n"


def _law_coefficient_options(command):
    """A ``--<name>`` option for every coefficient a registered normal law takes from the user."""
    return with_options(command, [
        click.option(f"--{c.name.replace('_', '-')}", c.name, type=float, default=None,
                     help=f"{c.doc[0].upper()}{c.doc[1:]}, {c.unit} "
                          f"({', '.join(m.NAME for m in registry.NORMAL if c in m.COEFFICIENTS)}) [the config's "
                          f"contact.{c.name}_wall or _particle, by --target].")
        for c in registry.user_coefficients("normal")])


def _impact_coefficients(cfg, normal_model: str, target: str, given: dict) -> dict:
    """The normal law's own coefficients for the impact: the options given, else the config's for the target."""
    from mfdem.validation import InputError  # noqa: PLC0415

    own = list(registry.own_coefficients(normal_model))
    stray = [name for name, v in given.items() if v is not None and name not in own]
    if stray:
        raise InputError(f"--{stray[0].replace('_', '-')}: not a coefficient of --normal-model {normal_model}"
                         + (f" (it takes {', '.join('--' + n.replace('_', '-') for n in own)})" if own else ""))
    side = "wall" if target == "wall" else "particle"
    return {name: getattr(cfg.contact, f"{name}_{side}") if given.get(name) is None else given[name]
            for name in own}


@main.command()
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Run config (TOML) whose particle, wall and friction the impact uses [the default run's].")
@click.option("--radius", type=float, help="Sphere radius, m (e.g. 1.5e-4) [the config's particle diameter / 2].")
@click.option("--density", type=float, help="Particle density, kg/m^3 [the config's].")
@click.option("--youngs-modulus", type=float, help="Young's modulus of the particle, Pa [the config's].")
@click.option("--poisson-ratio", type=float, help="Poisson ratio of the particle, - [the config's].")
@click.option("--yield-ratio", type=float, default=None,
              help="Thornton-Ning yield ratio, - (read as --yield-ratio-definition says) [the config's yield].")
@click.option("--yield-ratio-definition", type=click.Choice(["contact_radius", "overlap"]), default=None,
              help="contact_radius: a_y = ratio R (LIGGGHTS); overlap: delta_y = ratio R* [the config's].")
@click.option("--yield-pressure", type=float, default=None,
              help="Thornton-Ning limiting contact pressure p_y, Pa [the config's yield].")
@click.option("--normal-model", type=click.Choice(registry.names("normal")), default=None,
              help="Normal contact law (engine/contact/registry.py) [the config's contact.normal_model; auto: "
                   "thornton_ning when a yield is set, else hertz].")
@_law_coefficient_options
@click.option("--velocity", type=float, required=True,
              help="Impact speed, m/s (for --target sphere: relative approach speed).")
@click.option("--angle", type=float, default=0.0, show_default=True, help="Impact angle from the normal, degrees.")
@click.option("--target", type=click.Choice(["wall", "sphere"]), default="wall", show_default=True,
              help="A flat wall or an equal sphere.")
@click.option("--friction", type=float, default=None,
              help="Sliding friction coefficient, - [the config's particle-wall or particle-particle friction].")
@click.option("--wall-youngs-modulus", type=float, default=None,
              help="Young's modulus of the wall, Pa [the config's wall: steel].")
@click.option("--wall-poisson-ratio", type=float, default=None,
              help="Poisson ratio of the wall, - [the config's wall].")
@click.option("--steps-per-contact", type=int, default=200, show_default=True,
              help="Time steps per Hertz contact time at this speed, -.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (SI units).")
def impact(config_file, radius, density, youngs_modulus, poisson_ratio, yield_ratio, yield_ratio_definition,
           yield_pressure, normal_model, velocity, angle, target, friction, wall_youngs_modulus, wall_poisson_ratio,
           steps_per_contact, as_json, **law_coefficients):
    """Simulate one sphere-wall or sphere-sphere collision with the full engine and print the outcome.

    Without material options it uses the particle, the wall (steel) and the friction of the default run (or
    of --config). A sphere pressed through the wall or its partner is reported as a result, not an error.

    Examples: mfdem impact --velocity 40;  mfdem impact --radius 1.5e-4 --density 2417 --youngs-modulus 1e8
    --yield-ratio 0.0103 --velocity 10
    """
    from mfdem.config import load_config, make_config  # noqa: PLC0415 - keeps `mfdem --help` fast
    from mfdem.scenarios.impact import simulate_impact  # noqa: PLC0415
    from mfdem.validation import InputError  # noqa: PLC0415

    try:
        cfg = load_config(config_file) if config_file else make_config()
        p = cfg.particles
        if yield_ratio is None and yield_pressure is None:   # the config's yield, spelt as it spells it
            yield_ratio, yield_pressure = p.yield_ratio or None, p.yield_pressure or None
        if normal_model is None and cfg.contact.normal_model != "auto":
            normal_model = cfg.contact.normal_model
        if normal_model is None:
            normal_model = registry.default_normal_model(yield_ratio is not None or yield_pressure is not None)
        coefficients = _impact_coefficients(cfg, normal_model, target, law_coefficients)
        if friction is None:
            friction = cfg.contact.friction_wall if target == "wall" else cfg.contact.friction_particle
        r = simulate_impact(
            radius=p.diameter / 2 if radius is None else radius, density=p.density if density is None else density,
            youngs_modulus=p.youngs_modulus if youngs_modulus is None else youngs_modulus,
            poisson_ratio=p.poisson_ratio if poisson_ratio is None else poisson_ratio, yield_ratio=yield_ratio,
            yield_pressure=yield_pressure, normal_model=normal_model, velocity=velocity, angle=angle,
            target=target, friction=friction,
            yield_ratio_definition=yield_ratio_definition or p.yield_ratio_definition,
            wall_youngs_modulus=cfg.wall.youngs_modulus if wall_youngs_modulus is None else wall_youngs_modulus,
            wall_poisson_ratio=cfg.wall.poisson_ratio if wall_poisson_ratio is None else wall_poisson_ratio,
            steps_per_contact=steps_per_contact, coefficients=coefficients)
    except InputError as exc:
        _fail(exc)
    d = r.to_dict()
    if as_json:
        echo_json(d)
        return
    if r.pass_through:
        click.echo(f"pass-through: at {velocity:g} m/s the sphere was pressed through "
                   f"{'the wall' if target == 'wall' else 'its partner'} (overlap beyond "
                   f"{'2R' if target == 'wall' else 'the centre'}); this material holds a wall only below about "
                   f"sqrt(3 p_y / rho) = {r.pass_through_speed:.3g} m/s. Raise the yield pressure (or the Young's "
                   "modulus with a yield ratio) or lower the speed.")
        return
    if not r.ended:
        click.echo(f"the contact had not ended after {r.steps} steps; raise --steps-per-contact or check the "
                   "parameters")
        return
    theory_note = "Thornton 1997" if r.normal_model in ("thornton_ning", "hertz") else f"{r.normal_model} theory"
    elastic = "(elastic)" if r.normal_model == "hertz" else f"(no yield point in {r.normal_model})"
    rows = [("normal restitution", f"{r.restitution:.6f}", f"({theory_note}: {r.restitution_theory:.6f})"),
            ("tangential restitution", f"{r.tangential_restitution:.6f}", ""),
            ("yield velocity", f"{r.yield_velocity:.4g} m/s", f"(impact at {velocity / r.yield_velocity:.3g} V_y)"
             if math.isfinite(r.yield_velocity) else elastic),
            ("max overlap", f"{r.max_overlap:.4g} m", f"({r.max_overlap_ratio:.3g} R)"),
            ("max normal force", f"{r.max_force:.4g} N", ""),
            ("contact time", f"{r.contact_time:.4g} s", f"({r.contact_time / r.hertz_contact_time:.3f} × Hertz)"),
            ("dissipated work", f"{r.dissipated_work:.4g} J",
             f"({r.dissipated_work / r.impact_energy:.4f} × ½m*V_n²)"),
            ("angular velocity after", f"{r.angular_velocity_after:.4g} rad/s", ""),
            ("pass-through speed", f"{r.pass_through_speed:.4g} m/s", "(sqrt(3 p_y / rho))"),
            ("time step", f"{r.dt:.3g} s", f"({r.steps} steps)")]
    for name, value, note in rows:
        click.echo(f"{name:<24s}{value:<18s}{note}")


_RUN_OPTIONS = {  # CLI option -> (config section, key)
    "rpm": ("run", "rpm"), "duration": ("run", "duration"), "charge_mass": ("run", "charge_mass"),
    "fill_time": ("run", "fill_time"), "particle_diameter": ("particles", "diameter"), "dt": ("run", "dt"),
    "output_interval": ("run", "output_interval"), "snapshot_every": ("run", "snapshot_every"),
    "full_mixer": ("run", "full_mixer"), "arch": ("run", "arch"), "seed": ("run", "seed"),
    "precision": ("run", "precision"), "overlap_limit": ("run", "overlap_limit"),
    "overlap_action": ("run", "overlap_action"),
}


@main.command()
@click.option("--rpm", type=float, help="Rotor speed, rev/min [10000].")
@click.option("--duration", type=float, help="Rotor run after filling, s [0.4].")
@click.option("--charge-mass", type=float, metavar="KG",
              help="Particle mass in one fifth of the mixer, kg [0.00388] (x5 with --full-mixer); run.charge_mass.")
@click.option("--fill-mass", type=float, metavar="G",
              help="Deprecated: the same in grams (converted to --charge-mass in kg; accepted in this version only).")
@click.option("--fill-time", type=float, help="Time over which the two inlets insert the fill, s [0.1].")
@click.option("--particle-diameter", type=float, help="Coarse-grained particle diameter, m [300e-6].")
@click.option("--dt", type=float, help="Time step, s [from the time-step helper: the normal law's steps per "
              "contact at the tip speed, 12 for Thornton–Ning].")
@click.option("--output-interval", type=float, help="Interval of the work/collision logs, s [0.005].")
@click.option("--snapshot-every", type=int, help="A snapshot every this many output intervals [1].")
@click.option("--full-mixer/--sector", default=None, help="Whole 360-degree mixer instead of the 72-degree sector.")
@click.option("--arch", type=click.Choice(["auto", "cpu", "cuda"]), help="Taichi backend [auto].")
@click.option("--precision", type=click.Choice(["f64", "f32"]), help="Contact arithmetic precision [f64].")
@click.option("--seed", type=int, help="Seed of the inlet positions [1].")
@click.option("--overlap-limit", type=float, help="Largest contact overlap allowed, in particle radii [0.5].")
@click.option("--overlap-action", type=click.Choice(["refuse", "stop", "warn"]),
              help="Beyond --overlap-limit: refuse a too-soft particle before the run and stop the run when it "
                   "happens; stop: only stop; warn: only warn (experts) [refuse].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="TOML file with any settings (see docs); options given here override it.")
@click.option("--preset", type=click.Choice(["paper", "quick"]), default=None,
              help="Starting point: the paper's set-up, or a few-minute demo with fewer, larger particles [paper].")
@click.option("--from-fill", "from_fill", type=click.Path(dir_okay=False),
              help="Start from the filled charge of this run file (its stored settings, changed by --config and "
                   "the options given; particles, walls, geometry and fill must stay the same).")
@click.option("--out", type=click.Path(dir_okay=False), default="run.h5", show_default=True,
              help="Output file: the run file (HDF5). " + OUT_RULE)
@click.option("--overwrite", is_flag=True, help="Replace an existing --out file.")
@click.option("--resume", "resume_file", type=click.Path(dir_okay=False),
              help="Continue this run file from its last complete interval with its stored settings (only "
                   "--quiet, --json, --overlap-limit and --overlap-action may be added: the last two to carry a "
                   "run that an overlap guard stopped past that point).")
@click.option("--print-config", is_flag=True,
              help="Print the resolved configuration as TOML (with --json: as one JSON object) and exit.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object at the end (path, status, intervals, n_intervals, n_particles, dt s, "
                   "wall_time s, error) and nothing else on stdout; no progress bar.")
def run(config_file, preset, from_fill, out, overwrite, resume_file, print_config, quiet, as_json, fill_mass,
        **options):
    """Fill the mixer (one 72-degree sector by default), spin the rotor and log every particle's dissipated
    work and collisions to an HDF5 run file (docs/hdf5.md).

    Units: SI (mass in kg), the rotor speed in rev/min.

    Examples: mfdem run --preset quick;  mfdem run --rpm 10000 --out n10000.h5;  mfdem run --resume n10000.h5;
    mfdem run --from-fill n10000.h5 --rpm 5000 --out n5000.h5
    """
    from mfdem.config import load_config, make_config, mass_option, read_text  # noqa: PLC0415 - fast --help
    from mfdem.io import RunFileError  # noqa: PLC0415
    from mfdem.mixer.runner import GUARD_SETTINGS, MixerRun, RunStopped, config_from_fill  # noqa: PLC0415
    from mfdem.validation import InputError  # noqa: PLC0415

    t0 = time.perf_counter()   # wall_time of --json: the whole command, set-up and kernel compiles included
    try:
        options["charge_mass"] = mass_option(options["charge_mass"], fill_mass, "--charge-mass", "--fill-mass")
    except InputError as exc:
        _fail(exc)
    overrides = {}
    for name, value in options.items():
        if value is not None:
            section, key = _RUN_OPTIONS[name]
            overrides.setdefault(section, {})[key] = value
    guard = {}
    if resume_file:   # a resumed run keeps the settings stored in its file, but for when it stops
        guard = {key: overrides["run"][key] for key in GUARD_SETTINGS if key in overrides.get("run", {})}
        given = [f"--{name.replace('_', '-')}" for name, value in options.items()
                 if value is not None and name not in GUARD_SETTINGS]
        given += [flag for flag, used in (("--config", config_file), ("--preset", preset),
                                          ("--from-fill", from_fill), ("--overwrite", overwrite),
                                          ("--print-config", print_config)) if used]
        if given:
            raise click.UsageError(f"--resume continues a run with the settings stored in its file; it cannot be "
                                   f"combined with {', '.join(given)}")
    if from_fill and preset:
        raise click.UsageError("--from-fill starts from the settings stored in its file; it cannot be combined "
                               "with --preset")
    try:
        if resume_file:
            job = MixerRun.resume(resume_file, guard)
        else:
            if from_fill:
                cfg = config_from_fill(from_fill, toml_text=read_text(config_file) if config_file else None,
                                       overrides=overrides)
            elif config_file:
                cfg = load_config(config_file, preset=preset or "paper", overrides=overrides)
            else:
                cfg = make_config(preset=preset or "paper", overrides=overrides)
            if print_config:
                click.echo(json.dumps(cfg.to_dict()) if as_json else cfg.to_toml(), nl=as_json)
                return
            job = MixerRun.create(cfg, out, overwrite=overwrite, from_fill=from_fill)
    except (InputError, RunFileError) as exc:
        _fail(exc)
    c = job.cfg
    if not as_json:
        click.echo(f"{c.n_particles} particles of {c.particles.diameter * 1e6:.0f} um, "
                   f"{'full mixer' if c.run.full_mixer else '72-degree sector'}, {c.run.rpm:g} rpm, "
                   f"dt {job.dt:.3g} s (fill {job.fill_dt:.3g} s), {job.total_steps} steps ({job.n_intervals} "
                   f"intervals of {c.run.output_interval:g} s) -> {job.path}", err=True)
    error = None
    try:
        status = job.run(progress=not (quiet or as_json))
    except RunStopped as exc:
        status, error = "failed", (f"{exc}. The run stopped; {job.path} (status failed) keeps its {job.interval} "
                                   "completed intervals")
    finally:
        job.close()   # its compiled engine serves a later command in this process (a resume, in a notebook)
    if as_json:
        click.echo(json.dumps({"path": str(job.path), "status": status, "intervals": job.interval,
                               "n_intervals": job.n_intervals, "n_particles": c.n_particles, "dt": job.dt,
                               "fill_dt": job.fill_dt, "wall_time": time.perf_counter() - t0, "error": error}))
    if error is not None:
        raise Failure(error)
    if not as_json:
        click.echo(f"{job.path}: {status} ({job.interval} of {job.n_intervals} intervals)", err=True)
    if status != "complete":
        raise SystemExit(130 if status == "interrupted" else 1)


@main.command()
@click.argument("run_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: path, repaired (write flags were cleared), checked, status (the run's: "
                   "complete, interrupted, failed, or running if it was killed), intervals.")
def repair(run_file, as_json):
    """Clear the 'open for writing' flags a killed run leaves in RUN_FILE, so any HDF5 tool opens it, then read
    every dataset once: a truncated or damaged file is reported, naming what is lost."""
    from mfdem.io import RunFileError, open_run  # noqa: PLC0415
    from mfdem.io import repair as repair_file  # noqa: PLC0415

    try:
        changed = repair_file(run_file)
        if as_json:
            with open_run(run_file) as rf:
                click.echo(json.dumps({"path": str(run_file), "repaired": changed,
                                       "checked": ["write flags", "every dataset readable"], "status": rf.status,
                                       "intervals": rf.n_intervals}))
            return
    except RunFileError as exc:
        _fail(exc)
    click.echo(f"{run_file}: {'repaired' if changed else 'nothing to repair'}")


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False), default="mfdem_examples")
@click.option("--overwrite", is_flag=True, help="Replace files already there (default: keep them).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: the folder and the files copied.")
def examples(outdir, overwrite, as_json):
    """Copy the shipped examples into OUTDIR [mfdem_examples]: calibration/ (example fit set-up, synthetic
    targets, base config; run with `mfdem calibrate fit --setup OUTDIR/calibration/example_fit.toml`) and
    geometries/ (the default mixer meshes as STL, metres)."""
    from mfdem.examples import copy_examples  # noqa: PLC0415
    from mfdem.io.paths import check_output  # noqa: PLC0415
    from mfdem.validation import InputError  # noqa: PLC0415

    try:
        check_output(outdir, "OUTDIR", folder=True)
        written = copy_examples(outdir, overwrite=overwrite)
    except (OSError, InputError) as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps({"out": str(outdir), "files": [str(p) for p in written]}))
    else:
        click.echo(f"{len(written)} files copied into {outdir}/ (calibration/, geometries/)"
                   + ("" if written else "; all were there already (--overwrite replaces them)"))


main.add_command(analyze)
main.add_command(calibrate)
main.add_command(sweep)
main.add_command(play_command)
main.add_command(export_vtk_command)

if __name__ == "__main__":
    main()
