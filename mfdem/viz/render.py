"""Off-screen screenshots and movies of a run (``mfdem play --screenshot / --movie``).

Frames are rendered with an off-screen ``pyvista.Plotter`` (the same :class:`~mfdem.viz.scene.Scene` as the
interactive window) and written with imageio: PNG/JPEG/TIFF screenshots, GIF movies through Pillow, MP4
movies through imageio-ffmpeg's bundled ffmpeg (H.264, yuv420p).

Headless machines
-----------------
No X server is needed. The VTK wheels (9.4 and newer) pick the OpenGL context at run time: X (GLX) when a
display is reachable, otherwise EGL, otherwise OSMesa. On a Linux server without ``DISPLAY`` VTK therefore
renders through **EGL** with Mesa's software rasteriser (llvmpipe), which needs only the Debian/Ubuntu
packages ``libegl1`` and ``libegl-mesa0`` (plus ``libgl1-mesa-dri``, which provides llvmpipe); OSMesa
(``libosmesa6``) is the next fallback. ``VTK_DEFAULT_OPENGL_WINDOW=vtkEGLRenderWindow`` (or
``vtkOSOpenGLRenderWindow``) forces a backend. VTK logs a harmless "bad X server connection" warning while it
falls back; :func:`offscreen_plotter` silences it when no display is set. Xvfb is *not* needed.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyvista as pv

from mfdem.viz.errors import VizError, check_frame, opened_run, parse_frames, require_snapshots
from mfdem.viz.scene import Scene, SceneOptions

__all__ = ["IMAGE_SUFFIXES", "MOVIE_SUFFIXES", "has_display", "movie", "offscreen_plotter", "render_frames",
           "screenshot"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
MOVIE_SUFFIXES = (".gif", ".mp4")
DEFAULT_WINDOW_SIZE = (1024, 768)


def has_display() -> bool:
    """True unless this is Linux/BSD without ``DISPLAY`` and ``WAYLAND_DISPLAY`` (no on-screen windows)."""
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextmanager
def _quiet_vtk_fallback():
    """Hide VTK's 'bad X server connection' warning while it falls back to EGL/OSMesa without a display."""
    if has_display():
        yield
        return
    try:
        from vtkmodules.vtkCommonCore import vtkLogger
    except ImportError:  # pragma: no cover - very old VTK
        yield
        return
    old = vtkLogger.GetCurrentVerbosityCutoff()
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
    try:
        yield
    finally:
        vtkLogger.SetStderrVerbosity(old)


def _window_size(window_size) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in window_size)
    except (TypeError, ValueError):
        raise VizError(f"window size must be two integers W H (pixels), got {window_size!r}") from None
    if w < 16 or h < 16 or w > 16384 or h > 16384:
        raise VizError(f"window size {w}×{h} pixels is out of range (16…16384 each)")
    return w, h


def offscreen_plotter(window_size=DEFAULT_WINDOW_SIZE) -> pv.Plotter:
    """An off-screen ``pyvista.Plotter`` of ``window_size`` = (width, height) pixels; needs no display."""
    w, h = _window_size(window_size)
    with _quiet_vtk_fallback():
        pl = pv.Plotter(off_screen=True, window_size=(w, h))
    return pl


def _grab(pl: pv.Plotter) -> np.ndarray:
    pl.render()
    img = pl.screenshot(return_img=True)
    return np.ascontiguousarray(np.asarray(img)[..., :3], dtype=np.uint8)


