"""Spatial sorting: renumber the particles in cell order, so that neighbours sit close together in memory.

A charge that mixes (or is filled in random order) scatters neighbours over the particle arrays; the pair
and reaction passes then read from all over memory and run about twice as slowly as on sorted particles
(benchmarks/dense_bed.py on a shuffled bed, benchmarks/mixer_sector.py). ``Simulation`` therefore renumbers
the particles at its first force evaluation and then every ``sort_interval`` steps, always at the same steps,
so that a resumed run renumbers exactly as the uninterrupted one did.

Renumbering moves every per-particle row (state, accumulators, wall and mesh contact slots) and carries the
contact history of each touching pair into the rebuilt lists. A pair whose order changes has a new owner
(neighbor_list.py); the history vectors that belong to the owner's side of the contact (the tangential
spring ξ and the rolling torque M, contact/law.py) change sign, and across a rotational seam they are turned
into the new owner's frame. ``ParticleState.id`` keeps each particle's number in insertion order: everything
a user reads (Simulation.positions, accumulators, run files) is in that order.
"""

import numpy as np
import taichi as ti

from mfdem.engine.contact.registry import VECTOR_SLOTS

_PARTICLE_ROWS = ("x", "disp", "v", "w", "f", "t", "radius", "mass", "inertia", "material", "work",
                  "starts_particle", "starts_wall", "events_particle", "events_wall", "overlap_ratio",
                  "overlap_partner", "id")
_MESH_ROWS = ("slot_body", "slot_normal", "slot_hist")


@ti.kernel
def _cell_keys(space: ti.template(), x: ti.template(), n: ti.i32, keys: ti.types.ndarray()):
    for i in range(n):
        keys[i] = space.cell_index(space.cell_coord(x[i]))


def cell_order(sim) -> np.ndarray:
    """Particle indices sorted by cell (x fastest, then y, z), ties kept in their present order: the same
    positions and order always give the same permutation."""
    keys = np.empty(sim.n, np.int64)
    _cell_keys(sim.space, sim.state.x, sim.n, keys)
    return np.argsort(keys, kind="stable")


@ti.kernel
def _to_new_owner(space: ti.template(), x: ti.template(), ij: ti.types.ndarray(), hist: ti.types.ndarray(),
                  flipped: ti.types.ndarray()):
    """History vectors of the flipped pairs into their new owner's side and frame: v → −R(sα)v, where the
    new owner i sees its partner j as the image R(sα)x_j (space.image)."""
    for p in range(ij.shape[0]):
        if flipped[p]:
            _, img = space.image(x[ij[p, 0]], x[ij[p, 1]])
            for c0 in ti.static(VECTOR_SLOTS):   # ξ, M: the first body's side, they change sign with the order
                v = space.rotate(ti.Vector([hist[p, c0], hist[p, c0 + 1], hist[p, c0 + 2]]), img)
                for c in ti.static(range(3)):
                    hist[p, c0 + c] = -v[c]


def _permute_rows(field, order: np.ndarray) -> None:
    a = field.to_numpy()
    a[: len(order)] = a[order]
    field.from_numpy(a)


def renumber(sim, order: np.ndarray) -> None:
    """Make particle ``order[k]`` particle k, then rebuild the neighbour lists with every contact history."""
    n = sim.n
    new_index = np.empty(n, np.int32)
    new_index[order] = np.arange(n, dtype=np.int32)
    ij, hist = sim.neighbors.touching_pairs(n)
    ij = new_index[ij]
    flipped = ij[:, 0] > ij[:, 1]
    ij[flipped] = ij[flipped][:, ::-1]
    for name in _PARTICLE_ROWS:
        _permute_rows(getattr(sim.state, name), order)
    partner = sim.state.overlap_partner.to_numpy()
    particle = partner[:n] >= 0          # codes ≥ 0 are particle indices (state.py)
    partner[:n][particle] = new_index[partner[:n][particle]]
    sim.state.overlap_partner.from_numpy(partner)
    _permute_rows(sim.walls.hist, order)
    for name in _MESH_ROWS:
        _permute_rows(getattr(sim.meshes, name), order)
    sim.neighbors.clear()
    sim._rebuild()
    hist = np.ascontiguousarray(hist)
    _to_new_owner(sim.space, sim.state.x, np.ascontiguousarray(ij), hist, flipped.astype(np.int32))
    missing = sim.neighbors.inject(ij, hist)
    if missing:   # a touching pair is always within the cut-off: this would be an engine bug
        raise RuntimeError(f"spatial sort: {missing} contacts lost their neighbour-list entry")
