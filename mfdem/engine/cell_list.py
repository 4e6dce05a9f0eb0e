"""Uniform-grid cell list rebuilt by counting sort with a parallel prefix sum: O(N), no Python loops.

Particles outside the grid along a non-periodic axis are clamped into the edge cells, which keeps the search
correct at some cost if many escape.
"""

import taichi as ti

from mfdem.engine.field_tree import field
from mfdem.engine.prefix_sum import PrefixSum
from mfdem.engine.space import Space


@ti.data_oriented
class CellList:
    """``sorted_ids[cell_start[c] : cell_start[c] + cell_count[c]]`` are the particles in cell c."""

    def __init__(self, space: Space, capacity: int):
        self.space = space
        n_cells = space.n_cells
        self.cell_count = field(ti.i32, n_cells)
        self.cell_start = field(ti.i32, n_cells)
        self.prefix_sum = PrefixSum(n_cells)
        self.slot = field(ti.i32, capacity)
        self.sorted_ids = field(ti.i32, capacity)

    def build(self, x, n: int) -> None:
        self.cell_count.fill(0)
        self._count(x, n)
        self.prefix_sum.run(self.cell_count, self.cell_start, self.space.n_cells)
        self._scatter(x, n)

    @ti.kernel
    def _count(self, x: ti.template(), n: ti.i32):
        for i in range(n):
            c = self.space.cell_index(self.space.cell_coord(x[i]))
            self.slot[i] = ti.atomic_add(self.cell_count[c], 1)

    @ti.kernel
    def _scatter(self, x: ti.template(), n: ti.i32):
        for i in range(n):
            c = self.space.cell_index(self.space.cell_coord(x[i]))
            self.sorted_ids[self.cell_start[c] + self.slot[i]] = i
