"""Tests of the parametric Nobilta-type geometry (mfdem.geometry.nobilta)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import trimesh
from scipy.spatial import cKDTree

from mfdem.geometry import (GeometryError, NobiltaParams, build_rotor, build_vessel, free_volume, load_mesh, sector,
                            write_geometry)

P = NobiltaParams()


@pytest.fixture(scope="module")
def rotor():
    return build_rotor(P)


@pytest.fixture(scope="module")
def vessel():
    return build_vessel(P)


def _radius(mesh):
    return np.linalg.norm(mesh.vertices[:, :2], axis=1)


def test_defaults_match_mixer_setup():
    assert P.tip_radius == pytest.approx(0.0382)
    assert P.vessel_radius == pytest.approx(0.0392)
    assert P.hub_radius * 2 == pytest.approx(0.020)
    assert P.n_blades == 5 and P.sector_angle_deg == pytest.approx(72.0)
    assert 0.010 < P.length() < 0.014


@pytest.mark.parametrize("mesh_name", ["rotor", "vessel"])
def test_watertight_outward_no_degenerate(mesh_name, request):
    mesh = request.getfixturevalue(mesh_name)
    assert mesh.is_watertight and mesh.is_winding_consistent
    assert mesh.volume > 0  # outward normals
    assert mesh.nondegenerate_faces().all()


def test_vessel_volume_and_extent(vessel):
    length = P.length()
    assert vessel.volume == pytest.approx(math.pi * P.vessel_radius**2 * length, rel=0.01)
    assert vessel.bounds[:, 2] == pytest.approx([0.0, length], abs=1e-12)
    assert _radius(vessel).max() == pytest.approx(P.vessel_radius, rel=1e-12)


def test_rotor_volume_tip_radius_gap_and_clearance(rotor, vessel):
    assert 0 < rotor.volume < vessel.volume
    assert _radius(rotor).max() == pytest.approx(P.tip_radius, rel=1e-12)
    assert P.vessel_radius - _radius(rotor).max() == pytest.approx(0.0010, rel=1e-9)
    assert rotor.bounds[:, 2] == pytest.approx([P.axial_clearance, P.length() - P.axial_clearance], abs=1e-12)


def test_free_volume_is_49_ml(rotor, vessel):
    assert free_volume(P) == pytest.approx(49e-6, rel=1e-9)  # solved exactly for the true circles
    assert vessel.volume - rotor.volume == pytest.approx(49e-6, rel=0.02)  # the polygonal meshes


def test_explicit_axial_length_is_used():
    p = NobiltaParams(axial_length=0.011)
    assert p.length() == 0.011
    assert build_vessel(p).bounds[1, 2] == pytest.approx(0.011)
    assert free_volume(p) < free_volume(P)


def test_five_fold_symmetry(rotor):
    turned = rotor.copy()
    turned.apply_transform(trimesh.transformations.rotation_matrix(math.radians(72.0), [0, 0, 1]))
    assert turned.volume == pytest.approx(rotor.volume, rel=1e-12)
    assert turned.bounds == pytest.approx(rotor.bounds, abs=1e-9)
    dist, _ = cKDTree(rotor.vertices).query(turned.vertices)
    assert dist.max() < 1e-9
    assert len(turned.vertices) == len(rotor.vertices)


def test_one_blade_centred_in_sector_with_leading_face_on_plus_phi(rotor):
    """The inclined face has outward normal (sin a, cos a) in the blade frame: forward (+phi) and outward."""
    a = math.radians(P.lead_angle_deg)
    side = np.abs(rotor.face_normals[:, 2]) < 1e-9
    centres = rotor.triangles_center[side]
    normals = rotor.face_normals[side]
    for k in range(P.n_blades):
        centre = math.radians(36.0 + 72.0 * k)
        c, s = math.cos(centre), math.sin(centre)
        rot = np.array([[c, -s], [s, c]])  # global -> blade frame (x along the blade centre line)
        n_loc = normals[:, :2] @ rot
        p_loc = centres[:, :2] @ rot
        leading = np.all(np.abs(n_loc - [math.sin(a), math.cos(a)]) < 1e-9, axis=1)
        trailing_mirror = np.all(np.abs(n_loc - [math.sin(a), -math.cos(a)]) < 1e-9, axis=1)
        near_blade = np.abs(p_loc[:, 1]) < P.blade_thickness
        assert np.any(leading & near_blade), f"blade {k}: no inclined face on the +phi side"
        assert np.all(p_loc[leading & near_blade, 1] > 0)
        assert not np.any(trailing_mirror & near_blade), f"blade {k}: inclined face on the -phi side"
    # exactly one blade tip in the first 72 deg sector, centred at 36 deg
    tips = rotor.vertices[_radius(rotor) > P.tip_radius * (1 - 1e-9)]
    phi = np.degrees(np.arctan2(tips[:, 1], tips[:, 0])) % 360
    in_sector = phi[phi < 72.0]
    assert len(in_sector) and np.all((in_sector > 20) & (in_sector < 52))
    assert 30 < in_sector.mean() < 42


@pytest.mark.parametrize("mesh_name", ["rotor", "vessel"])
def test_sector_is_one_fifth_and_watertight(mesh_name, request):
    mesh = request.getfixturevalue(mesh_name)
    part = sector(mesh, 72.0)
    assert part.is_watertight
    assert part.volume == pytest.approx(mesh.volume / 5, rel=0.01)
    phi = np.degrees(np.arctan2(part.vertices[:, 1], part.vertices[:, 0]))
    r = _radius(part)
    phi = phi[r > 1e-9]
    assert phi.min() >= 0.0 and phi.max() <= 72.0 + 1e-12
    open_part = sector(mesh, 72.0, cap=False)
    assert not open_part.is_watertight and len(open_part.faces) < len(part.faces)


def test_write_geometry_files_reload_and_params_round_trip(tmp_path):
    p = NobiltaParams(n_segments=48)
    paths = write_geometry(tmp_path, p)
    names = {path.name for path in paths.values()}
    assert names == {"rotor.stl", "vessel.stl", "rotor_sector72.stl", "vessel_sector72.stl", "params.toml"}
    for key in ("rotor", "vessel", "rotor_sector", "vessel_sector"):
        assert paths[key].read_bytes()[:5] != b"solid"  # binary STL
        mesh = load_mesh(paths[key], name=key)
        assert mesh.is_watertight
    full = load_mesh(paths["rotor"])
    assert full.volume == pytest.approx(build_rotor(p).volume, rel=1e-5)
    back = NobiltaParams.from_toml(paths["params"])
    assert back == p.resolved()
    assert "# m, rotor tip radius" in paths["params"].read_text()


def test_from_toml_rejects_unknown_key(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text("[nobilta]\ntip_raduis = 0.04\n")
    with pytest.raises(GeometryError, match="tip_raduis"):
        NobiltaParams.from_toml(f)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tip_radius", -0.01),
        ("tip_gap", 0.0),
        ("tip_gap", -0.001),  # tip radius >= vessel radius
        ("hub_radius", 0.05),  # hub >= tip
        ("hub_radius", -0.01),
        ("n_blades", 0),
        ("n_blades", 2.5),
        ("lead_angle_deg", -1.0),
        ("lead_angle_deg", 61.0),
        ("tip_land", 0.0),
        ("tip_land", 0.007),  # wider than the blade
        ("blade_thickness", 0.025),  # wider than the hub
        ("axial_clearance", -0.001),
        ("axial_length", 0.0008),  # shorter than the two clearances
        ("n_segments", 4),
        ("target_free_volume", 0.0),
        ("tip_radius", float("nan")),
    ],
)
def test_bad_parameters_name_the_field(field, value):
    with pytest.raises(GeometryError, match=field):
        NobiltaParams(**{field: value})


def test_too_many_blades_for_the_hub():
    with pytest.raises(GeometryError, match="blade_thickness"):
        NobiltaParams(n_blades=12)


def test_target_volume_too_small_for_clearances():
    with pytest.raises(GeometryError, match="target_free_volume"):
        NobiltaParams(target_free_volume=1e-9).length()


def test_geometry_error_is_value_error():
    assert issubclass(GeometryError, ValueError)


def test_zero_lead_angle_and_other_blade_counts_build():
    for p in (NobiltaParams(lead_angle_deg=0.0), NobiltaParams(lead_angle_deg=60.0),
              NobiltaParams(n_blades=4), NobiltaParams(n_blades=1)):
        mesh = build_rotor(p)
        assert mesh.is_watertight and mesh.volume > 0
        assert mesh.nondegenerate_faces().all()
        assert _radius(mesh).max() == pytest.approx(p.tip_radius, rel=1e-12)
        part = sector(mesh, p.sector_angle_deg)
        assert part.volume == pytest.approx(mesh.volume / p.n_blades, rel=0.01)


def test_committed_default_meshes_are_current():
    """mfdem/data/geometries/ holds what scripts/make_geometry.py writes with the defaults (regenerate if this
    fails)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "mfdem" / "data" / "geometries"
    assert NobiltaParams.from_toml(root / "params.toml") == P.resolved()
    for name, built in (("rotor", build_rotor(P)), ("vessel", build_vessel(P))):
        mesh = load_mesh(root / f"{name}.stl", name=name)
        assert mesh.volume == pytest.approx(built.volume, rel=1e-6)
        assert (root / f"{name}.stl").stat().st_size < 1_000_000
    for name in ("rotor_sector72", "vessel_sector72"):
        assert load_mesh(root / f"{name}.stl", name=name).is_watertight
