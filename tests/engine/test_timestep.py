"""Time-step helper (physics.md §6, V13)."""

import warnings

import pytest

from mfdem import theory
from mfdem.engine.materials import Material
from mfdem.engine.timestep import TimeStepWarning, advise


@pytest.mark.parametrize("radius, e, nu, rho, expected", [
    (0.01, 48e9, 0.20, 2800.0, 1.293e-5), (0.01, 20e9, 0.25, 2500.0, 1.914e-5),
    (5e-6, 150e9, 0.25, 4700.0, 4.792e-9), (1e-6, 20e9, 0.30, 2600.0, 1.973e-9)])
def test_rayleigh_time_v13(radius, e, nu, rho, expected):
    assert theory.rayleigh_time(radius, rho, e, nu) == pytest.approx(expected, rel=1e-3)


def test_advice_recommends_and_warns():
    mat = Material(1e8, 0.3, 2417.0, yield_ratio=0.0103)
    advice = advise(150e-6, mat, impact_speed=40.0)
    assert advice.steps_per_contact == pytest.approx(50.0)
    assert advice.contact_time == pytest.approx(
        theory.hertz_impact(advice_mass(mat) / 2, 75e-6, mat.youngs_modulus / (2 * (1 - 0.09)), 40.0).contact_time)
    with pytest.warns(TimeStepWarning, match="fewer than 10 steps"):   # hertz.STEPS_PER_CONTACT
        advise(150e-6, mat, impact_speed=40.0, dt=advice.contact_time / 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        advise(150e-6, mat, impact_speed=40.0, dt=advice.dt)


def advice_mass(mat):
    return mat.density * 4 / 3 * 3.141592653589793 * (150e-6) ** 3
