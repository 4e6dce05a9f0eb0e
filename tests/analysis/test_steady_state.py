"""Automatic plateau detection of rotor power and kinetic energy."""

import numpy as np
import pytest

from mfdem.analysis import AnalysisError, analyze_run, detect_steady_state


def relaxing(t, final, tau, start=0.0):
    return final * (1.0 - np.exp(-(t - start) / tau))


def test_exponential_approach_with_noise():
    rng = np.random.default_rng(3)
    t = np.linspace(0.1, 0.5, 2001)[1:]           # rotor starts at 0.1 s
    tau = 0.03
    power = 40.0 + 200.0 * np.exp(-(t - 0.1) / tau) + rng.normal(0, 6.0, len(t))   # start-up peak, W
    ke = relaxing(t, 0.8, tau, 0.1) + rng.normal(0, 0.005, len(t))                # J
    s = detect_steady_state(t, power, ke, start_time=0.1)
    # 5 % of 40 W is 2 W: the start-up excess 200 exp(-x/τ) falls below that at x = τ ln 100 = 0.14 s; the
    # forward running mean (0.04 s long) is inside a little earlier
    assert 0.1 + 2.0 * tau < s.time < 0.1 + 5.0 * tau
    assert s.power_mean == pytest.approx(40.0, rel=0.02)
    assert s.ke_mean == pytest.approx(0.8, rel=0.01)
    after = t > s.time
    assert abs(power[after].mean() - 40.0) < 0.05 * 40.0


def test_stationary_noisy_signal_is_steady_from_the_start():
    rng = np.random.default_rng(4)
    t = np.linspace(0.0, 0.4, 801)[1:]
    power = 50.0 * (1 + 0.3 * rng.standard_normal(len(t)))    # strong blade-passage noise
    ke = np.full(len(t), 2.0)
    s = detect_steady_state(t, power, ke)
    assert s.time < 0.1 * 0.4


def test_drifting_run_has_no_plateau():
    t = np.linspace(0.0, 0.4, 401)[1:]
    with pytest.raises(AnalysisError, match="no steady state found"):
        detect_steady_state(t, 10.0 + 100.0 * t, np.ones_like(t))       # power still rising
    with pytest.raises(AnalysisError, match="no steady state found"):
        detect_steady_state(t, np.full_like(t, 10.0), relaxing(t, 1.0, 0.3))  # kinetic energy still rising


def test_too_few_samples():
    t = np.linspace(0.0, 0.1, 10)
    with pytest.raises(AnalysisError, match="only .* time-series samples .* --steady-from"):
        detect_steady_state(t, np.ones(10), np.ones(10))


def test_analyze_run_reports_the_detected_start(make_run):
    k, n, dt = 60, 20, 0.005
    rng = np.random.default_rng(5)
    coll = rng.poisson(3, (k, n))
    work = 1e-4 * coll.astype(float)
    # start-up transient of 0.1 s in the rotor power; kinetic energy already constant
    per = 10
    time = dt / per * np.arange(1, k * per + 1)
    power = 2.0 + 20.0 * np.exp(-time / 0.02)
    ts = {"time": time, "rotor_power": power, "kinetic_energy": np.ones_like(time)}
    rotor_work = np.array([power[i * per:(i + 1) * per].mean() * dt for i in range(k)])
    work *= (rotor_work / work.sum(axis=1))[:, None]     # energy balance: dissipated = rotor work
    path = make_run(work, coll, dt_out=dt, timeseries=ts, rotor_work=rotor_work)
    r = analyze_run(path)
    assert r.steady_from_source == "auto"
    assert r.steady_state is not None
    assert r.steady_from >= r.steady_state.time - 1e-12
    # aligned to an interval start
    assert r.steady_from / dt == pytest.approx(round(r.steady_from / dt))
    assert 0.02 < r.steady_from < 0.15
    assert r.to_dict()["steady_from"] == r.steady_from
    assert r.power.mean_power == pytest.approx(2.0, rel=0.05)
