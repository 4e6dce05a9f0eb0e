"""What a contact submodel declares: its coefficients (per contact pair) and its history slots.

A submodel (a normal, tangential or rolling law) is one module holding ``NAME``, ``KIND``, ``COEFFICIENTS``,
``HISTORY`` and its Taichi function; ``registry.py`` collects them and lays out the pair-parameter and
history vectors the engine stores per contact (the LAMMPS ``pair granular`` submodel idea).
"""

import math
from dataclasses import dataclass

import numpy as np

from mfdem.validation import InputError, check_range

MIXING = {   # the value of a pair of unlike partners from the partners' own values
    "min": lambda a, b: min(a, b),
    "max": lambda a, b: max(a, b),
    "arithmetic": lambda a, b: 0.5 * (a + b),
    "geometric": lambda a, b: math.sqrt(a * b),
    "harmonic": lambda a, b: 0.0 if a == 0 or b == 0 else 2.0 * a * b / (a + b),
}


@dataclass(frozen=True)
class Coefficient:
    """A pair parameter of a submodel: name, unit, allowed range, value when not given, mixing rule for
    partners given per material, and one line of meaning. ``derived``: computed from the materials by the
    submodel's ``pair_values`` (not given by the user)."""

    name: str
    unit: str
    lo: float
    hi: float = None
    default: float = 0.0
    mixing: str = "min"
    doc: str = ""
    lo_open: bool = False
    hi_open: bool = False
    derived: bool = False

    def check(self, value) -> float:
        return check_range(self.name, value, self.lo, self.hi, lo_open=self.lo_open,
                           hi_open=self.hi_open, unit=self.unit)

    def matrix(self, value, m: int) -> np.ndarray:
        """(m, m) pair values from one number, one value per material (mixed by ``mixing``) or a matrix."""
        a = np.asarray(value, dtype=float)
        if a.ndim == 0:
            a = np.full((m, m), float(a))
        elif a.shape == (m,):
            a = np.array([[MIXING[self.mixing](x, y) for y in a] for x in a])
        elif a.shape != (m, m):
            raise InputError(f"{self.name}: give one number, {m} values (one per material) or a {m}×{m} "
                             "matrix")
        for v in a.ravel():
            self.check(v)
        return a


@dataclass(frozen=True)
class Slot:
    """A named part of the contact history: ``width`` numbers; ``group`` orders the vector: "state"
    (scalars), "vector" (3-vectors that turn with the contact frame and change sign with the pair's order)
    and "flag"."""

    name: str
    width: int = 1
    group: str = "state"


class Layout:
    """Named slots packed one after the other into a vector; ``layout["name"]`` is a slot's first index."""

    def __init__(self, slots):
        self.slots, self.offset, n = [], {}, 0
        for s in slots:
            if s.name in self.offset:
                continue           # declared by several submodels (a shared slot): one copy
            self.slots.append(s)
            self.offset[s.name] = n
            n += s.width
        self.size = n

    def __getitem__(self, name: str) -> int:
        return self.offset[name]
