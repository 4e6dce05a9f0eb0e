"""Time-step advice: Rayleigh time and Hertz contact time (physics.md §6).

Thornton–Ning unloading is stiffer than loading (it takes 0.43–0.50 of the Hertz contact time), so the
contact time at the largest expected impact speed governs in fast flows; ≥ 20 steps per Hertz contact keeps
the restitution error ≤ 0.13 %, ≥ 50 steps ≤ 0.02 % (physics.md §2.3).
"""

import math
import warnings
from dataclasses import dataclass

from mfdem import theory
from mfdem.engine.contact import registry
from mfdem.engine.materials import Material, effective_modulus
from mfdem.validation import check_range


class TimeStepWarning(UserWarning):
    """The chosen time step resolves a contact with fewer steps than its normal law needs (the law's
    ``STEPS_PER_CONTACT``: below it the restitution is off by more than 1 %)."""


@dataclass(frozen=True)
class TimeStepAdvice:
    rayleigh_time: float          # s, smallest particle
    contact_time: float           # s, of the normal law, particle–particle at impact_speed
    wall_contact_time: float      # s, of the normal law, particle–wall at impact_speed
    impact_speed: float           # m/s
    steps_per_contact: float      # of the chosen dt (shorter of the two contact times)
    dt: float                     # s, the chosen or recommended step

    def summary(self) -> str:
        return (f"dt = {self.dt:.3e} s: Rayleigh time {self.rayleigh_time:.3e} s, contact time at "
                f"{self.impact_speed:g} m/s {min(self.contact_time, self.wall_contact_time):.3e} s "
                f"({self.steps_per_contact:.1f} steps per contact)")


def advise(radius: float, particle: Material, impact_speed: float, wall: Material = None, dt: float = None,
           steps_per_contact: float = 50.0, warn: bool = True, normal_model: str = "hertz",
           coefficients: tuple = ({}, {})) -> TimeStepAdvice:
    """Rayleigh and contact times for spheres of ``radius`` (m) hitting each other and ``wall`` at
    ``impact_speed`` (m/s, relative normal speed), the contact time that of ``normal_model`` (Hertz for
    thornton_ning and hertz) with its ``coefficients`` particle–particle and particle–wall. Without ``dt`` the
    step giving ``steps_per_contact`` is recommended; with ``dt`` a TimeStepWarning is issued when it gives
    fewer steps per contact than the law's ``STEPS_PER_CONTACT``."""
    radius = check_range("radius", radius, 0, None, lo_open=True, unit="m")
    impact_speed = check_range("impact_speed", impact_speed, 0, None, lo_open=True, unit="m/s")
    wall = wall or particle
    mass = particle.density * 4.0 / 3.0 * math.pi * radius**3
    law = registry.model("normal", normal_model)
    t_pp = law.contact_time(mass / 2, radius / 2, effective_modulus(particle, particle), impact_speed, coefficients[0])
    t_pw = law.contact_time(mass, radius, effective_modulus(particle, wall), impact_speed, coefficients[1])
    t_r = theory.rayleigh_time(radius, particle.density, particle.youngs_modulus, particle.poisson_ratio)
    t_c = min(t_pp, t_pw)
    if dt is None:
        dt = t_c / steps_per_contact
    else:
        dt = check_range("dt", dt, 0, None, lo_open=True, unit="s")
    advice = TimeStepAdvice(t_r, t_pp, t_pw, impact_speed, t_c / dt, dt)
    if warn and advice.steps_per_contact < law.STEPS_PER_CONTACT:
        warnings.warn(f"{advice.summary()}: fewer than {law.STEPS_PER_CONTACT} steps per contact; impacts at "
                      f"{impact_speed:g} m/s are under-resolved (restitution error up to several %)", TimeStepWarning,
                      stacklevel=2)
    return advice
