"""Particle state: polydisperse spheres as a structure of Taichi fields, plus per-particle accumulators."""

import taichi as ti

from mfdem.engine.field_tree import field, record

dvec3 = ti.types.vector(3, ti.f64)
# ``overlap_partner`` codes: ≥ 0 a particle index, MESH_PARTNER − b mesh body b, WALL_PARTNER − k analytic wall k
MESH_PARTNER = -1
WALL_PARTNER = -1001


@ti.data_oriented
class ParticleState:
    """Fields of ``capacity`` particles; the first ``n`` are active (insertion appends).

    Positions are f64 always; ``real`` (f64 or f32) is the type of everything else. Accumulators:
    ``work`` — dissipated work since the last reset (J, f64); ``starts_particle`` / ``starts_wall`` —
    contact starts with particles / walls; ``events_particle`` / ``events_wall`` — stress events (see
    contact/law.py); ``overlap_ratio`` — largest δ/R seen since the last reset and ``overlap_partner`` the
    contact that reached it (codes above); ``disp`` —
    displacement since the last neighbour-list build (m); ``margin`` — how far the particle may move from
    there before the lists must be rebuilt (m, set at each build: neighbor_list.py); ``gravity`` —
    acceleration on every particle (m/s²); ``id`` — the particle's number in insertion order (rows are
    renumbered by spatial_sort.py).

    What a contact reads of its partner — position, velocity, spin, radius, material — is one record per
    particle (field_tree.record): a gather from a partner costs one or two cache lines, not five (BENCH-1's
    step 5–22 % faster than with five arrays; docs/performance.md).
    """

    def __init__(self, capacity: int, real):
        self.capacity = capacity
        vec = ti.types.vector(3, real)
        self.x, self.v, self.w, self.radius, self.material = record(capacity, dvec3, vec, vec, real, ti.i32)
        self.disp = field(dvec3, capacity)
        self.margin = field(ti.f64, capacity)
        self.f = field(vec, capacity)
        self.t = field(vec, capacity)
        self.mass = field(real, capacity)
        self.inertia = field(real, capacity)
        self.work = field(ti.f64, capacity)
        self.starts_particle = field(ti.i32, capacity)
        self.starts_wall = field(ti.i32, capacity)
        self.events_particle = field(ti.i32, capacity)
        self.events_wall = field(ti.i32, capacity)
        self.overlap_ratio = field(real, capacity)
        self.overlap_partner = field(ti.i32, capacity)
        self.id = field(ti.i32, capacity)
        self.gravity = field(dvec3, ())

    def reset_accumulators(self) -> None:
        self.work.fill(0)
        self.starts_particle.fill(0)
        self.starts_wall.fill(0)
        self.events_particle.fill(0)
        self.events_wall.fill(0)
