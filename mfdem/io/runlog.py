"""The HDF5 run file: writer used by ``mfdem run`` and reader used by analysis and playback.

The layout is the contract in ``docs/hdf5.md``; keep the two in step. One module, past the usual size, on
purpose: the writer and the reader of each dataset sit side by side so that they cannot drift apart.
"""

from __future__ import annotations

import os
import platform
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import h5py
import numpy as np

from mfdem import __version__, theory
from mfdem.io.lock import WriterLock, WriterLockError
from mfdem.io.repair import RepairError, clear_write_flags
from mfdem.validation import InputError

FORMAT = "mfdem-run"
FORMAT_VERSION = 3   # 2: stress events in intervals/collisions, contact starts beside them; 3: particle ids in
                     # the checkpoint (spatial sorting)

_INTERVAL_ROWS = {  # name: (per-particle?, dtype); "t_end" is appended last
    "t_start": (False, "f8"),
    "dissipated_work": (True, "f8"),
    "collisions": (True, "i4"),
    "collisions_wall": (True, "i4"),
    "contact_starts": (True, "i4"),
    "contact_starts_wall": (True, "i4"),
    "rotor_work": (False, "f8"),
    "n_inserted": (False, "i4"),
    "t_end": (False, "f8"),
}
TIMESERIES_FIELDS = {
    "rotor_angle": "f8",
    "rotor_torque": "f8",
    "rotor_power": "f8",
    "kinetic_energy": "f8",
    "elastic_energy": "f8",
    "dissipated_work_total": "f8",
    "rotor_work_total": "f8",
    "potential_energy": "f8",
    "n_inserted": "i4",
    "max_overlap_ratio": "f8",
    "dropped_mesh_contacts": "i4",
    "time": "f8",  # last
}
_SNAPSHOT_ROWS = {  # name: (trailing shape given N, dtype); "time" last
    "rotor_angle": (lambda n: (), "f8"),
    "interval_index": (lambda n: (), "i4"),
    "position": (lambda n: (n, 3), "f4"),
    "velocity": (lambda n: (n, 3), "f4"),
    "angular_velocity": (lambda n: (n, 3), "f4"),
    "dissipated_power": (lambda n: (n,), "f4"),
    "collisions": (lambda n: (n,), "i4"),
    "time": (lambda n: (), "f8"),
}
INTERVAL_FIELDS = tuple(_INTERVAL_ROWS)
SNAPSHOT_FIELDS = tuple(_SNAPSHOT_ROWS)
# units ("1": a count, an index or a ratio) and descriptions of the contract datasets (docs/hdf5.md)
_META = {
    "particles/mass": ("kg", "particle mass"),
    "particles/radius": ("m", "particle radius"),
    "particles/material": ("1", "material index into the config's material list"),
    "particles/insert_time": ("s", "time the particle enters the mixer (NaN until then)"),
    "geometry/rotor/vertices": ("m", "rotor mesh vertices at rotor angle 0"),
    "geometry/rotor/faces": ("1", "rotor mesh triangles (vertex indices)"),
    "geometry/vessel/vertices": ("m", "vessel mesh vertices"),
    "geometry/vessel/faces": ("1", "vessel mesh triangles (vertex indices)"),
    "intervals/t_start": ("s", "start of the output interval"),
    "intervals/dissipated_work": ("J", "work dissipated in the particle's contacts during the interval"),
    "intervals/collisions": ("1", "stress events of the particle during the interval, wall contacts included"),
    "intervals/collisions_wall": ("1", "stress events of the particle against the rotor or vessel"),
    "intervals/contact_starts": ("1", "contact starts of the particle during the interval, wall contacts included"),
    "intervals/contact_starts_wall": ("1", "contact starts of the particle against the rotor or vessel"),
    "intervals/rotor_work": ("J", "work done by the rotor on the particles during the interval"),
    "intervals/n_inserted": ("1", "particles present at the end of the interval"),
    "intervals/t_end": ("s", "end of the output interval"),
    "timeseries/rotor_angle": ("rad", "rotor angle"),
    "timeseries/rotor_torque": ("N m", "mean torque of the rotor on the particles about rotor_axis"),
    "timeseries/rotor_power": ("W", "mean power the rotor delivers to the particles"),
    "timeseries/kinetic_energy": ("J", "kinetic energy, translational and rotational"),
    "timeseries/elastic_energy": ("J", "elastic energy stored in contacts"),
    "timeseries/dissipated_work_total": ("J", "work dissipated in contacts since t = 0"),
    "timeseries/rotor_work_total": ("J", "work done by the rotor since t = 0"),
    "timeseries/potential_energy": ("J", "gravitational potential energy, zero at rotor_origin"),
    "timeseries/n_inserted": ("1", "particles present"),
    "timeseries/max_overlap_ratio": ("1", "largest overlap / radius of any contact in the window"),
    "timeseries/dropped_mesh_contacts": ("1", "mesh contact-steps lost in the window"),
    "timeseries/time": ("s", "end of the sampling window"),
    "snapshots/rotor_angle": ("rad", "rotor angle"),
    "snapshots/interval_index": ("1", "the output interval that ends at this snapshot"),
    "snapshots/position": ("m", "particle position (NaN: not yet inserted)"),
    "snapshots/velocity": ("m/s", "particle velocity"),
    "snapshots/angular_velocity": ("rad/s", "particle angular velocity"),
    "snapshots/dissipated_power": ("W", "mean power dissipated in the particle's contacts over the interval"),
    "snapshots/collisions": ("1", "stress events of the particle during the interval"),
    "snapshots/time": ("s", "snapshot time"),
    "checkpoint/valid": ("1", "checkpoint slot to use (0: a, 1: b, -1: none) and its number of intervals"),
    "fill_state_intervals": ("1", "intervals the fill took (-1: no valid fill_state)"),
}
# dimension names of a dataset's axes (a prefix of these), by group or, in geometry/, by dataset name
_AXES = {"particles": ("particle",), "intervals": ("interval", "particle"), "timeseries": ("time",),
         "snapshots": ("snapshot", "particle", "xyz"), "vertices": ("vertex", "xyz"), "faces": ("face", "corner")}
