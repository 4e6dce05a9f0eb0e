"""The engine's public object: particles, walls and the time loop.

    sim = Simulation(materials=[Material(...)], domain=Domain(lo, hi), capacity=1000, max_radius=1.5e-4,
                     dt=1e-7, gravity=(0, 0, -9.81), friction=0.5)
    sim.add_particles(positions, radius=1.5e-4)
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1)))
    sim.step(1000)
    sim.energy().relative_error()

Every input is validated (InputError naming the field and range) before Taichi compiles anything.
``sim.close()`` (or ``with Simulation(...) as sim:``) hands the arrays and compiled kernels to the next
Simulation of the same layout (engine_pool.py).

One module, past the usual size: it is the engine's whole Python API, one class; its inputs are checked in
inputs.py and everything it runs lives in the kernel modules.
"""

import math

import numpy as np
import taichi as ti

from mfdem.engine import backend, engine_pool, field_tree, spatial_sort
from mfdem.engine.contact import registry
from mfdem.engine.contact.registry import EVENT_SPEED, HISTORY, PAIR, pair_table
from mfdem.engine.energy import EnergyAudit, kinetic_energy, potential_energy, stored_energy, total
from mfdem.engine.field_tree import FieldTree, field
from mfdem.engine.inputs import Domain, gravity_vector, law_coefficients, pair_matrix, static_friction_matrix
from mfdem.engine.integrator import mean_spin_z
from mfdem.engine.neighbor_list import MARGIN_FLOOR, TOUCHING, NeighborList
from mfdem.engine.space import Space
from mfdem.engine.state import MESH_PARTNER, WALL_PARTNER, ParticleState
from mfdem.engine.stepper import step_parallel, steps_serial
from mfdem.engine.walls import Wall
from mfdem.engine.walls.analytic import AnalyticWalls
from mfdem.engine.walls.mesh import MeshWalls
from mfdem.validation import InputError, check_range


def _mesh_key(body) -> tuple:
    """What of a mesh body shapes the engine's fields (engine_pool.py); its material and motion are rewritten
    when an engine is reused (MeshWalls.set_motion)."""
    return (np.asarray(body.vertices, float).tobytes(), np.asarray(body.faces, np.int64).tobytes(),
            tuple(np.asarray(body.axis, float).ravel()), tuple(np.asarray(body.center, float).ravel()))


@ti.kernel
def _copy_rows(dst: ti.template(), src: ti.types.ndarray(), offset: ti.i32, m: ti.i32):
    for k in range(m):
        dst[offset + k] = src[k]


@ti.kernel
def _copy_vector_rows(dst: ti.template(), src: ti.types.ndarray(), offset: ti.i32, m: ti.i32):
    for k in range(m):
        for c in ti.static(range(dst.n)):
            dst[offset + k][c] = src[k, c]


def _set_rows(dst, values: np.ndarray, offset: int = 0) -> None:
    """Write ``values`` (numpy) into rows ``offset ..`` of the 1-D field ``dst``."""
    copy = _copy_vector_rows if values.ndim > 1 else _copy_rows
    copy(dst, np.ascontiguousarray(values), offset, values.shape[0])


# Up to this many particles a CPU runs steps many to a launch on one thread (stepper.py): on the 2-core test
# machine a parallel loop costs ~0.1 ms to dispatch, ~0.8 ms a step, which one thread wins back up to
# 20,000–30,000 particles (benchmarks/small_system.py, dense_bed.py). One launch holds at most
# SERIAL_CHUNK particle-steps (a few seconds), so that an interrupt is not held up.
SERIAL_PARTICLES = 20_000
SERIAL_CHUNK = 20_000_000
# From this many particles the rows are renumbered in cell order at the first force evaluation and every
# SORT_INTERVAL steps (spatial_sort.py); a renumbering costs about as much as a few steps.
SORT_PARTICLES = 10_000
SORT_INTERVAL = 2_000


