"""Hertz elastic impacts (physics.md V1, V1b, V2): δ_max, F_max and contact time within 1 %."""

import pytest

from mfdem.scenarios.impact import simulate_impact


@pytest.mark.parametrize("material, d_max, f_max, t_c", [
    (dict(youngs_modulus=48e9, poisson_ratio=0.20, density=2800.0), 274.11e-6, 10.697e3, 40.34e-6),  # glass
    (dict(youngs_modulus=20e9, poisson_ratio=0.25, density=2500.0), 368.30e-6, 7.108e3, 54.20e-6),   # limestone
])
def test_sphere_sphere_v1(material, d_max, f_max, t_c):
    r = simulate_impact(radius=0.01, velocity=20.0, target="sphere", **material)
    assert r.max_overlap == pytest.approx(d_max, rel=1e-2)
    assert r.max_force == pytest.approx(f_max, rel=1e-2)
    assert r.contact_time == pytest.approx(t_c, rel=1e-2)
    assert r.restitution == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("material, d_max, f_max, t_c", [
    (dict(youngs_modulus=70e9, poisson_ratio=0.30, density=2699.0), 49.74e-6, 11.365e3, 731.95e-6),   # Al alloy
    (dict(youngs_modulus=40e9, poisson_ratio=0.35, density=1800.0), 52.14e-6, 7.230e3, 767.37e-6),    # Mg alloy
])
def test_sphere_wall_v2(material, d_max, f_max, t_c):
    r = simulate_impact(radius=0.1, velocity=0.2, target="wall", wall_youngs_modulus=1000 * material["youngs_modulus"],
                        wall_poisson_ratio=material["poisson_ratio"], **material)
    assert r.max_overlap == pytest.approx(d_max, rel=1e-2)
    assert r.max_force == pytest.approx(f_max, rel=1e-2)
    assert r.contact_time == pytest.approx(t_c, rel=1e-2)