_SCALE_NAMES = {"particle": "particle index (insertion order)", "interval": "output interval index",
                "snapshot": "snapshot index", "vertex": "vertex index", "face": "face index",
                "corner": "corner of the triangle", "xyz": "Cartesian component"}
_COORDINATES = {"intervals": "t_start t_end", "snapshots": "time interval_index"}  # non-dimension coordinates
_GROWING = ("interval", "snapshot")  # index scales appended with their rows
REQUIRED_ATTRS = ("format", "format_version", "mfdem_version", "config", "status", "rpm", "dt",
                  "sector_angle_deg", "rotor_axis", "rotor_origin", "output_interval", "n_particles")


class RunFileError(InputError):
    """A file that is missing, not an mfdem run, or damaged beyond what the reader can use."""


def _append(ds: h5py.Dataset, row) -> None:
    k = ds.shape[0]
    ds.resize(k + 1, axis=0)
    ds[k] = row


def _scale(g: h5py.Group, dim: str, length: int) -> h5py.Dataset:
    """The dimension scale ``dim`` of group ``g``, created if missing: an index 0..length-1 (resizable for
    the rows of intervals and snapshots), the labels x, y, z, or the existing ``timeseries/time``."""
    if dim not in g:
        if dim == "xyz":
            g.create_dataset(dim, data=np.array(["x", "y", "z"], dtype=h5py.string_dtype()))
        else:
            growing = dim in _GROWING
            g.create_dataset(dim, data=np.arange(length, dtype="i4"), maxshape=(None,) if growing else None,
                             chunks=(1024,) if growing else None)
    ds = g[dim]
    if dim in _GROWING and ds.shape[0] != length:  # rows appended by an mfdem that did not know the scale
        ds.resize(length, axis=0)
        ds[:] = np.arange(length)
    if not h5py.h5ds.is_scale(ds.id):
        ds.make_scale(dim)
    if dim not in ("time", "xyz"):
        ds.attrs.setdefault("units", "1")
    if dim in _SCALE_NAMES:
        ds.attrs.setdefault("long_name", _SCALE_NAMES[dim])
    return ds


