"""``mfdem calibrate compaction|drum|fit`` and ``mfdem sweep``: thin command lines over mfdem.calibration.

Register on the main group with ``main.add_command(calibrate)`` and ``main.add_command(sweep)``
(``from mfdem.calibration.cli import calibrate, sweep``). SI units, except where an option says grams or rpm.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

_CTX = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


from mfdem.exits import BadInput as _Error
from mfdem.exits import as_click


def _material_options(f):
    """Options that override the [particles]/[contact] settings of --config (or the mixer defaults)."""
    opts = [
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Run config (TOML) whose [particles], [wall] and [contact] settings are the starting "
                          "point [default: the mixer defaults, which are uncalibrated estimates]."),
        click.option("--particle-diameter", type=float, metavar="M", help="Coarse-grained particle diameter, m."),
        click.option("--density", type=float, metavar="KG/M3", help="Particle density, kg/m^3."),
        click.option("--youngs-modulus", type=float, metavar="PA", help="Particle Young's modulus, Pa."),
        click.option("--poisson-ratio", type=float, metavar="-", help="Particle Poisson ratio, -."),
        click.option("--yield-ratio", type=float, metavar="-",
                     help="Thornton-Ning yield ratio a_y/R (LIGGGHTS definition), -; 0 = elastic."),
        click.option("--sliding-friction", type=float, metavar="-", help="Sliding friction particle-particle, -."),
        click.option("--wall-friction", type=float, metavar="-", help="Sliding friction particle-wall, -."),
        click.option("--rolling-friction", type=float, metavar="-",
                     help="Rolling friction particle-particle and particle-wall, -."),
        click.option("--rolling-model", type=click.Choice(["epsd", "constant_torque", "none"]),
                     help="Rolling resistance model [epsd]; none is faster when the rolling friction is 0."),
        click.option("--threads", type=int, metavar="N", help="CPU threads for Taichi [all cores]."),
        click.option("--arch", type=click.Choice(["auto", "cpu", "cuda"]), help="Taichi backend [auto]."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _material_config(config_file, particle_diameter, density, youngs_modulus, poisson_ratio, yield_ratio,
                     sliding_friction, wall_friction, rolling_friction, rolling_model, threads, arch):
    from mfdem.config import load_config, make_config  # noqa: PLC0415

    o: dict = {}
    for section, key, value in (("particles", "diameter", particle_diameter), ("particles", "density", density),
                                ("particles", "youngs_modulus", youngs_modulus),
                                ("particles", "poisson_ratio", poisson_ratio),
                                ("particles", "yield_ratio", yield_ratio),
                                ("contact", "friction_particle", sliding_friction),
                                ("contact", "friction_wall", wall_friction),
                                ("contact", "rolling_friction_particle", rolling_friction),
                                ("contact", "rolling_friction_wall", rolling_friction),
                                ("contact", "rolling_model", rolling_model),
                                ("run", "threads", threads), ("run", "arch", arch)):
        if value is not None:
            o.setdefault(section, {})[key] = value
    if yield_ratio is not None:
        o["particles"]["yield_pressure"] = 0.0
    return load_config(config_file, overrides=o) if config_file else make_config(overrides=o)


def _fail(exc):
    raise as_click(exc) from None


def check_output(path, what: str, folder: bool = False):
    from mfdem.io.paths import check_output as check  # noqa: PLC0415

    return check(path, what, folder=folder)


def _errors():
    from mfdem.calibration.common import CalibrationError  # noqa: PLC0415
    from mfdem.engine.backend import BackendError  # noqa: PLC0415
    from mfdem.engine.materials import InputError  # noqa: PLC0415

    return (InputError, CalibrationError, BackendError)


def _echo_json(d: dict) -> None:
    from mfdem.calibration.common import jsonable  # noqa: PLC0415

    click.echo(json.dumps(jsonable(d)))


@click.group("calibrate", context_settings=_CTX)
def calibrate():
    """Calibration twins of the paper's lab tests (compaction, GranuDrum) and the parameter fit.

    The particle, wall and contact settings come from --config (a run config) or the mixer defaults; the
    fit writes the calibrated set as a run config for `mfdem run --config`. See calibration/README.md.
    """


@calibrate.command("compaction", context_settings=_CTX)
@click.option("--mass", type=float, default=1.0, show_default=True, metavar="G", help="Powder mass in the die, g.")
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
@click.option("--out", "prefix", type=click.Path(dir_okay=False), default="compaction", show_default=True,
              help="Output prefix: PREFIX.csv (curve), PREFIX.png (plot), PREFIX.json (numbers).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (SI units).")
@_material_options
def compaction_command(mass, die_diameter, target_force, piston_speed, inertial_number, seed, check_quasi_static,
                       prefix, as_json, **material):
    """Compress MASS grams of particles in a cylindrical die with a piston up to TARGET-FORCE and back.

    Writes the force-displacement curve (loading and unloading) as CSV and PNG and prints the displacement
    at the target force (m, from the 1 % preload), the porosities and the poured bulk density.

    Example: mfdem calibrate compaction --mass 1 --die-diameter 0.012 --target-force 1000 --youngs-modulus 1e9
    --yield-ratio 0.08 --json
    """
    from mfdem.calibration.compaction import CompactionSetup, quasi_static_check, simulate_compaction  # noqa: PLC0415

    try:
        check_output(prefix, "--out")
        cfg = _material_config(**material)
        setup = CompactionSetup(mass=mass * 1e-3, die_diameter=die_diameter, target_force=target_force,
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
    except _errors() as exc:
        _fail(exc)
    csv_path, png_path, json_path = (Path(f"{prefix}.{ext}") for ext in ("csv", "png", "json"))
    p, c = cfg.particles, cfg.contact
    header = [f"mfdem calibrate compaction: {mass:g} g, die {die_diameter:g} m, target {target_force:g} N, "
              f"piston {r.piston_speed:.4g} m/s",
              f"particles: diameter {p.diameter:g} m, density {p.density:g} kg/m3, E {p.youngs_modulus:g} Pa, "
              f"nu {p.poisson_ratio:g}, yield_pressure {p.yield_pressure:g} Pa, yield_ratio {p.yield_ratio:g} "
              f"({p.yield_ratio_definition}); friction {c.friction_particle:g}/"
              f"{c.friction_wall:g}, rolling {c.rolling_friction_particle:g}",
              "displacement from the preload (1 % of the target force); forces on the particles, N"]
    from mfdem.calibration.common import atomic_write_json, atomic_write_text  # noqa: PLC0415

    atomic_write_text(csv_path, r.to_csv(header))
    r.plot(png_path)
    out = {**r.summary(), "curve_csv": str(csv_path), "plot_png": str(png_path)}
    if check is not None:
        out["quasi_static"] = {k: v for k, v in check.items() if k != "results"}
    atomic_write_json(json_path, out)
    if as_json:
        _echo_json(out)
        return
    for label, value in (("displacement at target", f"{r.displacement_at_target * 1e3:.4f} mm"),
                         ("initial porosity", f"{r.initial_porosity:.4f}"),
                         ("porosity at target", f"{r.porosity_at_target:.4f}"),
                         ("final porosity", f"{r.final_porosity:.4f}"),
                         ("poured bulk density", f"{r.bulk_density:.1f} kg/m3"),
                         ("die-wall friction share", f"{r.wall_friction_fraction:.3f}"),
                         ("curve", f"{csv_path}, {png_path}")):
        click.echo(f"{label:<26s}{value}")
    if check is not None:
        click.echo(f"{'halving the speed':<26s}changes the curve by {check['curve_change'] * 100:.2f} % "
                   f"({'passed' if check['passed'] else 'NOT quasi-static: lower --piston-speed'})")


@calibrate.command("drum", context_settings=_CTX)
@click.option("--fill-mass", type=float, default=0.0, show_default=True, metavar="G",
              help="Powder mass in the simulated width, g; 0 = 51.2 g x simulated width / 20 mm (7.68 g at 15 %).")
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
@click.option("--out", "prefix", type=click.Path(dir_okay=False), default="drum", show_default=True,
              help="Output prefix: PREFIX.png (averaged surface over the particles), PREFIX.json.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (SI units, angles in degrees).")
@_material_options
def drum_command(fill_mass, rpm, drum_diameter, drum_width, slice_fraction, full_width, duration, spinup, snapshots,
                 chord_fraction, drum_youngs_modulus, size_spread, seed, prefix, as_json, **material):
    """Turn a GranuDrum twin at RPM until steady flow, average the free surface over SNAPSHOTS snapshots and
    print the flowing angle (deg) over the central chord D/5 and the cohesive index.

    Example: mfdem calibrate drum --fill-mass 7.68 --rpm 20 --sliding-friction 0.5 --rolling-friction 0.1 --json
    """
    from mfdem.calibration.drum import DrumSetup, plan, rpm_to_omega, simulate_drum  # noqa: PLC0415

    try:
        check_output(prefix, "--out")
        cfg = _material_config(**material)
        if not (rpm > 0 and math.isfinite(rpm)):
            raise _Error(f"--rpm {rpm:g}: must be > 0 rev/min")
        setup = DrumSetup(diameter=drum_diameter, width=drum_width, slice_fraction=slice_fraction,
                          full_width=full_width, omega=rpm_to_omega(rpm), fill_mass=fill_mass * 1e-3,
                          snapshots=snapshots, duration=duration, spinup=spinup, chord_fraction=chord_fraction,
                          youngs_modulus=drum_youngs_modulus, size_spread=size_spread, seed=seed)
        pl = plan(setup, cfg)
        if not as_json:
            click.echo(f"{pl.n} particles ({pl.fill_mass * 1e3:.3g} g), dt {pl.dt:.3g} s, spin-up {pl.spinup:.3g} s + "
                       f"{pl.duration:.3g} s of sampling = {int((pl.spinup + pl.duration) / pl.dt)} steps", err=True)
        r = simulate_drum(setup, cfg, progress=not as_json)
    except _errors() as exc:
        _fail(exc)
    from mfdem.calibration.common import atomic_write_json  # noqa: PLC0415

    png = r.plot(Path(f"{prefix}.png"))
    out = {**r.summary(), "rpm": rpm, "plot_png": str(png)}
    atomic_write_json(Path(f"{prefix}.json"), out)
    if as_json:
        _echo_json(out)
        return
    click.echo(f"{'flowing angle':<22s}{r.flowing_angle_deg:.2f} deg (halves {r.angle_first_half_deg:.2f} / "
               f"{r.angle_second_half_deg:.2f}{'' if r.steady else ': NOT steady, raise --spinup'})")
    click.echo(f"{'cohesive index':<22s}{r.cohesive_index:.2f}")
    click.echo(f"{'plot':<22s}{png}")


def _cluster_options(f):
    opts = [
        click.option("--scheduler", default="local", show_default=True,
                     help="Where evaluations run: local (worker processes here), slurm (dask-jobqueue), "
                          "inline (this process, one by one) or an existing scheduler address tcp://HOST:PORT."),
        click.option("--workers", type=int, default=0, show_default=True,
                     help="local: worker processes (0 = cores / --threads-per-worker)."),
        click.option("--threads-per-worker", type=int, default=1, show_default=True,
                     help="CPU threads of Taichi in each task (local, inline, address)."),
        click.option("--slurm-queue", default="", help="slurm: partition."),
        click.option("--slurm-account", default="", help="slurm: account."),
        click.option("--slurm-cores", type=int, default=1, show_default=True, help="slurm: cores per job."),
        click.option("--slurm-memory", default="4GB", show_default=True, help="slurm: memory per job."),
        click.option("--slurm-walltime", default="01:00:00", show_default=True, help="slurm: wall time per job."),
        click.option("--slurm-jobs", type=int, default=1, show_default=True, help="slurm: number of jobs (workers)."),
        click.option("--slurm-extra", multiple=True, help="slurm: extra #SBATCH directive (repeatable)."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _cluster(scheduler, workers, threads_per_worker, slurm_queue, slurm_account, slurm_cores, slurm_memory,
             slurm_walltime, slurm_jobs, slurm_extra):
    from mfdem.calibration.sweep import ClusterSpec  # noqa: PLC0415

    return ClusterSpec(scheduler=scheduler, workers=workers, threads_per_worker=threads_per_worker,
                       queue=slurm_queue, account=slurm_account, cores=slurm_cores, memory=slurm_memory,
                       walltime=slurm_walltime, jobs=slurm_jobs, job_extra=tuple(slurm_extra)).validate()


_CLUSTER_KEYS = ("scheduler", "workers", "threads_per_worker", "slurm_queue", "slurm_account", "slurm_cores",
                 "slurm_memory", "slurm_walltime", "slurm_jobs", "slurm_extra")


@calibrate.command("fit", context_settings=_CTX)
@click.option("--setup", "setup_file", type=click.Path(dir_okay=False),
              help="Fit description (TOML): [targets], [weights], [search], [fit], [compaction], [drum], "
                   "[config] (see calibration/example_fit.toml); the options below override it.")
@click.option("--curve", type=click.Path(dir_okay=False),
              help="Measured force-displacement CSV with columns displacement_m (m) and force_n (N).")
@click.option("--angle", type=float, metavar="DEG", help="Measured flowing angle, degrees.")
@click.option("--bulk-density", type=float, metavar="KG/M3", help="Measured poured bulk density, kg/m^3.")
@click.option("--param", "params", multiple=True, metavar="NAME=LO:HI[:log|lin]",
              help="A parameter to fit and its bounds (repeatable): youngs_modulus (Pa), yield_ratio, "
                   "sliding_friction (particle and wall), friction_particle, friction_wall, rolling_friction, "
                   "rolling_friction_particle, rolling_friction_wall.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Base run config (TOML); the fitted values replace its entries [default: mixer defaults].")
@click.option("--budget", type=click.IntRange(1, None), help="Number of evaluations (simulations of the twins) [20].")
@click.option("--batch", type=click.IntRange(1, None), help="Evaluations proposed and run in parallel per round [4].")
@click.option("--seed", type=int, help="Seed of the initial design [1].")
@click.option("--out", "outdir", type=click.Path(file_okay=False), default="fit", show_default=True,
              help="Output folder: best.toml (run config), report.csv/json, evaluations/ (resumable).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@_cluster_options
def fit_command(setup_file, curve, angle, bulk_density, params, config_file, budget, batch, seed, outdir, as_json,
                **cluster):
    """Fit particle parameters (yield ratio, Young's modulus, sliding and rolling friction: your choice) to
    measured targets with the compaction and drum twins; evaluations run in parallel on Dask.

    Example: mfdem calibrate fit --setup calibration/example_fit.toml --out fit_out
    """
    import importlib  # noqa: PLC0415

    F = importlib.import_module("mfdem.calibration.fit")  # the package exports a function of the same name
    from mfdem.calibration.common import setup_from_dict  # noqa: PLC0415
    from mfdem.calibration.compaction import CompactionSetup, read_curve_csv  # noqa: PLC0415
    from mfdem.calibration.drum import DrumSetup  # noqa: PLC0415
    from mfdem.config import load_config  # noqa: PLC0415

    try:
        check_output(outdir, "--out", folder=True)
        spec = _cluster(**cluster)
        data = F.load_fit_file(setup_file) if setup_file else {"_dir": "."}
        base_dir = Path(data["_dir"])
        tgt = dict(data.get("targets", {}))
        unknown = sorted(set(tgt) - {"curve", "flowing_angle_deg", "bulk_density"})
        if unknown:
            raise F.InputError(f"[targets]: unknown key(s) {', '.join(unknown)}; allowed: curve, flowing_angle_deg, "
                               "bulk_density")
        curve_path = curve or (str(base_dir / tgt["curve"]) if tgt.get("curve") else None)
        targets = F.Targets(curve=read_curve_csv(curve_path) if curve_path else None,
                            flowing_angle_deg=angle if angle is not None else tgt.get("flowing_angle_deg"),
                            bulk_density=bulk_density if bulk_density is not None else tgt.get("bulk_density"),
                            weights={"curve": 1.0, "angle": 1.0, "bulk_density": 1.0, **data.get("weights", {})})
        if params:
            space = F.SearchSpace([F.parse_parameter(p) for p in params])
        else:
            search = data.get("search", {})
            plist = []
            for name, bounds in search.items():
                if not (isinstance(bounds, list) and len(bounds) in (2, 3)):
                    raise F.InputError(f"[search] {name}: give [lower, upper] or [lower, upper, \"log\"|\"lin\"]")
                plist.append(F.Parameter(name, *bounds[:2], None if len(bounds) == 2 else bounds[2] == "log"))
            space = F.SearchSpace(plist)
        fit_opts = data.get("fit", {})
        unknown = sorted(set(fit_opts) - {"budget", "batch", "seed"})
        if unknown:
            raise F.InputError(f"[fit]: unknown key(s) {', '.join(unknown)}; allowed: budget, batch, seed")
        cfg_path = config_file or (str(base_dir / data["config"]["base"]) if data.get("config", {}).get("base")
                                   else None)
        cfg = load_config(cfg_path) if cfg_path else None
        comp = setup_from_dict(CompactionSetup, data.get("compaction", {}), "[compaction]")
        drum = setup_from_dict(DrumSetup, data.get("drum", {}), "[drum]")
        kwargs = dict(cfg=cfg, compaction=comp, drum=drum, budget=budget if budget is not None else fit_opts.get("budget", 20),
                      batch=batch if batch is not None else fit_opts.get("batch", 4),
                      seed=seed if seed is not None else fit_opts.get("seed", 1),
                      outdir=outdir, spec=spec)

        def progress(e):
            if not as_json:
                vals = ", ".join(f"{k}={v:.4g}" for k, v in e["values"].items())
                tag = " (from file)" if e.get("skipped") else ""
                click.echo(f"[{e['index'] + 1}] {vals}: objective {e['objective']:.4g}{tag}", err=True)

        result = F.fit(targets, space, progress=progress, **kwargs)
    except _errors() as exc:
        _fail(exc)
    failed = sum(e.get("status") != "complete" for e in result.evaluations)
    out = {"best": result.best, "best_objective_predicted": result.best_objective_predicted,
           "best_evaluated": result.best_evaluated, "best_evaluated_objective": result.best_evaluated_objective,
           "evaluations": len(result.evaluations), "failed_evaluations": failed, "config": str(result.config_path),
           "report": str(result.report_path)}
    if as_json:
        _echo_json(out)
    else:
        click.echo("best parameters: " + ", ".join(f"{k} = {v:.5g}" for k, v in result.best.items()))
        click.echo(f"config: {result.config_path}  (mfdem run --config {result.config_path})")
        click.echo(f"report: {result.report_path}")
    if failed:   # the fit is written, but from fewer points than asked for: exit 1
        click.echo(f"mfdem: {failed} of {len(result.evaluations)} evaluations failed; their errors are in "
                   f"{Path(outdir) / 'evaluations'} (*.failed.json)", err=True)
        sys.exit(1)


@click.command("sweep", context_settings=_CTX)
@click.option("--rpm", "rpms", required=True, metavar="N1,N2,...",
              help="Rotor speeds, rev/min, comma-separated (e.g. 1000,2500,5000,10000).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Run config (TOML) for every point; --rpm replaces its run.rpm.")
@click.option("--preset", type=click.Choice(["paper", "quick"]), default="paper", show_default=True,
              help="Starting point when no --config is given.")
@click.option("--out", "outdir", type=click.Path(file_okay=False), default="sweep", show_default=True,
              help="Output folder: rpm_<n>.h5 run files and rpm_<n>.json when complete.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every point's status.")
@_cluster_options
def sweep(rpms, config_file, preset, outdir, as_json, **cluster):
    """Run the mixer at several rotor speeds in parallel on Dask (local processes, SLURM or a scheduler).

    Each point writes its own run file; run the same command again after a crash or kill and it skips the
    finished points and resumes the interrupted ones from their last checkpoint.

    Example: mfdem sweep --rpm 1000,2500,5000,10000 --config run.toml --scheduler slurm --slurm-jobs 4
    """
    from mfdem.calibration.sweep import rpm_sweep  # noqa: PLC0415
    from mfdem.config import load_config, make_config  # noqa: PLC0415

    try:
        check_output(outdir, "--out", folder=True)
        try:
            values = [float(x) for x in rpms.split(",") if x.strip()]
        except ValueError:
            raise _Error(f"--rpm {rpms!r}: give numbers separated by commas, e.g. 1000,2500,5000") from None
        spec = _cluster(**cluster)
        cfg = load_config(config_file, preset=preset) if config_file else make_config(preset=preset)

        def done(name, rec):
            if not as_json:
                msg = "complete" if rec.get("status") == "complete" else f"FAILED: {rec.get('error')}"
                click.echo(f"{name}: {msg}", err=True)

        records = rpm_sweep(values, cfg, outdir, spec=spec, on_done=done)
    except _errors() as exc:
        _fail(exc)
    summary = {name: {"status": rec.get("status"), "skipped": bool(rec.get("skipped")),
                      "run_file": (rec.get("result") or {}).get("run_file"), "error": rec.get("error")}
               for name, rec in records.items()}
    if as_json:
        _echo_json(summary)
    else:
        for name, s in summary.items():
            click.echo(f"{name}: {s['status']}{' (already done)' if s['skipped'] else ''}"
                       f"{'' if s['run_file'] is None else ' -> ' + s['run_file']}")
    if any(s["status"] != "complete" for s in summary.values()):
        sys.exit(1)
