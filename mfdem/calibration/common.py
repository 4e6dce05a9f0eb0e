"""Pieces shared by the calibration twins: materials from a run config, time steps, reuse of compiled
simulations, particle lattices, settling.

Every twin takes the particle, wall and contact settings from a :class:`mfdem.config.Config` (the
``[particles]``, ``[wall]`` and ``[contact]`` sections of the mixer run config), so a calibrated parameter set
is a config file that ``mfdem run --config`` accepts as it is.
"""

from __future__ import annotations

import math
import warnings
from collections import OrderedDict
from dataclasses import fields, replace

import numpy as np

from mfdem import theory
from mfdem.config import Config, make_config, warn_deprecated
from mfdem.engine.materials import yield_pressure
from mfdem.engine.simulation import Domain, Simulation
from mfdem.scenarios.contact_set import ContactSet, contact_set, simulation_for
from mfdem.validation import InputError, RunFailure, check_range

GRAVITY = 9.81          # m/s², magnitude
PARTICLE, WALL = 0, 1   # material indices in every twin


class CalibrationError(RunFailure):
    """A twin ran but could not deliver its result (for example the target force was never reached)."""


class TargetNotReached(CalibrationError):
    """The piston reached the end of its travel before the target force."""


class OverlapWarning(UserWarning):
    """A twin pressed contacts deeper than ``run.overlap_limit``: its result rests on contacts beyond the
    contact law's small-overlap range, where a mixer run with the same config would stop."""


def check_overlap(twin: str, ratio: float, cfg: Config) -> None:
    """Warn (OverlapWarning) when ``ratio``, a twin's largest overlap over the smaller radius, exceeds the
    config's ``run.overlap_limit``."""
    limit = cfg.run.overlap_limit
    if ratio > limit:
        warnings.warn(f"{twin}: contacts were pressed to {ratio:.2f} R (overlap over the smaller radius), deeper "
                      f"than run.overlap_limit = {limit:g} R, where a mixer run with this config would stop: the "
                      f"result rests on contacts beyond the contact law's small-overlap range (max_overlap_ratio)",
                      OverlapWarning, stacklevel=3)


# ------------------------------------------------------------------------------------------ materials


def base_config(cfg: Config | None) -> Config:
    """``cfg`` or the default mixer config (its material values are the uncalibrated estimates)."""
    return make_config() if cfg is None else cfg


def with_overrides(cfg: Config, overrides: dict) -> Config:
    """A validated copy of ``cfg`` with ``{section: {key: value}}`` applied."""
    data = cfg.to_dict()
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    return make_config(overrides=data)


def rayleigh_step(radius: float, cfg: Config, fraction: float, youngs_modulus: float = None) -> float:
    """``fraction`` × the Rayleigh time of the smallest particle (s)."""
    p = cfg.particles
    e = p.youngs_modulus if youngs_modulus is None else youngs_modulus
    return fraction * theory.rayleigh_time(radius, p.density, e, p.poisson_ratio)


def pair_overlap(force: float, cfg: Config, radius: float, youngs_modulus: float = None) -> float:
    """Overlap (m) at which two equal spheres of ``radius`` carry the normal ``force`` (N) when loaded
    monotonically: Hertz below first yield, then the Thornton–Ning plastic line (physics.md §1)."""
    p = cfg.particles
    e = p.youngs_modulus if youngs_modulus is None else youngs_modulus
    e_star = e / (2.0 * (1.0 - p.poisson_ratio**2))
    r_star = radius / 2.0
    p_y = yield_pressure(contact_set(cfg, e).particle, e_star, 2.0)   # yield_scale 2 between equal spheres
    alpha = math.inf if p_y is None else math.pi * p_y / (2.0 * e_star)   # a_y / R*
    hertz = (3.0 * force / (4.0 * e_star * math.sqrt(r_star))) ** (2.0 / 3.0)
    if not math.isfinite(alpha):
        return hertz
    a_y = alpha * r_star
    d_y = alpha * a_y
    k_p = 2.0 * e_star * a_y
    f_y = k_p * d_y / 1.5
    return hertz if force <= f_y else d_y + (force - f_y) / k_p


# ------------------------------------------------------------------------------------------ geometry


def particle_radii(n: int, diameter: float, spread: float, rng: np.random.Generator) -> np.ndarray:
    """Radii (m): monodisperse, or uniform in d/2 · (1 ± spread)."""
    r = np.full(n, diameter / 2.0)
    if spread > 0:
        r *= 1.0 + spread * rng.uniform(-1.0, 1.0, n)
    return r


def count_for_mass(mass: float, diameter: float, density: float) -> int:
    """Number of particles of ``diameter`` (m) and ``density`` (kg/m³) that weigh ``mass`` (kg)."""
    return int(round(mass / (density * math.pi / 6.0 * diameter**3)))


# ------------------------------------------------------------------------------------------ compiled twins

_RIGS: OrderedDict = OrderedDict()
MAX_RIGS = 4


def rig(key: tuple, build):
    """A compiled Simulation for ``key`` (built by ``build()`` the first time), most recently used last.

    Compiling a Simulation costs seconds; a twin with the same box, particle capacity and models is
    rescaled with ``Simulation.reset`` instead (the pattern of mfdem.scenarios.impact). At most
    ``MAX_RIGS`` are kept per process.
    """
    sim = _RIGS.pop(key, None)
    if sim is None:
        sim = build()
        while len(_RIGS) >= MAX_RIGS:
            _RIGS.popitem(last=False)
    _RIGS[key] = sim
    return sim


