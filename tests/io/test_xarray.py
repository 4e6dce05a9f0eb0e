"""The run file read with xarray (engine h5netcdf): named dimensions, coordinates and units (docs/hdf5.md).
A resumed run keeps its dimension scales in step with its rows; files written before the scales existed are
still read, analysed and repaired as before, and gain the scales when resumed."""

import json
import shutil
import subprocess
import sys

import h5netcdf
import h5py
import numpy as np
import pytest
import xarray as xr

from mfdem.analysis import analyze_run
from mfdem.io import open_run, repair
from mfdem.io.runlog import INTERVAL_FIELDS, SNAPSHOT_FIELDS, TIMESERIES_FIELDS
from mfdem.mixer.runner import MixerRun
from tests.small_mixer import small_config

GROUP_DIMS = {"particles": {"particle"}, "intervals": {"interval", "particle"}, "timeseries": {"time"},
              "snapshots": {"snapshot", "particle", "xyz"}, "geometry/rotor": {"vertex", "face", "xyz", "corner"},
              "geometry/vessel": {"vertex", "face", "xyz", "corner"}}
SI_UNITS = {"s", "kg", "m", "m/s", "rad", "rad/s", "J", "W", "N m", "1"}
SCALES = ("interval", "snapshot", "particle", "xyz", "vertex", "face", "corner")  # datasets added with the scales


def _open(path, group, **kwargs):
    return xr.open_dataset(path, group=group, engine="h5netcdf", **kwargs)


