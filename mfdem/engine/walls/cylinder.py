"""Infinite circular cylinder wall; particles inside it (a drum, a die) or outside it (a shaft)."""

from __future__ import annotations

from dataclasses import dataclass

import taichi as ti

from mfdem.engine.walls.base import TYPE_CYLINDER_INSIDE, TYPE_CYLINDER_OUTSIDE, Wall, _vec
from mfdem.validation import check_range


@dataclass
class CylinderWall(Wall):
    """Cylinder of ``radius`` (m) about the line through ``point`` along ``axis``.

    ``inside=True`` keeps particles inside (drum, die), ``False`` outside (shaft).
    """

    point: tuple = (0.0, 0.0, 0.0)
    axis: tuple = (0.0, 0.0, 1.0)
    radius: float = 1.0
    inside: bool = True

    @property
    def _type(self):
        return TYPE_CYLINDER_INSIDE if self.inside else TYPE_CYLINDER_OUTSIDE

    def _axis(self):
        return _vec(f"{self.name}.axis", self.axis, unit=True)

    def _point(self):
        return _vec(f"{self.name}.point", self.point)

    def _radius(self):
        return check_range(f"{self.name}.radius", self.radius, 0, None, lo_open=True, unit="m")


@ti.func
def overlap(dx, radius, axis, r_cyl, inside):
    """``(delta, normal)`` for a sphere at ``dx`` from a point on the axis; normal points into the particle
    side (towards the axis when ``inside``)."""
    radial = dx - dx.dot(axis) * axis
    rho = radial.norm()
    u = ti.Vector([0.0, 0.0, 0.0])
    if rho > 0.0:
        u = radial / rho
    delta = 0.0
    normal = u
    if inside:
        delta = rho + radius - r_cyl
        normal = -u
    else:
        delta = r_cyl + radius - rho
    return delta, normal
