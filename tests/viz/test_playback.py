"""The interactive player, built off-screen: slider, play/pause and timer callbacks."""

from __future__ import annotations

import pytest

from mfdem.io import open_run
from mfdem.viz import Player, VizError, play
from mfdem.viz.scene import SceneOptions


def test_player_callbacks_step_through_the_snapshots(small_run):
    with open_run(small_run) as run:
        player = Player(run, SceneOptions(color_by="collisions"), start=1, window_size=(320, 240),
                        off_screen=True)
        try:
            assert player.index == 1 and player.slider is not None and player.button is not None
            player.step()  # paused: nothing happens
            assert player.index == 1
            player._on_toggle(True)
            player.step()
            assert player.index == 2
            assert player.slider.GetRepresentation().GetValue() == 2
            player.step()
            player.step()  # wraps around after the last snapshot
            assert player.index == 0
            player._on_slider(2.6)
            assert player.index == 3
            player.show_frame(-3)
            assert player.index == 1
            assert "frame 1/3" in player.scene.label(player.scene.frame)
            assert "t = 0.020 s" in player.scene.label(player.scene.frame)
            assert "n = 3000 rpm" in player.scene.label(player.scene.frame)
            with pytest.raises(VizError, match="out of range"):
                player.show_frame(4)
        finally:
            player.plotter.close()


def test_single_snapshot_run_has_no_slider(make_run):
    run_path = make_run("one.h5", n=40, snapshot_times=(0.02,))
    with open_run(run_path) as run:
        player = Player(run, start=0, window_size=(160, 120), off_screen=True)
        try:
            assert player.slider is None and player.button is None
            player._on_toggle(True)
            player.step()
            assert player.index == 0
        finally:
            player.plotter.close()


def test_label_says_when_the_rotor_stands(make_run):
    run_path = make_run("start.h5", n=40, rotor_start_time=0.025)
    with open_run(run_path) as run:
        player = Player(run, start=1, window_size=(160, 120), off_screen=True)
        try:
            assert "n = 0 rpm (rotor starts at 0.025 s)" in player.scene.label(player.scene.frame)
            player.show_frame(2)
            assert "t = 0.030 s   n = 3000 rpm" in player.scene.label(player.scene.frame)
        finally:
            player.plotter.close()


def test_frame_without_inserted_particles_renders(make_run):
    run_path = make_run("fill.h5", n=40, snapshot_times=(0.01, 0.02), uninserted_first=40)
    with open_run(run_path) as run:
        player = Player(run, start=0, window_size=(160, 120), off_screen=True)
        try:
            assert player.scene.frame.n == 0 and not player.scene.particle_actor.GetVisibility()
            player.plotter.screenshot(return_img=True)
            player.show_frame(1)
            assert player.scene.frame.n == 40 and player.scene.particle_actor.GetVisibility()
        finally:
            player.plotter.close()


def test_play_without_display_is_a_clear_error(small_run, empty_run, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    with pytest.raises(VizError, match="no display"):
        play(small_run)
    with pytest.raises(VizError, match="no snapshots"):
        play(empty_run)