class Simulation:
    """A DEM system of spheres and analytic walls.

    Parameters (SI units): ``materials`` — list of Material (particles and walls index into it);
    ``domain`` — Domain box; ``capacity`` — maximum number of particles; ``max_radius`` — largest particle
    radius (m), sets the cell size; ``dt`` — time step (s); ``gravity`` (m/s²); ``friction`` (dynamic,
    sliding), ``static_friction`` (default: = friction) and ``rolling_friction`` — one number or a
    material-pair matrix; ``event_speed`` — approach speed (m/s) from which a loading onset counts as a stress
    event (contact/law.py); ``normal_model`` — "thornton_ning", "hertz" or another normal law of
    contact/registry.py; ``rolling_model`` — "epsd" (Type C), "constant_torque" (Type A) or "none";
    ``coefficients`` — the normal law's own pair coefficients by name (e.g. ``{"restitution": 0.6}`` for
    "hysteretic_linear"), each one number, one value per material (mixed by its rule) or a matrix; ``skin`` — Verlet
    skin (m, default 0.2 × max_radius; a particle may move up to half of it between list builds, its margin:
    neighbor_list.py); ``max_neighbors`` — initial list length (default from the skin for a
    dense packing; grows on demand, which recompiles the kernels once);
    ``max_walls``; ``arch`` — "auto", "cpu" or "cuda"; ``precision`` — "f64" or "f32".
    """

    def __init__(self, *, materials: list, domain: Domain, capacity: int, max_radius: float, dt: float,
                 gravity=(0.0, 0.0, 0.0), friction=0.0, rolling_friction=0.0, normal_model: str = "thornton_ning",
                 rolling_model: str = "epsd", skin: float = None, max_neighbors: int = None,
                 max_walls: int = 8, meshes: list = (), arch: str = "auto", precision: str = "f64",
                 threads: int = None, static_friction=None, event_speed: float = EVENT_SPEED,
                 coefficients: dict = None):
        # ---- validation first: nothing below compiles or allocates until the inputs are known good
        if not materials:
            raise InputError("materials: at least one material is required")
        for k, mat in enumerate(materials):
            if mat.name == "material":
                mat.name = f"materials[{k}]"
            mat.validate()
        self.materials = list(materials)
        lo, hi, periodic = domain.validate()
        self.capacity = int(check_range("capacity", capacity, 1, 2**26))
        self.max_radius = check_range("max_radius", max_radius, 0, None, lo_open=True, unit="m")
        self.dt = check_range("dt", dt, 0, None, lo_open=True, unit="s")
        g = gravity_vector(gravity)
        self._normal = registry.model_id("normal", normal_model)
        self._rolling = registry.model_id("rolling", rolling_model)
        self._coefficients = law_coefficients(coefficients, normal_model, len(materials))
        mu = pair_matrix("friction", friction, len(materials))
        self._pairs = pair_table(self.materials, {
            "friction": mu, "static_friction": static_friction_matrix(static_friction, mu),
            "rolling_friction": pair_matrix("rolling_friction", rolling_friction, len(materials)),
            "event_speed": check_range("event_speed", event_speed, 0, None, unit="m/s"), **self._coefficients})
        self.skin = check_range("skin", 0.2 * self.max_radius if skin is None else skin, 0, None, lo_open=True,
                                unit="m")
        if max_neighbors is None:
            # neighbours within r_i + r_j + skin in a dense random packing (solid fraction 0.64), about half in
            # each particle's owner list, with room for compression; the lists grow if it is not enough
            cut = (2 * self.max_radius + self.skin) / self.max_radius
            max_neighbors = int(math.ceil(0.64 * cut**3 * 0.75)) + 2
        k_nbr = int(check_range("max_neighbors", max_neighbors, 1, 10_000))
        self.max_walls = int(check_range("max_walls", max_walls, 0, 1000))
        Space.check(lo, hi, periodic, 2 * self.max_radius + self.skin)
        sector = None if domain.sector_angle_deg is None else math.radians(domain.sector_angle_deg)
        for k, body in enumerate(meshes):
            if body.name == "mesh":
                body.name = f"meshes[{k}]"
            body.validate(len(self.materials))
        self.gravity = g
        self.normal_model, self.rolling_model = normal_model, rolling_model

        # ---- backend and fields
        self.arch = backend.init(arch, precision, threads)
        self.precision = precision
        real = ti.f64 if precision == "f64" else ti.f32
        # a closed Simulation of the same layout lends its fields and compiled kernels (engine_pool.py)
        self._k_nbr, self._sector = k_nbr, sector
        self._optimised = backend.advanced_optimization()   # how its kernels compile: part of the layout key
        field_tree.destroy_released()
        engine = engine_pool.take(self._layout_key(lo, hi, periodic, meshes))
        reused = engine is not None
        if not reused:
            with FieldTree() as fields:
                engine = dict(fields=fields,
                              space=Space(lo, hi, periodic, 2 * self.max_radius + self.skin, sector),
                              state=ParticleState(self.capacity, real),
                              pair_par=field(ti.types.vector(PAIR.size, real), self._pairs.shape[:2]),
                              walls=AnalyticWalls(self.capacity, self.max_walls, real))
                engine["neighbors"] = NeighborList(engine["space"], self.capacity, k_nbr, self.skin, real)
                engine["meshes"] = MeshWalls(list(meshes), self.capacity, self.max_radius, self.skin, real)
        self._fields = engine["fields"]
        self.space, self.state, self.pair_par = engine["space"], engine["state"], engine["pair_par"]
        self.walls, self.neighbors, self.meshes = engine["walls"], engine["neighbors"], engine["meshes"]
        self._closed = False
        if reused:
            self.meshes.set_motion(meshes)      # the same meshes (the key holds them), perhaps renamed or turning
            self._clear_fields()
            self.neighbors.n_builds = 0         # the count is this Simulation's, not the engine's
            self.neighbors.margin_floor = MARGIN_FLOOR
        self.pair_par.from_numpy(self._pairs.astype(backend.real_dtype()))
        self.state.gravity[None] = g
        # list displacements are measured in a frame turning about z with the charge, unless linear periodic
        # images (which a rotation would not carry along) forbid it; see integrator.kick_drift
        self._turning_frame = not any(periodic)
        self._frame_omega = 0.0   # rad/s, set at each list build
        self._frame_t0 = 0.0      # s, time of the last build
        self._wall_objects = []
        self.serial_particles = SERIAL_PARTICLES
        self.sort_particles, self.sort_interval = SORT_PARTICLES, SORT_INTERVAL
        self._ids = self._row_of_id = None   # id of each row, row of each id; None while rows are in id order
        self.n = 0
        self.time = 0.0
        self.step_count = 0
        self._time_origin = 0.0   # s: the time of step 0 at the current dt (the time of step k is origin + k·dt)
        self._needs_rebuild = True
        self._forces_current = False
        self._energy_initial = 0.0
        self._dissipated_reset = 0.0

    def close(self) -> None:
        """Give the simulation's arrays back: a later Simulation of the same layout reuses them and their
        compiled kernels (engine_pool.py), others are freed. The object cannot be used afterwards. A
        garbage-collected Simulation is closed too."""
        self._park(safe=True)

    def _layout_key(self, lo, hi, periodic, meshes) -> tuple:
        """Every setting that sizes a field or that a kernel reads as a constant (engine_pool.py), and whether
        its kernels are compiled with Taichi's IR optimisation (backend.py: the last bits of results differ)."""
        return (self.capacity, self._k_nbr, self.max_walls, len(self.materials), tuple(lo), tuple(hi), periodic,
                self._sector, self.max_radius, self.skin, tuple(_mesh_key(body) for body in meshes), self._optimised)

    def _park(self, safe: bool) -> None:
        if not getattr(self, "_closed", True):
            self._closed = True
            space = self.space
            key = self._layout_key(space.lo_np, space.hi_np, space.periodic_np, self.meshes.bodies)
            engine = dict(fields=self._fields, space=space, state=self.state, pair_par=self.pair_par,
                          walls=self.walls, neighbors=self.neighbors, meshes=self.meshes)
            engine_pool.park(key, engine, self.capacity, safe=safe)

    def __enter__(self) -> "Simulation":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self._park(safe=False)
        except Exception:   # noqa: BLE001 - at interpreter exit the modules are gone and nothing needs freeing
            pass

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this Simulation has been closed")

    # ------------------------------------------------------------------------------------------ set-up

    def add_particles(self, positions, radius, material=0, velocities=None, angular_velocities=None) -> slice:
        """Append particles; returns their index slice. Positions (m) must lie inside the domain."""
        self._check_open()
        pos = np.asarray(positions, dtype=float)
        if pos.ndim != 2 or pos.shape[1] != 3:
            raise InputError(f"positions: expected an (n, 3) array, got shape {pos.shape}")
        k = pos.shape[0]
        if self.n + k > self.capacity:
            raise InputError(f"particles: {self.n + k} requested but capacity is {self.capacity}")
        r = np.broadcast_to(np.asarray(radius, float), (k,)).copy()
        if np.any(~np.isfinite(r)) or np.any(r <= 0):
            raise InputError(f"radius: every radius must be > 0 m (got min {r.min():g})")
        if np.any(r > self.max_radius * (1 + 1e-12)):
            raise InputError(f"radius: {r.max():g} m exceeds max_radius = {self.max_radius:g} m")
        mat = np.broadcast_to(np.asarray(material), (k,)).astype(np.int32)
        if np.any(mat < 0) or np.any(mat >= len(self.materials)):
            raise InputError(f"material: indices must be in [0, {len(self.materials) - 1}]")
        dens = np.array([self.materials[j].density for j in mat])
        if np.any(dens <= 0):
            raise InputError("material: particles need a material with density > 0 kg/m^3")
        if not np.all(np.isfinite(pos)):
            raise InputError("positions: must be finite")
        lo, hi = self.space.lo_np, self.space.hi_np
        outside = np.any((pos < lo) | (pos > hi), axis=1)
        if np.any(outside):
            first = int(np.argmax(outside))
            raise InputError(f"positions: {int(outside.sum())} particles lie outside the domain "
                             f"[{lo.tolist()}, {hi.tolist()}] m (first: index {first} at {pos[first].tolist()})")
        vel = np.zeros((k, 3)) if velocities is None else np.broadcast_to(np.asarray(velocities, float), (k, 3))
        omg = np.zeros((k, 3)) if angular_velocities is None else \
            np.broadcast_to(np.asarray(angular_velocities, float), (k, 3))
        if not (np.all(np.isfinite(vel)) and np.all(np.isfinite(omg))):
            raise InputError("velocities / angular_velocities: must be finite")
        mass = dens * 4.0 / 3.0 * math.pi * r**3
        inertia = 0.4 * mass * r**2
        n0 = self.n
        rdt = backend.real_dtype()
        s = self.state
        _set_rows(s.x, pos, n0)
        _set_rows(s.v, vel.astype(rdt), n0)
        _set_rows(s.w, omg.astype(rdt), n0)
        _set_rows(s.f, (mass[:, None] * self.gravity[None, :]).astype(rdt), n0)  # no contacts yet
        _set_rows(s.t, np.zeros((k, 3), rdt), n0)
        _set_rows(s.radius, r.astype(rdt), n0)
        _set_rows(s.mass, mass.astype(rdt), n0)
        _set_rows(s.inertia, inertia.astype(rdt), n0)
        _set_rows(s.material, mat, n0)
        _set_rows(s.id, np.arange(n0, n0 + k, dtype=np.int32), n0)
        if self._ids is not None:
            self._ids = np.concatenate([self._ids, np.arange(n0, n0 + k)])
            self._row_of_id = np.concatenate([self._row_of_id, np.arange(n0, n0 + k)])
        self.n += k
        self._energy_initial += float(0.5 * np.sum(mass * np.sum(vel**2, axis=1))
                                      + 0.5 * np.sum(inertia * np.sum(omg**2, axis=1))
                                      - np.sum(mass * (pos @ self.gravity)))
        self._needs_rebuild = True
        return slice(n0, self.n)

    def add_wall(self, wall: Wall) -> int:
        """Add an analytic wall; returns its index (for ``wall_force_on_particles`` etc.)."""
        if self.walls.n >= self.max_walls:
            raise InputError(f"walls: at most max_walls = {self.max_walls} walls")
        if wall.name == "wall":
            wall.name = f"walls[{self.walls.n}]"
        self._wall_objects.append(wall)
        return self.walls.add(wall.pack(len(self.materials)))

    def set_wall(self, k: int, wall: Wall) -> None:
        """Replace wall k, e.g. to reverse a piston; its contact histories are kept. Give a translating wall
        the point it would have had at t = 0 (``point − velocity · time``) so that it does not jump."""
        if not 0 <= k < self.walls.n:
            raise InputError(f"wall index {k}: must be in [0, {self.walls.n - 1}]")
        if wall.name == "wall":
            wall.name = f"walls[{k}]"
        self.walls.rows[k] = wall.pack(len(self.materials))
        self._wall_objects[k] = wall

    @property
    def n_walls(self) -> int:
        return self.walls.n

    def reset(self, *, domain: Domain = None, max_radius: float = None, dt: float = None, gravity=None,
              materials: list = None, friction=None, rolling_friction=None, static_friction=None,
              coefficients: dict = None) -> None:
        """Remove all particles and walls and restart the clock, keeping the compiled kernels.

        Optionally change the time step, gravity, materials (same number), friction (a new ``friction``
        without ``static_friction`` sets both), the normal law's coefficients and the domain box; a
        new box and ``max_radius`` must give the same number of cells (the impact tool and test suites
        rescale one small set-up to many parameter sets this way).
        """
        if materials is not None:
            if len(materials) != len(self.materials):
                raise InputError(f"materials: reset keeps {len(self.materials)} materials, got {len(materials)}")
            for k, mat in enumerate(materials):
                if mat.name == "material":
                    mat.name = f"materials[{k}]"
                mat.validate()
        mats = self.materials if materials is None else list(materials)
        m = len(mats)
        if coefficients is not None:
            self._coefficients = law_coefficients(coefficients, self.normal_model, m)
        mu = self._pairs[:, :, PAIR["friction"]] if friction is None else pair_matrix("friction", friction, m)
        mu_r = self._pairs[:, :, PAIR["rolling_friction"]] if rolling_friction is None else \
            pair_matrix("rolling_friction", rolling_friction, m)
        if static_friction is not None or friction is not None:
            mu_s = static_friction_matrix(static_friction, mu)
        else:
            mu_s = self._pairs[:, :, PAIR["static_friction"]]
        new_dt = self.dt if dt is None else check_range("dt", dt, 0, None, lo_open=True, unit="s")
        g = self.gravity if gravity is None else gravity_vector(gravity)
        r_max = self.max_radius if max_radius is None else \
            check_range("max_radius", max_radius, 0, None, lo_open=True, unit="m")
        if self.meshes.n_bodies and r_max > 0.5 * self.meshes.reach:
            raise InputError(f"max_radius = {r_max:g} m: the meshes are binned for particles up to "
                             f"{0.5 * self.meshes.reach:g} m; create a new Simulation")
        if domain is not None or max_radius is not None:
            lo, hi = (self.space.lo_np, self.space.hi_np) if domain is None else domain.validate()[:2]
            skin = self.skin * r_max / self.max_radius
            self.space.rescale(lo, hi, 2 * r_max + skin)
            self.skin, self.neighbors.skin = skin, skin
        self.materials, self.max_radius, self.dt, self.gravity = mats, r_max, new_dt, g
        self._pairs = pair_table(mats, {"friction": mu, "static_friction": mu_s, "rolling_friction": mu_r,
                                        "event_speed": float(self._pairs[0, 0, PAIR["event_speed"]]),
                                        **self._coefficients})
        self.pair_par.from_numpy(self._pairs.astype(backend.real_dtype()))
        self.state.gravity[None] = g
        self._clear_fields()
        self._wall_objects = []
        self.n = 0
        self._ids = self._row_of_id = None
        self.time = 0.0
        self.step_count = 0
        self._time_origin = 0.0
        self._needs_rebuild = True
        self._forces_current = False
        self._energy_initial = 0.0
        self._dissipated_reset = 0.0

    def _clear_fields(self) -> None:
        """No particles, no walls, zero accumulators and histories."""
        for f in (self.state.v, self.state.w, self.state.f, self.state.t, self.state.disp,
                  self.state.overlap_ratio, self.state.overlap_partner, self.walls.hist,
                  self.walls.force, self.walls.torque, self.walls.force_last, self.walls.torque_last,
                  self.walls.work):
            f.fill(0)
        self.meshes.clear()
        self.state.reset_accumulators()
        self.neighbors.clear()
        self.walls.n = 0

    # ------------------------------------------------------------------------------------------ time loop

    def _sorting(self) -> bool:
        return bool(self.sort_interval) and self.n >= self.sort_particles

    def _sort(self) -> None:
        """Renumber the particles in cell order and rebuild the lists (spatial_sort.py)."""
        spatial_sort.renumber(self, spatial_sort.cell_order(self))
        self._read_ids()

    def _read_ids(self) -> None:
        ids = self.state.id.to_numpy()[: self.n].astype(np.int64)
        if np.array_equal(ids, np.arange(self.n)):
            self._ids = self._row_of_id = None
        else:
            self._ids = ids
            self._row_of_id = np.empty_like(ids)
            self._row_of_id[ids] = np.arange(self.n)

    def _rebuild(self) -> None:
        for _ in range(8):   # each failed build asks for more room (an overflow hides further ones)
            nl = self.neighbors
            needed = nl.build(self.state.x, self.state.radius, self.state.disp, self.state.margin, self.n)
            if not needed:
                break
            k, pairs = needed
            k = int(k * 1.5) + 2 if k > nl.max_neighbors else k
            pairs = int(pairs * 1.5) + 1024 if pairs > nl.pair_capacity else pairs
            self.neighbors = nl.grown(k, pairs, self.n)
        else:
            raise RuntimeError("neighbour lists: growth failed")
        self.state.disp.fill(0)
        self.meshes.stale()
        self._frame_omega = mean_spin_z(self.state, self.n) if self._turning_frame else 0.0
        self._frame_t0 = self.time
        self._needs_rebuild = False

    def _advance(self, n_steps: int, drift: bool, trigger: float, kick_dt: float, work_dt: float) -> int:
        """Run the step kernel of this system's mode (stepper.py); returns its code."""
        nl = self.neighbors
        args = (self._normal, self._rolling, self.state, self.space, nl, nl.current, self.walls, self.walls.n,
                self.meshes, self.meshes.n_bodies, self.pair_par, self.n, self.dt, 0.5 * self.dt,
                self._time_origin, self.step_count + int(drift), int(drift), trigger,
                (self._frame_omega, self._frame_t0), kick_dt, work_dt)
        if self.serial:   # at most about SERIAL_CHUNK particle-steps per launch: Ctrl-C is seen within seconds
            return steps_serial(*args, max(1, min(n_steps, SERIAL_CHUNK // self.n)))
        return step_parallel(*args)

    def _forces(self, kick_dt: float, work_dt: float) -> None:
        """Forces of the current positions, then a closing half kick of ``kick_dt`` (s)."""
        self._advance(1, False, math.inf, kick_dt, work_dt)

    def _initial_forces(self) -> None:
        """Forces of the starting configuration; initial overlaps count as stored, not dissipated, energy."""
        if self._sorting():
            self._sort()
        elif self._needs_rebuild:
            self._rebuild()
        self._forces(0.0, 0.0)
        self._energy_initial += self._stored_energy()
        self.state.reset_accumulators()
        self._forces_current = True

    @property
    def serial(self) -> bool:
        """True when steps run many to a kernel launch on one thread (stepper.py): on a CPU, for a small system
        or with one thread."""
        return self.arch == "cpu" and (self.n <= self.serial_particles or backend.current()["threads"] == 1)

    def set_clock(self, step_count: int, time: float) -> None:
        """Set the step count and the time (s) it stands for; later steps add ``dt`` each."""
        self.step_count, self.time = int(step_count), float(time)
        self._time_origin = self.time - self.step_count * self.dt
        self.meshes.stale()

    def change_time_step(self, dt: float) -> None:
        """Take steps of ``dt`` (s) from here on (a mixer run fills at a longer step than it mixes). The
        closing half kick of the last step used the old step and the next opening one uses the new, as
        velocity Verlet with a variable step does; the clock keeps counting steps from the same time."""
        self.dt = check_range("dt", dt, 0, None, lo_open=True, unit="s")
        self.set_clock(self.step_count, self.time)

    def step(self, n_steps: int = 1) -> None:
        """Advance ``n_steps`` time steps of ``dt``."""
        self._check_open()
        if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
            raise InputError(f"n_steps = {n_steps!r}: must be an integer ≥ 0")
        if self.n == 0:
            raise InputError("no particles: add particles before stepping")
        if not self._forces_current:
            self._initial_forces()
        half = 0.5 * self.dt
        remaining = int(n_steps)
        while remaining:
            # a renumbering takes the place of the list build of every step that is a multiple of sort_interval
            to_sort = self.sort_interval - self.step_count % self.sort_interval if self._sorting() else 0
            sort_now = to_sort == 1
            n_call = remaining if not to_sort or sort_now else min(remaining, to_sort - 1)
            code = self._advance(n_call, True, -1.0 if self._needs_rebuild or sort_now else 1.0, half,
                                 self.dt)
            advanced = (code >> 1) + (code & 1)
            self.step_count += advanced
            self.time = self._time_origin + self.step_count * self.dt
            remaining -= advanced
            if code & 1:   # the last step's drift is made; its forces need new lists
                self._sort() if sort_now else self._rebuild()
                self._forces(half, self.dt)

    # ------------------------------------------------------------------------------------------ read-out

    def _rows(self, field) -> np.ndarray:
        """Rows 0..n−1 of a per-particle field, in id (insertion) order."""
        self._check_open()
        rows = field.to_numpy()[: self.n]
        return rows if self._row_of_id is None else rows[self._row_of_id]

    @property
    def positions(self) -> np.ndarray:
        return self._rows(self.state.x)

    @property
    def velocities(self) -> np.ndarray:
        return self._rows(self.state.v).astype(float)

    @property
    def angular_velocities(self) -> np.ndarray:
        return self._rows(self.state.w).astype(float)

    @property
    def radii(self) -> np.ndarray:
        return self._rows(self.state.radius).astype(float)

    @property
    def masses(self) -> np.ndarray:
        return self._rows(self.state.mass).astype(float)

    @property
    def inertias(self) -> np.ndarray:
        return self._rows(self.state.inertia).astype(float)

    @property
    def forces(self) -> np.ndarray:
        return self._rows(self.state.f).astype(float)

    def set_velocities(self, velocities=None, angular_velocities=None) -> None:
        """Overwrite the velocities (m/s) and/or angular velocities (rad/s) of all particles."""
        rdt = backend.real_dtype()
        for target, val, name, m in ((self.state.v, velocities, "velocities", self.masses),
                                     (self.state.w, angular_velocities, "angular_velocities", self.inertias)):
            if val is None:
                continue
            val = np.broadcast_to(np.asarray(val, float), (self.n, 3))
            if not np.all(np.isfinite(val)):
                raise InputError(f"{name}: must be finite")
            old = self._rows(target).astype(float)
            self._energy_initial += float(0.5 * np.sum(m * (np.sum(val**2, axis=1) - np.sum(old**2, axis=1))))
            _set_rows(target, val.astype(rdt) if self._ids is None else val.astype(rdt)[self._ids], 0)

    def wall_force_on_particles(self, k: int) -> np.ndarray:
        """Force of wall k on the particles in the last step (N)."""
        return self.walls.force_last[k].to_numpy()

    def wall_torque_on_particles(self, k: int) -> np.ndarray:
        """Torque of wall k on the particles about the wall's point in the last step (N·m)."""
        return self.walls.torque_last[k].to_numpy()

    def accumulators(self) -> dict:
        """Per-particle sums since the last reset: dissipated work (J), stress events and geometric contact
        starts, each with particles and with walls (contact/law.py)."""
        s = self.state
        return {"dissipated_work": self._rows(s.work), "events_particle": self._rows(s.events_particle),
                "events_wall": self._rows(s.events_wall), "contacts_particle": self._rows(s.starts_particle),
                "contacts_wall": self._rows(s.starts_wall)}

    def reset_accumulators(self) -> dict:
        """Return the accumulators and zero them (the run loop calls this once per output interval)."""
        acc = self.accumulators()
        self._dissipated_reset += float(acc["dissipated_work"].sum())
        self.state.reset_accumulators()
        return acc

    def max_overlap_ratio(self, reset: bool = False) -> float:
        """Largest δ/R of any contact since the last reset."""
        value = float(self._rows(self.state.overlap_ratio).max()) if self.n else 0.0
        if reset:
            self.state.overlap_ratio.fill(0)
        return value

    def deepest_contact(self) -> dict:
        """The contact with the largest δ/R since the last reset of the overlap maxima: ``ratio`` (δ over
        the smaller radius), ``particle`` index, ``partner`` (a particle index, "mesh b" or "wall k"),
        ``position`` (m) and ``speed`` — the particle's speed relative to its partner now (m/s)."""
        ratios = self.state.overlap_ratio.to_numpy()[: self.n]      # rows, not ids
        i = int(np.argmax(ratios)) if self.n else 0
        code = int(self.state.overlap_partner[i])
        ids = np.arange(self.n) if self._ids is None else self._ids
        x = self.state.x[i].to_numpy()
        v = self.state.v[i].to_numpy().astype(float)
        if code >= 0:
            partner, v_rel = int(ids[code]), v - self.state.v[code].to_numpy().astype(float)
        elif code > WALL_PARTNER:
            b = MESH_PARTNER - code
            partner = f"mesh {b}"
            axis, centre = self.meshes.axis[b].to_numpy(), self.meshes.center[b].to_numpy()
            v_rel = v - self.meshes.angular_speed(b, self.time) * np.cross(axis, x - centre)
        else:
            k = WALL_PARTNER - code
            partner, v_rel = f"wall {k}", v - np.asarray(self._wall_objects[k].velocity, float)
        return {"ratio": float(ratios[i]) if self.n else 0.0, "particle": int(ids[i]) if self.n else 0,
                "partner": partner, "position": x, "speed": float(np.linalg.norm(v_rel))}

    def dropped_mesh_contacts(self, reset: bool = False) -> int:
        """Mesh contact-steps lost since the last reset because a particle had more candidate triangles or
        simultaneous contacts than ``walls.mesh`` holds (MAX_CANDIDATES, MAX_SLOTS); should stay 0."""
        value = int(self.meshes.dropped.to_numpy().sum())
        if reset:
            self.meshes.dropped.fill(0)
        return value

    def _stored_energy(self) -> float:
        return stored_energy(self.neighbors, self.neighbors.current, self.walls, self.walls.n, self.meshes, self.n)

    def energy(self) -> EnergyAudit:
        """The global energy audit (J)."""
        n = self.n
        return EnergyAudit(
            kinetic=kinetic_energy(self.state, n),
            potential=potential_energy(self.state, n),
            elastic=self._stored_energy(),
            dissipated=self._dissipated_reset + total(self.state.work, n),
            wall_work=float(self.walls.work.to_numpy()[: self.walls.n].sum()
                            + self.meshes.work.to_numpy()[: self.meshes.n_bodies].sum()),
            initial=self._energy_initial)

    def contact_count(self) -> tuple:
        """``(particle–particle pairs, particle–wall contacts)`` now in contact."""
        nl = self.neighbors
        pp = int(np.count_nonzero(nl.state.to_numpy()[nl.current, : nl.n_pairs] == TOUCHING))
        pw = int(np.count_nonzero(self.walls.hist.to_numpy()[: self.n, : self.walls.n, HISTORY["delta_prev"]] > 0))
        pw += int(np.count_nonzero(self.meshes.slot_hist.to_numpy()[: self.n, :, HISTORY["delta_prev"]] > 0))
        return pp, pw

    def mesh_torque(self, b: int) -> np.ndarray:
        """Torque of mesh body b on the particles about its center in the last step (N·m)."""
        return self.meshes.torque_last[b].to_numpy()

    def mesh_axial_torque(self, b: int) -> float:
        """Torque of body b on the particles about its axis (N·m); its power is this × ω(t)."""
        return float(self.mesh_torque(b) @ self.meshes.axis[b].to_numpy())

    def mesh_work(self, b: int) -> float:
        """Work body b has done on the particles since the start (J)."""
        return float(self.meshes.work[b])

    def mesh_angle(self, b: int) -> float:
        """Rotation angle of body b now (rad)."""
        return self.meshes.angle(b, self.time)
