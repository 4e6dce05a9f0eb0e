"""Verlet neighbour lists with a skin, a displacement trigger and contact history that survives rebuilds.

Full lists: every pair appears in the list of both partners and each side computes the (bitwise mirrored)
contact force for its own particle, so the force loop needs no atomics and is deterministic. Each list is
sorted by partner index, which fixes the summation order; at every rebuild the history of a pair moves to
its new slot by merging the old and new sorted lists. A pair in contact always stays in the list (its
distance is below r_i + r_j < r_i + r_j + skin), so contact history is never lost; the contact law clears it
when the pair separates. Two buffers (index 0/1 of the first axis) alternate between builds.
"""

import taichi as ti

from mfdem.engine.cell_list import CellList
from mfdem.engine.contact.law import HIST_SIZE
from mfdem.engine.space import Space, ivec3


@ti.data_oriented
class NeighborList:
    """``nbr[b, i, k]`` partner index, ``count[b, i]``, ``hist[b, i, k]`` contact history; ``current`` = b."""

    def __init__(self, space: Space, capacity: int, max_neighbors: int, skin: float, real):
        self.space = space
        self.cells = CellList(space, capacity)
        self.capacity = capacity
        self.skin = skin
        self.real = real
        self.overflow = ti.field(ti.i32, ())
        self._alloc(max_neighbors)
        self.current = 0
        self.n_builds = 0

    def _alloc(self, k: int) -> None:
        self.max_neighbors = k
        self.nbr = ti.field(ti.i32, (2, self.capacity, k))
        self.count = ti.field(ti.i32, (2, self.capacity))
        self.hist = ti.field(ti.types.vector(HIST_SIZE, self.real), (2, self.capacity, k))

    def build(self, x, radius, n: int) -> None:
        """Rebuild from positions ``x`` of n particles, moving contact histories to their new slots.

        If a particle has more neighbours than the lists hold, the lists grow (kernels using them recompile
        once) and the build runs again from the untouched old list.
        """
        self.cells.build(x, n)
        self.overflow[None] = 0
        self._build(x, radius, n, self.skin, self.current)
        needed = int(self.overflow[None])
        if needed:
            old_nbr, old_count, old_hist, old_k = self.nbr, self.count, self.hist, self.max_neighbors
            self._alloc(int(needed * 1.25) + 2)
            self._copy_old(old_nbr, old_count, old_hist, old_k, self.current, n)
            self.overflow[None] = 0
            self._build(x, radius, n, self.skin, self.current)
        self.current = 1 - self.current
        self.n_builds += 1

    @ti.kernel
    def _copy_old(self, old_nbr: ti.template(), old_count: ti.template(), old_hist: ti.template(), old_k: ti.i32,
                  b: ti.i32, n: ti.i32):
        for i in range(n):
            self.count[b, i] = old_count[b, i]
            for k in range(old_k):
                self.nbr[b, i, k] = old_nbr[b, i, k]
                self.hist[b, i, k] = old_hist[b, i, k]

    @ti.kernel
    def _build(self, x: ti.template(), radius: ti.template(), n: ti.i32, skin: ti.f64, old: ti.i32):
        new = 1 - old
        k_max = self.nbr.shape[2]
        for i in range(n):
            ci = self.space.cell_coord(x[i])
            cnt = 0
            for off in range(27):
                cell, inside = self.space.neighbor_cell(ci, ivec3(off % 3 - 1, (off // 3) % 3 - 1, off // 9 - 1))
                if inside:
                    start = self.cells.cell_start[cell]
                    for s in range(start, start + self.cells.cell_count[cell]):
                        j = self.cells.sorted_ids[s]
                        if j != i:
                            d = self.space.displacement(x[i], x[j])
                            cut = radius[i] + radius[j] + skin
                            if d.dot(d) < cut * cut:
                                if cnt < k_max:
                                    self.nbr[new, i, cnt] = j
                                cnt += 1
            if cnt > k_max:
                ti.atomic_max(self.overflow[None], cnt)
                cnt = k_max
            # insertion sort by partner index: a fixed summation order makes results reproducible
            for a in range(1, cnt):
                key = self.nbr[new, i, a]
                b = a - 1
                while b >= 0 and self.nbr[new, i, b] > key:
                    self.nbr[new, i, b + 1] = self.nbr[new, i, b]
                    b -= 1
                self.nbr[new, i, b + 1] = key
            # move histories: both lists are sorted, so one merge pass finds every surviving pair
            p = 0
            n_old = self.count[old, i]
            for a in range(cnt):
                j = self.nbr[new, i, a]
                while p < n_old and self.nbr[old, i, p] < j:
                    p += 1
                if p < n_old and self.nbr[old, i, p] == j:
                    self.hist[new, i, a] = self.hist[old, i, p]
                else:
                    self.hist[new, i, a] = ti.zero(self.hist[new, i, a])
            self.count[new, i] = cnt
