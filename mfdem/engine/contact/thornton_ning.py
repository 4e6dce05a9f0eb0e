"""Thornton–Ning elastic–perfectly-plastic normal contact, non-adhesive (physics.md §1.1–1.6).

The force is a function of the current overlap δ and the largest overlap δ_max of this contact only
(§1.5), so δ_max is the whole normal history. Every function returns ``(F, U, a)``: normal force (N),
recoverable elastic energy stored in the contact (J, §1.6) and contact radius (m, used by the tangential
and rolling springs).
"""

import math

import taichi as ti

from mfdem.engine.contact import hertz
from mfdem.engine.contact.spec import Coefficient, Slot
from mfdem.engine.materials import yield_pressure as material_yield_pressure

NAME = "thornton_ning"
KIND = "normal"
DOC = "elastic-perfectly plastic spheres (yield_ratio or yield_pressure of the particle material)"
# both derived from the materials (pair_values); a pair has one or the other (the other 0)
COEFFICIENTS = (
    Coefficient("yield_ratio", "-", 0, 1, derived=True, doc="contact-radius yield ratio a_y/R_i (§1.8)"),
    Coefficient("yield_pressure", "Pa", 0, None, derived=True, doc="limiting contact pressure p_y (§1.2)"),
)
# m, the largest overlap of this contact, the whole normal history (§1.5); while the contact loads, the overlap
# of the step before the previous one (see force)
HISTORY = (Slot("delta_max"),)
# time steps per Hertz contact from which e stays within 1 % wherever in a step the touch falls: 12 for the
# default particle at the 40 m/s tip speed (≤ 0.71 %; benchmarks/timestep_accuracy.py)
STEPS_PER_CONTACT = 12


@ti.func
def yield_radius_ratio(e_star, yield_scale, yield_ratio, yield_pressure):
    """a_y / R* (dimensionless).

    LIGGGHTS yield ratio (§1.8): a_y = yield_ratio · R_i, i.e. a_y/R* = yield_ratio · yield_scale with
    yield_scale = R_i/R* (1 against a wall, 2 between equal spheres — the engine uses 2 for every
    particle pair, which keeps the pair law symmetric). Yield pressure (§1.2): a_y/R* = π p_y / (2E*).
    """
    alpha = 0.0
    if yield_ratio > 0.0:
        alpha = yield_ratio * yield_scale
    else:
        alpha = ti.math.pi * yield_pressure / (2.0 * e_star)
    return alpha


def pair_values(a, b, e_star: float) -> dict:
    """Yield of a pair of materials: the softer partner yields first, so the smaller yield ratio / yield
    pressure is used; a contact-radius yield ratio (LIGGGHTS) takes precedence over p_y when either partner
    gives one, and overlap-ratio definitions are converted to p_y. Neither partner yielding: p_y = inf (Hertz)."""
    ratios = [x.yield_ratio for x in (a, b)
              if x.yield_ratio is not None and x.yield_ratio_definition == "contact_radius"]
    pressures = [material_yield_pressure(x, e_star, 1.0) for x in (a, b)
                 if x.yield_pressure is not None or x.yield_ratio is not None]
    if ratios:
        return {"yield_ratio": min(ratios), "yield_pressure": 0.0}
    return {"yield_ratio": 0.0, "yield_pressure": min(pressures) if pressures else math.inf}


# the Hertz contact time: loading is Hertzian and the unloading branch is shorter (physics.md §6)
contact_time = hertz.contact_time


@ti.func
def force(delta, delta_prev, f_prev, hist, coef, e_star, r_star, yield_scale, sampled):
    """The registry's normal-law call: ``(F, U, a, hist)`` for overlap ``delta`` > 0 (module docstring).

    δ_max is the largest overlap before this step, max(hist[0], δ_prev): while the contact loads, hist[0] holds
    the overlap of the step before δ_prev. Where the overlaps are samples in time (``sampled``), the three
    samples around the first step of unloading place the turning point within its step (``turning_point``).
    """
    alpha = yield_radius_ratio(e_star, yield_scale, coef[0], coef[1])
    F, U, a = 0.0, 0.0, 0.0
    h = hist
    d_max = ti.max(hist[0], delta_prev)
    if delta < d_max:
        if sampled and delta_prev > hist[0] > 0.0:    # the contact began to unload within the last step
            d_max = ti.max(turning_point(hist[0], delta_prev, delta), delta)
        # un/reloading below the largest overlap: the curve's terms come from the history alone, so they
        # need not wait for this step's overlap
        F, U, a = normal_force(delta, d_max, e_star, r_star, alpha)
    else:
        F, U, a = loading_force(delta, e_star, r_star, alpha)
    h[0] = d_max
    return F, U, a, h


