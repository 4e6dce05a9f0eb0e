"""Contacts of particles with the analytic walls (planes, cylinders) and the walls' force/work sums."""

import numpy as np
import taichi as ti

from mfdem.engine.contact.law import H_DPREV, HIST_SIZE
from mfdem.engine.field_tree import field
from mfdem.engine.walls import cylinder, plane
from mfdem.engine.walls.base import (TYPE_CYLINDER_INSIDE, TYPE_PLANE, W_AXIS, W_MAT, W_OMEGA, W_POINT, W_RADIUS,
                                     W_TYPE, W_VEL, WALL_SIZE)
from mfdem.engine.walls.contact import wall_contact

dvec3 = ti.types.vector(3, ti.f64)


@ti.func
def _v3(row, start: ti.template()):
    return ti.Vector([row[start], row[start + 1], row[start + 2]])


@ti.data_oriented
class AnalyticWalls:
    """Up to ``max_walls`` wall rows, per-particle contact histories and per-wall sums.

    ``force_last[k]``/``torque_last[k]``: force of wall k on the particles and its torque about the wall's
    point in the last step (N, N·m; ``force``/``torque`` collect them during the step); ``work[k]``: work
    wall k has done on the particles since the start (J).
    """

    def __init__(self, capacity: int, max_walls: int, real):
        nw = max(max_walls, 1)
        self.max_walls = max_walls
        self.n = 0
        self.rows = field(ti.types.vector(WALL_SIZE, ti.f64), nw)
        # by component: every step reads each particle's δ_prev, and only the few in contact the rest
        self.hist = field(ti.types.vector(HIST_SIZE, real), (capacity, nw), soa=True)
        self.force = field(dvec3, nw)
        self.torque = field(dvec3, nw)
        self.force_last = field(dvec3, nw)
        self.torque_last = field(dvec3, nw)
        self.work = field(ti.f64, nw)

    def add(self, row: np.ndarray) -> int:
        self.rows[self.n] = row
        self.n += 1
        return self.n - 1

    @ti.func
    def accumulate_work(self, n_walls, dt):
        """work += ½[(F_last + F)·v_wall + (T_last + T)·ω_wall] Δt (trapezoid, as the contact work); F_last = F."""
        ti.loop_config(serialize=True)    # a few walls: a serial loop spares a hand-off to the thread pool
        for k in range(n_walls):
            row = self.rows[k]
            power = (self.force_last[k] + self.force[k]).dot(_v3(row, W_VEL)) \
                + (self.torque_last[k] + self.torque[k]).dot(_v3(row, W_OMEGA))
            self.work[k] += 0.5 * power * dt
            self.force_last[k] = self.force[k]
            self.torque_last[k] = self.torque[k]
            self.force[k] = ti.zero(self.force[k])
            self.torque[k] = ti.zero(self.torque[k])


@ti.func
def wall_contacts(normal_model: ti.template(), rolling_model: ti.template(), i, s: ti.template(),
                  walls: ti.template(), n_walls, pair_par: ti.template(), time, dt):
    """Sum the wall contacts of particle i (dissipated work wholly to the particle); adds to the walls' sums.

    Returns ``(F, T, work, starts, events, max δ/R, wall of the largest overlap)``.
    """
    F_i = ti.Vector([0.0, 0.0, 0.0])
    T_i = ti.Vector([0.0, 0.0, 0.0])
    work_i = 0.0
    starts_i = 0
    events_i = 0
    ovl = 0.0
    deepest = 0
    ri = s.radius[i]
    for k in range(n_walls):
        row = walls.rows[k]
        p = _v3(row, W_POINT) + time * _v3(row, W_VEL)
        axis = ti.cast(_v3(row, W_AXIS), float)
        dx = ti.cast(s.x[i] - p, float)
        delta = 0.0
        nrm = axis
        kind = ti.cast(row[W_TYPE], ti.i32)
        if kind == TYPE_PLANE:
            delta, nrm = plane.overlap(dx, ri, axis)
        else:
            delta, nrm = cylinder.overlap(dx, ri, axis, ti.cast(row[W_RADIUS], float), kind == TYPE_CYLINDER_INSIDE)
        touching = 0.0 < delta < 2.0 * ri  # deeper than a diameter: the particle is behind the wall
        if touching or walls.hist[i, k][H_DPREV] > 0.0:   # the history is read only where there is a contact
            h = walls.hist[i, k]
            if not touching:
                delta = ti.min(delta, 0.0)
            F, T, T_wall, h_new, dD, started, event = wall_contact(
                normal_model, rolling_model, i, s, delta, nrm, dx, ti.cast(_v3(row, W_VEL), float),
                ti.cast(_v3(row, W_OMEGA), float), h, pair_par[s.material[i], ti.cast(row[W_MAT], ti.i32)], dt)
            walls.hist[i, k] = h_new
            F_i += F
            T_i += T
            work_i += dD
            starts_i += started
            events_i += event
            if delta / ri > ovl:
                ovl = delta / ri
                deepest = k
            walls.force[k] += ti.cast(F, ti.f64)
            walls.torque[k] += ti.cast(T_wall, ti.f64)
    return F_i, T_i, work_i, starts_i, events_i, ovl, deepest
