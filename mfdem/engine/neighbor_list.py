"""Verlet neighbour lists with a skin, a displacement trigger and contact history that survives rebuilds.

Each pair is evaluated once, by its lower-index particle (the *owner*): particle i keeps an owner list of
its neighbours j > i, with the contact history of each contact, and a mirror list of its neighbours j < i.
The owner writes each contact's result into the partner's mirror row (``res``, laid out in mirror order, so
that the reaction pass reads it front to back instead of gathering it from scattered owner rows). The
force passes therefore need no atomics, forces are exactly equal and opposite, and — with both lists
sorted by partner index — the summation order and so the results are reproducible bit for bit. The cell
search looks for owner entries only; the mirror lists are their transpose.

Partner indices are kept in fixed-width rows (``own_nbr[b, i, k]``, k < ``max_neighbors``); the data of each
owner entry — contact history and state — is stored compactly, at ``pair = own_start[b, i] + k``
(``slot``), and its result at ``own_mir[pair]`` = ``mir_start[j] + m`` for the entry's place m in the
partner's mirror list, so that their size follows the number of pairs and not the longest list (in a
crushed charge a few particles have several times the mean number of neighbours).

At every rebuild the history of a pair moves to its new slot by merging the old and new sorted owner lists.
A pair in contact always stays in the lists (its distance is below r_i + r_j), so contact history is never
lost. Each owner entry carries a state (``IDLE``: no contact, history and result undefined; ``TOUCHING``: in
contact, history and this step's result valid; ``PARTED``: separated this step, only the result — the last
dissipated work — valid), so that only pairs in contact move any history or result data. The owner lists are
double-buffered (first axis) so that the old one survives the build; lists or pair arrays that overflow are
replaced by larger ones (``grown``).

Margins. A build lists the pairs within r_i + r_j + m_i + m_j, where m_i, particle i's margin, is how far it
may move before the next build (the drift checks each particle against its own, integrator.py): two
particles that each stay within their margins cannot touch unlisted. The classic Verlet list gives every
particle half the skin. Here m_i is twice its displacement over the interval before the build, between an
eighth and half of the skin: the fastest particles keep half the skin and so set the builds as before, and the
slow majority lists fewer pairs that are not in contact. In the mixer (BENCH-2) the lists hold 2.9 entries per
particle instead of 3.7, with about as many builds (5 % more; docs/performance.md). Idle entries add exact
zeros to the force sums, so the margins should change no result, only the time, and in a periodic box, a walled
box and BENCH-2 they do not; but the compaction twin ends 0.17 % apart (displacement at the target force) with
the two rules, which that argument does not explain. Until it is explained the margins are off by default
(``margin_floor`` = ``MARGIN_FLOOR`` = 1: the classic list); ``sim.neighbors.margin_floor = ADAPTIVE_FLOOR``
switches them on.
"""

import numpy as np
import taichi as ti

from mfdem.engine.cell_list import CellList
from mfdem.engine.contact.law import HIST_SIZE
from mfdem.engine.field_tree import FieldTree, field
from mfdem.engine.prefix_sum import PrefixSum
from mfdem.engine.space import Space, ivec3

MARGIN_GROWTH = 2.0     # with margins on, m_i = 2 × the particle's displacement over the interval before …
ADAPTIVE_FLOOR = 0.25   # … and at least this fraction of half the skin (module docstring)
MARGIN_FLOOR = 1.0      # the default: every margin half the skin, the classic Verlet list (module docstring)
RES_SIZE = 8  # per owner contact: force on the owner (3), torque on the partner (3), dissipated work, image code
IDLE, TOUCHING, PARTED = 0, 1, 2   # states of an owner entry


