"""Thornton–Ning normal contact against Thornton (1997) theory (physics.md §1, §2, V3–V8)."""

import math

import numpy as np
import pytest
import taichi as ti

from mfdem import theory
from mfdem.engine.contact import thornton_ning
from mfdem.engine.contact.probe import normal_force_path
from mfdem.scenarios.impact import simulate_impact
from mfdem.validation import InputError

# the paper's coarse-grained particle: 300 µm, 2417 kg/m³, E = 50 MPa, yield ratio 0.01 (physics.md §1.8)
PARTICLE = dict(radius=150e-6, density=2417.0, youngs_modulus=50e6, poisson_ratio=0.3, yield_ratio=0.01)
# δ_max/δ_y after an impact at V_i/V_y (physics.md §2.3 table)
X_MAX = {0.5: 0.5**0.8, 2: 1.76317, 5: 3.97263, 10: 7.63021, 50: 36.84695}


def _yield_velocity(target):
    return simulate_impact(velocity=1.0, target=target, steps_per_contact=20, **PARTICLE).yield_velocity


@pytest.mark.parametrize("target", ["wall", "sphere"])
@pytest.mark.parametrize("v_ratio", [0.5, 2, 5, 10, 50])
def test_restitution_overlap_and_dissipation_follow_thornton(target, v_ratio):
    v_y = _yield_velocity(target)
    r = simulate_impact(velocity=v_ratio * v_y, target=target, steps_per_contact=200, **PARTICLE)
    e = theory.thornton_restitution(v_ratio)
    assert abs(r.restitution - e) < 1e-3
    # δ_y: a_y = yield_ratio·R against a wall and between equal spheres (R* = R/2), δ_y = a_y²/R*
    r_star = PARTICLE["radius"] if target == "wall" else PARTICLE["radius"] / 2
    d_y = (PARTICLE["yield_ratio"] * PARTICLE["radius"]) ** 2 / r_star
    assert r.max_overlap / d_y == pytest.approx(X_MAX[v_ratio], rel=1e-3)
    expected_work = (1 - e**2) * r.impact_energy
    assert r.dissipated_work == pytest.approx(expected_work, rel=5e-3, abs=1e-6 * r.impact_energy)


def test_yield_velocity_prefactors():
    """V5: sphere–flat 1.5605 √(p_y⁵/E*⁴ρ); equal spheres (relative speed) 0.7803."""
    p_y, e_star, rho, r = 1e9, 40e9, 2700.0, 1e-3
    m = rho * 4 / 3 * math.pi * r**3
    scale = math.sqrt(p_y**5 / (e_star**4 * rho))
    assert theory.yield_velocity(p_y, e_star, r, m) / scale == pytest.approx(1.5605, rel=1e-4)
    assert theory.yield_velocity(p_y, e_star, r / 2, m / 2) / scale == pytest.approx(0.7803, rel=1e-4)


def test_yield_onset_in_the_engine():
    v_y = _yield_velocity("wall")
    below = simulate_impact(velocity=0.99 * v_y, target="wall", **PARTICLE)
    above = simulate_impact(velocity=1.5 * v_y, target="wall", **PARTICLE)
    assert below.restitution == pytest.approx(1.0, abs=1e-4)
    assert below.dissipated_work == pytest.approx(0.0, abs=1e-6 * below.impact_energy)
    assert above.restitution == pytest.approx(0.971239, abs=1e-3)  # physics.md §2.3


# V6: E* = 100 GPa, R* = 5 µm, p_y = 2 GPa
E_STAR, R_STAR, P_Y = 100e9, 5e-6, 2e9


def _cycle(points):
    """Visit the overlaps ``points`` (in units of δ_y) with fine linear steps; return (δ, F, U, D)."""
    _, d_y, _ = theory.yield_state(P_Y, E_STAR, R_STAR)
    path = np.concatenate([np.linspace(a, b, 4001)[1:] for a, b in zip(points[:-1], points[1:])]) * d_y
    F, U, D = normal_force_path(path, e_star=E_STAR, r_star=R_STAR, yield_pressure=P_Y)
    return path / d_y, F, U, D


def test_quasi_static_cycle_v6():
    a_y, d_y, f_y = theory.yield_state(P_Y, E_STAR, R_STAR)
    assert a_y == pytest.approx(157.080e-9, rel=1e-5)
    assert d_y == pytest.approx(4.9348e-9, rel=1e-4)
    assert f_y == pytest.approx(103.354e-6, rel=1e-5)
    assert 2 * E_STAR * a_y == pytest.approx(3.1416e4, rel=1e-4)
    x, F, U, D = _cycle([0.0, 2.0, 0.0])
    load, unload = slice(0, 4000), slice(4000, 8000)

    def force_at(xv, part):
        idx = np.arange(len(x))[part][np.argmin(np.abs(x[part] - xv))]
        return F[idx] * 1e6

    assert force_at(0.5, load) == pytest.approx(36.541, rel=1e-4)
    assert force_at(2.0, load) == pytest.approx(258.386, rel=1e-4)
    assert force_at(1.5, unload) == pytest.approx(156.924, rel=1e-4)
    assert force_at(1.0, unload) == pytest.approx(73.956, rel=1e-4)
    assert force_at(0.5, unload) == pytest.approx(15.232, rel=1e-4)
    f_m, x_p, rp = theory.unloading_state(2.0)
    assert (f_m, rp) == (pytest.approx(2.5), pytest.approx(1.1314, rel=1e-4))
    assert x_p == pytest.approx(0.2322, abs=1e-4)
    # the force vanishes at the residual overlap δ_p
    first_zero = x[unload][np.argmax(F[unload] == 0.0)]
    assert first_zero == pytest.approx(x_p, abs=1e-3)
    # dissipated fraction of the loading work (= 1 − e² at V/V_y = 2.3184)
    w_in = np.sum(0.5 * (F[1:4000] + F[:3999]) * np.diff(x[:4000])) * d_y
    assert D[-1] / w_in == pytest.approx(0.17777, rel=1e-3)
    assert 1 - theory.thornton_restitution(2.3184) ** 2 == pytest.approx(0.17777, rel=1e-3)
    assert U[-1] == 0.0


