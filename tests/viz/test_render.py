"""Off-screen screenshots and movies (no display needed: VTK falls back to EGL/OSMesa)."""

from __future__ import annotations

import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pytest

from mfdem.io import RunFileError, open_run
from mfdem.viz import VizError, movie, render_frames, screenshot
from mfdem.viz.scene import SceneOptions, rotor_polydata

SIZE = (320, 240)  # width, height in pixels
WHITE = np.array([255, 255, 255], np.uint8)  # SceneOptions' default background


def _shot(run, tmp_path, name="shot.png", frame=-1, **options):
    return screenshot(run, tmp_path / name, frame=frame, window_size=SIZE, options=SceneOptions(**options))


def _non_background(img):
    return float((img != WHITE).any(axis=2).mean())


def _diff(a, b):
    return float((np.abs(a.astype(int) - b.astype(int)).sum(axis=2) > 30).mean())


def test_screenshot_is_a_png_of_the_requested_size_showing_particles_and_rotor(small_run, tmp_path):
    img = _shot(small_run, tmp_path, frame=2)
    read = iio.imread(tmp_path / "shot.png")
    assert read.shape[:2] == (240, 320) and img.shape == (240, 320, 3)
    np.testing.assert_array_equal(read[..., :3], img)
    assert _non_background(img) > 0.3  # vessel, rotor, particles, label and scalar bar
    no_particles = _shot(small_run, tmp_path, "np.png", frame=2, show_particles=False)
    no_rotor = _shot(small_run, tmp_path, "nr.png", frame=2, show_rotor=False)
    assert _diff(img, no_particles) > 0.03  # particles are visible
    assert _diff(img, no_rotor) > 0.01  # the rotor is visible


def test_colour_field_changes_the_image(small_run, tmp_path):
    speed = _shot(small_run, tmp_path, "s.png", color_by="speed")
    collisions = _shot(small_run, tmp_path, "c.png", color_by="collisions")
    power = _shot(small_run, tmp_path, "p.png", color_by="dissipated_power")
    saturated = _shot(small_run, tmp_path, "s2.png", color_by="speed", clim=(0.0, 0.01))
    assert _diff(speed, collisions) > 0.01
    assert _diff(speed, power) > 0.01
    assert _diff(speed, saturated) > 0.01  # the colours really follow the speed


def test_points_above_max_spheres_and_camera_views(small_run, tmp_path):
    spheres = _shot(small_run, tmp_path, "a.png", camera="iso")
    points = _shot(small_run, tmp_path, "b.png", camera="iso", max_spheres=10)
    hidden = _shot(small_run, tmp_path, "c.png", camera="iso", show_particles=False)
    assert _diff(points, hidden) > 0.02  # points are drawn
    assert _diff(spheres, points) > 0.001
    side = _shot(small_run, tmp_path, "d.png", camera="side")
    assert _diff(spheres, side) > 0.05
    turned = _shot(small_run, tmp_path, "e.png", camera="iso", azimuth=40, elevation=10, zoom=1.5)
    assert _diff(spheres, turned) > 0.05


def _colourful(img):
    """Pixels of saturated colour: particles (viridis), not the grey rotor/vessel or the white background."""
    i = img.astype(int)
    return (i.max(axis=2) - i.min(axis=2)) > 60


