"""Tests of user-mesh loading (mfdem.geometry.stl)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import trimesh

from mfdem.geometry import GeometryError, load_mesh, mesh_arrays


def _box(tmp_path, name="box.stl", scale=0.01, drop_face=False, ascii=False):
    box = trimesh.creation.box(extents=[scale, scale, scale])
    if drop_face:
        box.update_faces(np.arange(len(box.faces)) != 0)
    path = tmp_path / name
    if ascii:
        path.write_text(trimesh.exchange.stl.export_stl_ascii(box))
    else:
        path.write_bytes(trimesh.exchange.stl.export_stl(box))
    return path


def test_loads_binary_and_ascii(tmp_path):
    for ascii in (False, True):
        mesh = load_mesh(_box(tmp_path, f"b{ascii}.stl", ascii=ascii))
        assert mesh.is_watertight and len(mesh.vertices) == 8
        assert mesh.volume == pytest.approx(1e-6)


def test_missing_file(tmp_path):
    with pytest.raises(GeometryError, match="nope.stl.*does not exist"):
        load_mesh(tmp_path / "nope.stl", name="rotor")


def test_garbage_bytes(tmp_path):
    f = tmp_path / "garbage.stl"
    f.write_bytes(np.random.default_rng(0).integers(0, 256, 1000, dtype=np.uint8).tobytes())
    with pytest.raises(GeometryError, match="garbage.stl.*not an STL"):
        load_mesh(f)


def test_empty_stl(tmp_path):
    f = tmp_path / "empty.stl"
    f.write_bytes(b"\0" * 80 + (0).to_bytes(4, "little"))
    with pytest.raises(GeometryError, match="empty.stl.*no triangles"):
        load_mesh(f)


def test_not_watertight_counts_open_edges(tmp_path):
    path = _box(tmp_path, "open.stl", drop_face=True)
    with pytest.raises(GeometryError, match=r"open.stl is not watertight: 3 open"):
        load_mesh(path)
    mesh = load_mesh(path, require_watertight=False)
    assert len(mesh.faces) == 11


def test_degenerate_faces_removed_with_warning(tmp_path):
    box = trimesh.creation.box(extents=[0.01] * 3)
    v0 = box.vertices[box.faces[0, 0]]
    tris = np.vstack([box.triangles, [[v0, v0, box.vertices[box.faces[0, 1]]]]])  # needle: two equal corners
    path = tmp_path / "degenerate.stl"
    path.write_bytes(trimesh.exchange.stl.export_stl(trimesh.Trimesh(**trimesh.triangles.to_kwargs(tris))))
    with pytest.warns(UserWarning, match="removed 1 degenerate"):
        mesh = load_mesh(path)
    assert mesh.is_watertight and len(mesh.faces) == 12


def test_millimetre_file_warns_and_scale_fixes(tmp_path):
    path = _box(tmp_path, "mm.stl", scale=80.0)  # an 80 mm box written in millimetres
    with pytest.warns(UserWarning, match="millimetres"):
        load_mesh(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mesh = load_mesh(path, scale=1e-3)
    assert mesh.extents == pytest.approx([0.08] * 3)
    with pytest.raises(GeometryError, match="scale"):
        load_mesh(path, scale=-1.0)


def test_mesh_arrays_dtypes(tmp_path):
    vertices, faces = mesh_arrays(load_mesh(_box(tmp_path)))
    assert vertices.dtype == np.float64 and vertices.shape == (8, 3) and vertices.flags.c_contiguous
    assert faces.dtype == np.int32 and faces.shape == (12, 3) and faces.flags.c_contiguous
