"""The mixer's time step: steps per contact at the tip speed, the normal law's own unless the run sets it."""

import pytest

from mfdem.config import make_config
from mfdem.engine.contact import hertz, hysteretic_linear, thornton_ning
from mfdem.mixer import scenario as mixer
from mfdem.validation import InputError


@pytest.mark.parametrize(("model", "law"), [("thornton_ning", thornton_ning), ("hertz", hertz),
                                            ("hysteretic_linear", hysteretic_linear)])
def test_steps_per_contact_are_the_normal_laws_own_unless_given(model, law):
    cfg = make_config(overrides={"contact": {"normal_model": model}})
    assert mixer.steps_per_contact(cfg) == law.STEPS_PER_CONTACT
    given = make_config(overrides={"contact": {"normal_model": model}, "run": {"steps_per_contact": 20}})
    assert mixer.steps_per_contact(given) == 20
    geometry = mixer.build_geometry(cfg)
    assert mixer.time_step(given, geometry) == pytest.approx(
        mixer.time_step(cfg, geometry) * law.STEPS_PER_CONTACT / 20, rel=1e-12)


@pytest.mark.parametrize("value", [1, 4.9])
def test_too_few_steps_per_contact_are_refused(value):
    with pytest.raises(InputError, match=r"run\.steps_per_contact = .*0 \(the normal law's own\) or at least 5"):
        make_config(overrides={"run": {"steps_per_contact": value}})
