"""Energy audit: kinetic + potential + stored elastic + dissipated = initial energy + work of moving walls.

Wall work is integrated with the trapezoid rule from each wall's total force and torque on the particles
(``walls.analytic.AnalyticWalls.accumulate_work``), the same rule the contact bookkeeping uses, so the audit
closes to integrator accuracy.
"""

from dataclasses import dataclass

import taichi as ti

from mfdem.engine.contact.law import H_UPREV
from mfdem.engine.neighbor_list import TOUCHING
from mfdem.engine.walls.mesh import MAX_SLOTS


@dataclass
class EnergyAudit:
    """Energies in J. ``balance`` = kinetic + potential + elastic + dissipated − wall_work − initial."""

    kinetic: float
    potential: float
    elastic: float
    dissipated: float
    wall_work: float
    initial: float

    @property
    def balance(self) -> float:
        return self.kinetic + self.potential + self.elastic + self.dissipated - self.wall_work - self.initial

    def relative_error(self) -> float:
        """|balance| relative to the dissipated total (the bar of the engine tests)."""
        return abs(self.balance) / max(abs(self.dissipated), 1e-300)


@ti.kernel
def kinetic_energy(s: ti.template(), n: ti.i32) -> ti.f64:
    e = 0.0
    for i in range(n):
        e += 0.5 * ti.cast(s.mass[i] * s.v[i].dot(s.v[i]) + s.inertia[i] * s.w[i].dot(s.w[i]), ti.f64)
    return e


@ti.kernel
def potential_energy(s: ti.template(), n: ti.i32) -> ti.f64:
    e = 0.0
    for i in range(n):
        e -= s.mass[i] * s.gravity[None].dot(s.x[i])
    return e


@ti.kernel
def stored_energy(nl: ti.template(), b: ti.i32, walls: ti.template(), n_walls: ti.i32, mesh: ti.template(),
                  n: ti.i32) -> ti.f64:
    """Elastic energy stored in all particle–particle, particle–wall and particle–mesh contacts (J), from the
    histories (owner list buffer b)."""
    e = 0.0
    for i in range(n):
        for k in range(nl.own_count[b, i]):
            p = nl.slot(b, i, k)
            if nl.state[b, p] == TOUCHING:
                e += ti.cast(nl.hist[b, p][H_UPREV], ti.f64)
        for k in range(n_walls):
            e += ti.cast(walls.hist[i, k][H_UPREV], ti.f64)
        for k in ti.static(range(MAX_SLOTS)):
            e += ti.cast(mesh.slot_hist[i, k][H_UPREV], ti.f64)
    return e


@ti.kernel
def total(a: ti.template(), n: ti.i32) -> ti.f64:
    acc = 0.0
    for i in range(n):
        acc += ti.cast(a[i], ti.f64)
    return acc
