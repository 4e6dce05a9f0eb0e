"""A small mixer case for the tests: a few hundred stiff 0.8 mm particles in the sector at 3000 rpm."""

from mfdem.config import make_config
from mfdem.engine import backend

# 0.8 mm, stiff, strongly plastic particles: a few hundred fill the sector and the rotor impacts stay small
SMALL = {"particles": {"diameter": 0.8e-3, "youngs_modulus": 1e9, "yield_ratio": 0.1},
         "run": {"rpm": 3000.0, "charge_mass": 2e-4, "fill_time": 0.002, "duration": 0.006, "rotor_ramp_time": 0.001,
                 "output_interval": 0.001, "timeseries_every": 100, "threads": 2},
         "inlets": {"insert_interval": 0.0005}}


def small_config(**changes):
    """The small case with ``changes`` ({section: {key: value}}) applied, on the tests' backend (the CPU unless
    the device check runs them on a GPU)."""
    overrides = {section: dict(values) for section, values in SMALL.items()}
    overrides["run"]["arch"] = backend.current().get("arch", "cpu")
    for section, values in changes.items():
        overrides.setdefault(section, {}).update(values)
    return make_config(overrides=overrides)
