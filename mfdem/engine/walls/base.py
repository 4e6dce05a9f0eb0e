"""Packing of analytic walls and the geometry dispatch used by the wall-force kernel."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mfdem.validation import InputError

WALL_SIZE = 16
# row layout: type | point (3) | normal or axis (3) | radius | velocity (3) | angular velocity (3) | material | -
W_TYPE, W_POINT, W_AXIS, W_RADIUS, W_VEL, W_OMEGA, W_MAT = 0, 1, 4, 7, 8, 11, 14
TYPE_PLANE, TYPE_CYLINDER_INSIDE, TYPE_CYLINDER_OUTSIDE = 0, 1, 2


def _vec(name: str, value, *, unit: bool = False) -> np.ndarray:
    try:
        v = np.asarray(value, dtype=float).reshape(3)
    except (TypeError, ValueError):
        raise InputError(f"{name} = {value!r}: must be three numbers") from None
    if not np.all(np.isfinite(v)):
        raise InputError(f"{name} = {value!r}: must be finite")
    if unit:
        norm = np.linalg.norm(v)
        if norm == 0:
            raise InputError(f"{name} = {value!r}: must be a non-zero vector")
        v = v / norm
    return v


@dataclass
class Wall:
    """Common kinematics: ``velocity`` (m/s) translates the wall, ``angular_velocity`` (rad/s, a vector
    along the wall's normal/axis) turns it about ``point``; ``material`` indexes the simulation materials."""

    velocity: tuple = (0.0, 0.0, 0.0)
    angular_velocity: tuple = (0.0, 0.0, 0.0)
    material: int = 0
    name: str = field(default="wall")

    _type = -1

    def _axis(self) -> np.ndarray:
        raise NotImplementedError

    def _radius(self) -> float:
        return 0.0

    def _point(self) -> np.ndarray:
        raise NotImplementedError

    def pack(self, n_materials: int) -> np.ndarray:
        """The kernel row of this wall; validates it first."""
        axis = self._axis()
        omega = _vec(f"{self.name}.angular_velocity", self.angular_velocity)
        if np.linalg.norm(np.cross(omega, axis)) > 1e-12 * max(1.0, np.linalg.norm(omega)):
            raise InputError(f"{self.name}.angular_velocity must be parallel to the wall's normal/axis "
                             "(a wall may only turn about its own axis)")
        if not (isinstance(self.material, (int, np.integer)) and 0 <= self.material < n_materials):
            raise InputError(f"{self.name}.material = {self.material!r}: must be an index in [0, {n_materials - 1}]")
        row = np.zeros(WALL_SIZE)
        row[W_TYPE] = self._type
        row[W_POINT:W_POINT + 3] = self._point()
        row[W_AXIS:W_AXIS + 3] = axis
        row[W_RADIUS] = self._radius()
        row[W_VEL:W_VEL + 3] = _vec(f"{self.name}.velocity", self.velocity)
        row[W_OMEGA:W_OMEGA + 3] = omega
        row[W_MAT] = self.material
        return row