def _label_datasets(f: h5py.File) -> None:
    """Give the contract datasets their dimension scales, ``units``, ``long_name`` and ``coordinates``
    (docs/hdf5.md), adding only what is missing, so that a file written before them gains them on
    ``--resume``. HDF5 forbids new attributes and scales under SWMR: call this before ``swmr_mode = True``,
    with every row group trimmed to its complete rows."""
    for path, (units, long_name) in _META.items():
        if path not in f:
            continue
        ds = f[path]
        ds.attrs.setdefault("units", units)
        ds.attrs.setdefault("long_name", long_name)
        group, name = path.rsplit("/", 1) if "/" in path else ("", path)
        axes = _AXES.get(group.split("/")[0]) or _AXES.get(name)
        if axes is None:
            continue
        for axis, dim in enumerate(axes[:ds.ndim]):
            scale = _scale(f[group], dim, ds.shape[axis])
            if scale.name != ds.name and not h5py.h5ds.is_attached(ds.id, scale.id, axis):
                ds.dims[axis].attach_scale(scale)
        coords = _COORDINATES.get(group)
        if coords and name not in coords.split() + [axes[0]]:
            ds.attrs.setdefault("coordinates", coords)


# ----------------------------------------------------------------------------------------------- writer


def library_versions() -> dict:
    """The versions a bit-identical ``--resume`` depends on, as root attributes (docs/hdf5.md)."""
    versions = {"python_version": platform.python_version()}
    for lib in ("taichi", "numpy", "h5py"):
        try:
            versions[f"{lib}_version"] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[f"{lib}_version"] = "unknown"
    return versions


