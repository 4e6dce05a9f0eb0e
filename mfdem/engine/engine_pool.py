"""Compiled engines kept for reuse: a closed Simulation's arrays, parked under the set-up that shaped them.

Taichi compiles every kernel afresh for each new set of fields: about 8 s per Simulation on a 2-core VM, where
stepping a small system for a second costs less. A notebook, a test suite or a parameter sweep that builds the
same set-up again would pay it every time. A closed or garbage-collected Simulation therefore parks its
components here, under its *layout key* (every input that sizes a field or that a kernel reads as a constant);
a new Simulation with the same key takes them, clears them as ``Simulation.reset`` does, and runs on the kernels
already compiled. At most ``MAX_PARKED`` engines of at most ``MAX_CAPACITY`` particles each and
``MAX_TOTAL_CAPACITY`` in all are kept (a few hundred MB at most); the oldest beyond that, and larger ones, are
freed. A mixer's engine costs 20-30 s to compile, a small box's about 5 s, so a process that alternates between
a dozen small set-ups (a test suite, a notebook) keeps them all.
"""

from __future__ import annotations

MAX_PARKED = 16
MAX_CAPACITY = 50_000
MAX_TOTAL_CAPACITY = 100_000   # particles, summed over the parked engines

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
    while len(_parked) > MAX_PARKED or sum(e["state"].capacity for _, e in _parked) > MAX_TOTAL_CAPACITY:
        _free(_parked.pop(0)[1], safe)


def take(key) -> dict | None:
    """The engine parked last for ``key`` (removed from the pool), or None."""
    for k in range(len(_parked) - 1, -1, -1):
        if _parked[k][0] == key:
            return _parked.pop(k)[1]
    return None


def clear() -> None:
    """Free every parked engine."""
    while _parked:
        _free(_parked.pop()[1], True)
