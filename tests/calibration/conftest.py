"""Small calibration cases (a few hundred particles, seconds each) and one shared local Dask cluster.

The twins' physics does not depend on size: these cases use 1–2 mm particles, small dies and drums and a
soft drum modulus so that every run takes a few seconds on two CPU cores.
"""

import pytest

from mfdem.calibration import CompactionSetup, DrumSetup
from mfdem.config import make_config

# compaction: ~470 particles of 1 mm in a 10 mm die, 50 N (0.64 MPa); 0.1 m/s is quasi-static here
COMPACTION_MATERIAL = {"particles": {"diameter": 1e-3, "youngs_modulus": 1e8, "yield_ratio": 0.1},
                       "contact": {"friction_particle": 0.3, "friction_wall": 0.3, "rolling_friction_particle": 0.0,
                                   "rolling_friction_wall": 0.0, "rolling_model": "none"},
                       "run": {"arch": "cpu"}}
COMPACTION = dict(mass=0.6e-3, die_diameter=10e-3, target_force=50.0, piston_speed=0.1, fill_overlap=0.1)

# drum: ~540 particles of 2 mm (±10 %) in a 40 mm drum, periodic 7.5 mm slice, 8 rad/s (Froude 0.13)
DRUM_MATERIAL = {"particles": {"diameter": 2e-3, "youngs_modulus": 1e8, "yield_ratio": 0.1},
                 "contact": {"friction_particle": 0.3, "friction_wall": 0.5, "rolling_friction_particle": 0.0,
                             "rolling_friction_wall": 0.0, "rolling_model": "none"},
                 "run": {"arch": "cpu"}}
DRUM = dict(diameter=0.04, width=0.0075, slice_fraction=1.0, omega=8.0, fill_mass=5.45e-3, spinup=0.25,
            duration=0.35, snapshots=30, chord_fraction=0.5, size_spread=0.1, rayleigh_fraction=0.25,
            youngs_modulus=1e6)


def material(base: dict, **changes) -> "Config":  # noqa: F821
    """A config from ``base`` with ``changes`` = {section: {key: value}}."""
    data = {k: dict(v) for k, v in base.items()}
    for section, values in changes.items():
        data.setdefault(section, {}).update(values)
    return make_config(overrides=data)


@pytest.fixture
def compaction_case():
    """(setup, config) of the small compaction case; ``setup`` fields and config sections can be changed."""
    def make(material_changes=None, **setup_changes):
        return CompactionSetup(**{**COMPACTION, **setup_changes}), material(COMPACTION_MATERIAL,
                                                                            **(material_changes or {}))
    return make


@pytest.fixture
def drum_case():
    def make(material_changes=None, **setup_changes):
        return DrumSetup(**{**DRUM, **setup_changes}), material(DRUM_MATERIAL, **(material_changes or {}))
    return make


@pytest.fixture(scope="session")
def dask_client():
    """Two single-threaded worker processes (each initialises its own Taichi backend), shared by the fit
    and sweep tests so their compiled twins are reused."""
    from mfdem.tasks import ClusterSpec
    from mfdem.tasks import dask_client as make_client

    with make_client(ClusterSpec("local", workers=2, threads_per_worker=1)) as client:
        yield client
