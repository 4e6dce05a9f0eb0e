"""The device check (benchmarks/device_check.sh) runs end to end on the CPU in its quick sizes."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_device_check_runs_on_cpu(tmp_path):
    out = tmp_path / "check"
    r = subprocess.run(["bash", str(ROOT / "benchmarks" / "device_check.sh"), "--arch", "cpu", "--quick",
                        "--no-install", "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[ ok ] engine_tests" in r.stdout and "passed" in (out / "engine_tests.log").read_text()
    for name in ("bench1_f64", "bench1_f32", "bench2"):
        result = json.loads((out / f"{name}.json").read_text())
        assert result["arch"] == "cpu" and result["particle_steps_per_second"] > 0
        assert 100 < result["array_bytes_per_particle"] < 100_000
        assert f"{name}: " in r.stdout
    assert json.loads((out / "bench1_f32.json").read_text())["precision"] == "f32"
    assert "kernels that failed to compile or launch: none" in r.stdout
    assert "device check passed" in r.stdout


def test_device_check_refuses_unknown_options():
    r = subprocess.run(["bash", str(ROOT / "benchmarks" / "device_check.sh"), "--arch", "tpu"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "--arch must be cuda or cpu" in r.stderr