@ti.data_oriented
class NeighborList:
    """Owner lists ``own_nbr[b, i, k]``, ``own_count[b, i]`` (b = ``current``) with pair data
    ``hist[b, p]``, ``state[b, p]`` at p = ``slot(b, i, k)``; mirror lists ``mir_nbr[0, i, k]``,
    ``mir_count[i]`` and ``mir_pair[i, k]``, the pair index of the entry in the partner's owner list; the
    results ``res[m]`` in mirror order (m = ``mir_start[i] + k``; the owner entry p writes ``res[own_mir[p]]``)."""

    def __init__(self, space: Space, capacity: int, max_neighbors: int, skin: float, real, cells: CellList = None,
                 pair_capacity: int = None, prefix_sum: PrefixSum = None):
        self.space = space
        self.cells = cells or CellList(space, capacity)
        self.capacity = capacity
        self.skin = skin
        self.real = real
        self.max_neighbors = max_neighbors
        cap, k = capacity, max_neighbors
        self.pair_capacity = pair_capacity or cap * (k // 2 + 2)   # owner lists average about half the longest
        self.prefix_sum = prefix_sum or PrefixSum(cap)
        # the lists live in a tree of their own, so that ``grown`` can release them
        with FieldTree() as self._tree:
            self.overflow = field(ti.i32, ())
            self.displaced = field(ti.i32, ())    # 1: a particle has moved past its margin since the build
            self.own_nbr = field(ti.i32, (2, cap, k))
            self.own_count = field(ti.i32, (2, cap))
            self.own_start = field(ti.i32, (2, cap))
            self.new_count = field(ti.i32, cap)    # the build's counts and offsets (1-D for the prefix sum)
            self.new_start = field(ti.i32, cap)
            self.hist = field(ti.types.vector(HIST_SIZE, real), (2, self.pair_capacity))
            self.state = field(ti.i8, (2, self.pair_capacity))
            self.res = field(ti.types.vector(RES_SIZE, real), self.pair_capacity)
            self.mir_nbr = field(ti.i32, (1, cap, k))  # leading axis of length 1: same layout as own_nbr
            self.mir_pair = field(ti.i32, (cap, k))
            self.mir_count = field(ti.i32, cap)
            self.mir_start = field(ti.i32, cap)
            self.own_mir = field(ti.i32, self.pair_capacity)
        self.current = 0
        self.margin_floor = MARGIN_FLOOR   # 1: every margin half the skin (the classic Verlet list, the default)
        self.n_builds = 0  # builds over the lists' life (clear keeps the count)
        self.n_pairs = 0   # owner entries in the current lists

    def clear(self) -> None:
        for f in (self.own_count, self.own_start, self.hist, self.state, self.res, self.mir_count):
            f.fill(0)
        self.n_pairs = 0
        self.current = 0

    @ti.func
    def slot(self, b, i, k):
        """Index of the data of owner entry k of particle i (list buffer b) in hist, state and res."""
        return self.own_start[b, i] + k

    def build(self, x, radius, disp, margin, n: int) -> tuple:
        """Rebuild from positions ``x`` of n particles, moving contact histories to their new slots; set each
        particle's ``margin`` from its displacement ``disp`` since the last build (module docstring).

        Returns None, or — when a particle has more neighbours than the lists hold, or there are more pairs
        than the pair arrays hold — ``(max_neighbors, pair_capacity)`` needed; the lists are then unchanged
        and the caller moves them into larger ones (``grown``).
        """
        self.cells.build(x, n)
        self.overflow[None] = 0
        self._set_margins(disp, margin, n, 0.5 * self.skin, self.margin_floor)
        self._build(x, radius, margin, n, self.current)
        n_pairs = self.prefix_sum.run(self.new_count, self.new_start, n)
        if not self.overflow[None] and n_pairs <= self.pair_capacity:
            self.mir_count.fill(0)
            self._move_histories(n, self.current)   # writes only the new buffer and the mirror lists
        needed = int(self.overflow[None])
        if needed or n_pairs > self.pair_capacity:
            return max(needed, self.max_neighbors), max(n_pairs, self.pair_capacity)
        self.prefix_sum.scan(self.mir_count, self.mir_start, n)   # its total is n_pairs
        self._sort_mirrors(n)
        self.current = 1 - self.current
        self.n_pairs = n_pairs
        self.n_builds += 1
        return None

    def grown(self, max_neighbors: int, pair_capacity: int, n: int) -> "NeighborList":
        """A copy with room for ``max_neighbors`` per particle and ``pair_capacity`` owner entries in all,
        holding this list's contacts and histories (kernels that use the new lists compile once for them).
        This list's memory is released: use the copy from here on."""
        new = NeighborList(self.space, self.capacity, max_neighbors, self.skin, self.real, cells=self.cells,
                           pair_capacity=pair_capacity, prefix_sum=self.prefix_sum)
        new.current = self.current
        new.margin_floor = self.margin_floor
        new.n_builds = self.n_builds
        new.n_pairs = self.n_pairs
        new._adopt(self, self.current, n)
        self._tree.destroy()
        return new

    @ti.kernel
    def _adopt(self, old: ti.template(), b: ti.i32, n: ti.i32):
        for i in range(n):
            cnt = old.own_count[b, i]
            start = old.own_start[b, i]
            self.own_count[b, i] = cnt
            self.own_start[b, i] = start
            for k in range(cnt):
                self.own_nbr[b, i, k] = old.own_nbr[b, i, k]
                self.hist[b, start + k] = old.hist[b, start + k]
                self.state[b, start + k] = old.state[b, start + k]

    @ti.kernel
    def _set_margins(self, disp: ti.template(), margin: ti.template(), n: ti.i32, half_skin: ti.f64,
                     floor: ti.f64):
        for i in range(n):
            margin[i] = ti.min(ti.max(MARGIN_GROWTH * disp[i].norm(), floor * half_skin), half_skin)

    @ti.func
    def _scan_range(self, x: ti.template(), radius: ti.template(), margin: ti.template(), i, s_img, reach_i, new,
                    n_own, k_max, t0, t1):
        """Add the particles j > i of sorted_ids[t0:t1] whose image R(s_img α)x_j is within the cut-off of i,
        r_i + r_j + m_i + m_j with ``reach_i`` = r_i + m_i."""
        for t in range(t0, t1):
            j = self.cells.sorted_ids[t]
            if j > i:
                d = self.space.displacement(x[i], x[j])
                if s_img != 0:
                    d = x[i] - self.space.rotate(x[j], s_img)
                cut = reach_i + radius[j] + margin[j]
                if d.dot(d) < cut * cut:
                    if n_own < k_max:
                        self.own_nbr[new, i, n_own] = j
                    n_own += 1
        return n_own

    @ti.func
    def _scan(self, x: ti.template(), radius: ti.template(), margin: ti.template(), i, center, s_img, reach_i, new,
              n_own, k_max):
        """Add the owner entries of particle i found in the 27 cells around ``center`` (s_img ≠ 0: images
        across a rotational seam). Without periodicity along x, the three cells of a row are one run of the
        sorted particles, so the search reads 9 runs instead of 27 cells."""
        ci = self.space.cell_coord(center)
        dims = self.space.dims[None]
        x_periodic = self.space.periodic[None][0] != 0
        for r in range(9):
            cell, inside = self.space.neighbor_cell(ci, ivec3(0, r % 3 - 1, r // 3 - 1))
            if inside:
                if x_periodic:
                    for dx in range(-1, 2):
                        c, _ = self.space.neighbor_cell(ci, ivec3(dx, r % 3 - 1, r // 3 - 1))
                        t0 = self.cells.cell_start[c]
                        n_own = self._scan_range(x, radius, margin, i, s_img, reach_i, new, n_own, k_max, t0,
                                                 t0 + self.cells.cell_count[c])
                else:
                    c0 = cell - ti.min(ci[0], 1)
                    c1 = cell + ti.min(dims[0] - 1 - ci[0], 1)
                    n_own = self._scan_range(x, radius, margin, i, s_img, reach_i, new, n_own, k_max,
                                             self.cells.cell_start[c0],
                                             self.cells.cell_start[c1] + self.cells.cell_count[c1])
        return n_own

    @ti.func
    def _sort_unique(self, b, i, cnt):
        """Sort own_nbr[b, i, :cnt] (insertion sort: the lists are short), drop repeats; return the new length."""
        for a in range(1, cnt):
            key = self.own_nbr[b, i, a]
            c = a - 1
            while c >= 0 and self.own_nbr[b, i, c] > key:
                self.own_nbr[b, i, c + 1] = self.own_nbr[b, i, c]
                c -= 1
            self.own_nbr[b, i, c + 1] = key
        m = ti.min(cnt, 1)
        for a in range(1, cnt):
            if self.own_nbr[b, i, a] != self.own_nbr[b, i, m - 1]:
                self.own_nbr[b, i, m] = self.own_nbr[b, i, a]
                m += 1
        return m

    @ti.kernel
    def _build(self, x: ti.template(), radius: ti.template(), margin: ti.template(), n: ti.i32, old: ti.i32):
        """The new owner lists (buffer 1 − old): partners j > i within r_i + r_j + m_i + m_j, sorted."""
        new = 1 - old
        k_max = self.own_nbr.shape[2]
        for i in range(n):
            reach_i = radius[i] + margin[i]
            n_own = self._scan(x, radius, margin, i, x[i], 0, reach_i, new, 0, k_max)
            s_img = self.space.seam_images(x[i])
            if s_img != 0:  # rotational periodicity: also the partners across the seam, as images
                n_own = self._scan(x, radius, margin, i, self.space.rotate(x[i], -s_img), s_img, reach_i, new, n_own,
                                   k_max)
            if n_own > k_max:
                ti.atomic_max(self.overflow[None], n_own)
                n_own = k_max
            # sorted lists fix the summation order (reproducible results) and allow the merge below
            self.new_count[i] = self._sort_unique(new, i, n_own)

    @ti.kernel
    def _move_histories(self, n: ti.i32, old: ti.i32):
        """Place the new lists' pair data at their offsets; one merge pass over the old and the new sorted
        owner lists of each particle finds every surviving pair and moves its history. Each entry is also
        entered in its partner's mirror list (in arbitrary order, sorted by ``_sort_mirrors``)."""
        new = 1 - old
        k_max = self.mir_nbr.shape[2]
        for i in range(n):
            n_own = self.new_count[i]
            start = self.new_start[i]
            p = 0
            n_old = self.own_count[old, i]
            for a in range(n_own):
                j = self.own_nbr[new, i, a]
                m = ti.atomic_add(self.mir_count[j], 1)
                if m < k_max:
                    self.mir_nbr[0, j, m] = i
                    self.mir_pair[j, m] = start + a
                else:
                    ti.atomic_max(self.overflow[None], m + 1)
                while p < n_old and self.own_nbr[old, i, p] < j:
                    p += 1
                st = IDLE
                if p < n_old and self.own_nbr[old, i, p] == j:
                    q = self.slot(old, i, p)
                    if self.state[old, q] == TOUCHING:
                        self.hist[new, start + a] = self.hist[old, q]
                        st = TOUCHING
                self.state[new, start + a] = st
            self.own_count[new, i] = n_own
            self.own_start[new, i] = start

    @ti.func
    def find(self, b, i, j):
        """Slot of partner j in i's owner list b (binary search: the list is sorted), or −1."""
        lo = 0
        hi = self.own_count[b, i]
        while lo < hi:
            mid = (lo + hi) // 2
            if self.own_nbr[b, i, mid] < j:
                lo = mid + 1
            else:
                hi = mid
        slot = -1
        if lo < self.own_count[b, i] and self.own_nbr[b, i, lo] == j:
            slot = lo
        return slot

    @ti.kernel
    def _sort_mirrors(self, n: ti.i32):
        """Sort each mirror list by partner index (insertion sort), fixing the order of the reaction sums; link
        each owner entry to its result row and clear the results."""
        for i in range(n):
            for a in range(1, self.mir_count[i]):
                key = self.mir_nbr[0, i, a]
                pair = self.mir_pair[i, a]
                c = a - 1
                while c >= 0 and self.mir_nbr[0, i, c] > key:
                    self.mir_nbr[0, i, c + 1] = self.mir_nbr[0, i, c]
                    self.mir_pair[i, c + 1] = self.mir_pair[i, c]
                    c -= 1
                self.mir_nbr[0, i, c + 1] = key
                self.mir_pair[i, c + 1] = pair
            for a in range(self.mir_count[i]):
                m = self.mir_start[i] + a
                self.own_mir[self.mir_pair[i, a]] = m
                self.res[m] = ti.zero(self.res[m])

    def inject(self, ij: np.ndarray, hist: np.ndarray) -> int:
        """Mark the pairs ``ij`` (i < j, int32) of the current lists as touching with histories ``hist``;
        returns how many pairs are not in the lists (their histories are dropped)."""
        missing = np.zeros(1, np.int32)
        if len(ij):
            self._inject(self.current, np.ascontiguousarray(ij, dtype=np.int32),
                         np.ascontiguousarray(hist).astype(self.hist.to_numpy().dtype, copy=False), missing)
        return int(missing[0])

    @ti.kernel
    def _inject(self, b: ti.i32, ij: ti.types.ndarray(), hist: ti.types.ndarray(), missing: ti.types.ndarray()):
        for p in range(ij.shape[0]):
            i = ij[p, 0]
            k = self.find(b, i, ij[p, 1])
            if k >= 0:
                q = self.slot(b, i, k)
                for c in ti.static(range(self.hist.n)):
                    self.hist[b, q][c] = hist[p, c]
                self.state[b, q] = TOUCHING
            else:
                ti.atomic_add(missing[0], 1)

    def seam_images(self) -> np.ndarray:
        """Image code (−1, 0, +1: across which rotational seam the owner saw its partner) of each owner entry
        of the current lists at its last evaluation, in owner order; 0 for an idle entry."""
        return self.res.to_numpy()[self.own_mir.to_numpy()[: self.n_pairs], 7].astype(np.int32)

    def touching_pairs(self, n: int) -> tuple:
        """``(ij, hist)``: the pairs (i < j) of particles 0..n−1 in contact and their contact histories."""
        b = self.current
        count = self.own_count.to_numpy()[b, :n]
        start = self.own_start.to_numpy()[b, :n]
        i_idx = np.repeat(np.arange(n), count)
        k_idx = np.arange(len(i_idx)) - np.repeat(np.cumsum(count) - count, count)
        pair = start[i_idx] + k_idx
        touching = self.state.to_numpy()[b][pair] == TOUCHING
        i_idx, k_idx, pair = i_idx[touching], k_idx[touching], pair[touching]
        ij = np.stack([i_idx, self.own_nbr.to_numpy()[b][i_idx, k_idx]], axis=1).astype(np.int32)
        return ij, self.hist.to_numpy()[b][pair]
