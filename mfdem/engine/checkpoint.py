"""Save and restore the complete state of a Simulation (for ``mfdem run --resume``).

The state is a dict of numpy arrays: particles, forces of the last step (velocity Verlet needs them), the
contact histories of every pair in contact (compact, keyed by the particle pair), of the wall and mesh
contacts, and the energy bookkeeping. Restoring into a Simulation built from the same settings continues
the run bit for bit: the neighbour lists are rebuilt, which does not change any result because every sum
runs in partner-index order and only pairs in contact contribute.
"""

import numpy as np

from mfdem.validation import InputError

_PARTICLE_FIELDS = ("x", "v", "w", "f", "t", "radius", "mass", "inertia", "material", "work", "starts_particle",
                    "starts_wall", "events_particle", "events_wall", "overlap_ratio", "overlap_partner", "id")
_WALL_FIELDS = ("work", "force_last", "torque_last")
_MESH_FIELDS = ("work", "force_last", "torque_last", "power_last", "axial_torque_integral")


def state_spec(sim) -> dict:
    """``{name: (shape, dtype)}`` of the arrays ``get_state`` returns (None: varies), for HDF5 layout."""
    out = {}
    for name in _PARTICLE_FIELDS:
        f = getattr(sim.state, name)
        out[f"particles/{name}"] = ((None,) + tuple(f.to_numpy().shape[1:]), f.to_numpy().dtype.str)
    out["pairs/ij"] = ((None, 2), "<i4")
    out["pairs/hist"] = ((None, sim.neighbors.hist.n), sim.neighbors.hist.to_numpy().dtype.str)
    out["walls/hist"] = ((None,) + sim.walls.hist.to_numpy().shape[1:], sim.walls.hist.to_numpy().dtype.str)
    for name in _WALL_FIELDS:
        out[f"walls/{name}"] = (getattr(sim.walls, name).to_numpy().shape, "<f8")
    for name in ("slot_body", "slot_normal", "slot_hist"):
        a = getattr(sim.meshes, name).to_numpy()
        out[f"mesh/{name}"] = ((None,) + a.shape[1:], a.dtype.str)
    for name in _MESH_FIELDS:
        out[f"mesh/{name}"] = (getattr(sim.meshes, name).to_numpy().shape, "<f8")
    out["scalars"] = ((5,), "<f8")
    return out


def get_state(sim) -> dict:
    """Everything needed to continue ``sim`` exactly."""
    n = sim.n
    out = {f"particles/{name}": getattr(sim.state, name).to_numpy()[:n] for name in _PARTICLE_FIELDS}
    out["pairs/ij"], out["pairs/hist"] = sim.neighbors.touching_pairs(n)
    out["walls/hist"] = sim.walls.hist.to_numpy()[:n]
    for name in _WALL_FIELDS:
        out[f"walls/{name}"] = getattr(sim.walls, name).to_numpy().astype(np.float64)
    for name in ("slot_body", "slot_normal", "slot_hist"):
        out[f"mesh/{name}"] = getattr(sim.meshes, name).to_numpy()[:n]
    for name in _MESH_FIELDS:
        out[f"mesh/{name}"] = getattr(sim.meshes, name).to_numpy().astype(np.float64)
    out["scalars"] = np.array([n, sim.step_count, sim.time, sim._energy_initial, sim._dissipated_reset])
    return out


def _fill(field, rows: np.ndarray) -> None:
    full = field.to_numpy()
    full[: len(rows)] = rows
    full[len(rows):] = 0
    field.from_numpy(full)


def set_state(sim, state: dict) -> None:
    """Load a ``get_state`` dict into a Simulation built with the same settings (and no particles yet)."""
    n, steps, time, e0, d0 = state["scalars"]
    n = int(n)
    if n > sim.capacity:
        raise InputError(f"checkpoint holds {n} particles but the simulation has room for {sim.capacity}")
    state = {"particles/id": np.arange(n, dtype=np.int32), **state}   # before spatial sorting: rows in id order
    for name in _PARTICLE_FIELDS:
        _fill(getattr(sim.state, name), np.asarray(state[f"particles/{name}"]))
    _fill(sim.walls.hist, np.asarray(state["walls/hist"]))
    for name in _WALL_FIELDS:
        getattr(sim.walls, name).from_numpy(np.asarray(state[f"walls/{name}"]).astype(
            getattr(sim.walls, name).to_numpy().dtype))
    body = sim.meshes.slot_body.to_numpy()
    body[:] = -1
    body[:n] = state["mesh/slot_body"]
    sim.meshes.slot_body.from_numpy(body)
    _fill(sim.meshes.slot_normal, np.asarray(state["mesh/slot_normal"]))
    _fill(sim.meshes.slot_hist, np.asarray(state["mesh/slot_hist"]))
    for name in _MESH_FIELDS:
        getattr(sim.meshes, name).from_numpy(np.asarray(state[f"mesh/{name}"]).astype(
            getattr(sim.meshes, name).to_numpy().dtype))
    sim.n = n
    sim._read_ids()
    sim.set_clock(steps, time)
    sim._energy_initial = float(e0)
    sim._dissipated_reset = float(d0)
    sim.neighbors.clear()
    sim._rebuild()
    missing = sim.neighbors.inject(np.asarray(state["pairs/ij"]).reshape(-1, 2), np.asarray(state["pairs/hist"]))
    if missing:
        raise InputError(f"checkpoint: {missing} contacts are not neighbours in the restored positions")
    sim.state.disp.fill(0)
    sim._needs_rebuild = False
    sim._forces_current = True
