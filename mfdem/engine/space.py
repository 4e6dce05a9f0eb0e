"""The simulation box: bounds, periodic boundaries and the cell grid of the neighbour search.

Holds its parameters in Taichi fields so kernels read them directly (no per-launch arguments).

* Linear periodic boundaries along any Cartesian axis: displacements use the minimum image and positions
  are wrapped into [lo, lo + box).
* Rotational periodicity (a sector of angle α about the z axis through the origin, the mixer's rotor axis):
  particles live in 0 ≤ φ < α; one leaving through a cut plane re-enters through the other with position,
  velocity and angular velocity rotated by ∓α. The partner of a pair across the seam is taken as its image
  R(sα)x_j, s ∈ {−1, 0, +1}, nearest to the particle (``image``).
"""

import math

import numpy as np
import taichi as ti

from mfdem.engine.field_tree import after_fields, field
from mfdem.validation import InputError

ivec3 = ti.types.vector(3, ti.i32)
dvec3 = ti.types.vector(3, ti.f64)


@ti.data_oriented
class Space:
    """Box [lo, hi] (m) with ``periodic`` axes, divided into cells at least ``min_cell`` (m) wide;
    ``sector_angle`` (rad) switches on rotational periodicity about the z axis."""

    def __init__(self, lo, hi, periodic, min_cell: float, sector_angle: float = None):
        lo, hi, dims = self._layout(lo, hi, periodic, min_cell)
        self.dims_np = dims
        self.periodic_np = tuple(bool(p) for p in periodic)
        self.rotational = sector_angle is not None
        if self.rotational and any(self.periodic_np):
            raise InputError("domain: rotational periodicity cannot be combined with linear periodic axes")
        self.sector_angle = float(sector_angle) if self.rotational else 0.0
        self.cutoff = field(ti.f64, ())
        self.rot = field(ti.types.vector(2, ti.f64), ())   # (cos α, sin α)
        self.lo = field(dvec3, ())
        self.box = field(dvec3, ())
        self.inv_box = field(dvec3, ())
        self.inv_cell = field(dvec3, ())
        self.dims = field(ivec3, ())
        self.periodic = field(ivec3, ())
        self.lo_np, self.hi_np = lo, hi
        after_fields(lambda: self._write(min_cell))

    def _write(self, min_cell: float) -> None:
        self.cutoff[None] = min_cell
        self.rot[None] = [math.cos(self.sector_angle), math.sin(self.sector_angle)]
        self.dims[None] = self.dims_np
        self.periodic[None] = [int(p) for p in self.periodic_np]
        self._set_box(self.lo_np, self.hi_np)

    def _set_box(self, lo, hi) -> None:
        self.lo_np, self.hi_np = lo, hi
        self.lo[None] = lo
        self.box[None] = hi - lo
        self.inv_box[None] = 1.0 / (hi - lo)
        self.inv_cell[None] = np.asarray(self.dims_np) / (hi - lo)

    def rescale(self, lo, hi, min_cell: float) -> None:
        """Move/resize the box keeping the number of cells (so every array keeps its shape)."""
        lo, hi, dims = self._layout(lo, hi, self.periodic_np, min_cell)
        if dims != self.dims_np:
            raise InputError(f"domain: the new box needs {dims} cells, not {self.dims_np}; create a new Simulation")
        self._set_box(lo, hi)
        self.cutoff[None] = min_cell

    @classmethod
    def check(cls, lo, hi, periodic, min_cell: float) -> None:
        """Validate a box (InputError) without creating fields."""
        cls._layout(lo, hi, periodic, min_cell)

    @staticmethod
    def _layout(lo, hi, periodic, min_cell):
        lo = np.asarray(lo, float)
        hi = np.asarray(hi, float)
        dims = []
        for a in range(3):
            length = hi[a] - lo[a]
            n = int(math.floor(length / min_cell))
            if periodic[a] and n < 3:
                raise InputError(
                    f"domain length along {'xyz'[a]} = {length:g} m is too short for periodic images: it must be "
                    f"at least 3 × the interaction range ({3 * min_cell:g} m)")
            dims.append(max(1, n))
        if np.prod(dims, dtype=np.int64) > 64_000_000:
            raise InputError(f"domain of {dims[0]}×{dims[1]}×{dims[2]} cells is too large; shrink the domain box")
        return lo, hi, tuple(dims)

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.dims_np))

    @ti.func
    def displacement(self, xi, xj):
        """x_i − x_j (f64) of the nearest periodic image; unique when box ≥ 2 × interaction range."""
        d = xi - xj
        for a in ti.static(range(3)):
            if self.periodic[None][a] != 0:
                d[a] -= self.box[None][a] * ti.round(d[a] * self.inv_box[None][a])
        return d

    @ti.func
    def wrap(self, x):
        """``(x', s)``: x wrapped into the box along periodic axes, or into the sector by a rotation R(sα)."""
        out = x
        s = 0
        if ti.static(self.rotational):
            # φ < 0 and φ ≥ α without an atan2: half-plane tests (the sector is convex, α < π)
            if x[1] < 0.0:
                s = 1
            elif self.rot[None][0] * x[1] - self.rot[None][1] * x[0] >= 0.0:
                s = -1
            out = self.rotate(x, s)
        else:
            for a in ti.static(range(3)):
                if self.periodic[None][a] != 0:
                    lo, box = self.lo[None][a], self.box[None][a]
                    out[a] = x[a] - box * ti.floor((x[a] - lo) * self.inv_box[None][a])
        return out, s

    @ti.func
    def rotate(self, v, s):
        """R(sα)v about the z axis (s ∈ {−1, 0, 1}); the identity without rotational periodicity."""
        out = v
        if ti.static(self.rotational):
            if s != 0:
                c = self.rot[None][0]
                sn = s * self.rot[None][1]
                out[0] = c * v[0] - sn * v[1]
                out[1] = sn * v[0] + c * v[1]
        return out

    @ti.func
    def image(self, xi, xj):
        """``(d, s)``: d = x_i − R(sα)x_j (f64) for the image of j nearest to i (s = 0 unless rotational)."""
        d = self.displacement(xi, xj)
        s = 0
        if ti.static(self.rotational):
            cut = self.cutoff[None]
            if d.dot(d) > cut * cut:      # too far apart directly: the pair, if any, is across the seam
                s = -1 if xi[0] * xj[1] - xi[1] * xj[0] > 0.0 else 1
                d = xi - self.rotate(xj, s)
        return d, s

    @ti.func
    def seam_images(self, x):
        """Image codes whose partners may be near x: −1 near the φ = 0 plane, +1 near φ = α, else 0."""
        s = 0
        if ti.static(self.rotational):
            cut = self.cutoff[None]
            if x[1] < cut:
                s = -1
            elif self.rot[None][0] * x[1] - self.rot[None][1] * x[0] > -cut:
                s = 1
        return s

    @ti.func
    def cell_coord(self, x):
        """Integer cell of position x, clamped into the grid (monotone, so the 27-cell search stays exact)."""
        c = ivec3(0)
        for a in ti.static(range(3)):
            c[a] = ti.min(ti.max(ti.cast(ti.floor((x[a] - self.lo[None][a]) * self.inv_cell[None][a]), ti.i32), 0),
                          self.dims[None][a] - 1)
        return c

    @ti.func
    def cell_index(self, c):
        dims = self.dims[None]
        return (c[2] * dims[1] + c[1]) * dims[0] + c[0]

    @ti.func
    def neighbor_cell(self, c, off):
        """Cell c + off with periodic wrap; returns (index, inside-grid flag)."""
        cc = c + off
        inside = True
        for a in ti.static(range(3)):
            if self.periodic[None][a] != 0:
                cc[a] = (cc[a] + self.dims[None][a]) % self.dims[None][a]
            elif cc[a] < 0 or cc[a] >= self.dims[None][a]:
                inside = False
        return self.cell_index(cc), inside
