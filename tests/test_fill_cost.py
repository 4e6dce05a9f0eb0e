"""benchmarks/fill_cost.py on the tests' small mixer: it times the fill's and the rotor's intervals of one run
and separates the fixed cost per step from the cost per particle-step."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.small_mixer import small_config

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "fill_cost.py"


def _run(config, rotor_time):
    return subprocess.run([sys.executable, str(SCRIPT), "--config", str(config), "--particle-diameter", "0.8e-3",
                           "--fill-time", "0.002", "--rotor-time", str(rotor_time), "--output-interval", "0.001",
                           "--json"], capture_output=True, text=True, timeout=600, check=False)


def test_fill_cost_times_both_phases_of_one_run(tmp_path):
    config = tmp_path / "small.toml"
    config.write_text(small_config().to_toml())     # the rotor spins up over 1 ms
    r = _run(config, 0.0015)                        # no whole interval after the spin-up: refused before running
    assert r.returncode == 2 and "--rotor-time" in r.stderr and "at least 0.002 s" in r.stderr, r.stderr[-3000:]
    r = _run(config, 0.002)
    assert r.returncode == 0, r.stderr[-3000:]
    result = json.loads(r.stdout.splitlines()[-1])
    rows = result["intervals"]
    assert [row["phase"] for row in rows] == ["fill", "fill", "mixing", "mixing"]
    assert [row["start_s"] for row in rows] == pytest.approx([0, 0.001, 0.002, 0.003], abs=1e-9)
    assert [row["end_s"] for row in rows] == pytest.approx([0.001, 0.002, 0.003, 0.004], abs=1e-9)
    assert rows[0]["particles"] < rows[1]["particles"] == rows[-1]["particles"] == result["particles"]
    assert rows[2]["dt"] <= rows[0]["dt"]                       # the rotor phase steps no longer than the fill
    for row in rows:
        # particle-steps: the particles present at each step, never more than the final charge each step
        assert 0 < row["particle_steps"] <= row["steps"] * result["particles"]
        assert row["wall_s"] > 0 and row["builds"] >= 1
    # net of the fixed cost of a step (a kernel launch: micro- to milliseconds), the phases' wall times
    fixed = result["fixed_s_per_step"]
    assert 1e-6 < fixed < 1e-2
    for phase, spun in (("fill", rows[:2]), ("mixing", rows[3:])):     # the mixing from the end of the spin-up
        assert result[f"{phase}_s_per_particle_step"] == pytest.approx(
            sum(row["wall_s"] - fixed * row["steps"] for row in spun) / sum(row["particle_steps"] for row in spun))
    assert result["fill_to_mixing"] == pytest.approx(result["fill_s_per_particle_step"]
                                                     / result["mixing_s_per_particle_step"])
    # the paper case (0.1 s fill, 0.4 s rotor): the fill carries about half the charge at a 1.53× longer step
    assert 0.05 < result["paper_case_fill_share"] < 0.10
    assert result["paper_case_projection_change"] == pytest.approx(
        -result["paper_case_fill_share"] * (1 - result["fill_to_mixing"]))
