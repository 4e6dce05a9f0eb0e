"""What a fit may vary: the parameters (each the config keys it sets, its scale, range and unit), their
bounds from the command line or a fit file, and the config overrides a parameter set makes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mfdem.config import warn_deprecated
from mfdem.validation import InputError

# name: (config keys it sets, log scale by default, allowed range (lo, hi, lo_open), unit)
PARAMETERS = {
    "youngs_modulus": ((("particles", "youngs_modulus"),), True, (0.0, None, True), "Pa"),
    "yield_ratio": ((("particles", "yield_ratio"),), True, (0.0, 1.0, True), "-"),
    "yield_pressure": ((("particles", "yield_pressure"),), True, (0.0, None, True), "Pa"),
    "friction_particle": ((("contact", "friction_particle"),), False, (0.0, None, False), "-"),
    "friction_wall": ((("contact", "friction_wall"),), False, (0.0, None, False), "-"),
    "friction": ((("contact", "friction_particle"), ("contact", "friction_wall")), False, (0.0, None, False), "-"),
    "rolling_friction_particle": ((("contact", "rolling_friction_particle"),), False, (0.0, None, False), "-"),
    "rolling_friction_wall": ((("contact", "rolling_friction_wall"),), False, (0.0, None, False), "-"),
    "rolling_friction": ((("contact", "rolling_friction_particle"), ("contact", "rolling_friction_wall")), False,
                         (0.0, None, False), "-"),
}
# Old parameter names, accepted (with a warning, same meaning) in this version only: old -> new
OLD_PARAMETERS = {"sliding_friction": "friction"}


def parameter_spec(name: str) -> tuple:
    """``PARAMETERS[name]``, also for an old name; an unknown name is an InputError listing the allowed ones."""
    spec = PARAMETERS.get(OLD_PARAMETERS.get(name, name))
    if spec is None:
        raise InputError(f"unknown parameter {name!r}; allowed: {', '.join(PARAMETERS)}")
    return spec


@dataclass
class Parameter:
    name: str
    lo: float
    hi: float
    log: bool = None

    def __post_init__(self):
        try:
            keys, log_default, (a, b, a_open), unit = parameter_spec(self.name)
        except InputError as exc:
            raise InputError(f"search space: {exc}") from None
        if self.name in OLD_PARAMETERS:   # kept as given: the evaluation files of a fit are named by it
            warn_deprecated(f"fit parameter {self.name} is now {OLD_PARAMETERS[self.name]} (the same: "
                            "contact.friction_particle and contact.friction_wall together)")
        if self.log is None:
            self.log = log_default
        for label, v in (("lower", self.lo), ("upper", self.hi)):
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                raise InputError(f"search space: {self.name} {label} bound {v!r} must be a finite number ({unit})")
        rng = f"{'(' if a_open else '['}{a:g}, {'inf' if b is None else f'{b:g}'}]"
        if (self.lo <= a if a_open else self.lo < a) or (b is not None and self.hi > b):
            raise InputError(f"search space: {self.name} bounds [{self.lo:g}, {self.hi:g}] must lie in {rng} {unit}")
        if not self.hi > self.lo:
            raise InputError(f"search space: {self.name} needs lower < upper (got {self.lo:g}, {self.hi:g})")
        if self.log and self.lo <= 0:
            raise InputError(f"search space: {self.name} on a log scale needs a lower bound > 0")

    def to_unit(self, v: float) -> float:
        if self.log:
            return (math.log(v) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
        return (v - self.lo) / (self.hi - self.lo)

    def from_unit(self, u: float) -> float:
        u = min(max(float(u), 0.0), 1.0)
        if self.log:
            return float(math.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo))))
        return float(self.lo + u * (self.hi - self.lo))


def parse_parameter(text: str) -> Parameter:
    """``name=lo:hi`` or ``name=lo:hi:log`` / ``:lin``."""
    name, sep, rest = text.partition("=")
    parts = rest.split(":")
    if not sep or len(parts) not in (2, 3):
        raise InputError(f"--param {text!r}: write NAME=LOWER:UPPER[:log|lin], e.g. yield_ratio=0.01:0.2")
    try:
        lo, hi = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(f"--param {text!r}: bounds must be numbers") from None
    log = None
    if len(parts) == 3:
        if parts[2] not in ("log", "lin"):
            raise InputError(f"--param {text!r}: the scale must be 'log' or 'lin'")
        log = parts[2] == "log"
    return Parameter(name.strip(), lo, hi, log)


@dataclass
class SearchSpace:
    parameters: list

    def __post_init__(self):
        if not self.parameters:
            raise InputError("search space is empty: give at least one parameter to fit, e.g. "
                             "--param yield_ratio=0.01:0.2 (allowed: " + ", ".join(PARAMETERS) + ")")
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise InputError(f"search space: each parameter once (got {', '.join(names)})")
        keys = [k for p in self.parameters for k in parameter_spec(p.name)[0]]
        if len(set(keys)) != len(keys):
            raise InputError(f"search space: {', '.join(names)} set the same config key twice (e.g. friction already "
                             "sets friction_particle and friction_wall)")
        if {"yield_ratio", "yield_pressure"} <= set(names):
            raise InputError("search space: fit yield_ratio or yield_pressure, not both")

    @property
    def dim(self) -> int:
        return len(self.parameters)

    @property
    def names(self) -> list:
        return [p.name for p in self.parameters]

    def to_unit(self, values: dict) -> np.ndarray:
        return np.array([p.to_unit(values[p.name]) for p in self.parameters])

    def from_unit(self, u) -> dict:
        return {p.name: p.from_unit(x) for p, x in zip(self.parameters, u)}

    def overrides(self, values: dict) -> dict:
        return overrides_for(values)


def overrides_for(values: dict) -> dict:
    """Config overrides ``{section: {key: value}}`` for parameter values ``{name: value}``."""
    out: dict = {}
    for name, v in values.items():
        for section, key in parameter_spec(name)[0]:
            out.setdefault(section, {})[key] = float(v)
    if "yield_pressure" in values:
        out.setdefault("particles", {})["yield_ratio"] = 0.0
    if "yield_ratio" in values:
        out.setdefault("particles", {})["yield_pressure"] = 0.0
    return out
