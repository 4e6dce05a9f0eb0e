"""What every command line of mfdem shares: click settings, the rule of ``--out``, JSON output, the one
error path (mfdem/exits.py), and the options that choose where tasks run (mfdem/tasks.py), used by
``calibrate fit`` and ``sweep``."""

from __future__ import annotations

import json

import click

from mfdem.exits import as_click
from mfdem.validation import InputError, RunFailure

CTX = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
# the rule of every command's --out (mfdem --help)
OUT_RULE = "(--out is the output file of a command that writes one file, the folder of one that writes several.)"


def fail(exc):
    """End the command with ``exc``'s one line and exit code (exits.py)."""
    raise as_click(exc) from None


def errors() -> tuple:
    """The exceptions a command turns into its one-line error (the rest reach exits.Commands)."""
    return (InputError, RunFailure)


def echo_json(d: dict) -> None:
    from mfdem.io.atomic import jsonable  # noqa: PLC0415

    click.echo(json.dumps(jsonable(d)))


def with_options(f, opts: list):
    """``f`` decorated with the click options ``opts``, listed in the order ``--help`` shows them."""
    for opt in reversed(opts):
        f = opt(f)
    return f


def cluster_options(f):
    return with_options(f, [
        click.option("--scheduler", default="local", show_default=True,
                     help="Where evaluations run: local (worker processes here), slurm (dask-jobqueue), "
                          "inline (this process, one by one) or an existing scheduler address tcp://HOST:PORT."),
        click.option("--workers", type=int, default=0, show_default=True,
                     help="local: worker processes (0 = cores / --threads-per-worker)."),
        click.option("--threads-per-worker", type=int, default=1, show_default=True,
                     help="CPU threads of Taichi in each task (local, inline, address)."),
        click.option("--slurm-queue", default="", help="slurm: partition [the cluster's default]."),
        click.option("--slurm-account", default="", help="slurm: account to charge."),
        click.option("--slurm-cores", type=int, default=1, show_default=True,
                     help="slurm: cores per job = Taichi threads of its task (each job runs one task at a time)."),
        click.option("--slurm-memory", default="4GB", show_default=True, help="slurm: memory per job, e.g. 16GB."),
        click.option("--slurm-walltime", default="01:00:00", show_default=True,
                     help="slurm: wall time per job, HH:MM:SS or D-HH:MM:SS."),
        click.option("--slurm-jobs", type=int, default=0, show_default=True,
                     help="slurm: jobs at once (0 = one per sweep point, or per evaluation of a fit batch)."),
        click.option("--slurm-extra", multiple=True, metavar="OPTION",
                     help="slurm: extra sbatch option for the #SBATCH lines, e.g. --slurm-extra=--gres=gpu:1 "
                          "(repeatable)."),
        click.option("--slurm-prologue", multiple=True, metavar="LINE",
                     help="slurm: shell line each job runs before its worker, e.g. 'module load cuda' "
                          "(repeatable)."),
        click.option("--slurm-interface", default="",
                     help="slurm: network interface of this machine the jobs connect to, e.g. ib0 [any]."),
    ])


def cluster_spec(scheduler, workers, threads_per_worker, slurm_queue, slurm_account, slurm_cores, slurm_memory,
             slurm_walltime, slurm_jobs, slurm_extra, slurm_prologue, slurm_interface):
    from mfdem.tasks import ClusterSpec  # noqa: PLC0415

    return ClusterSpec(scheduler=scheduler, workers=workers, threads_per_worker=threads_per_worker,
                       queue=slurm_queue, account=slurm_account, cores=slurm_cores, memory=slurm_memory,
                       walltime=slurm_walltime, jobs=slurm_jobs, job_extra=tuple(slurm_extra),
                       prologue=tuple(slurm_prologue), interface=slurm_interface).validate()
