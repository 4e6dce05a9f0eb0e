"""A small mixer case for the tests: a few hundred stiff 0.8 mm particles in the sector at 3000 rpm."""

from mfdem.config import make_config

# 0.8 mm, stiff, strongly plastic particles: a few hundred fill the sector and the rotor impacts stay small
SMALL = {"particles": {"diameter": 0.8e-3, "youngs_modulus": 1e9, "yield_ratio": 0.1},
         "run": {"rpm": 3000.0, "charge_mass": 2e-4, "fill_time": 0.002, "duration": 0.006, "rotor_ramp_time": 0.001,
                 "output_interval": 0.001, "timeseries_every": 100, "arch": "cpu", "threads": 2},
         "inlets": {"insert_interval": 0.0005}}


def small_config(**changes):
    """The small case with ``changes`` ({section: {key: value}}) applied."""
    overrides = {section: dict(values) for section, values in SMALL.items()}
    for section, values in changes.items():
        overrides.setdefault(section, {}).update(values)
    return make_config(overrides=overrides)
