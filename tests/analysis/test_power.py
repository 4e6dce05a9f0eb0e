"""Measured and simulated specific power (paper eqs. 1, 3; 'Power data evaluation')."""

import math

import numpy as np
import pytest

from mfdem.analysis import (AnalysisError, AnalysisWarning, MeasuredPower, evaluate_measured_power,
                            measured_specific_energy, read_power_csv, savgol_smooth, simulated_specific_power)
from mfdem.analysis.power import sg_window_length

IDLE = 310.0        # W
NET = 145.0         # W, true net power
MASS = 0.020        # kg
T_MIX = 3600.0      # s


def synthetic_trace(seed=0, step=5.0, duration=3600.0):
    """Idle level + net power + noise (σ 10 W) + a slow oscillation, 5 s sampling."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, duration + step / 2, step)
    p = IDLE + NET + 10.0 * np.sin(2 * np.pi * t / 600.0) + rng.normal(0.0, 10.0, len(t))
    return t, p


def write_csv(path, t, p, header="time,power", fmt="{:.3f},{:.4f}"):
    lines = ([header] if header else []) + [fmt.format(a, b) for a, b in zip(t, p)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_net_specific_power_and_energy_within_one_percent(tmp_path):
    t, p = synthetic_trace()
    csv = write_csv(tmp_path / "p.csv", t, p)
    res = evaluate_measured_power(MeasuredPower.from_csv(csv, IDLE, MASS), t_mix=(T_MIX, 1800.0))
    assert res.specific_power == pytest.approx(NET / MASS, rel=0.01)
    assert res.e_m_exp[T_MIX] == pytest.approx(NET * T_MIX / MASS, rel=0.01)
    assert res.e_m_exp[1800.0] == pytest.approx(NET * 1800.0 / MASS, rel=0.02)
    assert res.sg_window == 49 and res.sg_order == 2
    # smoothing removed most of the white noise, so the spread is the slow oscillation
    assert res.specific_power_std < 15.0 / MASS
    assert np.std(res.net_power - (NET + 10 * np.sin(2 * np.pi * t / 600.0))) < 8.0


def test_eq3_is_the_integral_of_net_power():
    t = np.arange(0.0, 3601.0, 5.0)
    net = np.full(len(t), 100.0)
    assert measured_specific_energy(t, net, 0.02, 3600.0) == pytest.approx(100.0 * 3600 / 0.02)
    assert measured_specific_energy(t, net, 0.02, 1002.5) == pytest.approx(100.0 * 1002.5 / 0.02)
    # a record ending one sample early still covers t_mix (last value held); much shorter does not
    assert measured_specific_energy(t[:-1], net[:-1], 0.02, 3600.0) == pytest.approx(100.0 * 3600 / 0.02)
    assert measured_specific_energy(t[:-10], net[:-10], 0.02, 3600.0) is None


def test_too_short_record_warns_and_gives_none():
    t, p = synthetic_trace(duration=1200.0)
    with pytest.warns(AnalysisWarning, match="t_mix = 3600 s needs more"):
        res = evaluate_measured_power(MeasuredPower(t, p, IDLE, MASS), t_mix=(3600.0, 600.0))
    assert res.e_m_exp[3600.0] is None
    assert res.e_m_exp[600.0] == pytest.approx(NET * 600 / MASS, rel=0.03)   # 120 noisy samples only


def test_mix_start_restricts_the_trace():
    t, p = synthetic_trace(duration=4000.0)
    p = np.where(t < 400.0, IDLE, p)        # 400 s of idling before the mixing phase
    res = evaluate_measured_power(MeasuredPower(t, p, IDLE, MASS, mix_start=400.0), t_mix=(3600.0,))
    assert res.mix_start == 400.0
    assert res.specific_power == pytest.approx(NET / MASS, rel=0.01)
    assert res.e_m_exp[3600.0] == pytest.approx(NET * 3600 / MASS, rel=0.01)
    with pytest.raises(AnalysisError, match="outside the record"):
        evaluate_measured_power(MeasuredPower(t, p, IDLE, MASS, mix_start=-5.0))


def test_savitzky_golay_window_parity():
    assert sg_window_length(50, 1000) == 49      # even span reduced by one (MATLAB smooth)
    assert sg_window_length(51, 1000) == 51
    assert sg_window_length(50, 30) == 29        # longest odd window of a short record
    assert sg_window_length(50, 3) == 3
    assert sg_window_length(50, 2) is None       # no window above degree 2
    y = np.arange(100.0) ** 2                    # a parabola is reproduced exactly by degree 2
    smoothed, w = savgol_smooth(y)
    assert w == 49
    assert smoothed == pytest.approx(y, abs=1e-6)


def test_simulated_specific_power():
    work = np.array([1.0, 1.2, 0.8, 1.0])       # J per 0.01 s interval -> 100 W mean
    res = simulated_specific_power(work, np.full(4, 0.01), 0.004, sample_power=[90.0, 110.0, 100.0])
    assert res.specific == pytest.approx(100.0 / 0.004)
    assert res.specific_std == pytest.approx(10.0 / 0.004)
    assert math.isfinite(res.specific_sem)


def test_csv_variants(tmp_path):
    t = np.array([0.0, 5.0, 10.0])
    p = np.array([400.0, 410.5, 420.0])
    files = {
        "headerless.csv": "0,400\n5,410.5\n10,420\n",
        "units.csv": "Power (W);Time [s]\n400;0\n410,5;5\n420;10\n",
        "comments.tsv": "# mixer log\ntime_s\tpower_W\textra\n\n0\t400\tx\n5\t410.5\ty\n10\t420\tz\n",
        "spaces.txt": "0 400\n5 410.5\n10 420\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        tt, pp = read_power_csv(tmp_path / name)
        assert tt.tolist() == t.tolist(), name
        assert pp.tolist() == p.tolist(), name


@pytest.mark.parametrize("text, match", [
    ("time,foo\n0,1\n5,2\n", r"line 1: the header .* has no 'power' column"),
    ("time,power\n0,400\n5,400\n10,4OO\n15,400\n", r"line 4, column 2 \('power', W\): '4OO' is not a finite number"),
    ("time,power\n0,400\n5,\n", r"line 3, column 2 \('power', W\): missing value"),
    ("time,power\n0,400\n5\n", r"line 3, column 2 \('power', W\): missing value"),
    ("time,power\n0,400\nabc,400\n", r"line 3, column 1 \('time', s\): 'abc' is not a finite number"),
    ("time,power\n0,400\n5,nan\n", r"line 3, column 2 .* 'nan' is not a finite number"),
    ("time,power\n0,400\n0,400\n", r"line 3, column 1 \('time', s\): time 0 s does not increase"),
    ("", r"empty CSV file"),
    ("time,power\n0,400\n", r"at least two samples"),
    ("0\n5\n", r"line 1: found 1 column"),
])
def test_csv_errors_name_file_line_and_column(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(AnalysisError, match=match) as info:
        read_power_csv(path)
    assert str(path) in str(info.value)


def test_measured_input_validation():
    t, p = synthetic_trace(duration=300.0)
    with pytest.raises(AnalysisError, match="batch mass"):
        evaluate_measured_power(MeasuredPower(t, p, IDLE, 0.0))
    with pytest.raises(AnalysisError, match="no such file"):
        MeasuredPower.from_csv("/nonexistent/p.csv", IDLE, MASS)
