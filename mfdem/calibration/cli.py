"""``mfdem calibrate compaction|drum|fit``: thin command lines over mfdem.calibration.

Register on the main group with ``main.add_command(calibrate)``. SI units (masses in kg); speeds in rev/min.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import click

from mfdem.cli_common import CTX, OUT_RULE, cluster_options, cluster_spec, echo_json, errors, fail, with_options
from mfdem.exits import BadInput as _Error

# Material options -> the config keys they set. An option for one key is named after the config field; the
# elastic, yield and friction options are also the fit's parameters (calibrate fit --param), with the same
# meaning: friction = friction_particle and friction_wall together, likewise rolling_friction.
MATERIAL_KEYS = {
    "particle_diameter": (("particles", "diameter"),),
    "density": (("particles", "density"),),
    "youngs_modulus": (("particles", "youngs_modulus"),),
    "poisson_ratio": (("particles", "poisson_ratio"),),
    "yield_ratio": (("particles", "yield_ratio"),),
    "yield_pressure": (("particles", "yield_pressure"),),
    "friction": (("contact", "friction_particle"), ("contact", "friction_wall")),
    "friction_particle": (("contact", "friction_particle"),),
    "friction_wall": (("contact", "friction_wall"),),
    "rolling_friction": (("contact", "rolling_friction_particle"), ("contact", "rolling_friction_wall")),
    "rolling_friction_particle": (("contact", "rolling_friction_particle"),),
    "rolling_friction_wall": (("contact", "rolling_friction_wall"),),
    "rolling_model": (("contact", "rolling_model"),),
    "threads": (("run", "threads"),),
    "arch": (("run", "arch"),),
}
# Old spellings, accepted in this version only: old option -> (new option, what the old one meant)
OLD_MATERIAL_OPTIONS = {
    "sliding_friction": ("friction_particle", "set the particle-particle friction only (contact.friction_particle), "
                                              "unlike the fit's parameter, which set particle and wall (now friction)"),
    "wall_friction": ("friction_wall", "set the particle-wall friction (contact.friction_wall)"),
}


def _material_options(f):
    """Options that override the [particles]/[contact] settings of --config (or the mixer defaults)."""
    return with_options(f, [
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Run config (TOML) whose [particles], [wall] and [contact] settings are the starting "
                          "point [default: the mixer defaults, which are uncalibrated estimates]."),
        click.option("--particle-diameter", type=float, metavar="M",
                     help="Coarse-grained particle diameter, m (particles.diameter)."),
        click.option("--density", type=float, metavar="KG/M3", help="Particle density, kg/m^3 (particles.density)."),
        click.option("--youngs-modulus", type=float, metavar="PA",
                     help="Particle Young's modulus, Pa (particles.youngs_modulus)."),
        click.option("--poisson-ratio", type=float, metavar="-",
                     help="Particle Poisson ratio, - (particles.poisson_ratio)."),
        click.option("--yield-ratio", type=float, metavar="-",
                     help="Thornton-Ning yield ratio a_y/R (LIGGGHTS definition), -; 0 = elastic "
                          "(particles.yield_ratio)."),
        click.option("--yield-pressure", type=float, metavar="PA",
                     help="Thornton-Ning limiting contact pressure, Pa; instead of --yield-ratio "
                          "(particles.yield_pressure)."),
        click.option("--friction", type=float, metavar="-",
                     help="Sliding friction particle-particle and particle-wall, - (both of the next two)."),
        click.option("--friction-particle", type=float, metavar="-",
                     help="Sliding friction particle-particle, - (contact.friction_particle)."),
        click.option("--friction-wall", type=float, metavar="-",
                     help="Sliding friction particle-wall, - (contact.friction_wall)."),
        click.option("--rolling-friction", type=float, metavar="-",
                     help="Rolling friction particle-particle and particle-wall, - (both of the next two)."),
        click.option("--rolling-friction-particle", type=float, metavar="-",
                     help="Rolling friction particle-particle, - (contact.rolling_friction_particle)."),
        click.option("--rolling-friction-wall", type=float, metavar="-",
                     help="Rolling friction particle-wall, - (contact.rolling_friction_wall)."),
        click.option("--rolling-model", type=click.Choice(["epsd", "constant_torque", "none"]),
                     help="Rolling resistance model [epsd]; none is faster when the rolling friction is 0."),
        click.option("--sliding-friction", type=float, metavar="-",
                     help="Deprecated spelling of --friction-particle (particle-particle only, unlike the fit's "
                          "friction); accepted in this version only."),
        click.option("--wall-friction", type=float, metavar="-",
                     help="Deprecated spelling of --friction-wall; accepted in this version only."),
        click.option("--threads", type=int, metavar="N", help="CPU threads for Taichi [all cores]."),
        click.option("--arch", type=click.Choice(["auto", "cpu", "cuda"]), help="Taichi backend [auto]."),
    ])


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _material_config(config_file, **options):
    """The run config of --config (or the defaults) with the material options given (MATERIAL_KEYS)."""
    from mfdem.config import load_config, make_config, warn_deprecated  # noqa: PLC0415

    for old, (new, meaning) in OLD_MATERIAL_OPTIONS.items():
        value = options.pop(old)
        if value is None:
            continue
        if options[new] is not None:
            raise click.UsageError(f"give {_option(new)} or the deprecated {_option(old)}, not both")
        options[new] = value
        warn_deprecated(f"{_option(old)} {value:g} {meaning}: it is now {_option(new)} {value:g}")
    o: dict = {}
    setter: dict = {}
    for name, value in options.items():
        if value is None:
            continue
        for section, key in MATERIAL_KEYS[name]:
            if (section, key) in setter:
                raise click.UsageError(f"{_option(setter[section, key])} and {_option(name)} both set "
                                       f"{section}.{key}; give one of them")
            setter[section, key] = name
            o.setdefault(section, {})[key] = value
    for given, other in (("yield_ratio", "yield_pressure"), ("yield_pressure", "yield_ratio")):
        if options[given] is not None and options[other] is None:   # alternatives: one replaces the config's
            o["particles"][other] = 0.0
    return load_config(config_file, overrides=o) if config_file else make_config(overrides=o)


def _mass(kg, grams, new: str, old: str, default: float, *, zero_ok: bool) -> float:
    """Mass option ``new`` in kg, or its deprecated spelling ``old`` in grams (converted), or ``default``."""
    from mfdem.config import mass_option  # noqa: PLC0415
    from mfdem.validation import check_range  # noqa: PLC0415

    kg = mass_option(kg, grams, new, old)
    return default if kg is None else check_range(new, kg, 0, None, lo_open=not zero_ok, unit="kg")


def _output(outdir, name: str) -> Path:
    """``outdir/name``, the folder made if missing (it was checked before the simulation)."""
    Path(outdir).mkdir(parents=True, exist_ok=True)
    return Path(outdir) / name


def check_output(path, what: str, folder: bool = False):
    from mfdem.io.paths import check_output as check  # noqa: PLC0415

    return check(path, what, folder=folder)


@click.group("calibrate", context_settings=CTX)
def calibrate():
    """Calibration twins of the paper's lab tests (compaction, GranuDrum) and the parameter fit.

    The particle, wall and contact settings come from --config (a run config) or the mixer defaults; the
    fit writes the calibrated set as a run config for `mfdem run --config`. See docs/calibration.md.

    One name per setting: the material options of compaction and drum, the fit's parameters (--param, [search])
    and the run config use the same names with the same meaning: --friction-particle / friction_particle /
    contact.friction_particle (particle-particle), --friction-wall / friction_wall / contact.friction_wall
    (particle-wall), --friction / friction (both; the fit's former sliding_friction), and likewise
    --rolling-friction-particle, --rolling-friction-wall, --rolling-friction; --youngs-modulus, --yield-ratio,
    --yield-pressure / particles.*. Masses in kg (--powder-mass, --charge-mass; powder_mass, charge_mass in fit
    files), drum speed in rev/min (--rpm; rpm in fit files).
    """


@calibrate.command("compaction", context_settings=CTX)
@click.option("--powder-mass", type=float, metavar="KG", help="Powder mass in the die, kg.  [default: 0.001]")
@click.option("--mass", type=float, metavar="G",
              help="Deprecated: the powder mass in grams (converted to --powder-mass; accepted in this version only).")
@click.option("--die-diameter", type=float, default=0.012, show_default=True, metavar="M", help="Die diameter, m.")
@click.option("--target-force", type=float, default=1000.0, show_default=True, metavar="N",
              help="Piston force where loading stops and unloading starts, N.")
@click.option("--piston-speed", type=float, default=0.0, show_default=True, metavar="M/S",
              help="Piston speed, m/s; 0 = quasi-static speed from --inertial-number.")
@click.option("--inertial-number", type=float, default=5e-3, show_default=True, metavar="-",
              help="Inertial number at 1 % of the target stress for the automatic piston speed, -.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the fill lattice jitter.")
@click.option("--check-quasi-static", is_flag=True,
              help="Also run at half the piston speed and report the change of the curve (< 2 % passes).")
@click.option("--out", "outdir", type=click.Path(file_okay=False), default="compaction", show_default=True,
              help="Output folder: compaction.csv (curve), compaction.png (plot), compaction.json (numbers). "
                   + OUT_RULE)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (SI units).")
@_material_options
def compaction_command(powder_mass, mass, die_diameter, target_force, piston_speed, inertial_number, seed,
                       check_quasi_static, outdir, as_json, **material):
    """Compress --powder-mass kg of particles in a cylindrical die with a piston up to --target-force and back.

    Writes the force-displacement curve (loading and unloading) as CSV and PNG and prints the displacement
    at the target force (m, from the 1 % preload), the porosities and the poured bulk density.

    Example: mfdem calibrate compaction --powder-mass 1e-3 --die-diameter 0.012 --target-force 1000
    --youngs-modulus 1e9 --yield-ratio 0.08 --json
    """
    from mfdem.calibration.compaction import (  # noqa: PLC0415
        CompactionSetup,
        quasi_static_check,
        simulate_compaction,
    )

    try:
        check_output(outdir, "--out", folder=True)
        powder_mass = _mass(powder_mass, mass, "--powder-mass", "--mass", 1.0e-3, zero_ok=False)
        cfg = _material_config(**material)
        setup = CompactionSetup(mass=powder_mass, die_diameter=die_diameter, target_force=target_force,
                                piston_speed=piston_speed, inertial_number=inertial_number, seed=seed)
        from mfdem.calibration.compaction import plan  # noqa: PLC0415

        pl = plan(setup, cfg)    # every input checked before the simulation
        if not as_json:
            click.echo(f"{pl.n} particles of {cfg.particles.diameter * 1e6:.0f} um in a {die_diameter * 1e3:g} mm die, "
                       f"piston {pl.piston_speed:.3g} m/s, dt {pl.dt:.3g} s", err=True)
        check = None
        if check_quasi_static:
            check = quasi_static_check(setup, cfg)
            r = check["results"][0]
        else:
            r = simulate_compaction(setup, cfg, progress=not as_json)
    except errors() as exc:
        fail(exc)
    csv_path, png_path, json_path = (_output(outdir, f"compaction.{ext}") for ext in ("csv", "png", "json"))
    p, c = cfg.particles, cfg.contact
    header = [f"mfdem calibrate compaction: {powder_mass:g} kg, die {die_diameter:g} m, target {target_force:g} N, "
              f"piston {r.piston_speed:.4g} m/s",
              f"particles: diameter {p.diameter:g} m, density {p.density:g} kg/m3, E {p.youngs_modulus:g} Pa, "
              f"nu {p.poisson_ratio:g}, yield_pressure {p.yield_pressure:g} Pa, yield_ratio {p.yield_ratio:g} "
              f"({p.yield_ratio_definition}); friction {c.friction_particle:g}/"
              f"{c.friction_wall:g}, rolling {c.rolling_friction_particle:g}",
              "displacement from the preload (1 % of the target force); forces on the particles, N"]
    from mfdem.io.atomic import atomic_write_json  # noqa: PLC0415

    r.write_csv(csv_path, header)
    r.plot(png_path)
    out = {**r.summary(), "curve_csv": str(csv_path), "plot_png": str(png_path)}
    if check is not None:
        out["quasi_static"] = {k: v for k, v in check.items() if k != "results"}
    atomic_write_json(json_path, out)
    if as_json:
        echo_json(out)
        return
    for label, value in (("displacement at target", f"{r.displacement_at_target * 1e3:.4f} mm"),
                         ("initial porosity", f"{r.initial_porosity:.4f}"),
                         ("porosity at target", f"{r.porosity_at_target:.4f}"),
                         ("final porosity", f"{r.final_porosity:.4f}"),
                         ("poured bulk density", f"{r.bulk_density:.1f} kg/m3"),
                         ("die-wall friction share", f"{r.wall_friction_fraction:.3f}"),
                         ("largest overlap", f"{r.max_overlap_ratio:.2f} R (run.overlap_limit "
                                             f"{cfg.run.overlap_limit:g} R)"),
                         ("curve", f"{csv_path}, {png_path}")):
        click.echo(f"{label:<26s}{value}")
    if check is not None:
        click.echo(f"{'halving the speed':<26s}changes the curve by {check['curve_change'] * 100:.2f} % "
                   f"({'passed' if check['passed'] else 'NOT quasi-static: lower --piston-speed'})")


@calibrate.command("drum", context_settings=CTX)
@click.option("--charge-mass", type=float, metavar="KG",
              help="Powder mass in the simulated width, kg; 0 = 0.0512 kg x simulated width / 20 mm (0.00768 kg at "
                   "15 %).  [default: 0]")
@click.option("--fill-mass", type=float, metavar="G",
              help="Deprecated: the powder mass in grams (converted to --charge-mass; accepted in this version only).")
@click.option("--rpm", type=float, default=20.0, show_default=True, help="Drum speed, rev/min.")
@click.option("--drum-diameter", type=float, default=0.084, show_default=True, metavar="M", help="Drum diameter, m.")
@click.option("--drum-width", type=float, default=0.020, show_default=True, metavar="M",
              help="Axial length of the real drum, m.")
@click.option("--slice-fraction", type=float, default=0.15, show_default=True, metavar="-",
              help="Simulated share of the width (linear periodic boundaries along the axis), -.")
@click.option("--full-width", is_flag=True, help="Simulate the whole width between two turning side walls.")
@click.option("--duration", type=float, default=0.0, show_default=True, metavar="S",
              help="Sampling time after spin-up, s; 0 = one revolution.")
@click.option("--spinup", type=float, default=0.0, show_default=True, metavar="S",
              help="Time to reach steady flow before sampling, s; 0 = half a revolution.")
@click.option("--snapshots", type=int, default=60, show_default=True, help="Snapshots averaged over the duration.")
@click.option("--chord-fraction", type=float, default=0.2, show_default=True, metavar="-",
              help="Chord of the flowing angle as a fraction of the drum diameter (GranuDrum: 0.2 = D/5).")
@click.option("--drum-youngs-modulus", type=float, default=0.0, show_default=True, metavar="PA",
              help="Softened particle modulus for this twin only, Pa (larger time step); 0 = the particle's.")
@click.option("--size-spread", type=float, default=0.0, show_default=True, metavar="-",
              help="Particle radii uniform in R(1 +- spread), -.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the initial lattice jitter.")
@click.option("--out", "outdir", type=click.Path(file_okay=False), default="drum", show_default=True,
              help="Output folder: drum.png (averaged surface over the particles), drum.csv (surface profile and "
                   "angle fit), drum.json (numbers). " + OUT_RULE)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (SI units, angles in degrees).")
@_material_options
def drum_command(charge_mass, fill_mass, rpm, drum_diameter, drum_width, slice_fraction, full_width, duration, spinup,
                 snapshots, chord_fraction, drum_youngs_modulus, size_spread, seed, outdir, as_json, **material):
    """Turn a GranuDrum twin at RPM until steady flow, average the free surface over SNAPSHOTS snapshots and
    print the flowing angle (deg) over the central chord D/5 and the cohesive index.

    Example: mfdem calibrate drum --charge-mass 0.00768 --rpm 20 --friction-particle 0.5 --rolling-friction 0.1
    --json
    """
    from mfdem.calibration.drum import DrumSetup, plan, simulate_drum  # noqa: PLC0415
    from mfdem.theory import angular_speed  # noqa: PLC0415

    try:
        check_output(outdir, "--out", folder=True)
        charge_mass = _mass(charge_mass, fill_mass, "--charge-mass", "--fill-mass", 0.0, zero_ok=True)
        cfg = _material_config(**material)
        if not (rpm > 0 and math.isfinite(rpm)):
            raise _Error(f"--rpm {rpm:g}: must be > 0 rev/min")
        setup = DrumSetup(diameter=drum_diameter, width=drum_width, slice_fraction=slice_fraction,
                          full_width=full_width, omega=angular_speed(rpm), fill_mass=charge_mass,
                          snapshots=snapshots, duration=duration, spinup=spinup, chord_fraction=chord_fraction,
                          youngs_modulus=drum_youngs_modulus, size_spread=size_spread, seed=seed)
        pl = plan(setup, cfg)
        if not as_json:
            click.echo(f"{pl.n} particles ({pl.fill_mass:.3g} kg), dt {pl.dt:.3g} s, spin-up {pl.spinup:.3g} s + "
                       f"{pl.duration:.3g} s of sampling = {int((pl.spinup + pl.duration) / pl.dt)} steps", err=True)
        r = simulate_drum(setup, cfg, progress=not as_json)
    except errors() as exc:
        fail(exc)
    from mfdem.io.atomic import atomic_write_json  # noqa: PLC0415

    png, profile, json_path = (_output(outdir, f"drum.{ext}") for ext in ("png", "csv", "json"))
    r.plot(png)
    r.write_csv(profile, [f"mfdem calibrate drum: {rpm:g} rpm, drum {drum_diameter:g} m; surface profile in the "
                          "drum's cross-section, origin on the axis, y up"])
    out = {**r.summary(), "rpm": rpm, "plot_png": str(png), "profile_csv": str(profile)}
    atomic_write_json(json_path, out)
    if as_json:
        echo_json(out)
        return
    click.echo(f"{'flowing angle':<22s}{r.flowing_angle_deg:.2f} deg (halves {r.angle_first_half_deg:.2f} / "
               f"{r.angle_second_half_deg:.2f}{'' if r.steady else ': NOT steady, raise --spinup'})")
    click.echo(f"{'cohesive index':<22s}{r.cohesive_index:.2f}")
    click.echo(f"{'largest overlap':<22s}{r.max_overlap_ratio:.2f} R (run.overlap_limit {cfg.run.overlap_limit:g} R)")
    click.echo(f"{'plot, profile':<22s}{png}, {profile}")


def _target_options(command):
    """An option per measured target the registered twins declare (--curve, --bulk-density, --angle)."""
    from mfdem.calibration.twins import TARGETS  # noqa: PLC0415

    return with_options(command, [
        click.option(t.cli, t.name, type=click.Path(dir_okay=False) if t.reader is not None else float,
                     help=f"Measured {t.doc}" + (" file" if t.reader is not None else "") + f", {t.unit} "
                          f"([targets] {t.name}).")
        for t in TARGETS.values() if t.cli])


@calibrate.command("fit", context_settings=CTX)
@click.option("--setup", "setup_file", type=click.Path(dir_okay=False),
              help="Fit description (TOML): [targets], [weights], [search], [fit], [compaction], [drum], "
                   "[config] (see `mfdem examples`: calibration/example_fit.toml); the options below override it.")
@_target_options
@click.option("--param", "params", multiple=True, metavar="NAME=LO:HI[:log|lin]",
              help="A parameter to fit and its bounds (repeatable), named as the material options and the config: "
                   "youngs_modulus (Pa), yield_ratio, yield_pressure (Pa), friction_particle, friction_wall, "
                   "friction (both), rolling_friction_particle, rolling_friction_wall, rolling_friction (both).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Base run config (TOML); the fitted values replace its entries [default: mixer defaults].")
@click.option("--budget", type=click.IntRange(1, None), help="Number of evaluations (simulations of the twins) [20].")
@click.option("--batch", type=click.IntRange(1, None), help="Evaluations proposed and run in parallel per round [4].")
@click.option("--seed", type=int, help="Seed of the initial design [1].")
@click.option("--out", "outdir", type=click.Path(file_okay=False), default="fit", show_default=True,
              help="Output folder: best.toml (run config), report.csv/json, evaluations/ (resumable). " + OUT_RULE)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@cluster_options
def fit_command(setup_file, params, config_file, budget, batch, seed, outdir, as_json, **options):
    """Fit particle parameters (yield ratio, Young's modulus, sliding and rolling friction: your choice) to
    measured targets with the compaction and drum twins; evaluations run in parallel on Dask.

    Example: mfdem examples ex && mfdem calibrate fit --setup ex/calibration/example_fit.toml --out fit_out
    """
    from mfdem.calibration import fitting as F  # noqa: PLC0415
    from mfdem.calibration import search_space as S  # noqa: PLC0415
    from mfdem.validation import InputError  # noqa: PLC0415
    from mfdem.calibration.common import setup_from_dict  # noqa: PLC0415
    from mfdem.calibration.twins import TARGETS, TWINS  # noqa: PLC0415
    from mfdem.config import load_config  # noqa: PLC0415

    given = {name: options.pop(name) for name, t in TARGETS.items() if t.cli}
    try:
        check_output(outdir, "--out", folder=True)
        spec = cluster_spec(**options)
        data = F.load_fit_file(setup_file) if setup_file else {"_dir": "."}
        base_dir = Path(data["_dir"])
        tgt = dict(data.get("targets", {}))
        unknown = sorted(set(tgt) - set(TARGETS))
        if unknown:
            raise InputError(f"[targets]: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(TARGETS)}")
        values = {}
        for name, t in TARGETS.items():
            v = given.get(name)
            if v is None and tgt.get(name) is not None:    # a file in the fit file is relative to it
                v = str(base_dir / tgt[name]) if t.reader is not None else tgt[name]
            values[name] = v
        targets = F.Targets(weights=data.get("weights", {}), **values)
        if params:
            space = S.SearchSpace([S.parse_parameter(p) for p in params])
        else:
            search = data.get("search", {})
            plist = []
            for name, bounds in search.items():
                if not (isinstance(bounds, list) and len(bounds) in (2, 3)):
                    raise InputError(f"[search] {name}: give [lower, upper] or [lower, upper, \"log\"|\"lin\"]")
                plist.append(S.Parameter(name, *bounds[:2], None if len(bounds) == 2 else bounds[2] == "log"))
            space = S.SearchSpace(plist)
        fit_opts = data.get("fit", {})
        unknown = sorted(set(fit_opts) - {"budget", "batch", "seed"})
        if unknown:
            raise InputError(f"[fit]: unknown key(s) {', '.join(unknown)}; allowed: budget, batch, seed")
        cfg_path = config_file or (str(base_dir / data["config"]["base"]) if data.get("config", {}).get("base")
                                   else None)
        cfg = load_config(cfg_path) if cfg_path else None
        setups = {t.name: setup_from_dict(t.setup_class, data.get(t.name, {}), f"[{t.name}]") for t in TWINS}
        kwargs = dict(cfg=cfg, **setups, budget=budget if budget is not None else fit_opts.get("budget", 20),
                      batch=batch if batch is not None else fit_opts.get("batch", 4),
                      seed=seed if seed is not None else fit_opts.get("seed", 1),
                      outdir=outdir, spec=spec)
        result = F.fit(targets, space, progress=not as_json, **kwargs)
    except errors() as exc:
        fail(exc)
    failed = sum(e.get("status") != "complete" for e in result.evaluations)
    out = {"best": result.best, "best_objective_predicted": result.best_objective_predicted,
           "best_evaluated": result.best_evaluated, "best_evaluated_objective": result.best_evaluated_objective,
           "evaluations": len(result.evaluations), "failed_evaluations": failed, "config": str(result.config_path),
           "report": str(result.report_path)}
    if as_json:
        echo_json(out)
    else:
        click.echo("best parameters: " + ", ".join(f"{k} = {v:.5g}" for k, v in result.best.items()))
        click.echo(f"config: {result.config_path}  (mfdem run --config {result.config_path})")
        click.echo(f"report: {result.report_path}")
    if failed:   # the fit is written, but from fewer points than asked for: exit 1
        click.echo(f"mfdem: {failed} of {len(result.evaluations)} evaluations failed; their errors are in "
                   f"{Path(outdir) / 'evaluations'} (*.failed.json)", err=True)
        sys.exit(1)