class RunWriter:
    """Create a run file, then append intervals, time-series rows, snapshots and checkpoints.

    ``attrs`` must hold the root attributes of docs/hdf5.md except ``format``, ``format_version``,
    ``mfdem_version`` and ``status``, which the writer sets. ``checkpoint_spec`` maps dataset names to
    ``(shape, dtype)``; a leading ``None`` makes the first axis resizable.
    """

    def __init__(self, path, *, attrs: dict, mass, radius, material, insert_time,
                 rotor_mesh=None, vessel_mesh=None, checkpoint_spec: dict | None = None):
        self.path = Path(path)
        n = int(attrs["n_particles"])
        self.n = n
        f = h5py.File(self.path, "w", libver="latest")
        self._f = f
        f.attrs["format"] = FORMAT
        f.attrs["format_version"] = FORMAT_VERSION
        f.attrs["mfdem_version"] = __version__
        f.attrs.update(library_versions())
        f.attrs["status"] = "running"
        for key, value in attrs.items():
            f.attrs[key] = value
        p = f.create_group("particles")
        for name, arr, dt in (("mass", mass, "f8"), ("radius", radius, "f8"),
                              ("material", material, "i4"), ("insert_time", insert_time, "f8")):
            arr = np.asarray(arr, dtype=dt)
            if arr.shape != (n,):
                raise ValueError(f"particles/{name} has shape {arr.shape}, expected ({n},)")
            p.create_dataset(name, data=arr)
        g = f.create_group("geometry")
        for name, mesh in (("rotor", rotor_mesh), ("vessel", vessel_mesh)):
            vertices, faces = mesh if mesh is not None else (np.zeros((0, 3)), np.zeros((0, 3), int))
            g.create_dataset(f"{name}/vertices", data=np.asarray(vertices, "f8"))
            g.create_dataset(f"{name}/faces", data=np.asarray(faces, "i4"))

        self._intervals = {}
        for name, (per_particle, dt) in _INTERVAL_ROWS.items():
            shape, chunks = ((0, n), (1, max(n, 1))) if per_particle else ((0,), (1024,))
            self._intervals[name] = f.create_dataset(
                f"intervals/{name}", shape=shape, maxshape=(None,) + shape[1:], chunks=chunks, dtype=dt,
                compression="gzip" if per_particle else None)
        self._timeseries = {
            name: f.create_dataset(f"timeseries/{name}", shape=(0,), maxshape=(None,), chunks=(4096,), dtype=dt)
            for name, dt in TIMESERIES_FIELDS.items()}
        self._snapshots = {}
        for name, (trail, dt) in _SNAPSHOT_ROWS.items():
            tshape = trail(n)
            self._snapshots[name] = f.create_dataset(
                f"snapshots/{name}", shape=(0,) + tshape, maxshape=(None,) + tshape,
                chunks=(1,) + tuple(max(s, 1) for s in tshape) if tshape else (1024,), dtype=dt,
                compression="gzip" if tshape else None)
        self._ckpt = [{}, {}]
        self._fill = {}
        for slot, group in ((self._ckpt[0], "checkpoint/a"), (self._ckpt[1], "checkpoint/b"),
                            (self._fill, "fill_state")):
            for name, (shape, dt) in (checkpoint_spec or {}).items():
                maxshape = tuple(None if s is None else s for s in shape)
                init = tuple(0 if s is None else s for s in shape)
                chunks = tuple(max(s, 1) if s is not None else 4096 for s in shape) if shape else None
                slot[name] = f.create_dataset(f"{group}/{name}", shape=init, maxshape=maxshape, dtype=dt,
                                              chunks=chunks if shape else None)
        self._valid = f.create_dataset("checkpoint/valid", data=np.array([-1, 0], "i8"))
        self._fill_valid = f.create_dataset("fill_state_intervals", data=np.int64(-1))
        _label_datasets(f)
        self._interval_scale, self._snapshot_scale = f["intervals/interval"], f["snapshots/snapshot"]
        f.flush()
        f.swmr_mode = True

    # -- rows

    def append_interval(self, *, t_start, t_end, dissipated_work, collisions, collisions_wall, contact_starts,
                        contact_starts_wall, rotor_work, n_inserted) -> int:
        row = dict(t_start=t_start, dissipated_work=dissipated_work, collisions=collisions,
                   collisions_wall=collisions_wall, contact_starts=contact_starts,
                   contact_starts_wall=contact_starts_wall, rotor_work=rotor_work, n_inserted=n_inserted,
                   t_end=t_end)
        k = self._intervals["t_end"].shape[0]
        _append(self._interval_scale, k)
        for name in _INTERVAL_ROWS:  # t_end last: it marks the row complete
            ds = self._intervals[name]
            ds.resize(k + 1, axis=0)
            ds[k] = row[name]
        return k + 1

    def append_timeseries(self, rows: dict) -> None:
        """Append several rows at once: ``rows`` maps every TIMESERIES_FIELDS name to a 1-D array."""
        m = len(rows["time"])
        if m == 0:
            return
        k = self._timeseries["time"].shape[0]
        for name in TIMESERIES_FIELDS:
            ds = self._timeseries[name]
            ds.resize(k + m, axis=0)
            ds[k:k + m] = np.asarray(rows[name])

    def append_snapshot(self, **row) -> None:
        _append(self._snapshot_scale, self._snapshots["time"].shape[0])
        for name in _SNAPSHOT_ROWS:  # time last: it marks the row complete
            _append(self._snapshots[name], row[name])

    def write_checkpoint(self, arrays: dict, n_intervals: int) -> None:
        """Write a checkpoint into the slot not named valid, flush, then mark it valid."""
        current = int(self._valid[0])
        slot = 1 - current if current in (0, 1) else 0
        for name, ds in self._ckpt[slot].items():
            value = np.asarray(arrays[name])
            if ds.maxshape and ds.maxshape[0] is None:
                ds.resize(value.shape[0], axis=0)
            ds[...] = value
        self._f.flush()
        self._valid[...] = np.array([slot, n_intervals], "i8")
        self._f.flush()

    def write_fill_state(self, arrays: dict, n_intervals: int) -> None:
        """Write the state at the end of the fill (``fill_state/``, the source of ``mfdem run --from-fill``):
        marked invalid while it is written, so a kill never leaves a half-written one marked valid."""
        if self._fill is None:
            return
        self._fill_valid[...] = -1
        self._f.flush()
        for name, ds in self._fill.items():
            value = np.asarray(arrays[name])
            if ds.maxshape and ds.maxshape[0] is None:
                ds.resize(value.shape[0], axis=0)
            ds[...] = value
        self._f.flush()
        self._fill_valid[...] = int(n_intervals)
        self._f.flush()

    def write_insert_times(self, insert_time) -> None:
        """Overwrite ``particles/insert_time`` (NaN for particles not yet inserted)."""
        self._f["particles/insert_time"][...] = np.asarray(insert_time, "f8")

    def flush(self) -> None:
        self._f.flush()

    @property
    def closed(self) -> bool:
        """True once ``close`` has recorded the run's status."""
        return self._f is None

    def close(self, status: str = "complete", failure: str | None = None) -> None:
        """Close the SWMR writer and record ``status`` (complete / interrupted / failed) and, for a failed run,
        why (root attribute ``failure``)."""
        if self._f is None:
            return
        self._f.flush()
        self._f.close()
        self._f = None
        with h5py.File(self.path, "r+") as f:
            f.attrs["status"] = status
            if failure:
                f.attrs["failure"] = failure


