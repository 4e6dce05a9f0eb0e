"""Rotational periodicity of the 72° sector."""

import math

import numpy as np
import pytest

from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.io import open_run
from mfdem.mixer.runner import MixerRun
from tests.small_mixer import small_config

R = 0.4e-3
_SECTOR = {}


def _sector_sim():
    """One compiled sector system (no walls, no gravity), reset for each use."""
    if "sim" not in _SECTOR:
        _SECTOR["sim"] = Simulation(materials=[Material(1e8, 0.3, 2417.0, yield_ratio=0.05)],
                                    domain=Domain((-0.002, -0.002, -0.002), (0.042, 0.042, 0.012),
                                                  sector_angle_deg=72.0),
                                    capacity=64, max_radius=R, dt=1e-6, friction=0.4, rolling_friction=0.05,
                                    max_walls=0, arch="cpu")
    sim = _SECTOR["sim"]
    sim.reset()
    return sim


def _polar(r, phi_deg, z=0.005):
    p = math.radians(phi_deg)
    return np.array([r * math.cos(p), r * math.sin(p), z])


def _tangential(phi_deg, speed):
    p = math.radians(phi_deg)
    return speed * np.array([-math.sin(p), math.cos(p), 0.0])


def test_particles_crossing_the_seams_keep_count_mass_and_energy():
    sim = _sector_sim()
    phis = np.array([4.0, 8.0, 12.0, 16.0, 20.0, 52.0, 56.0, 60.0, 64.0, 68.0])
    pos = np.array([_polar(0.03, p, 0.0005 + 0.001 * k) for k, p in enumerate(phis)])   # 1 mm apart in z
    vel = np.array([_tangential(p, 3.0 if p > 36 else -3.0) for p in phis])             # towards the near seam
    sim.add_particles(pos, R, velocities=vel)
    ke0, mass0 = sim.energy().kinetic, sim.masses.sum()
    phi0 = phis.copy()
    sim.step(5000)                       # 15 mm of straight flight: every particle sweeps 26.6° and crosses
    x = sim.positions
    phi = np.degrees(np.arctan2(x[:, 1], x[:, 0]))
    assert sim.n == 10 and sim.masses.sum() == mass0
    assert np.all((phi >= 0) & (phi < 72))
    swept = np.degrees(np.arctan(0.015 / 0.03))
    expected = np.where(phi0 > 36, phi0 + swept - 72, phi0 - swept + 72)   # re-entered through the other plane
    np.testing.assert_allclose(phi, expected, atol=1e-6)
    assert sim.energy().kinetic == pytest.approx(ke0, rel=1e-12)   # straight flight, no contacts
    np.testing.assert_allclose(np.linalg.norm(sim.velocities, axis=1), 3.0, rtol=1e-12)


def _collide(phi_a, phi_b, v):
    sim = _sector_sim()
    sim.add_particles([_polar(0.03, phi_a), _polar(0.03, phi_b)], R,
                      velocities=[_tangential(phi_a, -v), _tangential(phi_b, v)])
    sim.step(2000)
    return np.linalg.norm(sim.velocities, axis=1), sim.energy().dissipated, sim.reset_accumulators()


def test_a_pair_collides_across_the_seam_as_inside_the_sector():
    # 1.9° of arc at r = 30 mm is 0.2 mm more than a diameter: the pair meets after a short flight
    across = _collide(0.9, 71.0, 2.0)          # images meet at the φ = 0 seam
    inside = _collide(36.9, 35.0, 2.0)         # the same pair in the middle of the sector
    assert across[2]["contacts_particle"].tolist() == [1, 1]
    np.testing.assert_allclose(across[0], inside[0], rtol=1e-6)
    assert across[1] == pytest.approx(inside[1], rel=1e-6)
    assert across[1] > 0


def test_sector_and_full_mixer_agree_on_specific_power(tmp_path, sector_run):
    path_s, _ = sector_run
    path_f = tmp_path / "full.h5"
    assert MixerRun.create(small_config(run={"full_mixer": True}), path_f).run(progress=False) == "complete"
    out = {}
    for name, path in (("sector", path_s), ("full", path_f)):
        with open_run(path) as run:
            mass = run.mass.sum()
            t0, t1 = run.interval("t_start"), run.interval("t_end")
            late = t0 >= run.attrs["rotor_start_time"] + 0.5 * (t1[-1] - run.attrs["rotor_start_time"])
            span = (t1 - t0)[late].sum()
            out[name] = (run.interval("rotor_work")[late].sum() / span / mass,
                         run.interval("dissipated_work")[late].sum() / span / mass, run.sector_angle_deg)
    assert out["sector"][2] == 72.0 and out["full"][2] == 360.0
    assert out["sector"][0] == pytest.approx(out["full"][0], rel=0.10)   # W/kg
    assert out["sector"][1] == pytest.approx(out["full"][1], rel=0.10)
