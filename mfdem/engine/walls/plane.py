"""Infinite plane wall; particles live on the side the normal points to."""

from __future__ import annotations

from dataclasses import dataclass

import taichi as ti

from mfdem.engine.walls.base import TYPE_PLANE, Wall, _vec


@dataclass
class PlaneWall(Wall):
    """Plane through ``point`` (m) with unit ``normal`` pointing into the particle side."""

    point: tuple = (0.0, 0.0, 0.0)
    normal: tuple = (0.0, 0.0, 1.0)
    _type = TYPE_PLANE

    def _axis(self):
        return _vec(f"{self.name}.normal", self.normal, unit=True)

    def _point(self):
        return _vec(f"{self.name}.point", self.point)


@ti.func
def overlap(dx, radius, n):
    """``(delta, normal)`` of a sphere whose centre is at ``dx`` from the plane's point: δ = R − dx·n."""
    return radius - dx.dot(n), n