def reopen_for_append(path, checkpoint_names, n_intervals: int, config_change: tuple | None = None) -> "RunWriter":
    """Open an existing run file for appending after its first ``n_intervals`` intervals (the checkpoint
    used by ``--resume``): later rows — written after that checkpoint or half-written by a crash — are
    dropped. Repairs a killed writer's flags first. ``config_change``: ``(config TOML, note)``, a new stored
    config and a line for the ``guard_changes`` attribute (settings changed on resuming)."""
    path = Path(path)
    try:
        clear_write_flags(path)
    except RepairError as exc:
        raise RunFileError(str(exc)) from exc
    w = RunWriter.__new__(RunWriter)
    w.path = path
    f = h5py.File(path, "r+", libver="latest")
    w._f = f
    w.n = int(f.attrs["n_particles"])
    changed = [f"{name} {f.attrs[name]} → {now}" for name, now in library_versions().items()
               if name in f.attrs and str(f.attrs[name]) != now]
    if changed:
        warnings.warn(f"{path}: resumed with other library versions ({'; '.join(changed)}): the continuation "
                      "is valid but need not match an uninterrupted run bit for bit", stacklevel=2)
    k = min(f["intervals/t_end"].shape[0], n_intervals)
    t_last = float(f["intervals/t_end"][k - 1]) if k else -np.inf
    s = int(np.count_nonzero(f["snapshots/interval_index"][: f["snapshots/time"].shape[0]] < k))
    t = int(np.count_nonzero(f["timeseries/time"][...] <= t_last * (1 + 1e-12)))
    w._intervals = {name: f[f"intervals/{name}"] for name in _INTERVAL_ROWS}
    w._snapshots = {name: f[f"snapshots/{name}"] for name in _SNAPSHOT_ROWS}
    w._timeseries = {name: f[f"timeseries/{name}"] for name in TIMESERIES_FIELDS}
    for group, rows in (("intervals", k), ("snapshots", s), ("timeseries", t)):
        for ds in f[group].values():  # the rows and their index scale (absent from older files)
            if ds.maxshape[0] is None and ds.shape[0] > rows:
                ds.resize(rows, axis=0)
    _label_datasets(f)
    w._interval_scale, w._snapshot_scale = f["intervals/interval"], f["snapshots/snapshot"]
    w._ckpt = [{n: f[f"checkpoint/{g}/{n}"] for n in checkpoint_names} for g in ("a", "b")]
    w._valid = f["checkpoint/valid"]
    w._fill = {n: f[f"fill_state/{n}"] for n in checkpoint_names} if "fill_state" in f else None
    w._fill_valid = f.get("fill_state_intervals")
    f.attrs["status"] = "running"
    if "failure" in f.attrs:
        del f.attrs["failure"]
    if config_change is not None:   # attributes cannot change once the file is in SWMR mode
        text, note = config_change
        f.attrs["config"] = text
        f.attrs["guard_changes"] = "\n".join(filter(None, (str(f.attrs.get("guard_changes", "")), note)))
    f.flush()
    f.swmr_mode = True
    return w


# ----------------------------------------------------------------------------------------------- reader


