"""Single collision of a sphere with a flat wall or with an equal sphere, run with the full engine.

What a user asks first about a parameter set: restitution, contact time, largest overlap and dissipated
work at a given impact speed, next to Thornton's theory (physics.md §2). No gravity; the bodies start just
touching, so the contact begins at t = 0, or ``onset`` of a step apart, so that it begins within the first step
(how a time step's error depends on where in a step a contact begins).

A sphere too soft for the speed does not bounce: it is pressed through the wall (its centre more than a
diameter behind the surface, where a wall no longer holds it) or through its partner (the centres pass).
That is reported as ``pass_through`` — the result of asking Thornton–Ning for more than it can give above
about √(3 p_y/ρ) — with the restitution and contact time undefined (NaN).
"""

import math
from dataclasses import asdict, dataclass

import numpy as np

from mfdem import theory
from mfdem.engine import backend
from mfdem.engine.contact import registry
from mfdem.engine.materials import Material, effective_modulus
from mfdem.engine.materials import yield_pressure as yield_pressure_of
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import PlaneWall
from mfdem.validation import InputError, check_range


@dataclass
class ImpactResult:
    """Outcome of one collision (SI units)."""

    restitution: float             # −v_n after / v_n before (relative normal velocity)
    tangential_restitution: float  # v_t after / v_t before of the sphere centre (relative), NaN for θ = 0
    max_overlap: float             # m
    max_overlap_ratio: float       # δ_max / R
    contact_time: float            # s, duration of a non-zero normal force
    dissipated_work: float         # J, from the engine's per-particle accumulators
    yield_velocity: float          # m/s, Thornton's V_y for this pair (inf for an elastic model)
    angular_velocity_after: float  # rad/s, |ω| of the (first) sphere after the impact
    max_force: float               # N
    restitution_theory: float      # Thornton (1997) e at this speed (1 for Hertz; the law's own where it has one)
    hertz_contact_time: float      # s, elastic contact time at this normal speed
    impact_energy: float           # J, ½ m* V_n²
    dt: float                      # s
    steps: int
    pass_through: bool = False     # the sphere was pressed through the wall or its partner
    pass_through_speed: float = math.inf   # m/s, √(3 p_y/ρ): above it a sphere passes a wall (inf: elastic)
    ended: bool = True             # False: the contact had not ended after the step budget
    normal_model: str = "thornton_ning"

    def to_dict(self) -> dict:
        return asdict(self)


_RIGS: dict = {}


def _rig(target: str, normal_model: str, precision: str) -> Simulation:
    """One compiled simulation per kind of impact, rescaled for every call."""
    key = (target, normal_model, precision)
    if key not in _RIGS:
        mats = [Material(1.0, 0.3, 1.0, yield_ratio=0.01), Material(1.0, 0.3, 1.0)]
        _RIGS[key] = Simulation(materials=mats, domain=Domain((-4, -4, -4), (4, 4, 4)), capacity=2, max_radius=1.0,
                                dt=1.0, normal_model=normal_model, rolling_model="none", max_walls=1,
                                precision=precision, arch=backend.current().get("arch", "cpu"), max_neighbors=4)
    return _RIGS[key]


