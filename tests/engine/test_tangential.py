"""Tangential contact: oblique impact with gross sliding (V11) and a sliding sphere starting to roll (V10)."""

import numpy as np
import pytest

from mfdem.scenarios.impact import simulate_impact
from tests.engine.helpers import G, R, sphere_on_plane

ALUMINA = dict(radius=2.5e-3, density=4000.0, youngs_modulus=380e9, poisson_ratio=0.23)


@pytest.mark.parametrize("angle, e_t, omega", [(45, 0.8160, 507.4), (60, 0.8938, 358.8), (80, 0.9676, 124.6)])
def test_oblique_impact_gross_sliding_v11(angle, e_t, omega):
    r = simulate_impact(velocity=3.9, angle=angle, friction=0.092, target="wall",
                        wall_youngs_modulus=380e9 * 1e6, **ALUMINA)
    assert r.tangential_restitution == pytest.approx(e_t, rel=2e-2)
    assert r.angular_velocity_after == pytest.approx(omega, rel=2e-2)


def test_sliding_sphere_starts_rolling_v10():
    mu, v0 = 0.3, 0.5
    sim = sphere_on_plane(gravity=(0, 0, -G), friction=mu, velocity=(v0, 0, 0))
    t_roll = 2 * v0 / (7 * mu * G)
    chunk = 20
    times, slip, vx = [], [], []
    while sim.time < 1.6 * t_roll:
        sim.step(chunk)
        v = sim.velocities[0]
        w = sim.angular_velocities[0]
        times.append(sim.time)
        vx.append(v[0])
        slip.append(v[0] - w[1] * R)
    times, slip, vx = map(np.asarray, (times, slip, vx))
    rolling = np.abs(slip) < 0.01 * v0
    t_start = times[np.argmax(rolling)]
    assert t_start == pytest.approx(t_roll, rel=2e-2)
    late = times > 1.2 * t_roll
    assert np.all(rolling[late])
    assert np.mean(vx[late]) == pytest.approx(5 / 7 * v0, rel=2e-2)
