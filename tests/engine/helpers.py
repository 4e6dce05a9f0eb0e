"""Small set-ups shared by the engine tests."""

import math

import numpy as np

from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import CylinderWall, PlaneWall

R = 1e-3          # m
RHO = 2500.0      # kg/m³
E = 1e7           # Pa: soft, so that resting contacts allow a large time step
NU = 0.3
G = 9.81


def resting_overlap(radius=R, density=RHO, youngs=E, nu=NU, g=G) -> float:
    """Hertz overlap of a sphere resting on a wall of the same material under gravity (m)."""
    m = density * 4 / 3 * math.pi * radius**3
    e_star = youngs / (1 - nu**2) / 2
    return (3 * m * g / (4 * e_star * math.sqrt(radius))) ** (2 / 3)


def resting_period(radius=R, density=RHO, youngs=E, nu=NU, g=G) -> float:
    """Period of small normal oscillations of the resting sphere (s)."""
    m = density * 4 / 3 * math.pi * radius**3
    e_star = youngs / (1 - nu**2) / 2
    k = 2 * e_star * math.sqrt(radius * resting_overlap(radius, density, youngs, nu, g))
    return 2 * math.pi * math.sqrt(m / k)


def sphere_on_plane(*, gravity, friction, rolling_friction=0.0, rolling_model="none", velocity=(0, 0, 0),
                    steps_per_period=60) -> Simulation:
    """One elastic (Hertz) sphere resting on the plane z = 0 at its equilibrium overlap."""
    mat = Material(E, NU, RHO, name="sphere")
    g_n = abs(gravity[2])
    dt = resting_period(g=g_n) / steps_per_period
    sim = Simulation(materials=[mat], domain=Domain((-1, -1, -0.01), (1, 1, 0.01)), capacity=1, max_radius=R,
                     dt=dt, gravity=gravity, friction=friction, rolling_friction=rolling_friction,
                     normal_model="hertz", rolling_model=rolling_model, max_walls=1, arch="auto")
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1)))
    sim.add_particles([[0, 0, R - resting_overlap(g=g_n)]], R, velocities=[velocity])
    return sim


def random_packing(n: int, lo, hi, radius_range, rng, max_tries: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping random spheres in the box (simple rejection; for small test systems)."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    pos, rad = [], []
    tries = 0
    while len(pos) < n:
        tries += 1
        if tries > max_tries:
            raise RuntimeError("could not place the spheres")
        r = rng.uniform(*radius_range)
        p = rng.uniform(lo + r, hi - r)
        if pos and np.any(np.linalg.norm(np.asarray(pos) - p, axis=1) < np.asarray(rad) + r):
            continue
        pos.append(p)
        rad.append(r)
    return np.asarray(pos), np.asarray(rad)


def turning_cup_heap() -> Simulation:
    """300 plastic, frictional, rolling-resistant spheres falling into a turning cup: rebuilds, wall and pair
    contacts, starts and events, all within a few hundred steps."""
    rng = np.random.default_rng(3)
    pos, rad = random_packing(300, (-4e-3, -4e-3, 0.5e-3), (4e-3, 4e-3, 12e-3), (0.35e-3, 0.5e-3), rng)
    sim = Simulation(materials=[Material(1e7, 0.3, 2500.0, yield_ratio=0.02)],
                     domain=Domain((-6e-3, -6e-3, -1e-3), (6e-3, 6e-3, 14e-3)), capacity=len(pos), max_radius=0.5e-3,
                     dt=2e-6, gravity=(0, 0, -9.81), friction=0.4, rolling_friction=0.05, max_walls=2, arch="auto")
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1), name="floor"))
    sim.add_wall(CylinderWall(point=(0, 0, 0), axis=(0, 0, 1), radius=5.5e-3, inside=True,
                              angular_velocity=(0, 0, 30.0), name="cup"))
    sim.add_particles(pos, rad, velocities=rng.normal(0, 0.3, (len(pos), 3)))
    return sim
