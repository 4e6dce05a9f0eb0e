"""Parametric Hosokawa Nobilta-type mixer: rotor, vessel and their periodic sectors (trimesh).

Coordinate frame (fixed for all of mfdem; SI units, lengths in metres)
----------------------------------------------------------------------
* The rotor axis is +z through the origin; the chamber spans ``z in [0, L]`` with ``L = axial length``.
* Gravity is -y (horizontal axis; irrelevant at the mixer's Froude numbers but kept consistent).
* ``phi = atan2(y, x)``. The rotor turns in the positive sense (counter-clockwise seen from +z), so the
  *leading* face of a blade is its +phi face.
* At rotor angle 0, blade ``k`` is centred at ``phi = (k + 1/2) * 360 deg / n_blades`` (blade 0 at 36 deg
  for five blades), so the periodic sector ``phi in [0, 360/n_blades)`` (the "one fifth", 72 deg) holds
  exactly one whole blade and its cut planes run through the hub between two blades.

Face orientation: every mesh built here is a closed, watertight solid with normals pointing **out of the
solid it bounds**. For the rotor that is out of the steel, into the chamber. The vessel mesh bounds the
*chamber* (the space the particles are in), so its normals point out of the chamber, away from the particles
and into the vessel steel; its ``volume`` is the chamber volume. The engine treats meshes as two-sided
surfaces, so the orientation only matters for volumes and booleans.

Rotor shape (cross-section constant along z, extruded over ``z in [c, L - c]``, ``c = axial_clearance``).
In the frame of one blade (blade centre line along +x, leading side +y):

* the hub is a circle of ``hub_radius``;
* the blade arm has parallel faces at ``y = -t/2`` (trailing) and ``y = +t/2`` (leading),
  ``t = blade_thickness``;
* the tip land is an arc of the tip circle (``r = tip_radius``) starting at the trailing face, of chord
  ``tip_land``;
* the leading face runs from the front end of the tip land inward and forward, inclined by
  ``lead_angle_deg`` from the blade's radial centre line, until it meets the arm's leading face (or the hub,
  for small angles). Its outward normal therefore points forward (+phi) *and* outward: the face drives the
  powder into the tip-wall gap. At 0 deg the leading face is parallel to the centre line and the blade
  is ``~tip_land`` thick there.

The cross-section is star-shaped about the axis (``phi`` increases monotonically round its outline), so
both solids are built directly as prisms (fan-triangulated end faces, quad side walls): watertight by
construction, no boolean needed. Only :func:`sector` uses a boolean (``manifold3d`` via trimesh).

One module, past the usual size: the parameters, their checks and the outline they define are one
generator; each piece needs the others' geometry.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tomli_w
import trimesh

from mfdem.validation import InputError, check_setting, setting


class GeometryError(InputError):
    """A geometry parameter is out of range or a mesh is unusable; the message names the field or file."""


# --------------------------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class NobiltaParams:
    """Parameters of the Nobilta-type mixer geometry. All lengths in metres, angles in degrees.

    Defaults follow ``mixer_setup.md`` section 3 (tip radius derived from 40 m/s at 10,000 rpm, the rest
    engineering estimates). ``axial_length = 0`` means "solve it so that the free volume (chamber minus
    rotor) equals ``target_free_volume``"; use :meth:`length` or :meth:`resolved` to get the number. Each
    field carries its unit, range and meaning (the run config's ``[geometry]`` section is these fields).
    """

    tip_radius: float = setting(0.0382, "m", 0, None, lo_open=True,
                                doc="rotor tip radius (38.2 mm: 40 m/s tip speed at 10,000 rpm)")
    tip_gap: float = setting(0.0010, "m", 0, None, lo_open=True,
                             doc="radial blade tip - vessel wall gap (1 mm, >= 3 CG particle diameters; estimate)")
    hub_radius: float = setting(0.010, "m", 0, None, lo_open=True, doc="hub radius (estimate)")
    n_blades: int = setting(5, "-", 1, 36, doc="number of paddle blades (5: a 72° sector holds one)")
    lead_angle_deg: float = setting(35.0, "deg", 0, 60,
                                    doc="leading-face inclination from the blade's radial centre line")
    tip_land: float = setting(0.004, "m", 0, None, lo_open=True,
                              doc="chord of the flat tip land at the tip radius (< blade_thickness)")
    blade_thickness: float = setting(0.006, "m", 0, None, lo_open=True,
                                     doc="blade arm thickness (root), between the parallel arm faces")
    axial_clearance: float = setting(0.0005, "m", 0, None, doc="axial gap rotor - each end plate")
    axial_length: float = setting(0.0, "m", 0, None,
                                  doc="chamber axial length L (chamber spans z in [0, L]); 0 = solved for "
                                      "target_free_volume")
    target_free_volume: float = setting(49.0e-6, "m^3", 0, None, lo_open=True,
                                        doc="free volume (vessel minus rotor) the axial length is solved for "
                                            "(4.91 mL / 10 % fill degree)")
    n_segments: int = setting(120, "-", 12, 4096, doc="mesh segments round the full circle")

    # ------------------------------------------------------------------ derived quantities
    @property
    def vessel_radius(self) -> float:
        """Vessel inner radius [m] = tip radius + tip gap."""
        return self.tip_radius + self.tip_gap

    @property
    def sector_angle_deg(self) -> float:
        """Angle of the periodic sector holding one blade [deg] = 360 / n_blades."""
        return 360.0 / self.n_blades

    def length(self) -> float:
        """Chamber axial length L [m]: ``axial_length`` if set, else solved from ``target_free_volume``."""
        if self.axial_length > 0:
            return float(self.axial_length)
        return solve_axial_length(self)

    def resolved(self) -> NobiltaParams:
        """A copy with ``axial_length`` filled in (what :func:`write_geometry` records)."""
        return dataclasses.replace(self, axial_length=self.length())

    # ------------------------------------------------------------------ validation
    def validate(self) -> None:
        """Raise :class:`GeometryError` naming the first field that is out of its allowed range."""

        def bad(name: str, allowed: str) -> GeometryError:
            return GeometryError(
                f"NobiltaParams.{name} = {getattr(self, name)!r} is out of range: {allowed}")

        for f in dataclasses.fields(self):
            try:
                value = check_setting(f.name, getattr(self, f.name), f)
            except InputError as exc:
                raise bad(f.name, str(exc).split(": ", 1)[1]) from None
            object.__setattr__(self, f.name, value)       # a whole float given for an integer becomes one
        if self.hub_radius >= self.tip_radius:
            raise bad("hub_radius", f"must be < tip_radius = {self.tip_radius!r} m")
        if self.blade_thickness >= 2.0 * self.hub_radius:
            raise bad("blade_thickness", f"must be < hub diameter = {2.0 * self.hub_radius!r} m")
        if self.tip_land >= self.blade_thickness:
            raise bad("tip_land", f"must be < blade_thickness = {self.blade_thickness!r} m")
        if 0 < self.axial_length <= 2.0 * self.axial_clearance:
            raise bad("axial_length", f"must be 0 (solved) or > 2 * axial_clearance = "
                                      f"{2.0 * self.axial_clearance!r} m")
        # The blades must not touch each other on the hub.
        span = _blade_span_rad(self)
        if span >= 2.0 * math.pi / self.n_blades:
            raise bad("blade_thickness",
                      f"{self.n_blades} blades of this thickness span {math.degrees(span):.1f} deg each on "
                      f"the hub, more than 360/n_blades = {360.0 / self.n_blades:.1f} deg; use thinner "
                      f"blades, fewer blades or a larger hub_radius")

    def __post_init__(self) -> None:
        if self.axial_length is None:        # the spelling of "solved" before 0
            object.__setattr__(self, "axial_length", 0.0)
        # accept numpy scalars etc.: store plain Python numbers (TOML output, hashing, equality)
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            integer = isinstance(f.default, int)
            if isinstance(v, numbers.Integral) and not isinstance(v, bool) and integer:
                object.__setattr__(self, f.name, int(v))
            elif isinstance(v, numbers.Real) and not isinstance(v, bool) and not integer:
                object.__setattr__(self, f.name, float(v))
        self.validate()

    # ------------------------------------------------------------------ TOML
    def to_toml(self) -> str:
        """The parameters as TOML text: table ``[nobilta]`` (metres, with unit comments) + ``[derived]``."""
        p = self.resolved()
        lines = [
            "# mfdem Nobilta-type mixer geometry (written by mfdem.geometry.write_geometry).",
            "# Frame: rotor axis +z through the origin, chamber z in [0, axial_length], gravity -y,",
            "# rotor turns +phi (counter-clockwise seen from +z); blade k centred at (k + 1/2) * 360/n_blades deg.",
            "# SI units: lengths in metres, volumes in m^3, angles in degrees.",
            "",
            "[nobilta]",
        ]
        for f in dataclasses.fields(p):
            value = getattr(p, f.name)
            lines.append(f"{tomli_w.dumps({f.name: value}).strip():<39} # {f.metadata['unit']}, {f.metadata['doc']}")
        lines += ["", "[derived]  # informational only, ignored when read back"]
        derived = {
            "vessel_radius": (p.vessel_radius, f"m, tip_radius + tip_gap ({p.vessel_radius * 1e3:.2f} mm)"),
            "sector_angle_deg": (p.sector_angle_deg, "deg, periodic sector holding one blade"),
            "rotor_section_area": (rotor_section_area(p), "m^2, exact cross-section of the rotor"),
            "free_volume": (free_volume(p), f"m^3, vessel minus rotor ({free_volume(p) * 1e6:.3f} mL)"),
        }
        for k, (v, comment) in derived.items():
            lines.append(f"{tomli_w.dumps({k: v}).strip():<39} # {comment}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, path: str | Path) -> NobiltaParams:
        """Read parameters written by :meth:`to_toml` (table ``[nobilta]``; ``[derived]`` is ignored)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise GeometryError(f"cannot read geometry parameters from {path}: {exc}") from exc
        table = data.get("nobilta", data)
        known = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        for key, value in table.items():
            if key == "derived" and isinstance(value, dict):
                continue
            if key not in known:
                raise GeometryError(f"{path}: unknown geometry parameter {key!r}; known: {sorted(known)}")
            kwargs[key] = value
        return cls(**kwargs)



# ---------------------------------------------------------------------------------- 2-D cross-section
# The rotor outline is described by pieces, each ("line", p0, p1) or ("arc", r, phi0, phi1), in the order
# of increasing phi. Exact areas come from the pieces; meshes from their discretisation.

def _blade_span_rad(p: NobiltaParams) -> float:
    """Angular width [rad] of one blade's outline, from its trailing root to its leading root."""
    pieces = _blade_pieces(p)
    phi_t = math.atan2(pieces[0][1][1], pieces[0][1][0])
    last = pieces[-1][2]
    phi_l = math.atan2(last[1], last[0])
    return phi_l - phi_t


def _blade_pieces(p: NobiltaParams) -> list[tuple]:
    """One blade's outline in its own frame (centre line +x, leading side +y), trailing root to leading root."""
    h = 0.5 * p.blade_thickness
    r_h, r_t = p.hub_radius, p.tip_radius
    root_t = np.array([math.sqrt(r_h**2 - h**2), -h])
    tip_t = np.array([math.sqrt(r_t**2 - h**2), -h])
    phi_tt = math.atan2(tip_t[1], tip_t[0])
    phi_tl = phi_tt + 2.0 * math.asin(p.tip_land / (2.0 * r_t))
    tip_l = r_t * np.array([math.cos(phi_tl), math.sin(phi_tl)])
    a = math.radians(p.lead_angle_deg)
    d = np.array([-math.cos(a), math.sin(a)])  # from the tip land inward and forward
    pieces: list[tuple] = [("line", root_t, tip_t), ("arc", r_t, phi_tt, phi_tl)]
    knee = None
    if math.sin(a) > 0.0:
        s = (h - tip_l[1]) / math.sin(a)
        cand = tip_l + s * d
        if cand[0] > math.sqrt(r_h**2 - h**2):
            knee = cand
    if knee is not None:
        root_l = np.array([math.sqrt(r_h**2 - h**2), h])
        pieces += [("line", tip_l, knee), ("line", knee, root_l)]
    else:  # the inclined face reaches the hub before the arm face: first crossing of |tip_l + s d| = r_h
        b = float(tip_l @ d)
        c = float(tip_l @ tip_l) - r_h**2
        s = -b - math.sqrt(max(b * b - c, 0.0))
        root_l = tip_l + s * d
        pieces += [("line", tip_l, root_l)]
    return pieces


def _rotate(pts: np.ndarray, ang: float) -> np.ndarray:
    c, s = math.cos(ang), math.sin(ang)
    return pts @ np.array([[c, s], [-s, c]])


def _period_pieces(p: NobiltaParams) -> list[tuple]:
    """Pieces of one angular period in the global frame: blade 0 (centred at pi/n) + the hub arc after it."""
    centre = math.pi / p.n_blades
    out = []
    for kind, *args in _blade_pieces(p):
        if kind == "line":
            out.append(("line", _rotate(args[0], centre), _rotate(args[1], centre)))
        else:
            out.append(("arc", args[0], args[1] + centre, args[2] + centre))
    end = out[-1][2]
    start = out[0][1]
    phi0 = math.atan2(end[1], end[0])
    phi1 = math.atan2(start[1], start[0]) + 2.0 * math.pi / p.n_blades
    out.append(("arc", p.hub_radius, phi0, phi1))
    return out


def rotor_section_area(params: NobiltaParams) -> float:
    """Exact area [m^2] of the rotor cross-section (hub + blades, true circular arcs)."""
    area = 0.0
    for kind, *args in _period_pieces(params):
        if kind == "line":
            (x0, y0), (x1, y1) = args
            area += 0.5 * (x0 * y1 - x1 * y0)
        else:
            r, p0, p1 = args
            area += 0.5 * r * r * (p1 - p0)
    return area * params.n_blades


def _discretise(pieces: list[tuple], n_segments: int) -> np.ndarray:
    """Points (without repeating the closing point) along pieces; arcs split into <= 2 pi/n_segments steps."""
    step = 2.0 * math.pi / n_segments
    pts = []
    for kind, *args in pieces:
        if kind == "line":
            pts.append(np.asarray(args[0], dtype=float))
        else:
            r, p0, p1 = args
            n = max(1, math.ceil((p1 - p0) / step - 1e-9))
            ang = p0 + (p1 - p0) * np.arange(n) / n
            pts.extend(r * np.column_stack([np.cos(ang), np.sin(ang)]))
    return np.asarray(pts)


def rotor_profile(params: NobiltaParams) -> np.ndarray:
    """The rotor cross-section as a closed polygon, (N, 2) [m], counter-clockwise, first point not repeated.

    Vertices lying on arcs are on the true circles (hub, tip), so the polygon is slightly inside them.
    """
    one = _discretise(_period_pieces(params), params.n_segments)
    return np.vstack([_rotate(one, k * 2.0 * math.pi / params.n_blades) for k in range(params.n_blades)])


def free_volume(params: NobiltaParams) -> float:
    """Free chamber volume [m^3] = vessel volume pi R^2 L - rotor volume A (L - 2 c) (exact circles)."""
    length = params.length()
    return (math.pi * params.vessel_radius**2 * length
            - rotor_section_area(params) * (length - 2.0 * params.axial_clearance))


def solve_axial_length(params: NobiltaParams, target_free_volume: float | None = None) -> float:
    """Chamber axial length L [m] whose free volume equals ``target_free_volume`` [m^3].

    The free volume is linear in L: V = (pi R^2 - A) L + 2 c A, so L = (V - 2 c A) / (pi R^2 - A).
    ``target_free_volume`` defaults to ``params.target_free_volume``.
    """
    v = params.target_free_volume if target_free_volume is None else float(target_free_volume)
    area = rotor_section_area(params)
    c = params.axial_clearance
    length = (v - 2.0 * c * area) / (math.pi * params.vessel_radius**2 - area)
    if not length > 2.0 * c:
        raise GeometryError(
            f"NobiltaParams.target_free_volume = {v!r} m^3 is too small: it needs a chamber shorter than "
            f"2 * axial_clearance; allowed: > {2.0 * c * math.pi * params.vessel_radius**2!r} m^3")
    return length


# ---------------------------------------------------------------------------------------------- meshes
def _extrude_star(poly: np.ndarray, z0: float, z1: float) -> trimesh.Trimesh:
    """Prism over a polygon star-shaped about the origin: fan end faces + quad side walls, outward normals."""
    n = len(poly)
    cross = poly[:, 0] * np.roll(poly[:, 1], -1) - poly[:, 1] * np.roll(poly[:, 0], -1)
    if np.any(cross <= 0.0):
        raise GeometryError("cross-section is not star-shaped about the rotor axis (parameters inconsistent)")
    verts = np.vstack([
        np.column_stack([poly, np.full(n, z0)]),
        np.column_stack([poly, np.full(n, z1)]),
        [[0.0, 0.0, z0], [0.0, 0.0, z1]],
    ])
    i = np.arange(n)
    j = (i + 1) % n
    cb, ct = 2 * n, 2 * n + 1
    faces = np.vstack([
        np.column_stack([np.full(n, cb), j, i]),          # bottom, normal -z
        np.column_stack([np.full(n, ct), n + i, n + j]),  # top, normal +z
        np.column_stack([i, j, n + j]),                    # sides, outward
        np.column_stack([i, n + j, n + i]),
    ])
    return trimesh.Trimesh(vertices=verts, faces=faces, process=False)


def build_vessel(params: NobiltaParams | None = None) -> trimesh.Trimesh:
    """The chamber: cylinder of ``vessel_radius`` over z in [0, L], closed by flat end plates.

    Closed and watertight; normals point out of the chamber (away from the particles), so ``volume`` is the
    chamber volume. The circle is a regular ``n_segments``-gon with its vertices on the true radius and a
    vertex at phi = 0.
    """
    p = params or NobiltaParams()
    ang = 2.0 * math.pi * np.arange(p.n_segments) / p.n_segments
    poly = p.vessel_radius * np.column_stack([np.cos(ang), np.sin(ang)])
    return _extrude_star(poly, 0.0, p.length())


def build_rotor(params: NobiltaParams | None = None) -> trimesh.Trimesh:
    """The rotor at angle 0: hub + ``n_blades`` paddles as one watertight solid with outward normals.

    Extrusion of :func:`rotor_profile` over z in [c, L - c] (``c = axial_clearance``). Blade k is centred at
    phi = (k + 1/2) 360/n_blades deg; its leading (+phi) face is inclined by ``lead_angle_deg``.
    """
    p = params or NobiltaParams()
    length = p.length()
    return _extrude_star(rotor_profile(p), p.axial_clearance, length - p.axial_clearance)


def sector(mesh: trimesh.Trimesh, angle_deg: float = 72.0, *, cap: bool = True) -> trimesh.Trimesh:
    """The part of a closed mesh with phi in [0, angle_deg) about the z axis.

    ``cap=True`` (default): a watertight solid, the cut faces on the half-planes phi = 0 and phi = angle_deg
    closed (boolean intersection with a wedge, manifold3d engine). ``cap=False``: the same surface without
    the faces lying in those two half-planes -- an open surface, which is what a wall list with rotational
    periodic boundaries needs (a cap of the vessel sector lies exactly on the periodic planes).
    """
    if not 0.0 < angle_deg <= 360.0:
        raise GeometryError(f"sector angle_deg = {angle_deg!r} must be in (0, 360]")
    if angle_deg == 360.0:
        return mesh.copy()
    if not mesh.is_watertight:
        raise GeometryError("sector() needs a watertight mesh")
    rmax = float(np.max(np.linalg.norm(mesh.vertices[:, :2], axis=1)))
    zlo, zhi = mesh.bounds[:, 2]
    size = max(rmax, zhi - zlo)
    tol = 1e-6 * size
    a = math.radians(angle_deg)
    m = max(2, math.ceil(angle_deg / 10.0))
    ang = np.linspace(0.0, a, m + 1)
    outline = np.vstack([[0.0, 0.0], 4.0 * size * np.column_stack([np.cos(ang), np.sin(ang)])])
    wedge = _prism(outline, zlo - size, zhi + size)
    out = trimesh.boolean.intersection([mesh, wedge], engine="manifold")
    out = _clean(_snap(out, mesh, a, tol))
    if not out.is_watertight or len(out.faces) == 0:
        raise GeometryError(f"sector({angle_deg} deg) did not give a watertight mesh")
    if not cap:
        out = _drop_cut_faces(out, a, tol)
    return out


def _snap(out: trimesh.Trimesh, original: trimesh.Trimesh, angle: float, tol: float) -> trimesh.Trimesh:
    """Undo the boolean's float32 rounding: vertices within ``tol`` [m] of an original vertex take its exact
    coordinates, the remaining vertices within ``tol`` of a cut plane are projected onto it."""
    from scipy.spatial import cKDTree

    v = np.array(out.vertices, dtype=np.float64)
    dist, idx = cKDTree(original.vertices).query(v, distance_upper_bound=tol)
    hit = np.isfinite(dist)
    v[hit] = original.vertices[idx[hit]]
    for phi in (0.0, angle):
        normal = np.array([-math.sin(phi), math.cos(phi), 0.0])
        d = v @ normal
        near = ~hit & (np.abs(d) < tol)
        v[near] -= np.outer(d[near], normal)
    return trimesh.Trimesh(vertices=v, faces=out.faces, process=False)


def _prism(outline: np.ndarray, z0: float, z1: float) -> trimesh.Trimesh:
    """Prism over a simple counter-clockwise polygon whose first vertex is a convex corner (the wedge)."""
    n = len(outline)
    verts = np.vstack([np.column_stack([outline, np.full(n, z0)]), np.column_stack([outline, np.full(n, z1)])])
    k = np.arange(1, n - 1)
    i = np.arange(n)
    j = (i + 1) % n
    faces = np.vstack([
        np.column_stack([np.zeros_like(k), k + 1, k]),
        np.column_stack([np.full_like(k, n), n + k, n + k + 1]),
        np.column_stack([i, j, n + j]),
        np.column_stack([i, n + j, n + i]),
    ])
    return trimesh.Trimesh(vertices=verts, faces=faces, process=False)


def _clean(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """Merge coincident vertices and drop zero-area faces (boolean results can carry slivers)."""
    mesh = mesh.copy()
    mesh.merge_vertices()
    mesh.update_faces(mesh.nondegenerate_faces())
    mesh.remove_unreferenced_vertices()
    return mesh


def _drop_cut_faces(mesh: trimesh.Trimesh, angle: float, tol: float) -> trimesh.Trimesh:
    """Remove faces lying in the half-planes phi = 0 and phi = angle [rad]."""
    v = mesh.vertices[mesh.faces]  # (F, 3, 3)
    keep = np.ones(len(mesh.faces), dtype=bool)
    for phi in (0.0, angle):
        normal = np.array([-math.sin(phi), math.cos(phi), 0.0])
        on_plane = np.all(np.abs(v @ normal) < tol, axis=1)
        keep &= ~on_plane
    out = mesh.copy()
    out.update_faces(keep)
    out.remove_unreferenced_vertices()
    return out


# ---------------------------------------------------------------------------------------------- output
def write_geometry(outdir: str | Path, params: NobiltaParams | None = None) -> dict[str, Path]:
    """Write the default mixer meshes (binary STL, metres) and ``params.toml`` into ``outdir``.

    Files: ``rotor.stl``, ``vessel.stl``, ``rotor_sector<A>.stl``, ``vessel_sector<A>.stl`` (A = 360/n_blades
    in degrees, ``72`` for five blades; watertight, caps on the cut planes) and ``params.toml``.
    Returns the paths keyed ``rotor``, ``vessel``, ``rotor_sector``, ``vessel_sector``, ``params``.
    """
    p = (params or NobiltaParams()).resolved()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    angle = p.sector_angle_deg
    tag = f"{angle:.2f}".rstrip("0").rstrip(".")
    rotor, vessel = build_rotor(p), build_vessel(p)
    meshes = {
        "rotor": ("rotor.stl", rotor),
        "vessel": ("vessel.stl", vessel),
        "rotor_sector": (f"rotor_sector{tag}.stl", sector(rotor, angle)),
        "vessel_sector": (f"vessel_sector{tag}.stl", sector(vessel, angle)),
    }
    paths: dict[str, Path] = {}
    for key, (name, mesh) in meshes.items():
        paths[key] = out / name
        paths[key].write_bytes(trimesh.exchange.stl.export_stl(mesh))
    paths["params"] = out / "params.toml"
    paths["params"].write_text(p.to_toml())
    return paths
