"""The particle and wall materials and contact settings of a run configuration, as every scenario gives
them to the engine (the mixer and the calibration twins alike)."""

from dataclasses import dataclass

import numpy as np

from mfdem.config import Config
from mfdem.engine.materials import Material, effective_modulus, yield_pressure


@dataclass(frozen=True)
class ContactSet:
    """Everything the engine needs to know about the particle and wall materials of a scenario.

    Matrices are 2×2 over (particles, walls); the wall–wall entries are never used.
    """

    particle: Material
    wall: Material
    normal_model: str
    rolling_model: str
    friction: np.ndarray          # dynamic (sliding)
    static_friction: np.ndarray
    rolling_friction: np.ndarray
    event_speed: float            # m/s

    def yield_pressures(self) -> dict:
        """p_y actually used (Pa) particle–particle (equal spheres) and particle–wall; None if elastic."""
        pp = effective_modulus(self.particle, self.particle)
        pw = effective_modulus(self.particle, self.wall)
        return {"particle_particle": yield_pressure(self.particle, pp, 2.0),
                "particle_wall": yield_pressure(self.particle, pw, 1.0)}

    def engine_kwargs(self) -> dict:
        """The Simulation keyword arguments for these materials (particles are material 0, walls 1)."""
        return dict(materials=[self.particle, self.wall], friction=self.friction,
                    static_friction=self.static_friction, rolling_friction=self.rolling_friction,
                    normal_model=self.normal_model, rolling_model=self.rolling_model, event_speed=self.event_speed)


def contact_set(cfg: Config, youngs_modulus: float = None) -> ContactSet:
    """Materials of ``cfg``, with the particle's Young's modulus optionally replaced (a softened modulus for
    a flow twin or a fill)."""
    p, c = cfg.particles, cfg.contact
    e = p.youngs_modulus if youngs_modulus is None else youngs_modulus
    particle = Material(e, p.poisson_ratio, p.density, yield_ratio=p.yield_ratio or None,
                        yield_pressure=p.yield_pressure or None, yield_ratio_definition=p.yield_ratio_definition,
                        name="particles")
    wall = Material(cfg.wall.youngs_modulus, cfg.wall.poisson_ratio, name="wall")
    normal_model = "thornton_ning" if (p.yield_ratio or p.yield_pressure) else "hertz"
    friction = np.array([[c.friction_particle, c.friction_wall], [c.friction_wall, 0.0]])
    static = np.array([[c.static_friction_particle or c.friction_particle, c.static_friction_wall or c.friction_wall],
                       [c.static_friction_wall or c.friction_wall, 0.0]])
    rolling = np.array([[c.rolling_friction_particle, c.rolling_friction_wall], [c.rolling_friction_wall, 0.0]])
    # the rolling model is fixed when the simulation compiles; keep it even at zero rolling friction so one
    # compiled twin serves every parameter set of a fit (a zero coefficient gives a zero torque)
    return ContactSet(particle, wall, normal_model, c.rolling_model, friction, static, rolling,
                      c.stress_event_speed)