@ti.func
def turning_point(d0, d1, d2):
    """δ_max of an impact from the overlaps d0 ≤ d1 > d2 of three successive steps.

    An impact turns from loading to unloading at some point within a step, and the plastic work up to it
    depends on where: taking δ_max = d1 scatters the restitution by up to ±1.5 % at 10 steps per contact
    (benchmarks/timestep_accuracy.py). Near the turn δ(t) is a parabola, δ = P − c(t/Δt − τ)²/2 with
    c = 2d1 − d0 − d2 and its apex at τ = (d2 − d0)/(2c) steps after d1 (|τ| ≤ ½), so the apex lies
    c τ²/2 above d1. Over turns spread evenly within a step that rise averages c/24, and stepping with
    δ_max = d1 is unbiased on that average (the scatter is zero-mean), so δ_max = d1 + c τ²/2 − c/24 would
    remove the scatter and keep the mean. It is not taken below d1, an overlap the contact has been at: a
    contact that jitters in a resting bed would yield again at every turn (the compaction twin's curve moved
    by 6 % with the piston speed instead of 2 %). The rise is capped for paths far from a parabola."""
    c = 2.0 * d1 - d0 - d2                        # > 0
    rise = (d2 - d0) * (d2 - d0) / (8.0 * c)      # c τ²/2
    return d1 + ti.max(ti.min(rise, 0.25 * (d1 - ti.min(d0, d2))) - c / 24.0, 0.0)


@ti.func
def _yield_point(e_star, r_star, alpha):
    """``(δ_y, k_p)``: the yield overlap δ_y = a_y²/R* (§1.2) and the plastic stiffness k_p = 2E* a_y (§1.3)."""
    a_y = alpha * r_star
    return alpha * a_y, 2.0 * e_star * a_y


@ti.func
def _plastic_line(delta_max, d_y, k_p):
    """F_m = F_y + k_p (δ_max − δ_y) with F_y = 4E* a_y³/(3R*) = k_p δ_y · 2/3 (§1.2, §1.3)."""
    return k_p * d_y / 1.5 + k_p * (delta_max - d_y)


@ti.func
def loading_force(delta, e_star, r_star, alpha):
    """``normal_force`` at δ = δ_max: Hertz up to δ_y (§1.1), then the plastic line (§1.3), where
    U = 0.4 F (δ − δ_p) with δ − δ_p = 3F/(4E* a) (§1.4, §1.6)."""
    d_y, k_p = _yield_point(e_star, r_star, alpha)
    F, U, a = 0.0, 0.0, 0.0
    if delta <= d_y:
        F, U, a = hertz.normal_force(delta, e_star, r_star)
    else:
        F = _plastic_line(delta, d_y, k_p)
        a = ti.sqrt(r_star * delta)
        U = 0.3 * F * F / (e_star * a)
    return F, U, a


@ti.func
def normal_force(delta, delta_max, e_star, r_star, alpha):
    """TN force for overlap ``delta`` (> 0) given ``delta_max`` ≥ ``delta`` (already updated) and
    ``alpha`` = a_y/R*.

    Elastic (δ_max ≤ δ_y): Hertz, F = 4/3 E* a δ with a = √(R*δ) (§1.1).
    Yielded: F = F_m ((δ − δ_p)/(δ_max − δ_p))^{3/2} (§1.4, robust form), which is the plastic line
    F_m = F_y + k_p (δ_max − δ_y) (§1.3) at δ = δ_max and the Hertzian un/reloading curve below it.
    """
    d_y, k_p = _yield_point(e_star, r_star, alpha)
    F, U, a = 0.0, 0.0, 0.0
    if delta_max <= d_y:
        F, U, a = hertz.normal_force(delta, e_star, r_star)   # §1.1, §1.6: U = 2/5 F δ
    else:
        f_m = _plastic_line(delta_max, d_y, k_p)
        a_m = ti.sqrt(r_star * delta_max)
        num, den = 3.0 * f_m, 4.0 * e_star * a_m
        inv = 1.0 / (num * den)                               # one division for both ratios below
        dd = num * num * inv                                  # §1.4: δ_max − δ_p = 3F_m/(4E* a_m)
        s = delta - (delta_max - dd)                          # δ − δ_p
        if s > 0.0:
            q = s * den * den * inv                           # (δ − δ_p)/(δ_max − δ_p)
            sq = ti.sqrt(q)
            F = f_m * q * sq
            U = 0.4 * F * s                                   # §1.6
            a = a_m * sq                                      # a = √(R_p (δ − δ_p)), R_p = a_m²/(δ_max − δ_p)
    return F, U, a
