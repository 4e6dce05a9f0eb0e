"""Bad input raises InputError naming the field and range, before any kernel compiles."""

import numpy as np
import pytest

from mfdem.engine import simulation as simulation_module
from mfdem.engine.materials import InputError, Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.scenarios.impact import simulate_impact

GOOD = dict(materials=[Material(1e8, 0.3, 2417.0, yield_ratio=0.01)], domain=Domain((0, 0, 0), (1e-2, 1e-2, 1e-2)),
            capacity=10, max_radius=1.5e-4, dt=1e-7)


@pytest.fixture
def no_kernels(monkeypatch):
    """Any attempt to initialise the backend or write into fields fails the test."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a kernel or the backend was touched before validation finished")
    monkeypatch.setattr(simulation_module.backend, "init", forbidden)
    monkeypatch.setattr(simulation_module, "_set_rows", forbidden)


@pytest.mark.parametrize("change, field", [
    (dict(materials=[Material(-1e8, 0.3, 2417.0)]), "youngs_modulus"),
    (dict(materials=[Material(1e8, 0.6, 2417.0)]), "poisson_ratio"),
    (dict(materials=[Material(1e8, 0.3, 2417.0, yield_ratio=0.0)]), "yield_ratio"),
    (dict(materials=[Material(1e8, 0.3, 2417.0, yield_ratio=-0.01)]), "yield_ratio"),
    (dict(materials=[Material(1e8, 0.3, 2417.0, yield_pressure=-1.0)]), "yield_pressure"),
    (dict(dt=0.0), "dt"),
    (dict(dt=-1e-7), "dt"),
    (dict(max_radius=-1.5e-4), "max_radius"),
    (dict(capacity=0), "capacity"),
    (dict(domain=Domain((0, 0, 0), (-1, 1, 1))), "domain"),
    (dict(domain=Domain((0, 0, 0), (5e-4, 1, 1), periodic=(True, False, False))), "domain length along x"),
    (dict(friction=-0.1), "friction"),
    (dict(normal_model="hooke"), "normal_model"),
    (dict(rolling_model="type_b"), "rolling_model"),
    (dict(gravity=(0, 0, float("nan"))), "gravity"),
])
def test_bad_simulation_settings(no_kernels, change, field):
    with pytest.raises(InputError, match=field):
        Simulation(**{**GOOD, **change})


def test_bad_particles_are_rejected_before_any_write(monkeypatch):
    sim = Simulation(**GOOD, arch="auto")

    def forbidden(*args, **kwargs):
        raise AssertionError("written before validation")
    monkeypatch.setattr(simulation_module, "_set_rows", forbidden)
    inside = np.array([[5e-3, 5e-3, 5e-3]])
    with pytest.raises(InputError, match="radius"):
        sim.add_particles(inside, -1e-4)
    with pytest.raises(InputError, match="max_radius"):
        sim.add_particles(inside, 2e-4)
    with pytest.raises(InputError, match="outside the domain"):
        sim.add_particles(np.array([[5e-3, 5e-3, 2e-2]]), 1e-4)
    with pytest.raises(InputError, match="capacity"):
        sim.add_particles(np.full((11, 3), 5e-3), 1e-4)
    with pytest.raises(InputError, match="material"):
        sim.add_particles(inside, 1e-4, material=3)
    with pytest.raises(InputError, match="positions"):
        sim.add_particles(np.array([5e-3, 5e-3]), 1e-4)
    with pytest.raises(InputError, match="n_steps"):
        sim.step(-1)


@pytest.mark.parametrize("change, field", [
    (dict(radius=-1.0), "radius"), (dict(velocity=0.0), "velocity"), (dict(angle=90.0), "angle"),
    (dict(yield_ratio=0.0), "yield_ratio"), (dict(youngs_modulus=0.0), "youngs_modulus"),
    (dict(density=-5.0), "density"), (dict(target="plane"), "target"), (dict(steps_per_contact=2), "steps_per_contact"),
])
def test_bad_impact_parameters(no_kernels, change, field):
    args = dict(radius=1.5e-4, density=2417.0, youngs_modulus=1e8, poisson_ratio=0.3, yield_ratio=0.01, velocity=1.0)
    with pytest.raises(InputError, match=field):
        simulate_impact(**{**args, **change})
