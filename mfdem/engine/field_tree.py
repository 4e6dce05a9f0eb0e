"""Field trees: the fields of one simulation allocated together and freed together.

Taichi puts fields declared with ``ti.field(dtype, shape)`` into its global root, which it closes into a new
*tree* at every kernel launch that follows a declaration, and never frees. A process holds at most 512 trees
(Taichi's LLVM backends), so a notebook or a calibration sweep that builds simulations in a loop would
crash after a few dozen. Components therefore declare their fields with ``field(dtype, shape)``:

    with FieldTree() as tree:          # every field() in here goes into one tree ...
        state = ParticleState(...)
        after_fields(lambda: ...)      # ... and writes wait until the tree exists
    ...
    tree.destroy()                     # frees the memory; the tree's number is reused

Outside a ``with`` block ``field`` is plain ``ti.field``. Trees may nest; a field goes into the innermost.
"""

from __future__ import annotations

import taichi as ti

_open: list = []      # trees being declared, innermost last
_doomed: list = []    # trees whose owner was collected, destroyed at the next safe point (see release)


def field(dtype, shape=(), soa: bool = False):
    """A Taichi field of ``dtype`` and ``shape`` (an int or a tuple), placed in the innermost open tree.
    ``soa``: a vector ``dtype`` stored component by component (each component's values side by side), for
    a vector of which a loop over all rows reads one component and only a few rows read all of it."""
    if not _open:
        if soa:
            return ti.Vector.field(dtype.n, dtype.dtype, shape, layout=ti.Layout.SOA)
        return ti.field(dtype, shape)
    return _open[-1].field(dtype, shape, soa)


def record(size: int, *dtypes) -> list:
    """Fields of ``size`` rows, one per dtype, stored row by row: row i of all of them lies side by side (one
    record). For fields that a loop reads together at scattered rows, which then cost one or two cache lines
    per row instead of one per field."""
    fields = [ti.field(d) for d in dtypes]
    (_open[-1]._builder if _open else ti.root).dense(ti.i, size).place(*fields)
    return fields


def after_fields(write) -> None:
    """Call ``write()`` once the fields being declared exist: now outside a ``with FieldTree()`` block, at its
    end inside one (a write would otherwise close the tree early)."""
    if _open:
        _open[-1].pending.append(write)
    else:
        write()


class FieldTree:
    """One Taichi SNode tree, filled by the ``field`` calls inside ``with FieldTree():``."""

    def __init__(self):
        self.pending = []
        self._builder = None
        self._tree = None

    def field(self, dtype, shape, soa: bool = False):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if soa and shape:
            f = ti.Vector.field(dtype.n, dtype.dtype)
            for k in range(dtype.n):
                self._builder.dense(ti.axes(*range(len(shape))), shape).place(f.get_scalar_field(k))
            return f
        f = ti.field(dtype)
        if shape:
            self._builder.dense(ti.axes(*range(len(shape))), shape).place(f)
        else:
            self._builder.place(f)
        return f

    def __enter__(self) -> FieldTree:
        destroy_released()   # a safe point: no kernel is being compiled or run
        self._builder = ti.FieldsBuilder()
        _open.append(self)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        _open.remove(self)
        if exc_type is None:
            self._tree = self._builder.finalize()
            for write in self.pending:
                write()
        self.pending.clear()
        return False

    def destroy(self) -> None:
        """Free the tree's memory. Its fields must not be used afterwards."""
        if self._tree is not None:
            self._tree.destroy()
            self._tree = None

    def release(self) -> None:
        """Destroy at the next safe point (``destroy_released``, called by each ``with FieldTree()``): for
        ``__del__``, which the garbage collector may run in the middle of a kernel compilation."""
        if self._tree is not None:
            _doomed.append(self)


def destroy_released() -> None:
    """Destroy the trees given to ``release``; call where no kernel is being compiled or run."""
    while _doomed:
        _doomed.pop().destroy()
