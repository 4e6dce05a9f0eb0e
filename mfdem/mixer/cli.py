"""``mfdem sweep``: mixer runs at several rotor speeds, on a thin command line over mfdem.mixer.sweep."""

from __future__ import annotations

import sys

import click

from mfdem.cli_common import CTX, OUT_RULE, cluster_options, cluster_spec, echo_json, errors, fail
from mfdem.exits import BadInput
from mfdem.io.paths import check_output


@click.command("sweep", context_settings=CTX)
@click.option("--rpm", "rpms", required=True, metavar="N1,N2,...",
              help="Rotor speeds, rev/min, comma-separated (e.g. 1000,2500,5000,10000).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Run config (TOML) for every point; --rpm replaces its run.rpm.")
@click.option("--preset", type=click.Choice(["paper", "quick"]), default="paper", show_default=True,
              help="Starting point when no --config is given.")
@click.option("--out", "outdir", type=click.Path(file_okay=False), default="sweep", show_default=True,
              help="Output folder: rpm_<n>.h5 run files and rpm_<n>.json when complete. " + OUT_RULE)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every point's status.")
@cluster_options
def sweep(rpms, config_file, preset, outdir, as_json, **cluster):
    """Run the mixer at several rotor speeds in parallel on Dask (local processes, SLURM or a scheduler).

    Each point writes its own run file; run the same command again after a crash or kill and it skips the
    finished points and resumes the interrupted ones from their last checkpoint.

    Example: mfdem sweep --rpm 1000,2500,5000,10000 --config run.toml --scheduler slurm --slurm-jobs 4
    """
    from mfdem.config import load_config, make_config  # noqa: PLC0415
    from mfdem.mixer.sweep import rpm_sweep  # noqa: PLC0415

    try:
        check_output(outdir, "--out", folder=True)
        try:
            values = [float(x) for x in rpms.split(",") if x.strip()]
        except ValueError:
            raise BadInput(f"--rpm {rpms!r}: give numbers separated by commas, e.g. 1000,2500,5000") from None
        spec = cluster_spec(**cluster)
        cfg = load_config(config_file, preset=preset) if config_file else make_config(preset=preset)
        records = rpm_sweep(values, cfg, outdir, spec=spec, progress=not as_json)
    except errors() as exc:
        fail(exc)
    summary = {name: {"status": rec.get("status"), "skipped": bool(rec.get("skipped")),
                      "run_file": (rec.get("result") or {}).get("run_file"), "error": rec.get("error")}
               for name, rec in records.items()}
    if as_json:
        echo_json(summary)
    else:
        for name, s in summary.items():
            click.echo(f"{name}: {s['status']}{' (already done)' if s['skipped'] else ''}"
                       f"{'' if s['run_file'] is None else ' -> ' + s['run_file']}")
    if any(s["status"] != "complete" for s in summary.values()):
        sys.exit(1)
