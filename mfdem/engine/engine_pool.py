"""Compiled engines kept for reuse: a closed Simulation's arrays, parked under the set-up that shaped them.

Taichi compiles every kernel afresh for each new set of fields: about 8 s per Simulation on a 2-core VM, where
stepping a small system for a second costs less. A notebook, a test suite or a parameter sweep that builds the
same set-up again would pay it every time. A closed or garbage-collected Simulation therefore parks its
components here, under its *layout key* (every input that sizes a field or that a kernel reads as a constant);
a new Simulation with the same key takes them, clears them as ``Simulation.reset`` does, and runs on the kernels
already compiled. At most ``MAX_PARKED`` engines of at most ``MAX_CAPACITY`` particles are kept; the oldest
beyond that, and larger ones, are freed.
"""

from __future__ import annotations

MAX_PARKED = 4
MAX_CAPACITY = 50_000

_parked: list = []   # (key, engine), oldest first; an engine is a dict of the Simulation's components


def _free(engine: dict, safe: bool) -> None:
    for tree in (engine["fields"], engine["neighbors"]._tree):
        if safe:
            tree.destroy()
        else:
            tree.release()


def park(key, engine: dict, capacity: int, *, safe: bool) -> None:
    """Keep ``engine`` for a later Simulation with the same ``key``, or free it. ``safe``: no kernel is being
    compiled, so that memory can be freed at once (not so in ``__del__``: field_tree.release)."""
    if capacity <= MAX_CAPACITY and MAX_PARKED > 0:
        _parked.append((key, engine))
    else:
        _free(engine, safe)
    while len(_parked) > MAX_PARKED:
        _free(_parked.pop(0)[1], safe)


def take(key) -> dict | None:
    """A parked engine for ``key`` (removed from the pool), or None."""
    for k, (parked_key, engine) in enumerate(_parked):
        if parked_key == key:
            del _parked[k]
            return engine
    return None


def clear() -> None:
    """Free every parked engine."""
    while _parked:
        _free(_parked.pop()[1], True)
