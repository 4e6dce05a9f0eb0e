"""Energy bookkeeping: kinetic + potential + stored elastic + dissipated = initial + work of moving walls."""

import numpy as np
import pytest

from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import CylinderWall, PlaneWall
from mfdem.scenarios import dense_bed


def test_dense_settling_bed_closes_within_half_a_percent():
    """5,000 particles (BENCH-1 lattice, 1 µm overlaps) stirred with random velocities, friction 0.5 and
    rolling friction, settling on the floor."""
    sim = dense_bed.build(5000, rolling_friction=0.1, arch="auto")
    rng = np.random.default_rng(1)
    sim.set_velocities(rng.normal(0.0, 0.05, (sim.n, 3)))
    sim.step(3000)
    audit = sim.energy()
    assert audit.dissipated > 0.5 * (audit.initial - audit.potential)  # most of the stirring is gone
    assert audit.relative_error() < 5e-3
    acc = sim.accumulators()
    assert acc["dissipated_work"].sum() == pytest.approx(audit.dissipated, rel=1e-12)
    assert acc["contacts_particle"].sum() > 0
    pairs, _ = sim.contact_count()
    assert pairs > 1.5 * sim.n


def _box_of_spheres(n_side, radius, spacing):
    g = (np.arange(n_side) + 0.5) * spacing
    x, y, z = np.meshgrid(g, g, g, indexing="ij")
    return np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1)


def test_piston_work_is_audited():
    """A plane piston driven down at constant speed compacts a bed in a square box: the piston's work
    equals the energy gained plus the energy dissipated."""
    r = 1e-3
    mat = Material(2e7, 0.3, 2500.0, yield_ratio=0.02)
    pos = _box_of_spheres(6, r, 2.2 * r)
    side = 6 * 2.2 * r
    sim = Simulation(materials=[mat], domain=Domain((0, 0, 0), (side, side, 3 * side)), capacity=len(pos),
                     max_radius=r, dt=2e-6, gravity=(0, 0, -9.81), friction=0.4, rolling_friction=0.05,
                     max_walls=6, arch="auto")
    for point, normal in (((0, 0, 0), (1, 0, 0)), ((side, 0, 0), (-1, 0, 0)), ((0, 0, 0), (0, 1, 0)),
                          ((0, side, 0), (0, -1, 0)), ((0, 0, 0), (0, 0, 1))):
        sim.add_wall(PlaneWall(point=point, normal=normal))
    piston = sim.add_wall(PlaneWall(point=(0, 0, side + 0.1 * r), normal=(0, 0, -1), velocity=(0, 0, -0.5)))
    sim.add_particles(pos, r)
    sim.step(4000)
    audit = sim.energy()
    assert audit.wall_work > 0
    assert sim.wall_force_on_particles(piston)[2] < 0       # the piston pushes down
    assert abs(audit.balance) < 5e-3 * audit.dissipated


def test_rotating_drum_work_is_audited():
    """Particles in a turning cylinder (a drum) are dragged by wall friction; the drum's work is audited."""
    r = 1e-3
    mat = Material(2e7, 0.3, 2500.0, yield_ratio=0.02)
    rows = []
    for rho in (8.99e-3, 6.9e-3):               # two arcs resting at the bottom of the drum
        for phi in np.arange(-2.09, -1.05, 2.15 * r / rho):
            for z in (-4.4e-3, -2.2e-3, 0.0, 2.2e-3, 4.4e-3):
                rows.append((rho * np.cos(phi), rho * np.sin(phi), z))
    pos = np.asarray(rows)
    sim = Simulation(materials=[mat], domain=Domain((-0.012, -0.012, -0.006), (0.012, 0.012, 0.006),
                                                    periodic=(False, False, True)),
                     capacity=len(pos), max_radius=r, dt=2e-6, gravity=(0, -9.81, 0), friction=0.5,
                     rolling_friction=0.05, max_walls=1, arch="auto")
    drum = sim.add_wall(CylinderWall(point=(0, 0, 0), axis=(0, 0, 1), radius=0.01, inside=True,
                                     angular_velocity=(0, 0, 20.0)))
    sim.add_particles(pos, r)
    sim.step(4000)
    audit = sim.energy()
    assert audit.wall_work > 0
    assert sim.wall_torque_on_particles(drum)[2] > 0           # the drum drags the charge along
    assert abs(audit.balance) < 5e-3 * audit.dissipated
