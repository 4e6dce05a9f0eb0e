"""BENCH-1 (benchmarks.md): a simple-cubic bed of 300 µm spheres on a floor, periodic in x and y.

Lattice spacing 299 µm (1 µm initial overlap, ~6 contacts per particle), 50 × 50 base, N/2500 layers, the
first layer at z = 0.299 mm, gravity −z, Thornton–Ning with yield ratio 0.01, friction 0.5, Δt = 2e-7 s.
"""

import numpy as np

from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import PlaneWall
from mfdem.validation import InputError

RADIUS = 150e-6        # m
SPACING = 299e-6       # m
BASE = 50              # particles per side of the base


def lattice(n_particles: int, base: int = BASE, spacing: float = SPACING) -> np.ndarray:
    """Simple-cubic positions (m) of ``n_particles`` = base² × layers, first layer at z = spacing."""
    if n_particles % (base * base):
        raise InputError(f"particles = {n_particles}: must be a multiple of {base * base} (a {base}×{base} base)")
    layers = n_particles // (base * base)
    i, j, k = np.meshgrid(np.arange(base), np.arange(base), np.arange(layers), indexing="ij")
    pos = np.stack([(i + 0.5) * spacing, (j + 0.5) * spacing, (k + 1) * spacing], axis=-1)
    return pos.reshape(-1, 3)


def build(n_particles: int = 100_000, *, dt: float = 2e-7, precision: str = "f64", arch: str = "auto",
          rolling_friction: float = 0.0, threads: int = None) -> Simulation:
    """The BENCH-1 system, ready to step."""
    pos = lattice(n_particles)
    layers = n_particles // (BASE * BASE)
    side = BASE * SPACING
    material = Material(youngs_modulus=50e6, poisson_ratio=0.3, density=2417.0, yield_ratio=0.01, name="particle")
    sim = Simulation(materials=[material], domain=Domain((0, 0, -SPACING), (side, side, (layers + 3) * SPACING),
                                                         periodic=(True, True, False)),
                     capacity=n_particles, max_radius=RADIUS, dt=dt, gravity=(0, 0, -9.81), friction=0.5,
                     rolling_friction=rolling_friction, rolling_model="epsd" if rolling_friction else "none",
                     precision=precision, arch=arch, threads=threads)
    sim.add_particles(pos, RADIUS)
    sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1), name="floor"))
    return sim
