"""Scene data helpers: rotations, sector replication, NaN filtering, colour limits, option checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mfdem.io import open_run
from mfdem.viz import VizError, check_frame, parse_frames
from mfdem.viz.scene import (SceneOptions, color_limits, color_values, load_particles, replication_count, rotate_points,
                             rotation_matrix, rotor_polydata, vessel_polydata)


def test_rotation_is_right_handed_about_an_offset_axis():
    R = rotation_matrix([0, 0, 2.0], math.pi / 2)
    np.testing.assert_allclose(R @ [1, 0, 0], [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
    p = rotate_points([[2.0, 1.0, 5.0]], [0, 0, 1], [1.0, 1.0, 0.0], math.pi)
    np.testing.assert_allclose(p, [[0.0, 1.0, 5.0]], atol=1e-12)
    with pytest.raises(VizError, match="zero length"):
        rotation_matrix([0, 0, 0], 1.0)


def test_replication_count():
    assert replication_count(72.0) == 5
    assert replication_count(360.0) == 1
    with pytest.raises(VizError, match="does not divide 360"):
        replication_count(50.0)


def test_load_particles_drops_not_yet_inserted(small_run):
    with open_run(small_run) as run:
        first = load_particles(run, 0)
        last = load_particles(run, -1)
        assert first.n == 240 and last.n == 300 and last.index == 3
        assert np.isfinite(first.position).all()
        snap = run.snapshot(0)
        ids = np.nonzero(np.isfinite(snap.position).all(axis=1))[0]
        np.testing.assert_array_equal(first.particle_id, ids)
        np.testing.assert_allclose(first.radius, run.radius[ids])
        np.testing.assert_allclose(first.speed, np.linalg.norm(snap.velocity[ids], axis=1), rtol=1e-6)
        np.testing.assert_allclose(color_values(first, "dissipated_power"), snap.dissipated_power[ids])
        np.testing.assert_array_equal(color_values(first, "collisions"), snap.collisions[ids])
        with pytest.raises(VizError, match="unknown colour field 'temperature'"):
            color_values(first, "temperature")


def test_sector_to_full_rotates_positions_and_velocities(sector_run):
    with open_run(sector_run) as run:
        one = load_particles(run, 1)
        full = load_particles(run, 1, sector_to_full=True)
    n = one.n
    assert full.n == 5 * n
    np.testing.assert_array_equal(full.sector_copy, np.repeat(np.arange(5), n))
    np.testing.assert_array_equal(full.particle_id, np.tile(one.particle_id, 5))
    for j in range(5):
        sl = slice(j * n, (j + 1) * n)
        angle = math.radians(72.0 * j)
        expected = rotate_points(one.position, [0, 0, 1], [0, 0, 0], angle)
        np.testing.assert_allclose(full.position[sl], expected, atol=1e-12)
        np.testing.assert_allclose(full.velocity[sl], one.velocity @ rotation_matrix([0, 0, 1], angle).T,
                                   atol=1e-12)
        np.testing.assert_allclose(full.speed[sl], one.speed)
    phi = np.degrees(np.arctan2(full.position[:, 1], full.position[:, 0])) % 360
    assert np.histogram(phi, bins=5, range=(0, 360))[0].min() > 0.5 * n  # the whole circle is covered


def test_rotor_is_placed_at_the_logged_angle(small_run, sector_run):
    with open_run(small_run) as run:
        vertices, faces = run.mesh("rotor")
        angle = run.snapshot(2).rotor_angle
        mesh = rotor_polydata(run, angle)
        expected = rotate_points(vertices, [0, 0, 1], [0, 0, 0], angle)
        np.testing.assert_allclose(mesh.points, expected, atol=1e-9)
        assert mesh.n_cells == len(faces)
        assert vessel_polydata(run).n_points == len(run.mesh("vessel")[0])
    with open_run(sector_run) as run:
        n_v = len(run.mesh("rotor")[0])
        assert rotor_polydata(run, 0.3, sector_to_full=True).n_points == 5 * n_v
        assert vessel_polydata(run, sector_to_full=True).n_cells == 5 * len(run.mesh("vessel")[1])


def test_color_limits(small_run):
    with open_run(small_run) as run:
        lo, hi = color_limits(run, "speed")
        vmax = max(np.nanmax(np.linalg.norm(run.snapshot(k).velocity, axis=1)) for k in range(4))
        assert lo == 0 and hi == pytest.approx(vmax, rel=1e-6)
        lo, hi = color_limits(run, "dissipated_power", [3], log_scale=True)
        p = run.snapshot(3).dissipated_power
        assert 0 < lo <= hi and hi == pytest.approx(p.max(), rel=1e-6) and lo >= hi * 1e-6
        assert color_limits(run, "collisions", [0])[1] >= 1


def test_scene_options_are_checked():
    assert SceneOptions(color_by="dissipated_power").use_log
    assert not SceneOptions(color_by="dissipated_power", log_scale=False).use_log
    for bad, match in ((dict(color_by="heat"), "unknown colour field"), (dict(camera="top"), "camera view"),
                       (dict(clim=(1.0, 1.0)), "MIN < MAX"),
                       (dict(color_by="dissipated_power", clim=(0.0, 1.0)), "log colour scale needs MIN > 0"),
                       (dict(vessel_opacity=2.0), "opacity"), (dict(zoom=0.0), "zoom")):
        with pytest.raises(VizError, match=match):
            SceneOptions(**bad).validate()


def test_frame_selection():
    assert check_frame(-1, 4) == 3
    assert parse_frames(None, 4) == [0, 1, 2, 3]
    assert parse_frames("1:", 4) == [1, 2, 3]
    assert parse_frames("::2", 5) == [0, 2, 4]
    assert parse_frames("-2:", 5) == [3, 4]
    assert parse_frames("2", 5) == [2]
    assert parse_frames([0, -1], 5) == [0, 4]
    with pytest.raises(VizError, match=r"frame 4 is out of range: .* valid frames are 0\.\.3"):
        check_frame(4, 4)
    for bad, match in (("a:b", "must be integers"), ("::0", "STEP must be a positive"), ("7:", "selects no"),
                       ("1:2:3:4", "START:STOP:STEP"), ("x", "expected K or START:STOP:STEP"),
                       ("9", "out of range")):
        with pytest.raises(VizError, match=match):
            parse_frames(bad, 4)


@pytest.mark.parametrize("axis", [(0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, -1.0, 0.0)])
def test_camera_presets_follow_the_rotor_axis(make_run, axis):
    from mfdem.viz.render import offscreen_plotter
    from mfdem.viz.scene import Scene

    a = np.asarray(axis)
    with open_run(make_run("axis.h5", n=20, snapshot_times=(0.01,), rotor_axis=axis)) as run:
        for view in ("axis", "side", "iso"):
            pl = offscreen_plotter((160, 120))
            try:
                scene = Scene(run, pl, SceneOptions(camera=view))
                scene.show(0)
                scene.reset_camera()
                cam = pl.camera
                look = np.asarray(cam.GetFocalPoint()) - np.asarray(cam.GetPosition())
                look /= np.linalg.norm(look)
                up = np.asarray(cam.GetViewUp())
                if view == "axis":  # looking along −axis, from the + side
                    np.testing.assert_allclose(look, -a, atol=1e-9)
                    assert abs(up @ a) < 1e-9
                elif view == "side":
                    assert abs(look @ a) < 1e-9 and up @ a > 0.999
                else:
                    assert -0.7 < look @ a < -0.4 and up @ a > 0.5
            finally:
                pl.close()


def test_run_without_meshes_still_renders_and_exports(make_run, tmp_path):
    from mfdem.viz import export_vtk, screenshot

    run = make_run("bare.h5", n=30, snapshot_times=(0.01, 0.02), meshes=False)
    img = screenshot(run, tmp_path / "bare.png", window_size=(160, 120))
    assert img.shape == (120, 160, 3)
    res = export_vtk(run, tmp_path / "vtk")
    assert res.vessel is None and len(res.rotor_files) == 2
