"""Analytic walls: infinite planes and cylinders, static, translating or turning about their own axis.

Each wall is packed into one ``vec16`` row for the kernels (layout ``W_*`` below); its geometry at time t
is the geometry at t = 0 shifted by ``velocity · t``. A wall may turn only about its own normal (plane) or
axis (cylinder), so its shape never changes and the angular velocity only sets the surface velocity
(a rotating drum, a turning end plate).
"""

from mfdem.engine.walls.base import WALL_SIZE, Wall
from mfdem.engine.walls.cylinder import CylinderWall
from mfdem.engine.walls.plane import PlaneWall

__all__ = ["WALL_SIZE", "Wall", "PlaneWall", "CylinderWall"]
