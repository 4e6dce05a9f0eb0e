"""`mfdem impact` prints the documented JSON object; bad options give clear errors."""

import json

from click.testing import CliRunner

from mfdem import theory
from mfdem.cli import main

ARGS = ["impact", "--radius", "1.5e-4", "--density", "2417", "--youngs-modulus", "5e7", "--poisson-ratio", "0.3",
        "--yield-ratio", "0.01"]


def test_json_output_has_the_documented_keys_and_values():
    res = CliRunner().invoke(main, ARGS + ["--velocity", "0.0027", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    for key in ("restitution", "tangential_restitution", "max_overlap", "contact_time", "dissipated_work",
                "yield_velocity", "angular_velocity_after"):
        assert key in out
    assert out["yield_velocity"] > 0
    ratio = 0.0027 / out["yield_velocity"]
    assert abs(out["restitution"] - theory.thornton_restitution(ratio)) < 1e-3
    assert out["tangential_restitution"] is None           # normal impact: undefined, not NaN
    assert out["angular_velocity_after"] == 0.0


def test_oblique_sphere_sphere_table():
    res = CliRunner().invoke(main, ARGS + ["--velocity", "1", "--angle", "40", "--target", "sphere",
                                           "--friction", "0.3"])
    assert res.exit_code == 0, res.output
    assert "normal restitution" in res.output and "Thornton 1997" in res.output


def test_errors_name_the_option():
    res = CliRunner().invoke(main, ARGS + ["--velocity", "-2"])
    assert res.exit_code == 1 and "velocity" in res.output
    res = CliRunner().invoke(main, ARGS + ["--velocity", "1", "--yield-pressure", "1e6"])
    assert res.exit_code == 2 and "not both" in res.output


def test_every_option_documents_units():
    res = CliRunner().invoke(main, ["impact", "--help"])
    for fragment in ("m (e.g.", "kg/m^3", "Pa", "m/s", "degrees", "Time steps per Hertz contact"):
        assert fragment in res.output
