"""Power-law exponents over rotor speed."""

import math

import numpy as np
import pytest

from mfdem.analysis import AnalysisError, fit_power_law


def test_exact_power_law():
    n = np.array([1000.0, 2500.0, 5000.0, 7500.0, 10000.0])
    fit = fit_power_law(n, 1.41e-8 * n ** 1.88)       # mixer_setup.md §2: SI trend of the paper
    assert fit.exponent == pytest.approx(1.88, abs=1e-12)
    assert fit.prefactor == pytest.approx(1.41e-8, rel=1e-9)
    assert fit.exponent_se == pytest.approx(0.0, abs=1e-9)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.predict(10000.0) == pytest.approx(1.41e-8 * 1e4 ** 1.88)


def test_standard_error_by_hand():
    n = np.array([1000.0, 2000.0, 4000.0])
    y = np.array([1.0, 4.4, 15.0])
    fit = fit_power_law(n, y)
    x, z = np.log(n), np.log(y)
    k, c = np.polyfit(x, z, 1)
    se = math.sqrt(((z - (c + k * x)) ** 2).sum() / 1 / ((x - x.mean()) ** 2).sum())
    assert fit.exponent == pytest.approx(k)
    assert fit.exponent_se == pytest.approx(se)


def test_two_points_and_bad_input():
    fit = fit_power_law([1000, 2000], [1.0, 4.0])
    assert fit.exponent == pytest.approx(2.0)
    assert math.isnan(fit.exponent_se)
    with pytest.raises(AnalysisError, match="two different rotor speeds"):
        fit_power_law([1000, 1000], [1.0, 2.0])
    with pytest.raises(AnalysisError, match="positive"):
        fit_power_law([1000, 2000], [1.0, -2.0])
