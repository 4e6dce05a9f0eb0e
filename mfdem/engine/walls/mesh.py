"""Triangle-mesh walls: static or turning about an axis (a rotor), sphere–triangle contact on faces, edges
and vertices, triangles binned in each body's own frame.

Contact detection. A particle is taken into each body's frame (a turning body's triangles never move
there, so the bins are built once), its grid cell lists every triangle within one particle radius of the
cell, and the closest point of each triangle is found with its feature (face, edge or vertex). Double
counting across shared features is removed as on an analytic surface: an edge contact is dropped when a
triangle holding that edge has a face contact, a vertex contact when a triangle holding that vertex has a
face or edge contact, repeated edge/vertex contacts are kept once, and of contacts whose normals are nearly
parallel (one surface seen through several triangles — a flat plate, a point on a shared edge, the facets of
a curved wall) only the deepest stays; contacts on surfaces meeting at an angle (a corner) are all kept. A
sphere on a flat, finely triangulated plate therefore feels exactly the force of a plane.

Contact history. Each particle has a few slots (body, contact normal, history). A contact keeps its slot
while the normal turns by less than ~37° between steps, so a sphere rolling across triangle edges keeps its
tangential spring and δ_max; a slot whose contact is gone is closed with the energy bookkeeping of a
separation (contact/law.py evaluate with δ ≤ 0) and freed. A particle pressed so hard that its centre crosses
the surface (overlap > R) keeps its contact from the side it came from, so walls hold up to δ = 2R.

Kinematics. Body b turns about ``axis`` through ``center`` at ω(t): 0 before ``start_time``, then a linear
ramp to ``omega`` over ``ramp_time``; the wall velocity at a contact point q is ω(t) a × (q − c). The forces
and the torques (about the body's center) of a step's contacts, summed per body, are what the body exerts on
the particles, and the power it delivers, P = T·ω a, is integrated with the trapezoid rule into its work.

Reach. Most particles are nowhere near a wall, so each particle carries a flag (``near``): 0 when no triangle
can come within its radius before the flags are next renewed, and then it skips the mesh pass entirely. A
particle is marked near when its cell in a body's frame, or one of the 26 around it, holds a triangle (the
cells are 2R_max + skin wide, and each holds the triangles within R_max + skin/2 of it), when it has an open
contact slot, or when it lies outside the domain box. The flags hold while no particle can have moved a cell
width in a body's frame: they are renewed at every neighbour-list build (between two builds a particle moves
at most a skin in the frame of the list displacements, integrator.drift_stage) and whenever (|ω_frame| +
max|ω_body|)·ρ·(time since the marking) reaches 2R_max, with ρ the largest distance of the domain box from the
z axis and the bodies' axes. A particle wrapped through a rotational seam is marked near until the renewal.

One module, past the usual size: detection, de-duplication, slot matching and the bookkeeping above are
one pass over a particle's candidate triangles (``mesh_contacts``), and splitting that kernel function
would pass its dozen per-contact locals between pieces without making any piece readable alone.
"""

from dataclasses import dataclass, field

import numpy as np
import taichi as ti
from scipy.ndimage import binary_dilation

from mfdem.engine.contact.law import HIST_SIZE
from mfdem.engine.field_tree import after_fields
from mfdem.engine.field_tree import field as tree_field
from mfdem.engine.walls.contact import wall_contact
from mfdem.validation import InputError, check_range

MAX_CANDIDATES = 12   # candidate triangle contacts per particle and step
MAX_SLOTS = 4         # simultaneous mesh contacts per particle (e.g. blade face + vessel wall + end plate)
MATCH_COS = 0.8       # a contact keeps its slot while its normal turns by less than acos(0.8) ≈ 37°
SAME_SURFACE_COS = 0.95  # contacts whose normals differ by less than ≈ 18° belong to one surface
FACE, EDGE, VERTEX = 0, 1, 2

dvec3 = ti.types.vector(3, ti.f64)
ivec3 = ti.types.vector(3, ti.i32)


