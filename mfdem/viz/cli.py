"""Click commands ``play`` and ``export-vtk`` (registered on the ``mfdem`` group in ``mfdem/cli.py``).

PyVista is imported only when a command runs, so ``mfdem --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from mfdem.cli_common import OUT_RULE
from mfdem.exits import as_click
from mfdem.io import RunFileError
from mfdem.io.paths import check_output
from mfdem.validation import InputError
from mfdem.viz.errors import VizError
from mfdem.viz.fields import CAMERA_VIEWS, COLOR_FIELDS

__all__ = ["export_vtk_command", "play_command"]

_ERRORS = (VizError, RunFileError, InputError, OSError)


def _run_path(ctx, param, value):
    return Path(value)


@click.command("play")
@click.argument("run", metavar="RUN.h5", callback=_run_path)
@click.option("--color-by", type=click.Choice(list(COLOR_FIELDS)), default="speed", show_default=True,
              help="Particle colour: speed |v| (m/s), dissipated_power (W, contact dissipation in the output "
                   "interval ending at the snapshot) or collisions (stress events in that interval).")
@click.option("--log-scale/--linear-scale", default=None,
              help="Logarithmic or linear colour scale. [default: log for dissipated_power, else linear]")
@click.option("--clim", nargs=2, type=float, metavar="MIN MAX", default=None,
              help="Fixed colour limits in the unit of --color-by (m/s, W or count). "
                   "[default: 0…max over the shown snapshots; smallest positive…max on a log scale]")
@click.option("--cmap", metavar="NAME", default=None,
              help="Matplotlib colour map. [default: viridis / inferno / plasma by field]")
@click.option("--sector-to-full", is_flag=True,
              help="Replicate a sector run (e.g. 72°) 360/sector times about the rotor axis, rotating "
                   "particles, velocity vectors, rotor and vessel, to show the whole mixer.")
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.png",
              help="Render one snapshot off-screen to this image (.png/.jpg/.tif/.bmp) instead of opening "
                   "a window. No display needed.")
@click.option("--frame", type=int, default=None, metavar="K",
              help="Snapshot index for --screenshot (negative counts from the end) or the first snapshot "
                   "shown in the window. [default: last for --screenshot, 0 for the window]")
@click.option("--movie", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.mp4|FILE.gif",
              help="Render snapshots off-screen, one movie frame each, to an MP4 (H.264 via imageio-ffmpeg) "
                   "or GIF. No display needed.")
@click.option("--frames", default=None, metavar="START:STOP:STEP",
              help="Snapshot indices for --movie, Python slice syntax (e.g. '0:100:2', '::5', '-20:'). "
                   "[default: all]")
@click.option("--fps", type=float, default=10.0, show_default=True,
              help="Movie frames (= snapshots) per second, for --movie and for playing in the window.")
@click.option("--window-size", nargs=2, type=int, default=(1024, 768), show_default=True, metavar="W H",
              help="Window / image size in pixels (width height).")
@click.option("--camera", type=click.Choice(CAMERA_VIEWS), default="axis", show_default=True,
              help="Camera preset: axis = look along the rotor axis onto the mixer, side = perpendicular to "
                   "the axis with the axis up, iso = isometric from above.")
@click.option("--azimuth", type=float, default=0.0, show_default=True, metavar="DEG",
              help="Extra camera rotation about the view-up direction, degrees.")
@click.option("--elevation", type=float, default=0.0, show_default=True, metavar="DEG",
              help="Extra camera rotation up (+) or down (−), degrees.")
@click.option("--zoom", type=float, default=1.0, show_default=True, metavar="FACTOR",
              help="Camera zoom factor (>1 zooms in).")
@click.option("--max-spheres", type=int, default=20_000, show_default=True, metavar="N",
              help="Draw particles as spheres of their true radius (m) up to N shown particles; above, as "
                   "shaded points sized for the mean radius (much faster on large runs).")
@click.option("--vessel-opacity", type=float, default=0.15, show_default=True, metavar="0..1",
              help="Opacity of the vessel surface (0 hides it).")
@click.option("--json", "as_json", is_flag=True,
              help="With --screenshot/--movie: print one JSON object (run, screenshot, frame, movie, movie_frames, "
                   "fps; null for what was not written) and nothing else on stdout.")
def play_command(run, color_by, log_scale, clim, cmap, sector_to_full, screenshot, frame, movie, frames, fps,
                 window_size, camera, azimuth, elevation, zoom, max_spheres, vessel_opacity, as_json):
    """Play back a run: rotor at each snapshot's logged angle, translucent vessel, coloured particles.

    Without --screenshot/--movie an interactive window opens (needs a display) with a snapshot slider and a
    play/pause button; the label shows the simulated time (s) and the rotor speed (rpm). With --screenshot
    and/or --movie, frames are rendered off-screen (works on a headless machine) and no window opens; these two
    name their output files.
    """
    from mfdem.viz.scene import SceneOptions

    try:
        options = SceneOptions(color_by=color_by, log_scale=log_scale, clim=tuple(clim) if clim else None,
                               cmap=cmap, sector_to_full=sector_to_full, max_spheres=max_spheres,
                               vessel_opacity=vessel_opacity, camera=camera, azimuth=azimuth,
                               elevation=elevation, zoom=zoom).validate()
        if frames is not None and movie is None:
            raise VizError("--frames selects the snapshots of --movie; use --frame K for --screenshot or the "
                           "window")
        if frame is not None and movie is not None and screenshot is None:
            raise VizError("--frame picks the snapshot of --screenshot or the window; use --frames "
                           "START:STOP:STEP to select the snapshots of --movie")
        if screenshot is None and movie is None:
            if as_json:
                raise VizError("--json reports the files of --screenshot and --movie; give one of them (the "
                               "window writes nothing)")
            from mfdem.viz.playback import play

            play(run, options, start=0 if frame is None else frame, fps=fps, window_size=window_size)
            return
        from mfdem.viz.errors import opened_run
        from mfdem.viz.render import IMAGE_SUFFIXES, MOVIE_SUFFIXES
        from mfdem.viz.render import movie as render_movie
        from mfdem.viz.render import screenshot as render_screenshot

        checks = ((screenshot, IMAGE_SUFFIXES, "--screenshot"), (movie, MOVIE_SUFFIXES, "--movie"))
        for path, allowed, what in checks:
            if path is not None and path.suffix.lower() not in allowed:  # fail before any rendering
                raise VizError(f"{what} {path}: unsupported format {path.suffix or '(no extension)'!r}; "
                               f"use one of {', '.join(allowed)}")
            if path is not None:
                check_output(path, what)

        written = {"run": str(run), "screenshot": None, "frame": None, "movie": None, "movie_frames": None,
                   "fps": None}
        with opened_run(run) as rf:
            if screenshot is not None:
                k = -1 if frame is None else frame
                img = render_screenshot(rf, screenshot, frame=k, options=options, window_size=window_size)
                written.update(screenshot=str(screenshot), frame=k % rf.n_snapshots)
                if not as_json:
                    click.echo(f"wrote {screenshot} ({img.shape[1]}×{img.shape[0]} px, snapshot "
                               f"{k % rf.n_snapshots} of 0..{rf.n_snapshots - 1})")
            if movie is not None:
                n = render_movie(rf, movie, frames=frames, fps=fps, options=options, window_size=window_size)
                written.update(movie=str(movie), movie_frames=n, fps=fps)
                if not as_json:
                    click.echo(f"wrote {movie} ({n} frames at {fps:g} fps)")
    except _ERRORS as exc:
        raise as_click(exc) from None
    if as_json:
        click.echo(json.dumps(written))


@click.command("export-vtk")
@click.argument("run", metavar="RUN.h5", callback=_run_path)
@click.argument("old_outdir", metavar="[OUTDIR]", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "outdir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Output folder (made if missing). " + OUT_RULE + "  [default: vtk]")
@click.option("--frames", default=None, metavar="START:STOP:STEP",
              help="Snapshot indices to export, Python slice syntax (e.g. '::10'). [default: all]")
@click.option("--sector-to-full", is_flag=True,
              help="Replicate a sector run 360/sector times about the rotor axis (particles with rotated "
                   "velocity vectors, rotor, vessel).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (out, pvd, n_files, snapshots, times s) and nothing else on stdout.")
def export_vtk_command(run, old_outdir, outdir, frames, sector_to_full, as_json):
    """Write ParaView-ready VTK files of a run's snapshots into the folder --out (OUTDIR as a second argument is
    the old spelling, accepted in this version only).

    Per snapshot K: particles_K.vtp (points with radius m, velocity m/s, speed m/s, angular_velocity rad/s,
    dissipated_power W, collisions per interval, mass kg, particle_id) and rotor_K.vtp (rotor at its logged
    angle, m); once vessel.vtp; run.pvd, the time series (s) of all parts that ParaView opens directly, plus
    particles.pvd and rotor.pvd. In ParaView show the particles at their true size with the Point Gaussian
    representation (Shader Preset Sphere, Scale By Array radius, Use Scale Function off, Gaussian Radius 1).
    """
    from mfdem.viz.vtk_export import export_vtk

    if old_outdir is not None:
        if outdir is not None:
            raise click.UsageError("give the output folder once: --out DIR (OUTDIR as an argument is the old "
                                   "spelling)")
        from mfdem.config import warn_deprecated

        warn_deprecated(f"export-vtk RUN.h5 {old_outdir} is now export-vtk RUN.h5 --out {old_outdir}")
    outdir = outdir or old_outdir or Path("vtk")
    try:
        check_output(outdir, "--out", folder=True)
        res = export_vtk(run, outdir, frames=frames, sector_to_full=sector_to_full)
    except _ERRORS as exc:
        raise as_click(exc) from None
    if as_json:
        n_files = len(res.particle_files) + len(res.rotor_files) + 3 + (res.vessel is not None)   # + 3 .pvd
        click.echo(json.dumps({"out": str(outdir), "pvd": str(res.pvd), "n_files": n_files,
                               "snapshots": res.snapshots, "times": res.times}))
        return
    click.echo(f"wrote {len(res.snapshots)} snapshot{'s' if len(res.snapshots) != 1 else ''} "
               f"(t = {res.times[0]:g} … {res.times[-1]:g} s) to {outdir}; open {res.pvd} in ParaView")
