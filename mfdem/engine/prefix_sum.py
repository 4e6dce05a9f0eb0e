"""Exclusive prefix sum of integer counts on the device: block sums, a short serial pass over the blocks,
block scans — O(n) work, parallel over blocks (the cell list and the neighbour lists' pair offsets use it)."""

import taichi as ti

from mfdem.engine.field_tree import field

_BLOCK = 1024


@ti.data_oriented
class PrefixSum:
    """``run(count, start, n)``: start[c] = Σ_{c' < c} count[c'] for c < n; returns the total (``scan``: the
    same without reading the total back to the host)."""

    def __init__(self, n_max: int):
        self.block_sum = field(ti.i32, max((n_max + _BLOCK - 1) // _BLOCK, 1))
        self.total = field(ti.i32, ())

    def run(self, count, start, n: int) -> int:
        self.scan(count, start, n)
        return int(self.total[None])

    @ti.kernel
    def scan(self, count: ti.template(), start: ti.template(), n: ti.i32):
        nb = (n + _BLOCK - 1) // _BLOCK
        for b in range(nb):
            s = 0
            for c in range(b * _BLOCK, ti.min((b + 1) * _BLOCK, n)):
                s += count[c]
            self.block_sum[b] = s
        ti.loop_config(serialize=True)
        for _ in range(1):
            running = 0
            for b in range(nb):
                s = self.block_sum[b]
                self.block_sum[b] = running
                running += s
            self.total[None] = running
        for b in range(nb):
            s = self.block_sum[b]
            for c in range(b * _BLOCK, ti.min((b + 1) * _BLOCK, n)):
                start[c] = s
                s += count[c]
