"""Checking user input: the one error class every command reports as a bad-input line (exit 2) and its
counterpart for a failure at run time (exit 1), the range
check that names the field, its allowed range and its unit, and settings (dataclass fields that carry their
unit, range and meaning: the run config and the mixer geometry). Nothing here imports the rest of mfdem."""

import math
from dataclasses import field


class InputError(ValueError):
    """Bad user input, raised before any kernel compiles; the message names the field and the range."""


class RunFailure(RuntimeError):
    """Work that ran but could not finish (a guard stopped a run, a twin missed its target, tasks could not
    run); the message says what happened and where the data are."""


def check_range(name: str, value, lo=None, hi=None, *, lo_open=False, hi_open=False, unit: str = "") -> float:
    """Return ``float(value)`` or raise InputError naming ``name`` and the allowed range."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} = {value!r}: must be a number") from None
    bad = not math.isfinite(v)
    if lo is not None:
        bad |= v <= lo if lo_open else v < lo
    if hi is not None:
        bad |= v >= hi if hi_open else v > hi
    if bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open or hi is None else "]"
        rng = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
        what = "must be in" if math.isfinite(v) else "must be a finite number in"
        raise InputError(f"{name} = {value!r}: {what} {rng}{' ' + unit if unit else ''}")
    return v


def setting(default, unit: str = "", lo=None, hi=None, *, lo_open=False, hi_open=False, choices=None, doc: str = ""):
    """A dataclass field carrying its unit, allowed range or choices, and a one-line meaning (checked by
    ``check_setting``)."""
    return field(default=default, metadata=dict(unit=unit, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open,
                                                choices=choices, doc=doc))


def check_setting(key: str, value, f):
    """``value`` of the ``setting`` field ``f`` checked against its type (from the default), choices and range;
    returns it (a whole float given for an integer as int) or raises InputError naming ``key``."""
    md = f.metadata
    if md.get("choices"):
        if value not in md["choices"]:
            raise InputError(f"{key} = {value!r}: must be one of {', '.join(md['choices'])}")
        return value
    if isinstance(f.default, bool):
        if not isinstance(value, bool):
            raise InputError(f"{key} = {value!r}: must be true or false")
        return value
    if isinstance(f.default, str):
        if not isinstance(value, str):
            raise InputError(f"{key} = {value!r}: must be a string")
        return value
    if isinstance(f.default, int) and not (isinstance(value, int) and not isinstance(value, bool)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(f"{key} = {value!r}: must be an integer")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{key} = {value!r}: must be a finite number ({md['unit']})")
    check_range(key, value, md.get("lo"), md.get("hi"), lo_open=md["lo_open"], hi_open=md["hi_open"], unit=md["unit"])
    return value
