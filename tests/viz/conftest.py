"""Small synthetic run files for the playback / export tests, written with ``RunWriter``.

Geometry: rotor axis +z through the origin; rotor = hub cylinder (r = 20 mm) plus a box blade reaching to
r = 80 mm; vessel = cylinder (r = 100 mm, height 100 mm) — the full mixer, or a 72° arc of its wall for the
sector run. Particles (2–3 mm radius) sit in the annulus between hub and wall and move tangentially.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import trimesh

from mfdem.io import RunWriter

RPM = 3000.0
OUTPUT_INTERVAL = 0.01  # s
SNAPSHOT_TIMES = (0.01, 0.02, 0.03, 0.04)  # s


def rotor_mesh(sector_angle_deg: float = 360.0) -> tuple[np.ndarray, np.ndarray]:
    """Hub cylinder + one box blade along +x (inside the first sector), in m, at rotor angle 0."""
    hub = trimesh.creation.cylinder(radius=0.02, height=0.06, sections=24)
    hub.apply_translation([0, 0, 0.03])
    blade = trimesh.creation.box(extents=[0.06, 0.008, 0.04])
    # blade centred at r = 50 mm, rotated to half the sector angle (inside the sector)
    blade.apply_translation([0.05, 0, 0.03])
    half = math.radians(min(sector_angle_deg, 360.0) / 2) if sector_angle_deg < 360 else 0.0
    blade.apply_transform(trimesh.transformations.rotation_matrix(half, [0, 0, 1]))
    mesh = trimesh.util.concatenate([hub, blade])
    return np.asarray(mesh.vertices), np.asarray(mesh.faces)


def vessel_mesh(sector_angle_deg: float = 360.0, radius=0.1, height=0.1, n=48):
    """Vessel wall: a closed cylinder for the full mixer, an open arc of the wall for a sector."""
    if sector_angle_deg >= 360:
        v = trimesh.creation.cylinder(radius=radius, height=height, sections=n)
        v.apply_translation([0, 0, height / 2])
        return np.asarray(v.vertices), np.asarray(v.faces)
    phi = np.linspace(0, math.radians(sector_angle_deg), n)
    ring = np.stack([radius * np.cos(phi), radius * np.sin(phi)], axis=1)
    verts = np.concatenate([np.c_[ring, np.zeros(n)], np.c_[ring, np.full(n, height)]])
    faces = []
    for i in range(n - 1):
        faces += [[i, i + 1, n + i], [i + 1, n + i + 1, n + i]]
    return verts, np.asarray(faces)


def write_run(path, *, n=300, sector_angle_deg=360.0, snapshot_times=SNAPSHOT_TIMES, seed=0,
              uninserted_first=60, rotor_start_time=0.0, rotor_axis=(0.0, 0.0, 1.0), meshes=True):
    """Write a small run file and return its path.

    ``uninserted_first`` particles are NaN (not yet inserted) in the first snapshot. ``rotor_axis`` only sets
    the attribute (the geometry stays about z); ``meshes=False`` writes empty rotor and vessel meshes.
    """
    rng = np.random.default_rng(seed)
    omega = 2 * math.pi * RPM / 60
    radius = rng.uniform(0.002, 0.003, n)
    mass = 2500 * 4 / 3 * math.pi * radius**3
    phi_max = math.radians(sector_angle_deg)
    r = rng.uniform(0.03, 0.09, n)
    phi = rng.uniform(0, phi_max, n)
    z = rng.uniform(0.005, 0.06, n)
    insert_time = np.zeros(n)
    insert_time[:uninserted_first] = 0.015
    attrs = dict(config="[run]\n", rpm=RPM, omega=omega, dt=1e-5, sector_angle_deg=float(sector_angle_deg),
                 rotor_axis=np.asarray(rotor_axis, float), rotor_origin=np.zeros(3),
                 gravity=np.array([0, 0, -9.81]), output_interval=OUTPUT_INTERVAL, fill_end_time=0.0,
                 rotor_start_time=rotor_start_time, end_time=snapshot_times[-1] if snapshot_times else 0.05,
                 n_particles=n)
    w = RunWriter(path, attrs=attrs, mass=mass, radius=radius, material=np.zeros(n, int),
                  insert_time=insert_time, rotor_mesh=rotor_mesh(sector_angle_deg) if meshes else None,
                  vessel_mesh=vessel_mesh(sector_angle_deg) if meshes else None)
    for i, t in enumerate(snapshot_times):
        work = rng.lognormal(-12, 2, n) * (insert_time <= t)
        coll = rng.poisson(3, n).astype(np.int32) * (insert_time <= t)
        w.append_interval(t_start=t - OUTPUT_INTERVAL, t_end=t, dissipated_work=work, collisions=coll,
                          collisions_wall=coll // 2, contact_starts=coll, contact_starts_wall=coll // 2,
                          rotor_work=1e-3, n_inserted=int((insert_time <= t).sum()))
        ang = phi + 0.3 * omega * t * (r / 0.09)  # the charge rides the wall more slowly than the rotor
        if sector_angle_deg < 360:
            ang %= phi_max  # periodic sector
        pos = np.stack([r * np.cos(ang), r * np.sin(ang), z], axis=1)
        vt = 0.3 * omega * r * rng.uniform(0.2, 1.0, n)
        vel = np.stack([-vt * np.sin(ang), vt * np.cos(ang), rng.normal(0, 0.1, n)], axis=1)
        pos[insert_time > t] = np.nan
        vel[insert_time > t] = 0
        w.append_snapshot(time=t, rotor_angle=omega * t, interval_index=i, position=pos, velocity=vel,
                          angular_velocity=rng.normal(0, 10, (n, 3)), dissipated_power=work / OUTPUT_INTERVAL,
                          collisions=coll)
    w.close("complete")
    return path


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """A full-mixer (360°) run: 300 particles, 4 snapshots, the first with 60 particles not yet inserted."""
    return write_run(tmp_path_factory.mktemp("runs") / "small.h5")


@pytest.fixture(scope="session")
def sector_run(tmp_path_factory):
    """A 72° sector run: 200 particles, 3 snapshots."""
    return write_run(tmp_path_factory.mktemp("runs") / "sector.h5", n=200, sector_angle_deg=72.0,
                     snapshot_times=SNAPSHOT_TIMES[:3], seed=1, uninserted_first=0)


@pytest.fixture(scope="session")
def empty_run(tmp_path_factory):
    """A run file with no snapshots (killed before the first one)."""
    return write_run(tmp_path_factory.mktemp("runs") / "empty.h5", n=50, snapshot_times=())


@pytest.fixture
def make_run(tmp_path):
    """``make_run(name, **kwargs)`` writes a run with :func:`write_run` into the test's tmp_path."""
    return lambda name, **kwargs: write_run(tmp_path / name, **kwargs)
