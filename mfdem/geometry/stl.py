"""Loading and checking user STL meshes (walls, rotors, vessels); SI units (metres) throughout.

:func:`load_mesh` reads binary or ASCII STL and fails with a :class:`GeometryError` naming the file when the
file is missing, is not an STL, holds no triangles, or (by default) is not watertight. Decisions:

* Coincident vertices are merged (STL stores each triangle separately).
* Degenerate (zero-area) triangles are **removed** with a warning giving their number: exporters often leave
  such slivers and they carry no wall. If removing them opens the surface, the watertightness check reports it.
* A watertight mesh with inconsistent or inward winding is re-oriented to outward normals (the engine treats
  meshes as two-sided, so this only makes volumes and booleans meaningful).
* Units: coordinates are multiplied by ``scale`` (default 1: the file is in metres). A mesh wider than 10 m
  after scaling triggers a warning, as it was most likely exported in millimetres (use ``scale=1e-3``).
"""

from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path

import numpy as np
import trimesh

from mfdem.geometry.nobilta import GeometryError

MAX_EXTENT_M = 10.0
"""A mesh larger than this [m] across is assumed to be in the wrong units and triggers a warning."""


def _stl_kind(path: Path, data: bytes, name: str) -> str:
    """'binary' or 'ascii', or a GeometryError if the bytes are no STL."""
    if len(data) >= 84:
        (count,) = struct.unpack_from("<I", data, 80)
        if len(data) == 84 + 50 * count:
            return "binary"
    head = data[:512].lstrip().lower()
    if head.startswith(b"solid") and (b"facet" in data[:4096].lower() or b"endsolid" in data.lower()):
        return "ascii"
    raise GeometryError(
        f"{name} mesh file {path} is not an STL file: neither binary STL (84-byte header + 50 bytes per "
        f"triangle; the file has {len(data)} bytes) nor ASCII STL (starting with 'solid')")


def _edge_counts(mesh: trimesh.Trimesh) -> tuple[int, int]:
    """(open edges used by one face, non-manifold edges used by more than two faces)."""
    if len(mesh.faces) == 0:
        return 0, 0
    _, counts = np.unique(mesh.edges_sorted, axis=0, return_counts=True)
    return int(np.sum(counts == 1)), int(np.sum(counts > 2))


def load_mesh(path: str | Path, *, name: str = "mesh", require_watertight: bool = True,
              scale: float = 1.0) -> trimesh.Trimesh:
    """Load an STL file as a clean triangle mesh in metres.

    Parameters
    ----------
    path : STL file (binary or ASCII).
    name : what the mesh is (e.g. ``"rotor"``), used in error messages.
    require_watertight : raise if the surface has open or non-manifold edges (set ``False`` for open wall
        surfaces such as a vessel sector without its cut faces).
    scale : factor applied to the coordinates [m per file unit]; ``1e-3`` for a file in millimetres.

    Raises
    ------
    GeometryError : missing/unreadable file, not an STL, no triangles, nothing left after removing degenerate
        triangles, or not watertight when required. Every message names the file.
    """
    path = Path(path)
    if not isinstance(scale, (int, float)) or not np.isfinite(scale) or scale <= 0:
        raise GeometryError(f"{name} mesh {path}: scale = {scale!r} must be a finite number > 0")
    if not path.is_file():
        raise GeometryError(f"{name} mesh file {path} does not exist (or is not a regular file)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GeometryError(f"{name} mesh file {path} cannot be read: {exc}") from exc
    kind = _stl_kind(path, data, name)
    try:
        mesh = trimesh.load(io.BytesIO(data), file_type="stl", force="mesh", process=False)
    except Exception as exc:  # trimesh raises assorted types on malformed input
        raise GeometryError(f"{name} mesh file {path} is not a readable {kind} STL: {exc}") from exc
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise GeometryError(f"{name} mesh file {path} contains no triangles")
    if not np.all(np.isfinite(mesh.vertices)):
        raise GeometryError(f"{name} mesh file {path} has non-finite (NaN/inf) vertex coordinates")

    mesh.apply_scale(float(scale))
    mesh.merge_vertices()
    good = mesh.nondegenerate_faces()
    n_bad = int(np.sum(~good))
    if n_bad:
        if n_bad == len(good):
            raise GeometryError(f"{name} mesh file {path}: all {n_bad} triangles are degenerate (zero area)")
        warnings.warn(f"{name} mesh {path}: removed {n_bad} degenerate (zero-area) triangles",
                      UserWarning, stacklevel=2)
        mesh.update_faces(good)
        mesh.remove_unreferenced_vertices()

    n_open, n_nonmanifold = _edge_counts(mesh)
    if require_watertight and (n_open or n_nonmanifold):
        raise GeometryError(
            f"{name} mesh file {path} is not watertight: {n_open} open (boundary) edges and {n_nonmanifold} "
            f"edges shared by more than two triangles; close the holes (e.g. MeshLab/Blender 3D-print tools) "
            f"or pass require_watertight=False for an open wall surface")
    if mesh.is_watertight:
        trimesh.repair.fix_normals(mesh)  # consistent, outward winding

    extent = float(np.max(mesh.extents))
    if extent > MAX_EXTENT_M:
        warnings.warn(
            f"{name} mesh {path} is {extent:g} m across (after scale={scale:g}); mfdem works in metres, so the "
            f"file is probably in millimetres: pass scale=1e-3", UserWarning, stacklevel=2)
    return mesh


def mesh_arrays(mesh: trimesh.Trimesh) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous ``(vertices float64 (V, 3) [m], faces int32 (F, 3))`` for the engine's wall kernels."""
    vertices = np.ascontiguousarray(mesh.vertices, dtype=np.float64).reshape(-1, 3)
    faces = np.asarray(mesh.faces).reshape(-1, 3)
    if faces.size and (faces.min() < 0 or faces.max() >= len(vertices)):
        raise GeometryError("mesh faces index vertices that do not exist")
    if len(vertices) > np.iinfo(np.int32).max:
        raise GeometryError(f"mesh has {len(vertices)} vertices, more than int32 indices can address")
    return vertices, np.ascontiguousarray(faces, dtype=np.int32)