def render_frames(run, frames=None, *, options: SceneOptions | None = None,
                  window_size=DEFAULT_WINDOW_SIZE):
    """Yield ``(snapshot_index, image)`` for each selected snapshot; image is H×W×3 uint8 RGB.

    ``run`` is a path or an open ``RunFile``; ``frames`` a selection accepted by
    :func:`~mfdem.viz.errors.parse_frames` (None = every snapshot, ``"0:10:2"``, a list of indices, …).
    Colour limits are fixed over the selected snapshots unless ``options.clim`` is given; the camera is
    placed once, from the first frame.
    """
    options = (options or SceneOptions()).validate()
    size = _window_size(window_size)
    with opened_run(run) as rf:
        n = require_snapshots(rf)
        sel = parse_frames(frames, n)
        pl = offscreen_plotter(size)
        try:
            scene = Scene(rf, pl, options, frames=sel)
            for i, k in enumerate(sel):
                scene.show(k)
                if i == 0:
                    scene.reset_camera()
                yield k, _grab(pl)
        finally:
            pl.close()


def _check_suffix(path: Path, allowed, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise VizError(f"{path}: unsupported {what} format {suffix or '(no extension)'!r}; "
                       f"use one of {', '.join(allowed)}")
    return suffix


def _prepare_output(path) -> Path:
    path = Path(path)
    if path.exists() and path.is_dir():
        raise VizError(f"{path} is a directory; give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(run, path, *, frame: int = -1, options: SceneOptions | None = None,
               window_size=DEFAULT_WINDOW_SIZE) -> np.ndarray:
    """Render snapshot ``frame`` (default the last; negative counts from the end) off-screen to ``path``.

    ``path`` ends in .png (or .jpg/.tif/.bmp); ``window_size`` = (width, height) pixels. Returns the image
    (H×W×3 uint8). Raises :class:`VizError` for a missing file, no snapshots, a frame out of range or a bad
    option.
    """
    import imageio.v3 as iio

    path = Path(path)
    _check_suffix(path, IMAGE_SUFFIXES, "image")
    with opened_run(run) as rf:
        k = check_frame(frame, require_snapshots(rf))
        _, img = next(iter(render_frames(rf, [k], options=options, window_size=window_size)))
    iio.imwrite(_prepare_output(path), img)
    return img


def _even(img: np.ndarray) -> np.ndarray:
    """Pad to even height and width (H.264 with yuv420p needs them) by repeating the last row/column."""
    h, w = img.shape[:2]
    if h % 2 or w % 2:
        img = np.pad(img, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    return img


def movie(run, path, *, frames=None, fps: float = 10.0, options: SceneOptions | None = None,
          window_size=DEFAULT_WINDOW_SIZE) -> int:
    """Render the selected snapshots off-screen into a movie and return the number of frames written.

    ``path`` ends in .gif (Pillow; frames are held in memory, fine for short clips) or .mp4 (H.264 via
    imageio-ffmpeg, streamed; odd window sizes are padded by one pixel). ``frames`` selects snapshots
    (None = all, ``"START:STOP:STEP"``, list of indices); ``fps`` is movie frames per second, one frame per
    snapshot. Raises :class:`VizError` on bad input.
    """
    import imageio.v2 as iio2
    import imageio.v3 as iio

    path = Path(path)
    suffix = _check_suffix(path, MOVIE_SUFFIXES, "movie")
    if not (fps > 0 and np.isfinite(fps)):
        raise VizError(f"fps must be a positive number of frames per second, got {fps}")
    with opened_run(run) as rf:
        sel = parse_frames(frames, require_snapshots(rf))
        _window_size(window_size)
        out = _prepare_output(path)
        count = 0
        if suffix == ".gif":
            images = [img for _, img in render_frames(rf, sel, options=options, window_size=window_size)]
            # every frame carries its own "frame k/K" label, so Pillow never merges two identical frames
            iio.imwrite(out, np.stack(images), extension=".gif", duration=1000.0 / fps, loop=0)
            count = len(images)
        else:
            writer = iio2.get_writer(out, format="FFMPEG", mode="I", fps=float(fps), codec="libx264",
                                     pixelformat="yuv420p", quality=8, macro_block_size=1,
                                     ffmpeg_log_level="error")
            try:
                for _, img in render_frames(rf, sel, options=options, window_size=window_size):
                    writer.append_data(_even(img))
                    count += 1
            finally:
                writer.close()
    return count
