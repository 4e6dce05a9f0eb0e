"""benchmarks/paper_case.py on a tiny configuration: one fill, two speeds from it, one JSON object per speed
and the exponent."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.small_mixer import small_config

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "paper_case.py"


def test_the_paper_case_script_fills_once_and_reports_each_speed_against_the_paper(tmp_path):
    config = tmp_path / "small.toml"
    config.write_text(small_config().to_toml())
    out = tmp_path / "runs"
    r = subprocess.run([sys.executable, str(SCRIPT), "--config", str(config), "--rpm", "2500,3000",
                        "--rotor-time", "0.003", "--fill-time", "0.002", "--output-interval", "0.001",
                        "--threads", "2", "--out-dir", str(out), "--json", "--quiet"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 3
    speeds, summary = lines[:2], lines[2]
    assert [s["rpm"] for s in speeds] == [2500.0, 3000.0]
    assert speeds[0]["paper_SI_CG"] == 0.033 and speeds[0]["paper_source"] == "paper"
    assert speeds[1]["paper_SI_CG"] == pytest.approx(1.41e-8 * 3000 ** 1.88) and speeds[1]["paper_source"] == \
        "paper fit"
    for s in speeds:
        assert s["status"] == "complete"
        assert s["SI_CG"] > 0 and s["SF_CG"] > 0 and s["specific_power"] > 0
        assert s["ratio_to_paper"] == pytest.approx(s["SI_CG"] / s["paper_SI_CG"])
        assert 0 < s["max_overlap_ratio"] < 0.5
        assert s["SN_p_5min"] < s["SN_p_30min"] < s["SN_p_60min"]
        assert s["SN_p_60min"] == pytest.approx(12 * s["SN_p_5min"])
        assert s["cg_factor"] == pytest.approx(0.8e-3 / 3.3e-6)
        assert -1 < s["charge_spin_ratio"] < 1
    assert summary["exponent_k"] is not None and summary["paper_k"] == 1.88 and summary["wall_time_s"] > 0
    # one fill, and both speeds started from it
    assert sorted(p.name for p in out.glob("*.h5")) == ["d800um_n2500.h5", "d800um_n3000.h5", "fill_d800um.h5"]
    assert "fill:" in r.stderr