def simulate_impact(*, radius: float, density: float, youngs_modulus: float, poisson_ratio: float,
                    velocity: float, yield_ratio: float = None, yield_pressure: float = None, angle: float = 0.0,
                    target: str = "wall", friction: float = 0.0, wall_youngs_modulus: float = None,
                    wall_poisson_ratio: float = None, steps_per_contact: int = 200, normal_model: str = None,
                    precision: str = "f64", yield_ratio_definition: str = "contact_radius",
                    coefficients: dict = None, dt: float = None, onset: float = 0.0) -> ImpactResult:
    """Simulate one collision; see ImpactResult. ``angle`` (deg) is measured from the normal.

    ``normal_model`` (contact/registry.py) defaults to "thornton_ning" when a yield ratio or pressure is given,
    else "hertz"; ``coefficients`` are its own by name (e.g. ``{"restitution": 0.7}``). The time step resolves
    the law's contact time at this speed with ``steps_per_contact`` steps, unless ``dt`` (s) is given. The bodies
    start ``onset`` · V_n · Δt apart (0 ≤ onset < 1), so the first touch falls that far into the first step;
    the contact time is counted from the touch.
    """
    radius = check_range("radius", radius, 0, 1.0, lo_open=True, unit="m")
    velocity = check_range("velocity", velocity, 0, None, lo_open=True, unit="m/s")
    angle = check_range("angle", angle, 0, 90, hi_open=True, unit="deg")
    friction = check_range("friction", friction, 0, None)
    steps_per_contact = int(check_range("steps_per_contact", steps_per_contact, 5, 1e7))
    onset = check_range("onset", onset, 0, 1, hi_open=True)
    if dt is not None:
        dt = check_range("dt", dt, 0, None, lo_open=True, unit="s")
    if target not in ("wall", "sphere"):
        raise InputError(f"target = {target!r}: must be 'wall' or 'sphere'")
    if normal_model is None:
        normal_model = registry.default_normal_model(yield_ratio is not None or yield_pressure is not None)
    law = registry.model("normal", normal_model)
    coefficients = registry.resolved_coefficients(normal_model, coefficients)
    particle = Material(youngs_modulus, poisson_ratio, density, yield_ratio, yield_pressure, name="particle",
                        yield_ratio_definition=yield_ratio_definition)
    particle.validate()
    check_range("particle.density", density, 0, None, lo_open=True, unit="kg/m^3")
    wall = Material(youngs_modulus if wall_youngs_modulus is None else wall_youngs_modulus,
                    poisson_ratio if wall_poisson_ratio is None else wall_poisson_ratio, name="wall")
    wall.validate()

    sound = math.sqrt(youngs_modulus / density)   # bar wave speed of the particle, m/s
    if velocity > sound:
        raise InputError(f"velocity = {velocity:g} m/s: must be in (0, {sound:.4g}] m/s, below the particle's "
                         f"sound speed √(E/ρ) = {sound:.4g} m/s (beyond it no quasi-static contact law holds)")
    mass = density * 4.0 / 3.0 * math.pi * radius**3
    if target == "wall":
        m_star, r_star, e_star, r_yield = mass, radius, effective_modulus(particle, wall), radius
    else:
        m_star, r_star, e_star, r_yield = mass / 2, radius / 2, effective_modulus(particle, particle), radius
    v_n = velocity * math.cos(math.radians(angle))
    v_t = velocity * math.sin(math.radians(angle))
    hertz = theory.hertz_impact(m_star, r_star, e_star, v_n)
    p_y = math.inf
    if normal_model == "thornton_ning":
        p_y = yield_pressure_of(particle, e_star, r_yield / r_star)
        v_y = theory.yield_velocity(p_y, e_star, r_star, m_star)
    else:
        v_y = math.inf
    t_law = law.contact_time(m_star, r_star, e_star, v_n, coefficients)
    if dt is None:
        dt = t_law / steps_per_contact
    else:
        steps_per_contact = max(5, math.ceil(t_law / dt))
    if hasattr(law, "restitution"):
        e_theory = law.restitution(coefficients)
    else:
        e_theory = theory.thornton_restitution(v_n / v_y) if math.isfinite(v_y) else 1.0

    sim = _rig(target, normal_model, precision)
    sim.reset(domain=Domain((-4 * radius,) * 3, (4 * radius,) * 3), max_radius=radius, dt=dt,
              materials=[particle, wall], friction=friction, rolling_friction=0.0, coefficients=coefficients)
    n_hat = np.array([0.0, 0.0, 1.0])
    t_hat = np.array([1.0, 0.0, 0.0])
    gap = onset * v_n * dt
    if target == "wall":
        sim.add_wall(PlaneWall(point=(0, 0, -radius), normal=(0, 0, 1), material=1))
        sim.add_particles([[0, 0, gap]], radius, velocities=[-v_n * n_hat + v_t * t_hat])
    else:
        half = 0.5 * (-v_n * n_hat + v_t * t_hat)
        sim.add_particles([[0, 0, radius + gap / 2], [0, 0, -radius - gap / 2]], radius, velocities=[half, -half])

    def relative_velocity():
        v = sim.velocities
        return v[0] if target == "wall" else v[0] - v[1]

    def normal_force():
        f = sim.forces[0]
        return abs(f @ n_hat)

    def passed() -> bool:
        """The wall holds a sphere up to δ = 2R; two spheres have passed when their centres crossed."""
        z = sim.positions[:, 2]
        return bool(z[0] <= -2.0 * radius if target == "wall" else z[0] <= z[1])

    # step until the bodies separate; the force at each step gives F_max and the contact time
    f_max, f_last, f_before_last, k_last = 0.0, 0.0, 0.0, 0
    max_steps = 50 * steps_per_contact
    steps = 0
    through = ended = False
    while steps < max_steps:
        sim.step(1)
        steps += 1
        fn = normal_force()
        if fn > 0.0:
            f_max = max(f_max, fn)
            f_before_last, f_last, k_last = f_last, fn, steps
        elif k_last and relative_velocity() @ n_hat > 0.0:
            ended = True
            break
        if passed():
            through = True
            break
    e_n = e_t = contact_time = math.nan
    if ended:
        # the force vanishes like (δ − δ_p)^{3/2}: F^{2/3} is linear in time near the end, extrapolate its zero
        a, b = f_before_last ** (2.0 / 3.0), f_last ** (2.0 / 3.0)
        contact_time = (k_last - onset + (min(b / (a - b), 1.0) if a > b else 1.0)) * dt
        v_after = relative_velocity()
        rel_before = -v_n * n_hat + v_t * t_hat
        e_n = -(v_after @ n_hat) / (rel_before @ n_hat)
        e_t = (v_after @ t_hat) / v_t if v_t > 0 else math.nan
    acc = sim.accumulators()
    return ImpactResult(
        restitution=float(e_n), tangential_restitution=float(e_t),
        max_overlap=sim.max_overlap_ratio() * radius, max_overlap_ratio=sim.max_overlap_ratio(),
        contact_time=float(contact_time),
        dissipated_work=float(acc["dissipated_work"].sum()), yield_velocity=float(v_y),
        angular_velocity_after=float(np.linalg.norm(sim.angular_velocities[0])), max_force=float(f_max),
        restitution_theory=e_theory,
        hertz_contact_time=hertz.contact_time, impact_energy=0.5 * m_star * v_n**2, dt=dt, steps=steps,
        pass_through=through, ended=ended or through,
        pass_through_speed=math.sqrt(3.0 * p_y / density) if math.isfinite(v_y) else math.inf,
        normal_model=normal_model)