def _quadrants(mask):
    h, w = mask.shape
    return [mask[:h // 2, :w // 2], mask[:h // 2, w // 2:], mask[h // 2:, :w // 2], mask[h // 2:, w // 2:]]


def test_sector_to_full_fills_the_mixer(sector_run, tmp_path):
    full = _shot(sector_run, tmp_path, "f.png", show_scalar_bar=False, show_label=False, sector_to_full=True)
    particles = _colourful(full)
    h, w = particles.shape
    assert min(q.mean() for q in _quadrants(particles)) > 0.03  # particles all around the axis (centre)
    sector = _shot(sector_run, tmp_path, "s.png", show_scalar_bar=False, show_label=False)
    assert _diff(full, sector) > 0.1


def test_sector_view_shows_the_rotor_inside_the_sector_at_every_angle(sector_run):
    """The stored sector rotor turned by the logged angle is cut back to the sector (the rotor is 5-fold
    symmetric, so that is what the simulated sector holds); the full view shows all five blades."""
    with open_run(sector_run) as run:
        for angle in (0.0, 0.7, 2.0):
            sector = rotor_polydata(run, angle)
            phi = np.degrees(np.arctan2(sector.points[:, 1], sector.points[:, 0]))
            assert sector.n_points and phi.min() > -1e-6 and phi.max() < 72 + 1e-6
            full = rotor_polydata(run, angle, sector_to_full=True)
            phi_full = np.degrees(np.arctan2(full.points[:, 1], full.points[:, 0]))
            assert phi_full.min() < -100 and phi_full.max() > 100


def test_render_frames_follow_the_snapshots(small_run):
    frames = list(render_frames(small_run, "0:2", window_size=SIZE))
    assert [k for k, _ in frames] == [0, 1]
    assert _diff(frames[0][1], frames[1][1]) > 0.01  # rotor turned, particles moved, label changed


def test_gif_has_one_frame_per_selected_snapshot(small_run, tmp_path):
    n = movie(small_run, tmp_path / "run.gif", frames="1:", fps=5, window_size=SIZE)
    assert n == 3
    gif = iio.imread(tmp_path / "run.gif", index=None)
    assert gif.shape[:3] == (3, 240, 320)


def test_mp4_has_one_frame_per_snapshot(small_run, tmp_path):
    n = movie(small_run, tmp_path / "run.mp4", fps=8, window_size=(322, 242))
    assert n == 4
    reader = iio2.get_reader(tmp_path / "run.mp4", format="FFMPEG")
    try:
        assert reader.count_frames() == 4
        assert reader.get_meta_data()["size"] == (322, 242)
        assert reader.get_meta_data()["fps"] == pytest.approx(8)
    finally:
        reader.close()


def test_odd_window_size_is_padded_for_mp4(small_run, tmp_path):
    assert movie(small_run, tmp_path / "odd.mp4", frames=[0], window_size=(161, 121)) == 1
    reader = iio2.get_reader(tmp_path / "odd.mp4", format="FFMPEG")
    try:
        assert reader.get_meta_data()["size"] == (162, 122)
    finally:
        reader.close()


def test_bad_input_gives_clear_errors(small_run, empty_run, tmp_path):
    with pytest.raises(VizError, match=r"frame 4 is out of range: the run has 4 snapshots, "
                                       r"valid frames are 0\.\.3"):
        _shot(small_run, tmp_path, frame=4)
    with pytest.raises(VizError, match="no snapshots"):
        _shot(empty_run, tmp_path)
    with pytest.raises(VizError, match="no such file") as err:
        _shot(tmp_path / "missing.h5", tmp_path)
    assert isinstance(err.value, RunFileError)
    with pytest.raises(VizError, match="unknown colour field"):
        _shot(small_run, tmp_path, color_by="heat")
    with pytest.raises(VizError, match="unsupported movie format '.avi'"):
        movie(small_run, tmp_path / "x.avi", window_size=SIZE)
    with pytest.raises(VizError, match="unsupported image format"):
        screenshot(small_run, tmp_path / "x.svg", window_size=SIZE)
    with pytest.raises(VizError, match="selects no snapshot"):
        movie(small_run, tmp_path / "x.gif", frames="10:", window_size=SIZE)
    with pytest.raises(VizError, match="window size"):
        screenshot(small_run, tmp_path / "x.png", window_size=(0, 10))
    with pytest.raises(VizError, match="fps"):
        movie(small_run, tmp_path / "x.gif", fps=0, window_size=SIZE)
    assert not (tmp_path / "x.gif").exists()
