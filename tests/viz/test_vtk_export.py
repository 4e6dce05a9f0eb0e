"""VTK export: .vtp files read back with PyVista, .pvd collection lists every snapshot with its time."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import pyvista as pv

from mfdem.io import open_run
from mfdem.viz import VizError, export_vtk
from mfdem.viz.scene import rotate_points

ARRAYS = {"radius": 1, "velocity": 3, "speed": 1, "angular_velocity": 3, "dissipated_power": 1,
          "collisions": 1, "mass": 1, "particle_id": 1, "sector_copy": 1}  # name: components


def _pvd_entries(path):
    root = ET.parse(path).getroot()
    assert root.tag == "VTKFile" and root.get("type") == "Collection"
    return [(float(d.get("timestep")), int(d.get("part")), d.get("file")) for d in root.find("Collection")]


def test_export_reads_back_with_the_right_points_arrays_and_times(small_run, tmp_path):
    res = export_vtk(small_run, tmp_path / "vtk")
    with open_run(small_run) as run:
        times = run.snapshot_times()
        assert res.snapshots == [0, 1, 2, 3]
        assert [p.name for p in res.particle_files] == [f"particles_{k:04d}.vtp" for k in range(4)]
        vertices, faces = run.mesh("rotor")
        for k, (pfile, rfile) in enumerate(zip(res.particle_files, res.rotor_files)):
            snap = run.snapshot(k)
            inserted = np.isfinite(snap.position).all(axis=1)
            p = pv.read(pfile)
            assert p.n_points == inserted.sum() == p.n_cells
            for name, ncomp in ARRAYS.items():
                arr = np.asarray(p.point_data[name])
                assert arr.shape == ((p.n_points,) if ncomp == 1 else (p.n_points, ncomp)), name
            ids = p.point_data["particle_id"]
            np.testing.assert_array_equal(ids, np.nonzero(inserted)[0])
            np.testing.assert_allclose(p.points, snap.position[ids], rtol=1e-6)
            np.testing.assert_allclose(p.point_data["radius"], run.radius[ids])
            np.testing.assert_allclose(p.point_data["velocity"], snap.velocity[ids], rtol=1e-6)
            speed = np.linalg.norm(snap.velocity[ids], axis=1)
            np.testing.assert_allclose(p.point_data["speed"], speed, rtol=1e-6)
            np.testing.assert_allclose(p.point_data["dissipated_power"], snap.dissipated_power[ids],
                                       rtol=1e-6)
            np.testing.assert_array_equal(p.point_data["collisions"], snap.collisions[ids])
            assert p.field_data["TimeValue"][0] == pytest.approx(times[k])
            r = pv.read(rfile)
            assert r.n_cells == len(faces)
            expected = rotate_points(vertices, [0, 0, 1], [0, 0, 0], snap.rotor_angle)
            np.testing.assert_allclose(r.points, expected, atol=1e-9)
        vessel = pv.read(res.vessel)
        assert vessel.n_points == len(run.mesh("vessel")[0])

    entries = _pvd_entries(res.pvd)
    for part, files in ((0, res.particle_files), (1, res.rotor_files)):
        listed = [(t, f) for t, p, f in entries if p == part]
        assert [f for _, f in listed] == [x.name for x in files]
        np.testing.assert_allclose([t for t, _ in listed], times)
    assert [f for _, p, f in entries if p == 2] == ["vessel.vtp"] * 4
    assert len(_pvd_entries(res.particles_pvd)) == len(_pvd_entries(res.rotor_pvd)) == 4

    reader = pv.get_reader(str(res.pvd))  # what ParaView sees: a time series of 3-part data sets
    np.testing.assert_allclose(reader.time_values, times)
    reader.set_active_time_value(reader.time_values[0])
    blocks = reader.read()
    assert blocks.n_blocks == 3 and blocks[0].n_points == 240


def test_export_a_selection_of_a_sector_run_replicated(sector_run, tmp_path):
    res = export_vtk(sector_run, tmp_path / "out", frames="::2", sector_to_full=True)
    assert res.snapshots == [0, 2]
    with open_run(sector_run) as run:
        n_rotor = len(run.mesh("rotor")[0])
        p = pv.read(res.particle_files[1])
        assert p.n_points == 5 * run.n_particles
        assert sorted(set(p.point_data["sector_copy"])) == [0, 1, 2, 3, 4]
        assert pv.read(res.rotor_files[0]).n_points == 5 * n_rotor
    np.testing.assert_allclose([t for t, part, _ in _pvd_entries(res.pvd) if part == 0], [0.01, 0.03])


def test_snapshot_before_any_insertion_is_an_empty_point_set_with_all_arrays(make_run, tmp_path):
    run = make_run("filling.h5", n=30, snapshot_times=(0.01, 0.02), uninserted_first=30)
    res = export_vtk(run, tmp_path / "vtk")
    first = pv.read(res.particle_files[0])
    assert first.n_points == 0 and set(ARRAYS) <= set(first.point_data.keys())
    assert pv.read(res.particle_files[1]).n_points == 30


def test_export_errors(small_run, empty_run, tmp_path):
    with pytest.raises(VizError, match="no snapshots"):
        export_vtk(empty_run, tmp_path / "a")
    with pytest.raises(VizError, match="no such file"):
        export_vtk(tmp_path / "missing.h5", tmp_path / "b")
    with pytest.raises(VizError, match="selects no snapshot"):
        export_vtk(small_run, tmp_path / "c", frames="7:")
    (tmp_path / "file").write_text("x")
    with pytest.raises(VizError, match="not a directory"):
        export_vtk(small_run, tmp_path / "file")
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()
