"""Playback and export of run files: PyVista scenes, off-screen screenshots/movies, ParaView VTK.

Public API (imported lazily, so ``import mfdem.viz`` and the CLI stay light until something renders)::

    from mfdem.viz import screenshot, movie, export_vtk, play, SceneOptions, VizError

    screenshot("run.h5", "last.png", frame=-1, window_size=(800, 600),
               options=SceneOptions(color_by="dissipated_power", sector_to_full=True, camera="iso"))
    movie("run.h5", "run.mp4", frames="::2", fps=15)
    export_vtk("run.h5", "vtk/")          # then open vtk/run.pvd in ParaView
    play("run.h5")                         # interactive window (needs a display)

Modules: :mod:`~mfdem.viz.scene` (scene of one snapshot, data helpers), :mod:`~mfdem.viz.render`
(off-screen screenshot/movie), :mod:`~mfdem.viz.playback` (interactive window), :mod:`~mfdem.viz.vtk_export`
(VTK/PVD files), :mod:`~mfdem.viz.cli` (click commands ``play`` and ``export-vtk``). Run files are read
through :func:`mfdem.io.open_run` only. Units: SI (m, s, m/s, W, rad); camera angles in degrees.
"""

from __future__ import annotations

import importlib

from mfdem.viz.errors import VizError, VizRunFileError, check_frame, parse_frames
from mfdem.viz.fields import CAMERA_VIEWS, COLOR_FIELDS, ColorField

_LAZY = {
    "Scene": "scene", "SceneOptions": "scene", "ParticleFrame": "scene", "load_particles": "scene",
    "particles_polydata": "scene", "rotor_polydata": "scene", "vessel_polydata": "scene",
    "color_limits": "scene", "color_values": "scene", "rotate_points": "scene", "rotation_matrix": "scene",
    "replication_count": "scene",
    "screenshot": "render", "movie": "render", "render_frames": "render", "offscreen_plotter": "render",
    "has_display": "render",
    "Player": "playback", "play": "playback",
    "export_vtk": "vtk_export", "ExportResult": "vtk_export", "write_pvd": "vtk_export",
}

__all__ = ["CAMERA_VIEWS", "COLOR_FIELDS", "ColorField", "VizError", "VizRunFileError", "check_frame",
           "parse_frames", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mfdem.viz' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"mfdem.viz.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