@dataclass
class MeshBody:
    """A triangle mesh wall. ``vertices`` (V×3, m), ``faces`` (F×3 vertex indices), ``material`` index.

    Kinematics: turns about ``axis`` through ``center`` (m) at ``omega`` (rad/s, right-handed about the
    axis), from ``start_time`` (s) with a linear spin-up over ``ramp_time`` (s); omega = 0 is a static wall.
    """

    vertices: np.ndarray
    faces: np.ndarray
    material: int = 0
    axis: tuple = (0.0, 0.0, 1.0)
    center: tuple = (0.0, 0.0, 0.0)
    omega: float = 0.0
    start_time: float = 0.0
    ramp_time: float = 0.0
    name: str = field(default="mesh")

    def validate(self, n_materials: int) -> None:
        v = np.asarray(self.vertices, float)
        f = np.asarray(self.faces)
        if v.ndim != 2 or v.shape[1] != 3 or len(v) < 3 or not np.all(np.isfinite(v)):
            raise InputError(f"{self.name}.vertices: need a finite (V, 3) array with V ≥ 3")
        if f.ndim != 2 or f.shape[1] != 3 or len(f) < 1 or not np.issubdtype(f.dtype, np.integer):
            raise InputError(f"{self.name}.faces: need an integer (F, 3) array with F ≥ 1")
        if f.min() < 0 or f.max() >= len(v):
            raise InputError(f"{self.name}.faces: vertex indices must be in [0, {len(v) - 1}]")
        area = 0.5 * np.linalg.norm(np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]), axis=1)
        if np.any(area <= 0):
            raise InputError(f"{self.name}.faces: {int(np.sum(area <= 0))} degenerate (zero-area) triangles")
        if not (isinstance(self.material, (int, np.integer)) and 0 <= self.material < n_materials):
            raise InputError(f"{self.name}.material = {self.material!r}: must be an index in [0, {n_materials - 1}]")
        a = np.asarray(self.axis, float).reshape(3)
        if not np.all(np.isfinite(a)) or np.linalg.norm(a) == 0:
            raise InputError(f"{self.name}.axis: must be a non-zero vector")
        if not np.all(np.isfinite(np.asarray(self.center, float))):
            raise InputError(f"{self.name}.center: must be finite")
        check_range(f"{self.name}.omega", self.omega, unit="rad/s")
        check_range(f"{self.name}.start_time", self.start_time, 0, None, unit="s")
        check_range(f"{self.name}.ramp_time", self.ramp_time, 0, None, unit="s")


def _edges(faces: np.ndarray) -> np.ndarray:
    """(F, 3) ids of the undirected edges (v0 v1), (v1 v2), (v2 v0) of each face."""
    e = np.stack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]], axis=1).reshape(-1, 2)
    e.sort(axis=1)
    _, ids = np.unique(e, axis=0, return_inverse=True)
    return ids.reshape(-1, 3)


def _closest_distance_np(p, a, b, c):
    """Distances from points p to triangles abc, all (M, 3) arrays (numpy twin of ``closest_point``)."""
    ab, ac, ap = b - a, c - a, p - a
    d1, d2 = np.einsum("ij,ij->i", ab, ap), np.einsum("ij,ij->i", ac, ap)
    bp = p - b
    d3, d4 = np.einsum("ij,ij->i", ab, bp), np.einsum("ij,ij->i", ac, bp)
    cp = p - c
    d5, d6 = np.einsum("ij,ij->i", ab, cp), np.einsum("ij,ij->i", ac, cp)
    vc, vb, va = d1 * d4 - d3 * d2, d5 * d2 - d1 * d6, d3 * d6 - d5 * d4
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = va + vb + vc
        q = a + ab * (vb / denom)[:, None] + ac * (vc / denom)[:, None]
        edge_bc = b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)))[:, None]
        edge_ac = a + ac * (d2 / (d2 - d6))[:, None]
        edge_ab = a + ab * (d1 / (d1 - d3))[:, None]
    q = np.where(((va <= 0) & (d4 - d3 >= 0) & (d5 - d6 >= 0))[:, None], edge_bc, q)
    q = np.where(((vb <= 0) & (d2 >= 0) & (d6 <= 0))[:, None], edge_ac, q)
    q = np.where(((vc <= 0) & (d1 >= 0) & (d3 <= 0))[:, None], edge_ab, q)
    q = np.where(((d6 >= 0) & (d5 <= d6))[:, None], c, q)
    q = np.where(((d3 >= 0) & (d4 <= d3))[:, None], b, q)
    q = np.where(((d1 <= 0) & (d2 <= 0))[:, None], a, q)
    return np.linalg.norm(p - q, axis=1)


