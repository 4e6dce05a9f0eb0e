"""Closed-form contact results used for advice, the impact tool and the validation tests.

Hertz impact (physics.md §0, §6), Thornton (1997) yield velocity and restitution (§2.1–2.2), the
Thornton–Ning dimensionless state after an impact (§1.4, §2.3) and the Rayleigh time step (§6).
"""

import math
from dataclasses import dataclass

HERTZ_TIME_CONSTANT = 2.94328  # t_c = 2.94328 δ_max / v (physics.md §6)


@dataclass(frozen=True)
class HertzImpact:
    max_overlap: float   # m
    max_force: float     # N
    contact_time: float  # s


def hertz_impact(m_star: float, r_star: float, e_star: float, v: float) -> HertzImpact:
    """Elastic impact at relative normal speed v (m/s): δ_max = (15 m* v² / 16 E* √R*)^{2/5} (§6)."""
    d_max = (15.0 * m_star * v * v / (16.0 * e_star * math.sqrt(r_star))) ** 0.4
    f_max = 4.0 / 3.0 * e_star * math.sqrt(r_star) * d_max**1.5
    return HertzImpact(d_max, f_max, HERTZ_TIME_CONSTANT * d_max / v)


def angular_speed(rpm: float) -> float:
    """Rotor speed in rad/s from rev/min: ω = 2π rpm / 60."""
    return 2.0 * math.pi * rpm / 60.0


def rayleigh_time(radius: float, density: float, youngs_modulus: float, poisson_ratio: float) -> float:
    """Δt_R = π R √(ρ/G) / (0.1631 ν + 0.8766) (s) for the smallest particle (§6)."""
    g = youngs_modulus / (2.0 * (1.0 + poisson_ratio))
    return math.pi * radius * math.sqrt(density / g) / (0.1631 * poisson_ratio + 0.8766)


def yield_pressure_from_ratio(yield_ratio: float, e_star: float, r_star: float, r_yield: float) -> float:
    """p_y = 2 E* a_y / (π R*) with a_y = yield_ratio · R (LIGGGHTS definition, §1.8)."""
    return 2.0 * e_star * yield_ratio * r_yield / (math.pi * r_star)


def yield_state(p_y: float, e_star: float, r_star: float) -> tuple[float, float, float]:
    """(a_y, δ_y, F_y) at first yield (§1.2)."""
    a_y = math.pi * p_y * r_star / (2.0 * e_star)
    return a_y, a_y * a_y / r_star, 4.0 * e_star * a_y**3 / (3.0 * r_star)


def yield_velocity(p_y: float, e_star: float, r_star: float, m_star: float) -> float:
    """V_y = √(π⁵/30 · R*³ p_y⁵ / (E*⁴ m*)) (m/s), relative normal speed at first yield (§2.1)."""
    return math.sqrt(math.pi**5 / 30.0 * r_star**3 * p_y**5 / (e_star**4 * m_star))


def thornton_restitution(v_ratio: float) -> float:
    """Normal coefficient of restitution e(V_i/V_y) of Thornton (1997); 1 below yield (§2.2)."""
    if v_ratio <= 1.0:
        return 1.0
    x_m = max_overlap_ratio(v_ratio)
    return math.sqrt((6.0 - v_ratio**-2) / (5.0 * math.sqrt(x_m)))


def max_overlap_ratio(v_ratio: float) -> float:
    """δ_max/δ_y reached in an impact at V_i/V_y (§2.2; (V_i/V_y)^{4/5} below yield)."""
    if v_ratio <= 1.0:
        return v_ratio**0.8
    return 1.0 / 3.0 + 2.0 / (3.0 * math.sqrt(5.0)) * math.sqrt(6.0 * v_ratio**2 - 1.0)


def unloading_state(x: float) -> tuple[float, float, float]:
    """(F_m/F_y, δ_p/δ_y, R_p/R*) after loading to δ_max = x δ_y, x ≥ 1 (§1.4)."""
    return (3.0 * x - 1.0) / 2.0, x - (3.0 * x - 1.0) / (2.0 * math.sqrt(x)), 2.0 * x**1.5 / (3.0 * x - 1.0)


def impact_overlap(p_y: float | None, e_star: float, r_star: float, m_star: float, v: float) -> float:
    """δ_max (m) of a head-on impact at relative normal speed v (m/s): Thornton–Ning (§2.2, δ_max = x_m δ_y)
    with limiting pressure ``p_y`` (Pa), Hertz (§6) when ``p_y`` is None. At high speed δ_max/R* ≈
    2v/√(3 p_y/ρ) for a sphere on a flat: the sphere passes a wall (δ = 2R) near v = √(3 p_y/ρ)."""
    if p_y is None:
        return hertz_impact(m_star, r_star, e_star, v).max_overlap
    d_y = yield_state(p_y, e_star, r_star)[1]
    return max_overlap_ratio(v / yield_velocity(p_y, e_star, r_star, m_star)) * d_y
