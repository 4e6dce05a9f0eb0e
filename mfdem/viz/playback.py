"""Interactive playback window (``mfdem play RUN.h5``): the scene of :mod:`mfdem.viz.scene` plus a time
slider over the snapshots, a play/pause check box and a timer that advances one snapshot per tick.

The window needs a display. Everything it draws comes from :class:`~mfdem.viz.scene.Scene`, which the
off-screen screenshot/movie path shares, and :class:`Player` can be built off-screen (``off_screen=True``)
so its callbacks can be exercised without a display.
"""

from __future__ import annotations

import pyvista as pv

from mfdem.viz.errors import VizError, check_frame, opened_run, require_snapshots
from mfdem.viz.render import DEFAULT_WINDOW_SIZE, _quiet_vtk_fallback, _window_size, has_display
from mfdem.viz.scene import Scene, SceneOptions

__all__ = ["Player", "play"]

NO_DISPLAY = ("no display (DISPLAY/WAYLAND_DISPLAY unset): the interactive window needs a desktop session; "
              "use --screenshot FILE.png or --movie FILE.mp4 for off-screen output, or run under xvfb-run")


class Player:
    """A plotter with the run's scene, a snapshot slider and a play/pause button.

    ``run`` is an open ``RunFile`` (kept open by the caller while the player lives); ``start`` the first
    snapshot shown; ``fps`` snapshots per second while playing; ``window_size`` (width, height) pixels.
    Colour limits are fixed over all snapshots unless ``options.clim`` is given.
    """

    def __init__(self, run, options: SceneOptions | None = None, *, start: int = 0, fps: float = 10.0,
                 window_size=DEFAULT_WINDOW_SIZE, off_screen: bool = False):
        if not fps > 0:
            raise VizError(f"fps must be a positive number of snapshots per second, got {fps}")
        self.run = run
        self.n_snapshots = require_snapshots(run)
        start = check_frame(start, self.n_snapshots)
        self.fps = float(fps)
        self.playing = False
        with _quiet_vtk_fallback():
            self.plotter = pv.Plotter(off_screen=off_screen, window_size=_window_size(window_size),
                                      title=f"mfdem play {run.path.name}")
        self.scene = Scene(run, self.plotter, options)
        self.scene.show(start)
        self.scene.reset_camera(reserve_bottom=0.12 if self.n_snapshots > 1 else 0.0)
        self.slider = None
        self.button = None
        if self.n_snapshots > 1:
            text = "black" if self.scene._text_color == "black" else "white"
            self.slider = self.plotter.add_slider_widget(
                self._on_slider, rng=[0, self.n_snapshots - 1], value=start, title="snapshot",
                pointa=(0.25, 0.07), pointb=(0.78, 0.07), fmt="%.0f", interaction_event="always",
                color=text, title_color=text, title_height=0.025)
            self.button = self.plotter.add_checkbox_button_widget(self._on_toggle, value=False,
                                                                  position=(10, 10), size=30,
                                                                  color_on="seagreen", color_off="grey")
            self.plotter.add_text("play/pause", position=(45, 16), font_size=9, color=text, name="play_label")

    @property
    def index(self) -> int:
        """The snapshot shown now."""
        return int(self.scene.index)

    def show_frame(self, k: int) -> None:
        """Show snapshot ``k`` (negative counts from the end), move the slider there and render."""
        k = check_frame(k, self.n_snapshots)
        if k != self.scene.index:
            self.scene.show(k)
        if self.slider is not None:
            self.slider.GetRepresentation().SetValue(k)
        self.plotter.render()

    def _on_slider(self, value: float) -> None:
        k = int(round(float(value)))
        if k != self.scene.index:
            self.scene.show(k)
            self.plotter.render()

    def _on_toggle(self, flag: bool) -> None:
        self.playing = bool(flag)

    def step(self, *_args) -> None:
        """Timer callback: while playing, advance one snapshot (wrapping to the first after the last)."""
        if self.playing and self.n_snapshots > 1:
            self.show_frame((self.index + 1) % self.n_snapshots)

    def show(self) -> None:
        """Open the interactive window (blocks until it is closed). Needs a display."""
        if not has_display():
            raise VizError(NO_DISPLAY)
        if self.n_snapshots > 1:
            self.plotter.iren.add_observer("TimerEvent", self.step)
            self.plotter.iren.create_timer(max(int(round(1000.0 / self.fps)), 1), repeating=True)
        self.plotter.show()


def play(run, options: SceneOptions | None = None, *, start: int = 0, fps: float = 10.0,
         window_size=DEFAULT_WINDOW_SIZE) -> None:
    """Open the interactive playback window of ``run`` (path or open ``RunFile``); see :class:`Player`."""
    with opened_run(run) as rf:
        require_snapshots(rf)
        if not has_display():
            raise VizError(NO_DISPLAY)
        Player(rf, options, start=start, fps=fps, window_size=window_size).show()