def distance_to_surface(points: np.ndarray, vertices: np.ndarray, faces: np.ndarray, max_distance: float):
    """Distance (m) from each point to the mesh surface, ``inf`` beyond ``max_distance`` (binned, exact)."""
    points = np.asarray(points, float)
    tri = np.asarray(vertices, float)[np.asarray(faces)]
    lo, dims, start, ids = _bin(tri, 2 * max_distance, max_distance)
    idx = np.floor((points - lo) / (2 * max_distance)).astype(int)
    inside = np.all((idx >= 0) & (idx < dims), axis=1)
    out = np.full(len(points), np.inf)
    pts = np.flatnonzero(inside)
    cell = (idx[pts, 2] * dims[1] + idx[pts, 1]) * dims[0] + idx[pts, 0]
    counts = start[cell + 1] - start[cell]
    owner = np.repeat(pts, counts)
    first = np.repeat(start[cell], counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    t = ids[first + offset]
    d = _closest_distance_np(points[owner], tri[t, 0], tri[t, 1], tri[t, 2])
    np.minimum.at(out, owner, np.where(d <= max_distance, d, np.inf))
    return out


def _bin(tri: np.ndarray, cell: float, margin: float):
    """Bins of the triangles (F, 3, 3): grid (lo, dims) and CSR (start, ids) of triangles within ``margin``
    of each cell (AABB overlap, then the plane distance of the cell centre)."""
    lo = tri.reshape(-1, 3).min(axis=0) - margin - cell
    hi = tri.reshape(-1, 3).max(axis=0) + margin + cell
    dims = np.maximum(np.ceil((hi - lo) / cell).astype(int), 1)
    half_diag = 0.5 * np.sqrt(3) * cell
    cells, owners = [], []
    for t, (a, b, c) in enumerate(tri):
        tmin = np.minimum(np.minimum(a, b), c) - margin
        tmax = np.maximum(np.maximum(a, b), c) + margin
        i0 = np.clip(np.floor((tmin - lo) / cell).astype(int), 0, dims - 1)
        i1 = np.clip(np.floor((tmax - lo) / cell).astype(int), 0, dims - 1)
        grid = np.stack(np.meshgrid(*[np.arange(i0[k], i1[k] + 1) for k in range(3)], indexing="ij"), -1)
        grid = grid.reshape(-1, 3)
        centers = lo + (grid + 0.5) * cell
        n = np.cross(b - a, c - a)
        n /= np.linalg.norm(n)
        keep = np.abs((centers - a) @ n) <= margin + half_diag
        flat = (grid[keep, 2] * dims[1] + grid[keep, 1]) * dims[0] + grid[keep, 0]
        cells.append(flat)
        owners.append(np.full(flat.size, t))
    cells = np.concatenate(cells)
    owners = np.concatenate(owners)
    order = np.argsort(cells, kind="stable")
    counts = np.bincount(cells, minlength=int(np.prod(dims)))
    start = np.concatenate([[0], np.cumsum(counts)])
    return lo, dims, start.astype(np.int32), owners[order].astype(np.int32)


@ti.data_oriented
class MeshWalls:
    """All mesh bodies of a simulation, their bins, per-particle contact slots and per-body sums."""

    def __init__(self, bodies: list, capacity: int, max_radius: float, skin: float, real):
        self.bodies = bodies
        self.n_bodies = len(bodies)
        nb = max(self.n_bodies, 1)
        tris, edges, verts, body_of, grids, starts, ids = [], [], [], [], [], [], []
        v_off = e_off = t_off = c_off = 0
        cell = 2.0 * max_radius + skin
        for b, body in enumerate(bodies):
            v = np.asarray(body.vertices, float)
            f = np.asarray(body.faces, np.int64)
            e = _edges(f)
            tri = v[f]
            lo, dims, start, owner = _bin(tri, cell, max_radius + 0.5 * skin)
            tris.append(tri)
            edges.append(e + e_off)
            verts.append(f + v_off)
            body_of.append(np.full(len(f), b))
            grids.append((lo, dims, c_off, t_off))
            starts.append(start[:-1] + len(np.concatenate(ids)) if ids else start[:-1])
            ids.append(owner + t_off)
            v_off += len(v)
            e_off += int(e.max()) + 1
            t_off += len(f)
            c_off += int(np.prod(dims))
        self.n_triangles = t_off
        n_cells = max(c_off, 1)
        all_ids = np.concatenate(ids) if ids else np.zeros(1, np.int32)
        self.tri = tree_field(ti.types.matrix(3, 3, ti.f64), max(t_off, 1))
        self.tri_edge = tree_field(ivec3, max(t_off, 1))
        self.tri_vert = tree_field(ivec3, max(t_off, 1))
        self.cell_start = tree_field(ti.i32, n_cells + 1)
        self.cell_tris = tree_field(ti.i32, max(len(all_ids), 1))
        # per body: grid lo, 1/cell, dims, first cell; kinematics
        self.grid_lo = tree_field(dvec3, nb)
        self.grid_dims = tree_field(ivec3, nb)
        self.grid_first = tree_field(ti.i32, nb)
        self.inv_cell = tree_field(ti.f64, ())
        self.axis = tree_field(dvec3, nb)
        self.center = tree_field(dvec3, nb)
        self.omega = tree_field(ti.f64, nb)
        self.start_time = tree_field(ti.f64, nb)
        self.ramp_time = tree_field(ti.f64, nb)
        self.material = tree_field(ti.i32, nb)
        self.pose = tree_field(dvec3, nb)   # (cos θ, sin θ, ω) at the time of the current force evaluation
        # per-particle contact slots
        self.slot_body = tree_field(ti.i32, (capacity, MAX_SLOTS))
        self.slot_normal = tree_field(ti.types.vector(3, real), (capacity, MAX_SLOTS))
        self.slot_hist = tree_field(ti.types.vector(HIST_SIZE, real), (capacity, MAX_SLOTS))
        # contact-steps lost because a particle had more than MAX_CANDIDATES candidate contacts (0) or more
        # than MAX_SLOTS contacts (1); read and reset by Simulation.dropped_mesh_contacts
        self.dropped = tree_field(ti.i32, 2)
        # reach (module docstring): per particle, 1 if it may touch a body before the flags are renewed; per body,
        # a grid padded by one cell on each side, 1 where the cell or one of its 26 neighbours holds a triangle
        self.near = tree_field(ti.i8, capacity)
        self.reach_cells = tree_field(ti.i8, max(sum(int(np.prod(g[1] + 2)) for g in grids), 1))
        self.reach_first = tree_field(ti.i32, nb)
        self.near_time = tree_field(ti.f64, ())   # s, the time of the last marking
        self.near_stale = tree_field(ti.i32, ())  # 1: renew the flags at the next step (set by ``stale``)
        self.reach = 2.0 * max_radius               # m, a cell width less the skin (the flags' margin)
        # per-body sums (force/torque on the particles, torque about the axis, power, work)
        self.force = tree_field(dvec3, nb)
        self.torque = tree_field(dvec3, nb)
        self.force_last = tree_field(dvec3, nb)
        self.torque_last = tree_field(dvec3, nb)
        self.power_last = tree_field(ti.f64, nb)
        self.work = tree_field(ti.f64, nb)
        self.axial_torque_integral = tree_field(ti.f64, nb)
        after_fields(lambda: self._write(cell, tris, edges, verts, starts, all_ids, grids))
        after_fields(lambda: self._write_reach(starts, all_ids, grids))

    def _write(self, cell, tris, edges, verts, starts, all_ids, grids) -> None:
        t_off = self.n_triangles
        self.slot_body.fill(-1)
        self.inv_cell[None] = 1.0 / cell
        if t_off:
            self.tri.from_numpy(np.concatenate(tris))
            self.tri_edge.from_numpy(np.concatenate(edges).astype(np.int32))
            self.tri_vert.from_numpy(np.concatenate(verts).astype(np.int32))
            self.cell_start.from_numpy(np.concatenate(starts + [[len(all_ids)]]).astype(np.int32))
            self.cell_tris.from_numpy(all_ids.astype(np.int32))
        for b, body in enumerate(self.bodies):
            lo, dims, first, _ = grids[b]
            self.grid_lo[b] = lo
            self.grid_dims[b] = dims.tolist()
            self.grid_first[b] = first
            a = np.asarray(body.axis, float)
            self.axis[b] = a / np.linalg.norm(a)
            self.center[b] = np.asarray(body.center, float)
        self.set_motion(self.bodies)

    def set_motion(self, bodies: list) -> None:
        """Take ``bodies``, the meshes these walls were built for (same vertices, faces, axes and centres), and
        write what may differ between runs on one engine: each body's material, ``omega``, ``start_time`` and
        ``ramp_time`` (engine_pool.py: an rpm sweep reuses one engine)."""
        self.bodies = list(bodies)
        for b, body in enumerate(self.bodies):
            self.omega[b] = float(body.omega)
            self.start_time[b] = float(body.start_time)
            self.ramp_time[b] = float(body.ramp_time)
            self.material[b] = int(body.material)

    def _write_reach(self, starts, all_ids, grids) -> None:
        self.near.fill(1)
        self.near_stale[None] = 1
        cells, first = [], 0
        for b in range(self.n_bodies):
            _, dims, c_off, _ = grids[b]
            bounds = np.concatenate(starts + [[len(all_ids)]])[c_off: c_off + int(np.prod(dims)) + 1]
            held = np.pad((np.diff(bounds) > 0).reshape(dims[::-1]), 1)     # (z, y, x), padded by one cell
            cells.append(binary_dilation(held, np.ones((3, 3, 3), bool)).ravel().astype(np.int8))
            self.reach_first[b] = first
            first += cells[-1].size
        if cells:
            self.reach_cells.from_numpy(np.concatenate(cells))

    def stale(self) -> None:
        """Renew the near flags at the next step: the neighbour lists were rebuilt, particles were added or
        moved, or the clock was set."""
        if self.n_bodies:
            self.near_stale[None] = 1

    def clear(self) -> None:
        self.slot_body.fill(-1)
        self.near.fill(1)
        self.stale()
        for f in (self.slot_hist, self.slot_normal, self.force, self.torque, self.force_last, self.torque_last,
                  self.power_last, self.work, self.axial_torque_integral, self.dropped):
            f.fill(0)

    def angle(self, b: int, time: float) -> float:
        """Rotation angle of body b at ``time`` (rad) — the Python twin of ``kinematics``."""
        body = self.bodies[b]
        tau = time - body.start_time
        if tau <= 0:
            return 0.0
        if tau < body.ramp_time:
            return 0.5 * body.omega * tau * tau / body.ramp_time
        return 0.5 * body.omega * body.ramp_time + body.omega * (tau - body.ramp_time)

    def angular_speed(self, b: int, time: float) -> float:
        """Angular speed ω of body b at ``time`` (rad/s) — the Python twin of ``kinematics``."""
        body = self.bodies[b]
        tau = time - body.start_time
        if tau <= 0:
            return 0.0
        return body.omega * min(tau / body.ramp_time, 1.0) if body.ramp_time > 0 else body.omega

    @ti.func
    def kinematics(self, b, time):
        """(angle θ (rad), angular speed ω (rad/s)) of body b at ``time``."""
        return _angle(self.omega[b], self.start_time[b], self.ramp_time[b], time)

    @ti.func
    def set_pose(self, n_bodies, time):
        """Store cos θ, sin θ and ω of every body at ``time`` (once per force evaluation, not per particle)."""
        ti.loop_config(serialize=True)    # a few bodies: a serial loop spares a hand-off to the thread pool
        for b in range(n_bodies):
            theta, om = self.kinematics(b, time)
            self.pose[b] = ti.Vector([ti.cos(theta), ti.sin(theta), om])

    @ti.func
    def reach_expired(self, space: ti.template(), frame_omega, time):
        """Whether the near flags may be out of date at ``time`` (module docstring), for a turning frame of
        list displacements at ``frame_omega`` (rad/s)."""
        lever = 0.0   # m, the largest distance of a domain-box corner from the z axis or a body's axis
        spin = 0.0
        for k in ti.static(range(8)):
            p = space.lo[None] + space.box[None] * ti.Vector([k & 1, (k >> 1) & 1, (k >> 2) & 1])
            lever = ti.max(lever, ti.sqrt(p[0] * p[0] + p[1] * p[1]))
            for b in ti.static(range(self.n_bodies)):
                u = p - self.center[b]
                lever = ti.max(lever, (u - u.dot(self.axis[b]) * self.axis[b]).norm())
                spin = ti.max(spin, ti.abs(self.omega[b]))
        return ti.abs(time - self.near_time[None]) * (ti.abs(frame_omega) + spin) * lever >= self.reach

    @ti.func
    def is_near(self, space: ti.template(), i, x):
        """The near flag of particle i at position x (module docstring); the poses must be set."""
        near = 0
        for k in ti.static(range(MAX_SLOTS)):
            if self.slot_body[i, k] >= 0:
                near = 1
        rel_box = (x - space.lo[None]) / space.box[None]
        if not (0.0 <= rel_box[0] <= 1.0 and 0.0 <= rel_box[1] <= 1.0 and 0.0 <= rel_box[2] <= 1.0):
            near = 1
        for b in ti.static(range(self.n_bodies)):
            pose = self.pose[b]
            ctr = self.center[b]
            y = _rotate(x - ctr, self.axis[b], pose[0], -pose[1]) + ctr
            rel = (y - self.grid_lo[b]) * self.inv_cell[None] + 1.0     # + 1: the padding
            dims = self.grid_dims[b] + 2
            cx = ti.cast(ti.floor(rel[0]), ti.i32)
            cy = ti.cast(ti.floor(rel[1]), ti.i32)
            cz = ti.cast(ti.floor(rel[2]), ti.i32)
            if 0 <= cx < dims[0] and 0 <= cy < dims[1] and 0 <= cz < dims[2]:
                if self.reach_cells[self.reach_first[b] + (cz * dims[1] + cy) * dims[0] + cx] != 0:
                    near = 1
        return near

    @ti.func
    def accumulate_work(self, n_bodies, time, dt):
        """For bodies 0..n_bodies−1 (all or none), with this step's loads summed by ``mesh_contacts``:
        work += ½(P_last + P) Δt with P = ω(t) a·T; torque integral likewise; then *_last = this step."""
        if ti.static(self.n_bodies > 0):   # no code at all for a set-up without meshes
            ti.loop_config(serialize=True)
            for b in range(n_bodies):
                _, om = self.kinematics(b, time)
                t_axis = self.torque[b].dot(self.axis[b])
                power = om * t_axis
                self.work[b] += 0.5 * (self.power_last[b] + power) * dt
                self.axial_torque_integral[b] += 0.5 * (self.torque_last[b].dot(self.axis[b]) + t_axis) * dt
                self.power_last[b] = power
                self.force_last[b] = self.force[b]
                self.torque_last[b] = self.torque[b]
                self.force[b] = ti.zero(self.force[b])
                self.torque[b] = ti.zero(self.torque[b])


@ti.func
def _angle(omega, start, ramp, time):
    theta = 0.0
    om = 0.0
    if time > start:
        tau = time - start
        if tau < ramp:
            om = omega * tau / ramp
            theta = 0.5 * omega * tau * tau / ramp
        else:
            om = omega
            theta = 0.5 * omega * ramp + omega * (tau - ramp)
    return theta, om


@ti.func
def _rotate(v, axis, c, s):
    """Rodrigues rotation of v about the unit ``axis`` by the angle with cosine c and sine s."""
    return v * c + axis.cross(v) * s + axis * (axis.dot(v) * (1.0 - c))


@ti.func
def closest_point(p, a, b, c):
    """Closest point of triangle abc to p, with its feature: (q, kind, index), kind FACE/EDGE/VERTEX and
    index the local vertex (0–2) or edge (0: ab, 1: bc, 2: ca). Voronoi-region tests of the triangle."""
    q = a
    kind = VERTEX
    idx = 0
    ab = b - a
    ac = c - a
    ap = p - a
    d1 = ab.dot(ap)
    d2 = ac.dot(ap)
    bp = p - b
    d3 = ab.dot(bp)
    d4 = ac.dot(bp)
    cp = p - c
    d5 = ab.dot(cp)
    d6 = ac.dot(cp)
    vc = d1 * d4 - d3 * d2
    vb = d5 * d2 - d1 * d6
    va = d3 * d6 - d5 * d4
    if d1 <= 0.0 and d2 <= 0.0:
        q, kind, idx = a, VERTEX, 0
    elif d3 >= 0.0 and d4 <= d3:
        q, kind, idx = b, VERTEX, 1
    elif d6 >= 0.0 and d5 <= d6:
        q, kind, idx = c, VERTEX, 2
    elif vc <= 0.0 and d1 >= 0.0 and d3 <= 0.0:
        q, kind, idx = a + ab * (d1 / (d1 - d3)), EDGE, 0
    elif vb <= 0.0 and d2 >= 0.0 and d6 <= 0.0:
        q, kind, idx = a + ac * (d2 / (d2 - d6)), EDGE, 2
    elif va <= 0.0 and d4 - d3 >= 0.0 and d5 - d6 >= 0.0:
        q, kind, idx = b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6))), EDGE, 1
    else:
        inv = 1.0 / (va + vb + vc)
        q, kind, idx = a + ab * (vb * inv) + ac * (vc * inv), FACE, 0
    return q, kind, idx