def _datasets(f):
    out = []
    f.visititems(lambda name, obj: out.append(obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def _check_against_h5py(path):
    """Every contract group opens in xarray with named dimensions only; every variable has SI units, a
    long_name and the values h5py reads; every dimension scale is as long as the axes it labels."""
    with h5py.File(path, "r") as f:
        for group, dims in GROUP_DIMS.items():
            with _open(path, group) as ds:
                assert set(ds.sizes) == dims, group
                for name, var in ds.variables.items():
                    raw = f[f"{group}/{name}"]
                    values = raw.asstr()[...] if raw.dtype.kind == "O" else raw[...]
                    np.testing.assert_array_equal(var.values, values, err_msg=f"{group}/{name}")
                    assert var.attrs["long_name"], f"{group}/{name}"
                    if name != "xyz":
                        assert var.attrs["units"] in SI_UNITS, f"{group}/{name}"
        for ds in _datasets(f):
            for axis in range(ds.ndim):
                for scale in ds.dims[axis].values():
                    assert scale.shape == (ds.shape[axis],), (ds.name, scale.name)


def _strip(path):
    """Make ``path`` a file as written before the scales: no scales, units, long names or coordinates."""
    with h5py.File(path, "r+") as f:
        datasets = _datasets(f)
        for ds in datasets:
            for axis in range(ds.ndim):
                for scale in list(ds.dims[axis].values()):
                    ds.dims[axis].detach_scale(scale)
        for ds in datasets:
            for attr in ("units", "long_name", "coordinates", "CLASS", "NAME"):
                if attr in ds.attrs:
                    del ds.attrs[attr]
            if ds.name.rsplit("/", 1)[-1] in SCALES:
                del f[ds.name]
    with h5py.File(path, "r") as f:
        assert sorted(f["intervals"]) == sorted(INTERVAL_FIELDS)
        assert sorted(f["snapshots"]) == sorted(SNAPSHOT_FIELDS)
        assert sorted(f["timeseries"]) == sorted(TIMESERIES_FIELDS)
        assert not any(set(ds.attrs) & {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "units"}
                       for ds in _datasets(f))


def test_every_group_opens_in_xarray_with_dimensions_coordinates_and_units(sector_run):
    path, job = sector_run
    _check_against_h5py(path)
    with h5py.File(path, "r") as f:
        attrs = dict(f.attrs)
    dt_out, n = attrs["output_interval"], job.cfg.n_particles
    with _open(path, "timeseries") as ts, _open(path, "intervals") as iv, _open(path, "snapshots") as sn:
        assert ts.time.attrs["units"] == "s" and ts.time.dtype == np.float64 and "time" in ts.indexes
        assert ts.rotor_torque.attrs["units"] == "N m" and ts.rotor_power.attrs["units"] == "W"
        t = ts.time.values
        assert np.all(np.diff(t) > 0) and t[-1] == pytest.approx(attrs["end_time"], rel=1e-12)
        assert np.diff(t).max() <= dt_out * (1 + 1e-9)
        # intervals: an index dimension with the interval bounds as time coordinates
        k = iv.sizes["interval"]
        assert k == job.n_intervals and {"t_start", "t_end"} <= set(iv.coords)
        np.testing.assert_array_equal(iv.interval, np.arange(k))
        np.testing.assert_array_equal(iv.particle, np.arange(n))
        np.testing.assert_allclose(iv.t_end, dt_out * np.arange(1, k + 1), rtol=1e-9)
        np.testing.assert_allclose(iv.t_end - iv.t_start, dt_out, rtol=1e-9)
        assert iv.t_end.attrs["units"] == "s" and iv.dissipated_work.attrs["units"] == "J"
        assert iv.dissipated_work.dims == ("interval", "particle")
        # every interval end is a time-series row
        assert np.abs(t[:, None] - iv.t_end.values[None, :]).min(axis=0).max() < 1e-12
        # snapshots: labelled components; the snapshot times are the ends of their intervals
        assert sn.position.dims == ("snapshot", "particle", "xyz") and list(sn.xyz.values) == ["x", "y", "z"]
        assert sn.velocity.attrs["units"] == "m/s" and sn.time.attrs["units"] == "s"
        np.testing.assert_allclose(sn.time, iv.t_end.values[sn.interval_index.values], rtol=1e-12)
        with h5py.File(path, "r") as f:
            np.testing.assert_array_equal(sn.position.sel(xyz="z"), f["snapshots/position"][..., 2])
        # pandas through xarray
        df = ts.to_dataframe()
        assert df.index.name == "time" and len(df) == len(t)
        np.testing.assert_array_equal(df["kinetic_energy"].to_numpy(), ts.kinetic_energy.values)
        per_interval = iv[["rotor_work", "n_inserted"]].to_dataframe()
        assert per_interval.index.name == "interval" and {"t_start", "t_end"} <= set(per_interval.columns)


def test_a_resumed_run_keeps_its_scales_in_step(tmp_path, sector_run):
    reference, _ = sector_run
    path = tmp_path / "resumed.h5"
    assert MixerRun.create(small_config(), path).run(progress=False, stop_after_intervals=3) == "interrupted"
    old = tmp_path / "old.h5"
    shutil.copy(path, old)
    _strip(old)
    # a writer killed part-way through the fourth interval's rows: scales and some data one row ahead
    with h5py.File(path, "r+") as f:
        for name in ("intervals/interval", "intervals/t_start", "intervals/dissipated_work", "snapshots/snapshot",
                     "snapshots/position"):
            f[name].resize(f[name].shape[0] + 1, axis=0)
    assert MixerRun.resume(path).run(progress=False) == "complete"
    _check_against_h5py(path)
    with _open(path, "intervals") as a, _open(reference, "intervals") as b, \
            _open(path, "timeseries") as ta, _open(reference, "timeseries") as tb:
        np.testing.assert_array_equal(a.interval, np.arange(8))
        np.testing.assert_array_equal(a.t_end, b.t_end)
        np.testing.assert_array_equal(a.dissipated_work, b.dissipated_work)
        np.testing.assert_array_equal(ta.time, tb.time)
    with _open(path, "snapshots") as s:
        np.testing.assert_array_equal(s.snapshot, np.arange(8))
        np.testing.assert_array_equal(s.interval_index, np.arange(8))

    # a file from before the scales gains them on --resume and grows them with the new rows
    assert MixerRun.resume(old).run(progress=False, stop_after_intervals=1) == "interrupted"
    _check_against_h5py(old)
    with _open(old, "intervals") as a, _open(reference, "intervals") as b:
        np.testing.assert_array_equal(a.interval, np.arange(4))
        np.testing.assert_array_equal(a.dissipated_work, b.dissipated_work[:4])


def test_a_file_without_scales_reads_and_analyses_as_before(tmp_path, sector_run):
    path, _ = sector_run
    old = tmp_path / "old.h5"
    shutil.copy(path, old)
    _strip(old)
    with _open(old, "intervals", phony_dims="access") as ds:   # really the old layout: no named dimensions
        assert all(d.startswith("phony_dim") for d in ds.sizes)
    with open_run(old) as a, open_run(path) as b:
        assert a.n_intervals == b.n_intervals and a.n_timeseries == b.n_timeseries
        np.testing.assert_array_equal(a.interval("dissipated_work"), b.interval("dissipated_work"))
        np.testing.assert_array_equal(a.snapshot(-1).position, b.snapshot(-1).position)
    new_result, old_result = (json.dumps(analyze_run(p, steady_from=0.005).to_dict(), sort_keys=True)
                              .replace(str(p), "RUN") for p in (path, old))
    assert old_result == new_result and "SI_CG" in new_result
    assert repair(old) is False


def test_repair_of_a_killed_writer_leaves_a_file_xarray_reads(tmp_path, sector_run):
    path, _ = sector_run
    killed = tmp_path / "killed.h5"
    shutil.copy(path, killed)
    # an SWMR writer that dies without closing the file, as a killed run does
    code = (f"import h5py, os\nf = h5py.File({str(killed)!r}, 'r+', libver='latest')\nf.swmr_mode = True\n"
            "f.flush()\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(OSError, match="already open for write"):
        _open(killed, "timeseries")
    # while flagged, an SWMR reader (docs/hdf5.md) reads it
    with xr.open_dataset(xr.backends.H5NetCDFStore(h5netcdf.File(killed, "r", swmr=True), group="timeseries")) \
            as live, _open(path, "timeseries") as full:
        xr.testing.assert_identical(live, full)
    assert repair(killed) is True
    _check_against_h5py(killed)
