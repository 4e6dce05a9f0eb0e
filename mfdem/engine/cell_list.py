"""Uniform-grid cell list rebuilt by counting sort with a parallel prefix sum: O(N), no Python loops.

Particles outside the grid along a non-periodic axis are clamped into the edge cells, which keeps the search
correct at some cost if many escape.
"""

import taichi as ti

from mfdem.engine.space import Space

_BLOCK = 1024


@ti.data_oriented
class CellList:
    """``sorted_ids[cell_start[c] : cell_start[c] + cell_count[c]]`` are the particles in cell c."""

    def __init__(self, space: Space, capacity: int):
        self.space = space
        n_cells = space.n_cells
        self.cell_count = ti.field(ti.i32, n_cells)
        self.cell_start = ti.field(ti.i32, n_cells)
        self.block_sum = ti.field(ti.i32, (n_cells + _BLOCK - 1) // _BLOCK)
        self.slot = ti.field(ti.i32, capacity)
        self.sorted_ids = ti.field(ti.i32, capacity)

    def build(self, x, n: int) -> None:
        self.cell_count.fill(0)
        self._count(x, n)
        self._scan(self.space.n_cells)
        self._scatter(x, n)

    @ti.kernel
    def _count(self, x: ti.template(), n: ti.i32):
        for i in range(n):
            c = self.space.cell_index(self.space.cell_coord(x[i]))
            self.slot[i] = ti.atomic_add(self.cell_count[c], 1)

    @ti.kernel
    def _scan(self, n_cells: ti.i32):
        """Exclusive prefix sum of cell_count into cell_start: block sums, a short serial scan, block scans."""
        nb = self.block_sum.shape[0]
        for b in range(nb):
            s = 0
            for c in range(b * _BLOCK, ti.min((b + 1) * _BLOCK, n_cells)):
                s += self.cell_count[c]
            self.block_sum[b] = s
        ti.loop_config(serialize=True)
        for _ in range(1):
            running = 0
            for b in range(nb):
                s = self.block_sum[b]
                self.block_sum[b] = running
                running += s
        for b in range(nb):
            s = self.block_sum[b]
            for c in range(b * _BLOCK, ti.min((b + 1) * _BLOCK, n_cells)):
                self.cell_start[c] = s
                s += self.cell_count[c]

    @ti.kernel
    def _scatter(self, x: ti.template(), n: ti.i32):
        for i in range(n):
            c = self.space.cell_index(self.space.cell_coord(x[i]))
            self.sorted_ids[self.cell_start[c] + self.slot[i]] = i