@ti.func
def mesh_contacts(normal_model: ti.template(), rolling_model: ti.template(), i, s: ti.template(),
                  mesh: ti.template(), n_bodies, pair_par: ti.template(), dt):
    """Contacts of particle i with every mesh body. Returns ``(F, T, work, starts, events, max δ/R, body of
    the largest overlap)`` like the other contact functions; each contact adds its load to its body's sums
    (``force``, ``torque``). Contacts beyond the candidate or slot capacity are counted in ``mesh.dropped``. The
    bodies' poses must be set for this step (``set_pose``)."""
    F_i = ti.Vector([0.0, 0.0, 0.0])
    T_i = ti.Vector([0.0, 0.0, 0.0])
    work_i = 0.0
    starts_i = 0
    events_i = 0
    ovl = 0.0
    deepest = 0
    if ti.static(mesh.n_bodies > 0):   # no code at all for a set-up without meshes
        if mesh.near[i] != 0:          # else no triangle within reach (module docstring)
            ri = s.radius[i]
            xi = s.x[i]
            # ---- gather candidate contacts (body frame closest points), see the module docstring
            c_tri = ti.Vector([0] * MAX_CANDIDATES)
            c_kind = ti.Vector([0] * MAX_CANDIDATES)
            c_feat = ti.Vector([0] * MAX_CANDIDATES)
            c_body = ti.Vector([0] * MAX_CANDIDATES)
            c_n = ti.Matrix([[0.0] * 3 for _ in range(MAX_CANDIDATES)], ti.f64)
            c_dist = ti.Vector([0.0] * MAX_CANDIDATES, ti.f64)
            n_c = 0
            for b in range(n_bodies):
                pose = mesh.pose[b]
                ctr = mesh.center[b]
                y = _rotate(xi - ctr, mesh.axis[b], pose[0], -pose[1]) + ctr
                rel = (y - mesh.grid_lo[b]) * mesh.inv_cell[None]
                dims = mesh.grid_dims[b]
                cx = ti.cast(ti.floor(rel[0]), ti.i32)
                cy = ti.cast(ti.floor(rel[1]), ti.i32)
                cz = ti.cast(ti.floor(rel[2]), ti.i32)
                if 0 <= cx < dims[0] and 0 <= cy < dims[1] and 0 <= cz < dims[2]:
                    cell = mesh.grid_first[b] + (cz * dims[1] + cy) * dims[0] + cx
                    for k in range(mesh.cell_start[cell], mesh.cell_start[cell + 1]):
                        t = mesh.cell_tris[k]
                        tri = mesh.tri[t]
                        a = ti.Vector([tri[0, 0], tri[0, 1], tri[0, 2]])
                        bb = ti.Vector([tri[1, 0], tri[1, 1], tri[1, 2]])
                        cc = ti.Vector([tri[2, 0], tri[2, 1], tri[2, 2]])
                        q, kind, idx = closest_point(y, a, bb, cc)
                        d = y - q
                        d2 = d.dot(d)
                        if d2 < ri * ri and n_c == MAX_CANDIDATES:
                            ti.atomic_add(mesh.dropped[0], 1)
                        elif d2 < ri * ri:
                            feat = t
                            if kind == EDGE:
                                feat = mesh.tri_edge[t][idx]
                            elif kind == VERTEX:
                                feat = mesh.tri_vert[t][idx]
                            c_tri[n_c], c_kind[n_c], c_feat[n_c], c_body[n_c] = t, kind, feat, b
                            dist = ti.sqrt(d2)
                            c_dist[n_c] = dist
                            for m in ti.static(range(3)):
                                c_n[n_c, m] = d[m] / ti.max(dist, 1e-300)
                            n_c += 1
            # ---- drop edge/vertex contacts covered by a face (or edge) contact of a triangle holding them; repeats
            keep = ti.Vector([1] * MAX_CANDIDATES)
            for c in range(n_c):
                if c_kind[c] != FACE:
                    for c2 in range(n_c):
                        if keep[c] == 1 and c2 != c and c_body[c2] == c_body[c]:
                            t2 = c_tri[c2]
                            if c_kind[c] == EDGE:
                                e = mesh.tri_edge[t2]
                                if c_kind[c2] == FACE and (e[0] == c_feat[c] or e[1] == c_feat[c] or e[2] == c_feat[c]):
                                    keep[c] = 0
                                elif c_kind[c2] == EDGE and c_feat[c2] == c_feat[c] and c2 < c:
                                    keep[c] = 0
                            else:
                                v = mesh.tri_vert[t2]
                                holds = v[0] == c_feat[c] or v[1] == c_feat[c] or v[2] == c_feat[c]
                                if (c_kind[c2] == FACE or c_kind[c2] == EDGE) and holds:
                                    keep[c] = 0
                                elif c_kind[c2] == VERTEX and c_feat[c2] == c_feat[c] and c2 < c:
                                    keep[c] = 0
            # one surface, one contact: of contacts with nearly parallel normals (the same face seen by several
            # triangles, a point on a shared edge classed as a face point, a curved surface's neighbouring facets)
            # only the deepest stays; contacts on surfaces at an angle (a corner) are all kept
            for c in range(n_c):
                for c2 in range(n_c):
                    if c2 != c and keep[c] == 1 and keep[c2] == 1 and c_body[c2] == c_body[c]:
                        n1 = ti.Vector([c_n[c, 0], c_n[c, 1], c_n[c, 2]])
                        n2 = ti.Vector([c_n[c2, 0], c_n[c2, 1], c_n[c2, 2]])
                        if n1.dot(n2) > SAME_SURFACE_COS:
                            if c_dist[c2] < c_dist[c] or (c_dist[c2] == c_dist[c] and c2 < c):
                                keep[c] = 0
            # ---- match contacts to history slots, evaluate, close the slots whose contact ended
            matched = ti.Vector([0] * MAX_SLOTS)
            for c in range(n_c):
                if keep[c] == 1:
                    b = c_body[c]
                    pose = mesh.pose[b]
                    om = pose[2]
                    ax = mesh.axis[b]
                    ctr = mesh.center[b]
                    # from the wall to the particle, turned into the lab frame (distances do not change)
                    nrm = ti.cast(_rotate(ti.Vector([c_n[c, 0], c_n[c, 1], c_n[c, 2]]), ax, pose[0], pose[1]), float)
                    dist = c_dist[c]
                    delta = ri - ti.cast(dist, float)
                    slot = -1
                    free = -1
                    for k in range(MAX_SLOTS):
                        if matched[k] == 0:
                            if mesh.slot_body[i, k] == b and slot < 0:
                                cos = mesh.slot_normal[i, k].dot(nrm)
                                if cos > MATCH_COS:
                                    slot = k
                                elif -cos > MATCH_COS:
                                    # the centre has been pushed through the surface: same contact, from its old side
                                    slot = k
                                    nrm = -nrm
                                    delta = ri + ti.cast(dist, float)
                            if mesh.slot_body[i, k] < 0 and free < 0:
                                free = k
                    if slot < 0 and free >= 0:
                        slot = free
                        mesh.slot_hist[i, slot] = ti.zero(mesh.slot_hist[i, slot])
                    if slot < 0:
                        ti.atomic_add(mesh.dropped[1], 1)
                    else:
                        matched[slot] = 1
                        F, T, T_wall, h_new, dD, started, event = wall_contact(
                            normal_model, rolling_model, i, s, delta, nrm, ti.cast(xi - ctr, float),
                            ti.Vector([0.0, 0.0, 0.0]), ti.cast(om * ax, float), mesh.slot_hist[i, slot],
                            pair_par[s.material[i], mesh.material[b]], dt)
                        mesh.slot_hist[i, slot] = h_new
                        mesh.slot_body[i, slot] = b
                        mesh.slot_normal[i, slot] = nrm
                        F_i += F
                        T_i += T
                        work_i += dD
                        starts_i += started
                        events_i += event
                        if delta / ri > ovl:
                            ovl = delta / ri
                            deepest = b
                        for c in ti.static(range(mesh.n_bodies)):  # a fixed target per body: per-thread partial sums
                            if b == c:
                                mesh.force[c] += ti.cast(F, ti.f64)
                                mesh.torque[c] += ti.cast(T_wall, ti.f64)
            for k in range(MAX_SLOTS):
                b = mesh.slot_body[i, k]
                if matched[k] == 0 and b >= 0:
                    # the contact ended: close its energy bookkeeping (force → 0, stored energy dissipated)
                    closing = wall_contact(
                        normal_model, rolling_model, i, s, 0.0, mesh.slot_normal[i, k],
                        ti.cast(xi - mesh.center[b], float), ti.Vector([0.0, 0.0, 0.0]),
                        ti.cast(mesh.pose[b][2] * mesh.axis[b], float), mesh.slot_hist[i, k],
                        pair_par[s.material[i], mesh.material[b]], dt)
                    work_i += closing[4]        # (F, T, T_wall, h, dD, started, event): the dissipated work dD
                    mesh.slot_body[i, k] = -1
                    mesh.slot_hist[i, k] = ti.zero(mesh.slot_hist[i, k])
    return F_i, T_i, work_i, starts_i, events_i, ovl, deepest
