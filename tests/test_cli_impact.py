"""`mfdem impact` prints the documented JSON object; bad options give clear errors."""

import json

import pytest
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
    assert res.exit_code == 2 and "velocity" in res.output
    res = CliRunner().invoke(main, ARGS + ["--velocity", "1", "--yield-pressure", "1e6"])
    assert res.exit_code == 2 and "not both" in res.output


def test_every_option_documents_units():
    res = CliRunner().invoke(main, ["impact", "--help"])
    for fragment in ("m (e.g.", "kg/m^3", "Pa", "m/s", "degrees", "Time steps per Hertz contact"):
        assert fragment in res.output


def test_defaults_are_the_runs_particle_and_steel_wall():
    """The default particle keeps a 40 m/s head-on hit on steel below 0.3 R (docs/default_material.md)."""
    res = CliRunner().invoke(main, ["impact", "--velocity", "40", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["max_overlap_ratio"] <= 0.3 and out["pass_through"] is False
    assert out["restitution"] == pytest.approx(out["restitution_theory"], abs=1e-3)
    assert out["yield_velocity"] <= 0.1


def test_pass_through_is_a_result_not_a_traceback():
    soft = ["impact", "--youngs-modulus", "1e8", "--yield-ratio", "0.0103", "--velocity", "40"]
    res = CliRunner().invoke(main, soft + ["--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["pass_through"] is True and out["restitution"] is None
    assert out["pass_through_speed"] == pytest.approx(29.9, abs=0.1)
    res = CliRunner().invoke(main, soft + ["--target", "sphere"])
    assert res.exit_code == 0 and "pressed through its partner" in res.output and "29.9 m/s" in res.output
