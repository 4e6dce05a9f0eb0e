"""A tiny `mfdem run` followed by `mfdem analyze --json` (issue: analysis end to end)."""

import json
import math

import pytest
from click.testing import CliRunner

from mfdem.cli import main
from mfdem.io import open_run


def test_analyze_a_real_run(sector_run):
    path, _ = sector_run
    steady_from = 0.005   # s: the rotor starts at 0.002 s and spins up within 1 ms; the run ends at 0.008 s
    res = CliRunner().invoke(main, ["analyze", str(path), "--json", "--steady-from", str(steady_from)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)   # warnings go to stderr
    for key in ("rpm", "SI_CG", "SF_CG", "SN_p", "E_m_sim", "specific_power_sim", "steady_from"):
        assert math.isfinite(out[key]) and out[key] > 0, key
    assert out["rpm"] == 3000.0 and out["steady_from"] == pytest.approx(steady_from)
    assert out["E_m_sim"] == pytest.approx(out["SI_CG"] * out["SN_p"], rel=1e-12)
    # energy balance over the window: rotor work = dissipated work + the change of the stored energies
    with open_run(path) as run:
        t = run.timeseries("time")
        stored = run.timeseries("kinetic_energy") + run.timeseries("elastic_energy") \
            + run.timeseries("potential_energy")
        k0 = int((abs(t - steady_from)).argmin())
        change = stored[-1] - stored[k0]
        mass = out["m_total"]
        span = t[-1] - t[k0]
    rotor = out["specific_power_sim"] * mass * span
    dissipated = out["dissipated_specific_power"] * mass * span
    assert rotor - dissipated == pytest.approx(change, abs=0.01 * rotor)
