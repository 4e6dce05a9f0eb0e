"""Small synthetic run files written with the real RunWriter (docs/hdf5.md)."""

from __future__ import annotations

import numpy as np
import pytest

from mfdem.io import RunWriter


def write_run(path, work, collisions, *, collisions_wall=None, mass=None, dt_out=0.005, t0=0.0, rpm=5000.0,
              rotor_work=None, timeseries=None, n_inserted=None, insert_time=None, status="complete",
              rotor_start_time=None, contact_starts=None):
    """Write a run file with K intervals of ``work`` (K, N) J and ``collisions`` (K, N).

    ``timeseries``: dict with ``time``, ``rotor_power``, ``kinetic_energy`` (other fields zero); default: ten
    samples per interval at the interval's mean rotor power and a constant kinetic energy.
    ``contact_starts`` (K, N): the geometric contact starts (default: equal to ``collisions``).
    """
    work = np.asarray(work, dtype=float)
    collisions = np.asarray(collisions, dtype=np.int32)
    k, n = work.shape
    mass = np.full(n, 1.0e-3) if mass is None else np.asarray(mass, dtype=float)
    collisions_wall = np.zeros_like(collisions) if collisions_wall is None else np.asarray(collisions_wall)
    contact_starts = collisions if contact_starts is None else np.asarray(contact_starts, dtype=np.int32)
    rotor_work = work.sum(axis=1) if rotor_work is None else np.asarray(rotor_work, dtype=float)
    n_inserted = np.full(k, n) if n_inserted is None else np.asarray(n_inserted)
    attrs = dict(config="# synthetic test run\n", rpm=rpm, omega=2 * np.pi * rpm / 60, dt=1e-6,
                 sector_angle_deg=72.0, rotor_axis=[0.0, 0.0, 1.0], rotor_origin=[0.0, 0.0, 0.0],
                 gravity=[0.0, -9.81, 0.0], output_interval=dt_out, fill_end_time=t0,
                 rotor_start_time=t0 if rotor_start_time is None else rotor_start_time,
                 end_time=t0 + k * dt_out, n_particles=n)
    w = RunWriter(path, attrs=attrs, mass=mass, radius=np.full(n, 1.5e-4), material=np.zeros(n, int),
                  insert_time=np.zeros(n) if insert_time is None else insert_time)
    for i in range(k):
        w.append_interval(t_start=t0 + i * dt_out, t_end=t0 + (i + 1) * dt_out, dissipated_work=work[i],
                          collisions=collisions[i], collisions_wall=collisions_wall[i],
                          contact_starts=contact_starts[i], contact_starts_wall=np.zeros(n, np.int32),
                          rotor_work=rotor_work[i], n_inserted=n_inserted[i])
    if timeseries is None:
        per = 10
        time = t0 + dt_out / per * np.arange(1, k * per + 1)
        timeseries = {"time": time, "rotor_power": np.repeat(rotor_work / dt_out, per),
                      "kinetic_energy": np.full(len(time), 1.0)}
    m = len(timeseries["time"])
    rows = {name: np.zeros(m) for name in ("rotor_angle", "rotor_torque", "elastic_energy",
                                           "dissipated_work_total", "rotor_work_total", "potential_energy",
                                           "max_overlap_ratio", "dropped_mesh_contacts")}
    rows["n_inserted"] = np.full(m, n)
    rows.update({key: np.asarray(v, dtype=float) for key, v in timeseries.items()})
    w.append_timeseries(rows)
    w.close(status)
    return path


@pytest.fixture
def make_run(tmp_path):
    counter = iter(range(10**6))

    def make(*args, name=None, **kwargs):
        path = tmp_path / (name or f"run{next(counter)}.h5")
        return write_run(path, *args, **kwargs)

    return make