def twin_simulation(name: str, cs: ContactSet, cfg: Config, domain: Domain, n: int, r_max: float, dt: float,
                    gravity: tuple, max_walls: int = 3) -> Simulation:
    """The engine of a twin: ``n`` particles of ``cs`` in ``domain``, from the shared rig of its layout (``rig``)
    reset to these materials, this step and this box. The rig keeps the config's rolling law even when a
    point of a fit has no rolling friction (zero coefficients give zero torque), so that such a point does not
    compile a second rig."""
    run = cfg.run
    cs = replace(cs, rolling_model=cfg.contact.rolling_model)
    key = (name, capacity_bucket(n), tuple(np.round(domain.lo, 12)), tuple(np.round(domain.hi, 12)),
           tuple(domain.periodic), round(r_max, 15), cs.normal_model, cs.rolling_model, run.arch, run.precision)
    sim = rig(key, lambda: simulation_for(cfg, cs, domain=domain, capacity=capacity_bucket(n), max_radius=r_max,
                                          dt=dt, gravity=gravity, max_walls=max_walls))
    sim.reset(domain=domain, max_radius=r_max, dt=dt, gravity=gravity, materials=[cs.particle, cs.wall],
              friction=cs.friction, rolling_friction=cs.rolling_friction, static_friction=cs.static_friction,
              coefficients=cs.coefficients)
    return sim


def capacity_bucket(n: int) -> int:
    """Capacity rounded up (to 1/8 of a power of two) so twins of nearly the same size share one compile."""
    if n <= 64:
        return 64
    step = 2 ** max(0, int(math.floor(math.log2(n))) - 3)
    return int(math.ceil(n / step) * step)


# ------------------------------------------------------------------------------------------ settling


def kinetic_energy_per_particle(sim) -> float:
    v = sim.velocities
    return float(0.5 * np.sum(sim.masses * np.sum(v * v, axis=1)) / max(sim.n, 1))


def settle(sim, *, max_time: float, check_every: float, damping_after: float, tolerance: float,
           damping: float = 0.5, progress=None) -> float:
    """Step until the mean kinetic energy per particle falls below ``tolerance`` (J); from ``damping_after``
    (s) on, every check also scales all velocities by ``damping`` (a preparation aid, like pouring into
    a viscous medium: it only shortens the settling of a fill, the measured phase is never damped).

    Returns the settling time (s); the last check is taken on undamped motion, so a bed that is still
    sliding is not reported as settled. ``progress``: a :class:`mfdem.progress.Progress` counting simulated
    seconds of ``max_time``.
    """
    t0 = sim.time
    every = max(1, int(round(check_every / sim.dt)))
    while sim.time - t0 < max_time:
        sim.step(every)
        ke = kinetic_energy_per_particle(sim)
        if progress is not None:
            progress.update_to(sim.time - t0, f"kinetic energy {ke:.3g} J per particle, settled below {tolerance:.3g}")
        if ke < tolerance:
            return sim.time - t0
        if sim.time - t0 >= damping_after:
            sim.set_velocities(sim.velocities * damping, sim.angular_velocities * damping)
    return sim.time - t0


# ------------------------------------------------------------------------------------------ setups


def validate_setup(setup, ranges: dict) -> None:
    """Check every field of a setup dataclass against ``ranges`` = {field: (lo, hi, lo_open, unit)}."""
    cls = type(setup).__name__
    for f in fields(setup):
        if f.name in ranges:
            lo, hi, lo_open, unit = ranges[f.name]
            check_range(f"{cls}.{f.name}", getattr(setup, f.name), lo, hi, lo_open=lo_open, unit=unit)


# Keys of a fit file's [compaction] and [drum] tables named unlike the setup's field, as the command line names
# them (SI units, the drum speed in rev/min): key -> (field, unit). The field's own name is the old spelling.
FILE_KEYS = {"CompactionSetup": {"powder_mass": ("mass", "kg")},
             "DrumSetup": {"charge_mass": ("fill_mass", "kg"), "rpm": ("omega", "rev/min")}}


def setup_from_dict(cls, data: dict, origin: str):
    """A validated setup dataclass from a fit file's table (``origin``: its name in messages). The keys are the
    setup's fields, except those of ``FILE_KEYS``; their old spellings (the field names: ``mass``, ``fill_mass``
    in kg, ``omega`` in rad/s) are accepted with a DeprecatedSetting warning in this version only. Unknown
    keys and values out of range are an InputError naming the key."""

    renamed = FILE_KEYS.get(cls.__name__, {})
    old = {field: key for key, (field, _) in renamed.items()}      # old spelling -> file key
    allowed = sorted({f.name for f in fields(cls)} - set(old) | set(renamed))
    unknown = sorted(set(data) - set(allowed) - set(old))
    if unknown:
        raise InputError(f"{origin}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    values = {}
    for key, value in data.items():
        if key in old:
            new = old[key]
            if new in data:
                raise InputError(f"{origin}: give {new} or the old {key}, not both")
            if key == "omega" and isinstance(value, (int, float)) and not isinstance(value, bool):
                note = f" = {value / theory.angular_speed(1.0):.6g} rev/min (was {value!r} rad/s)"
            else:
                note = f" (the same, {renamed[new][1]})"
            warn_deprecated(f"{origin} {key} is now {new}{note}", stacklevel=3)
            values[key] = value
        elif key == "rpm":
            rpm = check_range(f"{origin} rpm", value, 0, None, lo_open=True, unit="rev/min")
            values["omega"] = theory.angular_speed(rpm)
        else:
            values[renamed[key][0] if key in renamed else key] = value
    try:
        return cls(**values).validate()
    except InputError as exc:    # name the file's key, not the field
        message = str(exc)
        for key, (field, _) in renamed.items():
            message = message.replace(f"{cls.__name__}.{field} = ", f"{origin} {key} = ")
        raise InputError(message) from None