def test_reloading_retraces_and_rejoins_the_plastic_line_v7():
    _, d_y, f_y = theory.yield_state(P_Y, E_STAR, R_STAR)
    x, F, U, D = _cycle([0.0, 2.0, 1.5, 2.0, 3.0])
    unload, reload, beyond = np.arange(3999, 8000), slice(8000, 12000), slice(12000, 16000)
    # unload 2 → 1.5 then reload 1.5 → 2: the same curve, no work dissipated inside the branch
    np.testing.assert_allclose(F[reload], np.interp(x[reload], x[unload][::-1], F[unload][::-1]), rtol=1e-6)
    assert D[12000 - 1] == pytest.approx(D[4000 - 1], rel=1e-6)
    # beyond δ_max the state follows F_y + k_p (δ − δ_y)
    k_p = 2 * E_STAR * math.pi * P_Y * R_STAR / (2 * E_STAR)
    np.testing.assert_allclose(F[beyond], f_y + k_p * (x[beyond] - 1.0) * d_y, rtol=1e-9)


@pytest.mark.parametrize("top", [0.8, 3.0])
def test_force_and_stored_energy_join_where_loading_turns_to_unloading(top):
    """The loading curve (Hertz below δ_y, the plastic line above) and the un/reloading curve of δ_max give
    the same force and stored energy at δ = δ_max, so no work appears or vanishes at the turn."""
    x, F, U, D = _cycle([0.0, top, top * (1 - 1e-6)])
    turn = 3999                                               # the last loading point, at δ_max
    assert F[turn + 1] == pytest.approx(F[turn], rel=1e-5)
    assert U[turn + 1] == pytest.approx(U[turn], rel=1e-5)
    assert D[turn + 1] == pytest.approx(D[turn], rel=1e-6, abs=1e-9 * U[turn])


def test_onset_puts_the_touch_within_the_first_step():
    """``onset`` starts the bodies that fraction of a step apart: at 10 steps per contact where the touch falls
    moves e (benchmarks/timestep_accuracy.py), and the contact time is counted from the touch."""
    v_y = _yield_velocity("wall")
    ref = simulate_impact(velocity=20 * v_y, target="wall", steps_per_contact=400, **PARTICLE)
    dt = ref.hertz_contact_time / 10
    runs = [simulate_impact(velocity=20 * v_y, target="wall", dt=dt, onset=o, **PARTICLE) for o in (0, 0.25, 0.5, 0.75)]
    assert all(r.dt == dt for r in runs)
    errors = np.array([r.restitution / ref.restitution - 1 for r in runs])
    assert errors.max() - errors.min() > 2e-3
    for r in runs:
        assert r.contact_time == pytest.approx(ref.contact_time, rel=0.02)


def test_onset_outside_a_step_is_refused():
    with pytest.raises(InputError, match="onset"):
        simulate_impact(velocity=1.0, target="wall", onset=1.0, **PARTICLE)


def test_turning_point_within_a_step_keeps_restitution():
    """The default mixer particle on the steel wall at the 40 m/s tip speed, 12 steps per Hertz contact: wherever
    in a step the touch (and so the turn from loading to unloading) falls, e stays within 0.6 % of the converged
    value (with δ_max taken at a step, up to 0.8 %; 1.5 % at 10 steps)."""
    mixer_particle = {"radius": 150e-6, "density": 2417.0, "youngs_modulus": 5e9, "poisson_ratio": 0.3,
                      "yield_pressure": 70e6, "wall_youngs_modulus": 200e9, "wall_poisson_ratio": 0.3}
    ref = simulate_impact(velocity=40.0, target="wall", steps_per_contact=400, **mixer_particle)
    dt = ref.hertz_contact_time / 12
    errors = np.array([simulate_impact(velocity=40.0, target="wall", dt=dt, onset=o, **mixer_particle).restitution
                       / ref.restitution - 1 for o in np.arange(10) / 10])
    assert np.abs(errors).max() < 6e-3


@ti.kernel
def _turning_point(d: ti.types.ndarray()) -> ti.f64:
    return thornton_ning.turning_point(d[0], d[1], d[2])


@pytest.mark.parametrize("tau", [0.0, 0.1, 0.3, 0.45, -0.3])
def test_turning_point_is_the_parabolas_apex_less_its_mean_never_below_the_middle_overlap(tau):
    """Overlaps of three steps on δ = P − c(t − τ)²/2: δ_max = d1 + cτ²/2 − c/24, but never below d1."""
    p, c = 1.0, 0.01
    d = np.array([p - 0.5 * c * (t - tau) ** 2 for t in (-1.0, 0.0, 1.0)])
    expected = d[1] + max(0.5 * c * tau**2 - c / 24.0, 0.0)
    assert _turning_point(d) == pytest.approx(expected, rel=1e-12)
