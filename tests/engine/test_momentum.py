"""Linear momentum in a fully periodic box without gravity or walls (friction and rolling resistance on)."""

import numpy as np

from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from tests.engine.helpers import random_packing


def test_momentum_is_conserved_to_1e_10():
    rng = np.random.default_rng(7)
    box = 0.012
    pos, rad = random_packing(400, (0, 0, 0), (box, box, box), (0.4e-3, 0.6e-3), rng)
    mat = Material(1e7, 0.3, 2500.0, yield_ratio=0.02)
    sim = Simulation(materials=[mat], domain=Domain((0, 0, 0), (box, box, box), periodic=(True, True, True)),
                     capacity=len(pos), max_radius=0.6e-3, dt=1e-6, friction=0.5, rolling_friction=0.1,
                     max_walls=0, arch="auto")
    sim.add_particles(pos, rad, velocities=rng.normal(0, 1.0, (len(pos), 3)),
                      angular_velocities=rng.normal(0, 500.0, (len(pos), 3)))
    m = sim.masses[:, None]
    p0 = (m * sim.velocities).sum(axis=0)
    scale = (m * np.abs(sim.velocities)).sum()
    sim.step(3000)
    assert sim.reset_accumulators()["contacts_particle"].sum() > 1000   # plenty of collisions, across seams too
    p1 = (m * sim.velocities).sum(axis=0)
    assert np.max(np.abs(p1 - p0)) / scale < 1e-10
