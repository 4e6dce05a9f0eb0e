"""Build the PyVista scene of one snapshot: rotor at its logged angle, translucent vessel, coloured particles.

Everything here is shared by the interactive window (:mod:`mfdem.viz.playback`), the off-screen screenshot
and movie writer (:mod:`mfdem.viz.render`) and, for the data part, the VTK export
(:mod:`mfdem.viz.vtk_export`). Units are SI throughout: m, m/s, rad/s, W, rad; angles given to the camera
are in degrees.

Data flow: :func:`load_particles` reads one snapshot through :func:`mfdem.io.open_run`'s ``RunFile``, drops
particles not yet inserted (NaN position) and, for ``sector_to_full``, replicates a 72° sector run
360/72 = 5 times about the rotor axis (positions *and* velocity vectors rotated). :class:`Scene` owns the
actors of one plotter and updates them in place for each shown snapshot.

Particles are spheres of their true radius (sphere glyphs) up to ``SceneOptions.max_spheres`` shown
particles (default 20,000); above that they are shaded point sprites whose pixel size matches the mean
radius at the focal distance — with Mesa's software OpenGL 100,000 sprites take ~0.3 s per frame against
~25 s for sphere glyphs (and ~2–6 s for VTK's Gaussian splats).

One module, past the usual size: what a frame shows (sector or full mixer, rotor pose, colouring, glyphs or
sprites) is decided together for playback, screenshots, movies and VTK export.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import numpy as np
import pyvista as pv

from mfdem.io import RunFile
from mfdem.viz.errors import VizError, check_frame, require_snapshots
from mfdem.viz.fields import CAMERA_VIEWS, COLOR_FIELDS, ColorField
from mfdem.viz.fields import color_field as _color_field

__all__ = ["COLOR_FIELDS", "ColorField", "ParticleFrame", "Scene", "SceneOptions", "color_limits",
           "color_values", "load_particles", "mesh_polydata", "particles_polydata", "replication_count",
           "rotate_points", "rotation_matrix", "rotor_polydata", "vessel_polydata"]


# ------------------------------------------------------------------------------------------- geometry


def rotation_matrix(axis, angle: float) -> np.ndarray:
    """3×3 matrix of the right-handed rotation by ``angle`` (rad) about the direction ``axis``."""
    a = np.asarray(axis, float)
    norm = np.linalg.norm(a)
    if not norm > 0:
        raise VizError(f"rotor axis {axis!r} has zero length")
    x, y, z = a / norm
    c, s = math.cos(angle), math.sin(angle)
    C = 1.0 - c
    return np.array([[c + x * x * C, x * y * C - z * s, x * z * C + y * s],
                     [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
                     [z * x * C - y * s, z * y * C + x * s, c + z * z * C]])


def rotate_points(points, axis, origin, angle: float) -> np.ndarray:
    """``points`` (…×3, m) rotated by ``angle`` (rad, right-handed) about ``axis`` through ``origin`` (m)."""
    p = np.asarray(points, float)
    o = np.asarray(origin, float)
    return (p - o) @ rotation_matrix(axis, angle).T + o


def replication_count(sector_angle_deg: float) -> int:
    """How many copies of a sector make the full mixer: 360 / sector angle (5 for 72°, 1 for 360°)."""
    n = 360.0 / float(sector_angle_deg)
    if not (n >= 1 and abs(n - round(n)) < 1e-6):
        raise VizError(f"sector angle {sector_angle_deg}° does not divide 360°; cannot replicate the sector "
                       f"to the full mixer")
    return int(round(n))


def mesh_polydata(vertices, faces) -> pv.PolyData:
    """Triangle mesh (vertices V×3 in m, faces F×3 vertex indices) as a ``pyvista.PolyData``."""
    v = np.asarray(vertices, float).reshape(-1, 3)
    f = np.asarray(faces, np.int64).reshape(-1, 3)
    if len(v) == 0:
        return pv.PolyData()
    if len(f) == 0:
        return pv.PolyData(v)
    return pv.PolyData.from_regular_faces(v, f)


def _replicated_mesh(run: RunFile, name: str, copies: int) -> pv.PolyData:
    vertices, faces = run.mesh(name)
    vertices = np.asarray(vertices, float)
    faces = np.asarray(faces, np.int64)
    if copies > 1 and len(vertices):
        step = 2 * math.pi / copies
        vertices = np.concatenate([rotate_points(vertices, run.rotor_axis, run.rotor_origin, j * step)
                                   for j in range(copies)])
        faces = np.concatenate([faces + j * len(run.mesh(name)[0]) for j in range(copies)])
    return mesh_polydata(vertices, faces)


def rotor_polydata(run: RunFile, angle: float, *, sector_to_full: bool = False) -> pv.PolyData:
    """Rotor mesh at rotor ``angle`` (rad) about ``rotor_axis`` through ``rotor_origin`` (vertices in m).

    A sector run stores the rotor cut to the sector at angle 0; the rotor is symmetric under the sector
    rotation, so the whole rotor is the sector rotor replicated 360/sector times. With ``sector_to_full`` that
    whole rotor is shown turned by ``angle``; otherwise it is turned and cut back to the sector, which is
    what the simulated sector holds at that angle.
    """
    mesh = _replicated_mesh(run, "rotor", replication_count(run.sector_angle_deg))
    if mesh.n_points:
        mesh.points = rotate_points(mesh.points, run.rotor_axis, run.rotor_origin, angle)
    if not sector_to_full:
        mesh = clip_to_sector(mesh, run)
    return mesh


def clip_to_sector(mesh: pv.PolyData, run: RunFile) -> pv.PolyData:
    """The part of ``mesh`` inside the run's sector 0 ≤ φ ≤ sector angle (unchanged for a 360° run)."""
    if run.sector_angle_deg >= 360.0 or not mesh.n_points:
        return mesh
    axis = run.rotor_axis / np.linalg.norm(run.rotor_axis)
    ex = np.array([1.0, 0.0, 0.0]) if abs(axis[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    start = ex - ex.dot(axis) * axis                      # φ = 0: world +x about the z axis
    start /= np.linalg.norm(start)
    normal0 = np.cross(axis, start)                       # keeps φ ≥ 0
    end = rotate_points(start[None, :], axis, np.zeros(3), math.radians(run.sector_angle_deg))[0]
    normal1 = -np.cross(axis, end)                        # keeps φ ≤ sector angle
    out = mesh
    for n in (normal0, normal1):
        out = out.clip(normal=-n, origin=run.rotor_origin)
        if not out.n_points:
            break
    if not out.n_points:
        return out
    # newer PyVista asks for the algorithm (the default will change); older ones (0.43) have no such keyword
    keep = {"algorithm": "dataset_surface"} if "algorithm" in inspect.signature(out.extract_surface).parameters \
        else {}
    return out.extract_surface(**keep)


def vessel_polydata(run: RunFile, *, sector_to_full: bool = False) -> pv.PolyData:
    """The static vessel mesh (m); replicated to the full mixer with ``sector_to_full``."""
    copies = replication_count(run.sector_angle_deg) if sector_to_full else 1
    return _replicated_mesh(run, "vessel", copies)


# ------------------------------------------------------------------------------------------ particles


@dataclass
class ParticleFrame:
    """The inserted particles of one snapshot (M of them; M = inserted × copies with sector replication).

    Arrays are float64 unless stated: ``position`` (M×3, m), ``velocity`` (M×3, m/s), ``angular_velocity``
    (M×3, rad/s), ``radius`` (m), ``mass`` (kg), ``dissipated_power`` (W), ``collisions`` (int, stress events
    in the output interval ending at this snapshot), ``particle_id`` (int, index into the run's particle
    arrays), ``sector_copy`` (int, 0 for the simulated sector, j for the copy rotated by j·sector angle).
    """

    index: int  #: snapshot index
    time: float  #: s
    rotor_angle: float  #: rad
    position: np.ndarray
    velocity: np.ndarray
    angular_velocity: np.ndarray
    radius: np.ndarray
    mass: np.ndarray
    dissipated_power: np.ndarray
    collisions: np.ndarray
    particle_id: np.ndarray
    sector_copy: np.ndarray

    @property
    def n(self) -> int:
        """Number of particles shown (M)."""
        return int(len(self.position))

    @property
    def speed(self) -> np.ndarray:
        """|v| per particle, m/s."""
        return np.linalg.norm(self.velocity, axis=1)


def load_particles(run: RunFile, k: int, *, sector_to_full: bool = False) -> ParticleFrame:
    """Read snapshot ``k`` (negative counts from the end) of an open run as a :class:`ParticleFrame`.

    Particles whose position is NaN (not yet inserted) are left out. With ``sector_to_full`` positions,
    velocities and angular velocities are replicated 360/sector times, each copy rotated by a multiple of the
    sector angle about ``rotor_axis`` through ``rotor_origin``.
    """
    n_snap = require_snapshots(run)
    k = check_frame(k, n_snap)
    snap = run.snapshot(k)
    pos = np.asarray(snap.position, float)
    keep = np.isfinite(pos).all(axis=1)
    ids = np.nonzero(keep)[0]
    radius = np.asarray(run.radius, float)[ids]
    mass = np.asarray(run.mass, float)[ids]
    pos = pos[ids]
    vel = np.nan_to_num(np.asarray(snap.velocity, float)[ids])
    omg = np.nan_to_num(np.asarray(snap.angular_velocity, float)[ids])
    power = np.nan_to_num(np.asarray(snap.dissipated_power, float)[ids])
    coll = np.asarray(snap.collisions, np.int64)[ids]
    copy = np.zeros(len(ids), np.int64)
    copies = replication_count(run.sector_angle_deg) if sector_to_full else 1
    if copies > 1:
        axis, origin = run.rotor_axis, run.rotor_origin
        step = 2 * math.pi / copies
        rots = [rotation_matrix(axis, j * step) for j in range(copies)]
        pos = np.concatenate([(pos - origin) @ R.T + origin for R in rots])
        vel = np.concatenate([vel @ R.T for R in rots])
        omg = np.concatenate([omg @ R.T for R in rots])
        radius, mass, power, coll, ids = (np.tile(a, copies) for a in (radius, mass, power, coll, ids))
        copy = np.repeat(np.arange(copies), len(copy))
    return ParticleFrame(index=k, time=snap.time, rotor_angle=snap.rotor_angle, position=pos, velocity=vel,
                         angular_velocity=omg, radius=radius, mass=mass, dissipated_power=power,
                         collisions=coll, particle_id=ids, sector_copy=copy)


def color_values(frame: ParticleFrame, color_by: str) -> np.ndarray:
    """The colour scalar per particle: speed (m/s), dissipated_power (W) or collisions (count)."""
    _color_field(color_by)
    if color_by == "speed":
        return frame.speed
    if color_by == "dissipated_power":
        return np.asarray(frame.dissipated_power, float)
    return np.asarray(frame.collisions, float)


def particles_polydata(frame: ParticleFrame) -> pv.PolyData:
    """Point cloud of a frame with point arrays ``radius`` (m), ``velocity`` (m/s, vectors), ``speed``
    (m/s), ``angular_velocity`` (rad/s, vectors), ``dissipated_power`` (W), ``collisions`` (count),
    ``mass`` (kg), ``particle_id`` and ``sector_copy``; one vertex cell per particle. A frame without
    inserted particles gives an empty point set that still carries every (zero-length) array."""
    arrays = {
        "radius": np.asarray(frame.radius, float),
        "velocity": np.asarray(frame.velocity, float).reshape(-1, 3),
        "speed": frame.speed,
        "angular_velocity": np.asarray(frame.angular_velocity, float).reshape(-1, 3),
        "dissipated_power": np.asarray(frame.dissipated_power, float),
        "collisions": np.asarray(frame.collisions, np.int32),
        "mass": np.asarray(frame.mass, float),
        "particle_id": np.asarray(frame.particle_id, np.int64),
        "sector_copy": np.asarray(frame.sector_copy, np.int32),
    }
    if frame.n == 0:
        from vtkmodules.util.numpy_support import numpy_to_vtk

        poly = pv.PolyData()
        poly.points = np.zeros((0, 3))
        for name, arr in arrays.items():
            vtk_arr = numpy_to_vtk(arr, deep=True)
            vtk_arr.SetNumberOfComponents(1 if arr.ndim == 1 else arr.shape[1])
            vtk_arr.SetName(name)
            poly.GetPointData().AddArray(vtk_arr)
        return poly
    poly = pv.PolyData(np.asarray(frame.position, float).reshape(-1, 3))
    for name, arr in arrays.items():
        poly.point_data[name] = arr
    poly.set_active_vectors("velocity")
    poly.set_active_scalars("speed")
    return poly


def color_limits(run: RunFile, color_by: str, frames=None, *, log_scale: bool = False,
                 max_samples: int = 25) -> tuple[float, float]:
    """Colour range ``(lo, hi)`` in the field's unit over the snapshots ``frames`` (default all).

    At most ``max_samples`` evenly spaced snapshots are read. Linear scale: ``(0, max)``. Log scale:
    ``(smallest positive value, max)`` with ``lo ≥ max·1e-6``. Degenerate ranges are widened.
    """
    _color_field(color_by)
    n_snap = require_snapshots(run)
    frames = list(range(n_snap)) if frames is None else [check_frame(k, n_snap) for k in frames]
    if len(frames) > max_samples:
        frames = [frames[i] for i in np.linspace(0, len(frames) - 1, max_samples).round().astype(int)]
    hi, lo_pos = 0.0, math.inf
    for k in frames:
        snap = run.snapshot(k)
        inserted = np.isfinite(np.asarray(snap.position)).all(axis=1)
        if color_by == "speed":
            v = np.linalg.norm(np.nan_to_num(np.asarray(snap.velocity, float)[inserted]), axis=1)
        elif color_by == "dissipated_power":
            v = np.nan_to_num(np.asarray(snap.dissipated_power, float)[inserted])
        else:
            v = np.asarray(snap.collisions, float)[inserted]
        if v.size:
            hi = max(hi, float(v.max()))
            pos = v[v > 0]
            if pos.size:
                lo_pos = min(lo_pos, float(pos.min()))
    if log_scale:
        if not math.isfinite(lo_pos) or hi <= 0:
            return (1e-6, 1.0)
        lo = max(lo_pos, hi * 1e-6)
        return (lo, hi) if hi > lo else (lo / 10.0, lo * 10.0)
    return (0.0, hi) if hi > 0 else (0.0, 1.0)


# ---------------------------------------------------------------------------------------------- scene

@dataclass
class SceneOptions:
    """How a snapshot is drawn. Lengths in m, angles in degrees, colour limits in the field's unit."""

    color_by: str = "speed"  #: speed (m/s) | dissipated_power (W) | collisions (count per interval)
    log_scale: bool | None = None  #: log colour scale; None = log for dissipated_power only
    clim: tuple[float, float] | None = None  #: fixed colour limits; None = from the shown snapshots
    cmap: str | None = None  #: matplotlib colour map name; None = field default
    sector_to_full: bool = False  #: replicate a sector run to the full 360° mixer
    max_spheres: int = 20_000  #: above this many shown particles draw shaded points instead of spheres
    sphere_resolution: int | None = None  #: sphere facets (θ and φ); None = by particle count
    show_particles: bool = True
    show_rotor: bool = True
    show_vessel: bool = True
    vessel_opacity: float = 0.15  #: 0 (invisible) … 1 (opaque)
    camera: str = "axis"  #: axis (look along the rotor axis) | side | iso
    azimuth: float = 0.0  #: extra camera rotation about the view-up direction, degrees
    elevation: float = 0.0  #: extra camera rotation up/down, degrees
    zoom: float = 1.0  #: > 1 zooms in
    background: str = "white"
    show_label: bool = True  #: the "t = … s, n = … rpm" label
    show_scalar_bar: bool = True

    def validate(self) -> "SceneOptions":
        """Check the options; raises :class:`VizError`."""
        _color_field(self.color_by)
        if self.camera not in CAMERA_VIEWS:
            raise VizError(f"unknown camera view {self.camera!r}: choose one of {', '.join(CAMERA_VIEWS)}")
        if self.max_spheres < 0:
            raise VizError(f"max_spheres must be ≥ 0, got {self.max_spheres}")
        if not 0.0 <= self.vessel_opacity <= 1.0:
            raise VizError(f"vessel opacity must be within 0..1, got {self.vessel_opacity}")
        if not self.zoom > 0:
            raise VizError(f"zoom must be > 0, got {self.zoom}")
        if self.cmap is not None:
            from matplotlib import colormaps  # noqa: PLC0415

            if self.cmap not in colormaps:
                raise VizError(f"--cmap {self.cmap!r}: not a matplotlib colour map; e.g. viridis, plasma, inferno, "
                               "magma, cividis, turbo, coolwarm (matplotlib.colormaps lists all)")
        if self.clim is not None:
            lo, hi = (float(c) for c in self.clim)
            if not hi > lo:
                raise VizError(f"colour limits must satisfy MIN < MAX, got {lo} {hi}")
            if self.use_log and lo <= 0:
                raise VizError(f"a log colour scale needs MIN > 0, got {lo}")
        return self

    @property
    def color_field(self) -> ColorField:
        return _color_field(self.color_by)

    @property
    def use_log(self) -> bool:
        return self.color_field.log_default if self.log_scale is None else bool(self.log_scale)


def _perpendicular(axis: np.ndarray) -> np.ndarray:
    """A unit vector perpendicular to ``axis``, as close as possible to world +y (or +x for a y axis)."""
    a = axis / np.linalg.norm(axis)
    e = np.array([0.0, 1.0, 0.0]) if abs(a[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = e - e.dot(a) * a
    return u / np.linalg.norm(u)


def _pipeline_data(actor):
    """The VTK data object at the root of ``actor``'s pipeline (what the mapper ultimately renders).

    PyVista may insert algorithms (active scalars, normals) and shallow copies between the mesh given to
    ``add_mesh`` and the mapper, so frames are updated by deep-copying into this root object.
    """
    alg = actor.GetMapper()
    conn = alg.GetInputConnection(0, 0) if alg.GetNumberOfInputConnections(0) else None
    while conn is not None:
        alg = conn.GetProducer()
        conn = (alg.GetInputConnection(0, 0)
                if alg.GetNumberOfInputPorts() and alg.GetNumberOfInputConnections(0) else None)
    if alg is actor.GetMapper():
        return alg.GetInput()
    return alg.GetOutputDataObject(0)


def _replace_data(actor, new) -> None:
    """Show the data set ``new`` in ``actor`` (in place, keeping mapper, colour map and scalar bar)."""
    obj = _pipeline_data(actor)
    obj.DeepCopy(new)
    obj.Modified()


def _time_label_decimals(output_interval: float) -> int:
    if not output_interval > 0:
        return 4
    return int(min(9, max(3, math.ceil(-math.log10(output_interval)) + 1)))


class Scene:
    """The actors of one snapshot in a ``pyvista.Plotter``, updated in place by :meth:`show`.

    ``run`` is an open :class:`~mfdem.io.RunFile`; ``frames`` are the snapshot indices that will be shown
    (used for colour limits that stay fixed while playing). Raises :class:`VizError` for a run without
    snapshots or bad options.
    """

    def __init__(self, run: RunFile, plotter: pv.Plotter, options: SceneOptions | None = None, *,
                 frames=None):
        self.run = run
        self.plotter = plotter
        self.options = (options or SceneOptions()).validate()
        self.n_snapshots = require_snapshots(run)
        self.copies = replication_count(run.sector_angle_deg) if self.options.sector_to_full else 1
        self.axis = run.rotor_axis / np.linalg.norm(run.rotor_axis)
        self.origin = run.rotor_origin
        self.index: int | None = None
        self.frame: ParticleFrame | None = None
        opt = self.options
        fld = opt.color_field
        self.log_scale = opt.use_log
        self.clim = (tuple(float(c) for c in opt.clim) if opt.clim is not None
                     else color_limits(run, opt.color_by, frames, log_scale=self.log_scale))
        self.cmap = opt.cmap or fld.cmap
        self.n_max = int(run.n_particles) * self.copies
        self.use_spheres = self.n_max <= opt.max_spheres
        res = opt.sphere_resolution
        if res is None:
            res = 16 if self.n_max <= 2_000 else 8
        self._sphere = pv.Sphere(radius=1.0, theta_resolution=max(int(res), 3),
                                 phi_resolution=max(int(res), 3))
        self._decimals = _time_label_decimals(run.output_interval)

        plotter.set_background(opt.background)
        self._text_color = "black" if np.mean(pv.Color(opt.background).float_rgb) > 0.5 else "white"

        self.particle_actor = None
        self.vessel_actor = None
        vessel = vessel_polydata(run, sector_to_full=opt.sector_to_full)
        if opt.show_vessel and vessel.n_points and vessel.n_cells and opt.vessel_opacity > 0:
            self.vessel_actor = plotter.add_mesh(vessel, color="lightsteelblue", opacity=opt.vessel_opacity,
                                                 smooth_shading=False, name="vessel", reset_camera=False)
        self._rotor_base = _replicated_mesh(run, "rotor", replication_count(run.sector_angle_deg))
        self.rotor_actor = None
        if opt.show_rotor and self._rotor_base.n_points and self._rotor_base.n_cells:
            self.rotor_actor = plotter.add_mesh(self._rotor_base.copy(), color="silver", specular=0.4,
                                                name="rotor", reset_camera=False)
        if opt.show_particles:
            dummy = self._particle_geometry(np.zeros((1, 3)), np.array([1e-9]), np.array([self.clim[0]]))
            width_px = int(plotter.window_size[0])
            font = int(np.clip(round(14 * width_px / 800), 9, 18))
            bar = dict(title=fld.bar_title, fmt=fld.fmt, color=self._text_color, vertical=True,
                       position_x=0.84, position_y=0.14, width=0.06, height=0.6,
                       n_labels=3 if width_px < 500 else 5, title_font_size=font, label_font_size=font - 1,
                       unconstrained_font_size=True)
            kwargs = dict(scalars=fld.name, cmap=self.cmap, clim=self.clim, log_scale=self.log_scale,
                          show_scalar_bar=opt.show_scalar_bar, scalar_bar_args=bar, name="particles",
                          reset_camera=False)
            if self.use_spheres:
                self.particle_actor = plotter.add_mesh(dummy, **kwargs)
                self.particle_actor.prop.interpolation = "gouraud"  # glyphs carry the sphere's normals
            else:
                # shaded point sprites: an order of magnitude faster than glyphs or Gaussian splats with a
                # software renderer; their pixel size is set for the mean radius in reset_camera()
                self.particle_actor = plotter.add_mesh(dummy, style="points", render_points_as_spheres=True,
                                                       point_size=4, **kwargs)
                radius = np.asarray(run.radius, float)
                self._mean_radius = float(radius.mean()) if radius.size else 0.0
            self.particle_actor.visibility = False

    # -- building blocks

    def _display_scalars(self, values: np.ndarray) -> np.ndarray:
        v = np.asarray(values, float)
        if self.log_scale:  # zeros and negatives would be undefined on a log scale: show them at the bottom
            v = np.maximum(v, self.clim[0])
        return v

    def _particle_geometry(self, position, radius, scalars) -> pv.PolyData:
        poly = pv.PolyData(np.asarray(position, float))
        poly.point_data["radius"] = np.asarray(radius, float)
        values = self._display_scalars(scalars)
        poly.point_data[self.options.color_by] = values
        if self.use_spheres:
            poly = poly.glyph(scale="radius", orient=False, geom=self._sphere, factor=1.0)
        poly.set_active_scalars(self.options.color_by)
        return poly

    def label(self, frame: ParticleFrame) -> str:
        """``"t = … s   n = … rpm   frame k/K"`` for the text label."""
        rpm = self.run.rpm
        text = f"t = {frame.time:.{self._decimals}f} s   n = {rpm:g} rpm"
        start = self.run.attrs.get("rotor_start_time")
        if start is not None and frame.time < float(start) and rpm != 0:
            text = f"t = {frame.time:.{self._decimals}f} s   n = 0 rpm (rotor starts at {float(start):g} s)"
        return text + f"   frame {frame.index}/{self.n_snapshots - 1}"

    # -- public

    def show(self, k: int) -> ParticleFrame:
        """Update every actor to snapshot ``k`` (negative counts from the end); returns its frame data."""
        k = check_frame(k, self.n_snapshots)
        frame = load_particles(self.run, k, sector_to_full=self.options.sector_to_full)
        if self.rotor_actor is not None:
            rotor = self._rotor_base.copy()
            rotor.points = rotate_points(self._rotor_base.points, self.axis, self.origin, frame.rotor_angle)
            if not self.options.sector_to_full:
                rotor = clip_to_sector(rotor, self.run)
            _replace_data(self.rotor_actor, rotor)
        if self.particle_actor is not None:
            if frame.n:
                geom = self._particle_geometry(frame.position, frame.radius,
                                               color_values(frame, self.options.color_by))
                _replace_data(self.particle_actor, geom)
            self.particle_actor.visibility = frame.n > 0
        if self.options.show_label:
            self.plotter.add_text(self.label(frame), position="upper_left", font_size=10,
                                  color=self._text_color, name="label", render=False)
        self.index, self.frame = k, frame
        return frame

    def _visible_points(self) -> np.ndarray | None:
        """Points of every visible 3-D actor (vessel and rotor vertices, particle glyphs), m."""
        from vtkmodules.util.numpy_support import vtk_to_numpy

        pts = []
        for actor in (self.vessel_actor, self.rotor_actor, self.particle_actor):
            if actor is None or not actor.GetVisibility():
                continue
            data = _pipeline_data(actor)
            if data is not None and data.GetPoints() is not None and data.GetNumberOfPoints():
                pts.append(vtk_to_numpy(data.GetPoints().GetData()).astype(float))
        return np.concatenate(pts) if pts else None

    def _fit(self, bounds, margin_w: float = 1.05, margin_h: float = 1.05) -> None:
        """Move the camera along its view direction so the scene just fills the window.

        Tighter than VTK's bounding-sphere reset: the visible mesh points (else the corners of ``bounds``) are
        projected with the camera's perspective and the window's aspect ratio; the margins (> 1, horizontal
        and vertical) leave room for the scalar bar and the label.
        """
        pl = self.plotter
        cam = pl.camera
        focal = np.asarray(cam.GetFocalPoint(), float)
        view = focal - np.asarray(cam.GetPosition(), float)
        view /= np.linalg.norm(view)
        up = np.asarray(cam.GetViewUp(), float)
        up /= np.linalg.norm(up)
        right = np.cross(view, up)
        corners = self._visible_points()
        if corners is None:
            corners = np.array([[x, y, z] for x in bounds[0:2] for y in bounds[2:4] for z in bounds[4:6]])
        corners = corners - focal
        w, h = (int(x) for x in pl.window_size)
        tan_v = math.tan(math.radians(cam.GetViewAngle()) / 2)  # vertical half-angle
        tan_h = tan_v * w / max(h, 1)
        # a point c lies at depth d + c·view from a camera at focal − d·view; it is inside the view when
        # |c·up| ≤ tan_v·depth/margin_h and |c·right| ≤ tan_h·depth/margin_w
        along = corners @ view
        need = np.maximum(margin_h * np.abs(corners @ up) / tan_v,
                          margin_w * np.abs(corners @ right) / tan_h) - along
        dist = max(float(need.max()), float(np.abs(along).max()) * 1.01, 1e-6)
        cam.SetPosition(*(focal - view * dist))
        pl.renderer.ResetCameraClippingRange()

    def reset_camera(self, *, reserve_bottom: float = 0.0) -> None:
        """Point the camera as ``options.camera`` says at everything visible (vessel, rotor, particles).

        ``axis`` looks along the rotor axis from its + side, ``side`` looks perpendicular to it with the axis
        up, ``iso`` from 45° around and ~35° above; then ``azimuth``/``elevation`` (deg) and ``zoom`` apply.
        ``reserve_bottom`` is the fraction of the window height kept free at the bottom (for widgets).
        """
        opt = self.options
        pl = self.plotter
        a = self.axis
        u = _perpendicular(a)
        w = np.cross(a, u)
        if opt.camera == "axis":
            direction, up = a, u
        elif opt.camera == "side":
            direction, up = -u, a
        else:
            direction = (a * math.tan(math.radians(35.264)) + (-u + w) / math.sqrt(2))
            direction, up = direction / np.linalg.norm(direction), a
        # everything 3-D that is visible now (vessel, rotor, particles); the 2-D label and bar do not count
        bounds = list(pl.renderer.ComputeVisiblePropBounds())
        bounds = np.asarray(bounds, float)
        if not np.all(np.isfinite(bounds)) or np.any(bounds[1::2] < bounds[0::2]):
            bounds = np.array([-1, 1, -1, 1, -1, 1], float)
        focal = (bounds[0::2] + bounds[1::2]) / 2
        size = max(float(np.linalg.norm(bounds[1::2] - bounds[0::2])), 1e-9)
        cam = pl.camera
        cam.SetFocalPoint(*focal)
        cam.SetPosition(*(focal + direction * 3 * size))
        cam.SetViewUp(*up)
        if opt.azimuth:
            cam.Azimuth(opt.azimuth)
        if opt.elevation:
            cam.Elevation(opt.elevation)
        cam.OrthogonalizeViewUp()
        bar = self.particle_actor is not None and opt.show_scalar_bar
        f = float(np.clip(reserve_bottom, 0.0, 0.5))
        margin_h = (1.15 if opt.show_label else 1.05) / (1 - f)
        self._fit(bounds, margin_w=1.5 if bar else 1.05, margin_h=margin_h)
        cam.SetWindowCenter(0.0, -f)  # shift the picture up by the reserved fraction
        if opt.zoom != 1.0:
            cam.Zoom(opt.zoom)
        if self.particle_actor is not None and not self.use_spheres:
            # sprite diameter in pixels = 2·mean radius seen at the focal distance
            dist = float(np.linalg.norm(np.asarray(cam.GetPosition()) - np.asarray(cam.GetFocalPoint())))
            px_per_m = pl.window_size[1] / (2 * dist * math.tan(math.radians(cam.GetViewAngle()) / 2))
            self.particle_actor.prop.point_size = float(np.clip(2 * self._mean_radius * px_per_m, 1.0, 64.0))
        pl.renderer.camera_set = True  # or PyVista replaces the camera at the first render
        pl.renderer.ResetCameraClippingRange()