@dataclass
class Snapshot:
    index: int
    time: float
    rotor_angle: float
    interval_index: int
    position: np.ndarray
    velocity: np.ndarray
    angular_velocity: np.ndarray
    dissipated_power: np.ndarray
    collisions: np.ndarray


class RunFile:
    """Read-only view of a run file; every array is trimmed to complete rows (docs/hdf5.md)."""

    def __init__(self, f: h5py.File, path: Path):
        self._f = f
        self.path = path
        self.attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        self.n_intervals = f["intervals/t_end"].shape[0]
        self.n_snapshots = f["snapshots/time"].shape[0]
        self.n_timeseries = f["timeseries/time"].shape[0]

    # context manager
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._f.close()

    # scalars
    @property
    def config_text(self) -> str:
        return str(self.attrs["config"])

    @property
    def status(self) -> str:
        return str(self.attrs["status"])

    @property
    def failure(self) -> str | None:
        """Why a failed run stopped (None when it did not fail or the file predates the attribute)."""
        value = self.attrs.get("failure")
        return None if value is None else str(value)

    def has_interval(self, name: str) -> bool:
        """Whether ``intervals/<name>`` exists (``contact_starts`` is absent from format-1 files)."""
        return f"intervals/{name}" in self._f

    @property
    def rpm(self) -> float:
        return float(self.attrs["rpm"])

    @property
    def omega(self) -> float:
        return float(self.attrs.get("omega", theory.angular_speed(self.rpm)))

    @property
    def dt(self) -> float:
        return float(self.attrs["dt"])

    @property
    def sector_angle_deg(self) -> float:
        return float(self.attrs["sector_angle_deg"])

    @property
    def rotor_axis(self) -> np.ndarray:
        return np.asarray(self.attrs["rotor_axis"], float)

    @property
    def rotor_origin(self) -> np.ndarray:
        return np.asarray(self.attrs["rotor_origin"], float)

    @property
    def output_interval(self) -> float:
        return float(self.attrs["output_interval"])

    @property
    def n_particles(self) -> int:
        return int(self.attrs["n_particles"])

    # particles and geometry
    @property
    def mass(self) -> np.ndarray:
        return self._f["particles/mass"][...]

    @property
    def radius(self) -> np.ndarray:
        return self._f["particles/radius"][...]

    @property
    def insert_time(self) -> np.ndarray:
        return self._f["particles/insert_time"][...]

    def mesh(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(vertices, faces)`` of ``"rotor"`` or ``"vessel"`` at rotor angle 0."""
        return self._f[f"geometry/{name}/vertices"][...], self._f[f"geometry/{name}/faces"][...]

    # intervals, time series, snapshots
    def _read(self, name: str, sel):
        """``dataset[sel]``; a damaged dataset (a corrupted chunk, a cut file) is a RunFileError naming it."""
        ds = self._f[name]
        try:
            return ds[sel]
        except OSError as exc:
            raise RunFileError(f"{self.path}: dataset {name} is damaged and cannot be read ({exc}); use a complete "
                               "copy of the file, or leave the damaged part out (--steady-from, --frames)") from None

    def interval(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows ``start:stop`` (complete rows only) of ``intervals/<name>``."""
        stop = self.n_intervals if stop is None else min(stop, self.n_intervals)
        return self._read(f"intervals/{name}", slice(start, stop))

    def timeseries(self, name: str) -> np.ndarray:
        return self._read(f"timeseries/{name}", slice(0, self.n_timeseries))

    def snapshot(self, k: int) -> Snapshot:
        if not -self.n_snapshots <= k < self.n_snapshots:
            raise IndexError(f"snapshot {k} out of range: the run has {self.n_snapshots} snapshots "
                             f"(0..{self.n_snapshots - 1})")
        k %= self.n_snapshots
        row = {name: self._read(f"snapshots/{name}", k) for name in _SNAPSHOT_ROWS}
        return Snapshot(index=k, time=float(row["time"]), rotor_angle=float(row["rotor_angle"]),
                        interval_index=int(row["interval_index"]), position=row["position"],
                        velocity=row["velocity"], angular_velocity=row["angular_velocity"],
                        dissipated_power=row["dissipated_power"], collisions=row["collisions"])

    def snapshot_times(self) -> np.ndarray:
        return self._f["snapshots/time"][: self.n_snapshots]

    def checkpoint(self) -> tuple[dict, int] | None:
        """The valid checkpoint as ``({name: array}, n_intervals)``, or None if none was written."""
        slot, n_int = (int(v) for v in self._f["checkpoint/valid"][...])
        if slot not in (0, 1):
            return None
        g = self._f["checkpoint/" + "ab"[slot]]
        out = {}
        g.visititems(lambda name, obj: out.__setitem__(name, obj[...]) if isinstance(obj, h5py.Dataset) else None)
        return out, n_int


    def fill_state(self) -> tuple[dict, int] | None:
        """The state at the end of the fill as ``({name: array}, n_intervals)``, or None if the run holds none
        (written by an older mfdem, stopped before the fill ended, or a fill not ending on an output interval)."""
        k = int(self._f["fill_state_intervals"][()]) if "fill_state_intervals" in self._f else -1
        if k < 0:
            return None
        out = {}
        self._f["fill_state"].visititems(
            lambda name, obj: out.__setitem__(name, obj[...]) if isinstance(obj, h5py.Dataset) else None)
        return out, k

    @property
    def snapshot_interval_index(self) -> np.ndarray:
        return self._f["snapshots/interval_index"][: self.n_snapshots]


def open_run(path) -> RunFile:
    """Open an mfdem run file for reading, with a clear error for anything else.

    Works on a finished run, on a run still being written and on the file of a killed run.
    """
    path = Path(path)
    if not path.exists():
        raise RunFileError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        if "already open for write" not in str(exc):
            raise RunFileError(f"{path}: not an HDF5 file ({exc})") from exc
        try:  # a live or killed SWMR writer: readable in SWMR mode
            f = h5py.File(path, "r", swmr=True)
        except OSError as exc2:
            raise RunFileError(f"{path}: cannot be opened ({exc2})") from exc2
    if f.attrs.get("format") != FORMAT:
        f.close()
        raise RunFileError(f"{path}: not an mfdem run file (root attribute 'format' is not '{FORMAT}')")
    missing = [a for a in REQUIRED_ATTRS if a not in f.attrs]
    missing += [d for d in ("particles/mass", "particles/radius", "intervals/t_end", "timeseries/time",
                            "snapshots/time") if d not in f]
    if missing:
        f.close()
        raise RunFileError(f"{path}: damaged mfdem run file, missing {', '.join(missing)}")
    if int(f.attrs["format_version"]) > FORMAT_VERSION:
        f.close()
        raise RunFileError(f"{path}: format version {int(f.attrs['format_version'])} is newer than this "
                           f"mfdem reads ({FORMAT_VERSION}); update mfdem")
    return RunFile(f, path)


def repair(path) -> bool:
    """Clear a killed writer's flags so any HDF5 tool opens the file (``mfdem repair``); refuses a file that
    a live writer holds (mfdem.io.lock)."""
    if not os.path.exists(path):
        raise RunFileError(f"{path}: no such file")
    try:
        lock = WriterLock(path).acquire()
    except WriterLockError as exc:
        raise RunFileError(str(exc)) from None
    try:
        changed = clear_write_flags(path)
        verify(path)
        return changed
    except RepairError as exc:
        raise RunFileError(str(exc)) from exc
    finally:
        lock.release()


def verify(path) -> None:
    """Read every dataset of run file ``path`` chunk by chunk; a damaged one is a RunFileError naming it."""
    with open_run(path) as rf:
        damaged = []

        def check(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.size:
                try:
                    for sel in (obj.iter_chunks() if obj.chunks else [()]):
                        obj[sel]
                except OSError:
                    damaged.append(name)
        rf._f.visititems(check)
    if damaged:
        raise RunFileError(f"{path}: damaged beyond repair: {', '.join(damaged[:5])}"
                           f"{f' and {len(damaged) - 5} more' if len(damaged) > 5 else ''} cannot be read; the "
                           "other data are intact (mfdem analyze reads them, e.g. with --steady-from)")
