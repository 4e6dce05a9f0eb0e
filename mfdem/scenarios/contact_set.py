"""The particle and wall materials and contact settings of a run configuration, and the engine built from
them: one factory for the mixer and the calibration twins alike."""

from dataclasses import dataclass, field

import numpy as np

from mfdem.config import Config
from mfdem.engine.contact import registry
from mfdem.engine.materials import Material, effective_modulus, yield_pressure
from mfdem.engine.simulation import Simulation


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
    coefficients: dict = field(default_factory=dict)   # the normal law's own, name → matrix (registry.py)

    def yield_pressures(self) -> dict:
        """p_y actually used (Pa) particle–particle (equal spheres) and particle–wall; None if elastic."""
        pp = effective_modulus(self.particle, self.particle)
        pw = effective_modulus(self.particle, self.wall)
        return {"particle_particle": yield_pressure(self.particle, pp, 2.0),
                "particle_wall": yield_pressure(self.particle, pw, 1.0)}

    def pair_coefficients(self) -> tuple:
        """The normal law's own coefficients ``({name: value}, {name: value})`` particle–particle and
        particle–wall."""
        return ({k: float(v[0, 0]) for k, v in self.coefficients.items()},
                {k: float(v[0, 1]) for k, v in self.coefficients.items()})

    def engine_kwargs(self) -> dict:
        """The Simulation keyword arguments for these materials (particles are material 0, walls 1)."""
        return dict(materials=[self.particle, self.wall], friction=self.friction,
                    static_friction=self.static_friction, rolling_friction=self.rolling_friction,
                    normal_model=self.normal_model, rolling_model=self.rolling_model, event_speed=self.event_speed,
                    coefficients=self.coefficients)


def contact_set(cfg: Config, youngs_modulus: float = None) -> ContactSet:
    """Materials of ``cfg``, with the particle's Young's modulus optionally replaced (a softened modulus for
    a flow twin or a fill)."""
    p, c = cfg.particles, cfg.contact
    e = p.youngs_modulus if youngs_modulus is None else youngs_modulus
    particle = Material(e, p.poisson_ratio, p.density, yield_ratio=p.yield_ratio or None,
                        yield_pressure=p.yield_pressure or None, yield_ratio_definition=p.yield_ratio_definition,
                        name="particles")
    wall = Material(cfg.wall.youngs_modulus, cfg.wall.poisson_ratio, name="wall")
    normal_model = c.normal_model
    if normal_model == "auto":
        normal_model = registry.default_normal_model(bool(p.yield_ratio or p.yield_pressure))
    coefficients = {}
    for name in registry.own_coefficients(normal_model):
        v_p, v_w = getattr(c, f"{name}_particle"), getattr(c, f"{name}_wall")
        coefficients[name] = np.array([[v_p, v_w], [v_w, v_w]])
    friction = np.array([[c.friction_particle, c.friction_wall], [c.friction_wall, 0.0]])
    static = np.array([[c.static_friction_particle or c.friction_particle, c.static_friction_wall or c.friction_wall],
                       [c.static_friction_wall or c.friction_wall, 0.0]])
    rolling = np.array([[c.rolling_friction_particle, c.rolling_friction_wall], [c.rolling_friction_wall, 0.0]])
    # no rolling friction anywhere: no rolling law (it costs time and gives a zero torque)
    rolling_model = c.rolling_model if rolling.any() else "none"
    return ContactSet(particle, wall, normal_model, rolling_model, friction, static, rolling,
                      c.stress_event_speed, coefficients)


def simulation_for(cfg: Config, cs: ContactSet, **engine) -> Simulation:
    """The engine for ``cs`` on the backend, precision and threads of ``cfg.run``; ``engine``: the scenario's
    own Simulation arguments (domain, capacity, time step, walls, meshes...). The mixer and every twin build
    their engine here."""
    run = cfg.run
    return Simulation(arch=run.arch, precision=run.precision, threads=run.threads or None,
                      **{**cs.engine_kwargs(), **engine})
