"""The contact models mfdem knows, and the per-contact vectors laid out from what they declare.

Each normal, tangential and rolling law is one module (spec.py says what it declares); adding one is one
line here. From the declarations this module derives the pair-parameter vector (``PAIR``, one entry per
coefficient of any registered law, filled by ``pair_table``) and the contact-history vector (``HISTORY``:
scalars, then the 3-vectors that turn with the contact frame, then flags), so that the engine reads slots by
name and never by number. The config's ``contact.normal_model`` choices and per-pair coefficients, and the
``mfdem impact`` options, come from here too.
"""

import numpy as np

from mfdem.engine.contact import (hertz, hysteretic_linear, rolling_constant_torque, rolling_epsd, rolling_none,
                                  tangential, thornton_ning)
from mfdem.engine.contact.spec import Coefficient, Layout, Slot
from mfdem.engine.materials import effective_modulus
from mfdem.validation import InputError

NORMAL = (thornton_ning, hertz, hysteretic_linear)
TANGENTIAL = (tangential,)
ROLLING = (rolling_none, rolling_epsd, rolling_constant_torque)

EVENT_SPEED = 0.01   # m/s, default stress-event speed (docs/hdf5.md "Stress events")
# what law.py itself keeps for every contact: the effective modulus every normal law takes, the stress-event
# threshold, and the previous step's overlap, normal force and stored energy (energy bookkeeping)
CORE_COEFFICIENTS = (
    Coefficient("e_star", "Pa", 0, None, derived=True, doc="effective Young's modulus E* (physics.md §0)"),
    Coefficient("event_speed", "m/s", 0, None, default=EVENT_SPEED,
                doc="approach speed from which a loading onset is a stress event"),
)
CORE_HISTORY = (Slot("delta_prev"), Slot("force_prev"), Slot("energy_prev"))
SUBMODELS = NORMAL + TANGENTIAL + ROLLING

PAIR = Layout(Slot(c.name) for c in CORE_COEFFICIENTS + tuple(c for m in SUBMODELS for c in m.COEFFICIENTS))
HISTORY = Layout(s for group in ("state", "vector", "flag")
                 for s in tuple(s for m in NORMAL for s in m.HISTORY) + CORE_HISTORY
                 + tuple(s for m in TANGENTIAL + ROLLING for s in m.HISTORY) if s.group == group)
VECTOR_SLOTS = tuple(HISTORY[s.name] for s in HISTORY.slots if s.group == "vector")
COEFFICIENTS = {c.name: c for c in CORE_COEFFICIENTS + tuple(c for m in SUBMODELS for c in m.COEFFICIENTS)}


def names(kind: str) -> list:
    return [m.NAME for m in _models(kind)]


def _models(kind: str) -> tuple:
    return {"normal": NORMAL, "tangential": TANGENTIAL, "rolling": ROLLING}[kind]


def model_id(kind: str, name: str, field: str = None) -> int:
    """The index that selects law ``name`` of ``kind`` in the compiled kernels."""
    for k, m in enumerate(_models(kind)):
        if m.NAME == name:
            return k
    raise InputError(f"{field or kind + '_model'} = {name!r}: must be one of {', '.join(names(kind))}")


def model(kind: str, name: str):
    return _models(kind)[model_id(kind, name)]


def user_coefficients(kind: str = "normal") -> list:
    """The coefficients a user gives (not derived from the materials) of every registered law of ``kind``,
    one each by name."""
    out = {}
    for m in _models(kind):
        for c in m.COEFFICIENTS:
            if not c.derived:
                out.setdefault(c.name, c)
    return list(out.values())


def own_coefficients(normal_model: str) -> dict:
    """``{name: Coefficient}`` that normal law ``normal_model`` takes from the user."""
    return {c.name: c for c in model("normal", normal_model).COEFFICIENTS if not c.derived}


def default_normal_model(yields: bool) -> str:
    """The normal law when none is chosen (``auto``): Thornton–Ning for a particle that yields, else Hertz."""
    return "thornton_ning" if yields else "hertz"


def given_coefficients(normal_model: str, values: dict) -> dict:
    """``values`` (name → value) checked by name against the user coefficients of ``normal_model``."""
    own = own_coefficients(normal_model)
    for name in values or {}:
        if name not in own:
            raise InputError(f"coefficients: {name!r} is not a coefficient of normal_model = {normal_model!r}"
                             + (f"; it has {', '.join(own)}" if own else "; it has none"))
    return dict(values or {})


def resolved_coefficients(normal_model: str, values: dict) -> dict:
    """Every user coefficient of ``normal_model``: the one given in ``values`` or its default, checked."""
    given = given_coefficients(normal_model, values)
    return {name: c.check(given.get(name, c.default)) for name, c in own_coefficients(normal_model).items()}


def history_indices(law) -> tuple:
    """Indices of ``law``'s history slots in HISTORY (one unused index for a law without history, so that
    every law takes a vector)."""
    idx = tuple(HISTORY[s.name] + k for s in law.HISTORY for k in range(s.width))
    return idx or (0,)


def coefficient_indices(law) -> tuple:
    """Indices of ``law``'s coefficients in PAIR (one unused index for a law without coefficients)."""
    return tuple(PAIR[c.name] for c in law.COEFFICIENTS) or (0,)


def pair_table(materials: list, values: dict) -> np.ndarray:
    """(M, M, PAIR.size) pair parameters: derived coefficients from the materials (each law's
    ``pair_values``), the others from ``values`` (name → (M, M) matrix, see Coefficient.matrix) or their
    default."""
    m = len(materials)
    unknown = set(values) - set(COEFFICIENTS)
    if unknown:
        raise InputError(f"contact coefficients {', '.join(sorted(unknown))}: not a coefficient of any contact "
                         f"law; known: {', '.join(c.name for c in COEFFICIENTS.values() if not c.derived)}")
    out = np.zeros((m, m, PAIR.size))
    for name, c in COEFFICIENTS.items():
        if not c.derived:
            out[:, :, PAIR[name]] = c.matrix(values.get(name, c.default), m)
    for i, a in enumerate(materials):
        for j, b in enumerate(materials):
            e_star = effective_modulus(a, b)
            out[i, j, PAIR["e_star"]] = e_star
            for law in SUBMODELS:
                if hasattr(law, "pair_values"):
                    for name, v in law.pair_values(a, b, e_star).items():
                        out[i, j, PAIR[name]] = v
    return out
