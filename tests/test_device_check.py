"""The device check (benchmarks/device_check.sh) runs end to end on the CPU in its quick sizes."""

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def probe_wheel(folder: Path) -> None:
    """A minimal wheel (one module) in ``folder``, for the check's install from wheels without a network."""
    folder.mkdir()
    info = "device_probe-1.0.dist-info"
    files = {"device_probe.py": "",
             f"{info}/METADATA": "Metadata-Version: 2.1\nName: device-probe\nVersion: 1.0\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    with zipfile.ZipFile(folder / "device_probe-1.0-py3-none-any.whl", "w") as whl:
        for name, text in files.items():
            whl.writestr(name, text)
        whl.writestr(f"{info}/RECORD", "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"]))


def test_device_check_runs_on_cpu(tmp_path):
    out = tmp_path / "check"
    probe_wheel(tmp_path / "wheels")
    r = subprocess.run(["bash", str(ROOT / "benchmarks" / "device_check.sh"), "--arch", "cpu", "--quick",
                        "--wheels", str(tmp_path / "wheels"), "--out", str(out)], capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[ ok ] install" in r.stdout            # the wheel, on the path instead of a pip install of mfdem
    assert "[ ok ] engine_tests" in r.stdout and "passed" in (out / "engine_tests.log").read_text()
    for name in ("bench1_f64", "bench1_f32", "bench2"):
        result = json.loads((out / f"{name}.json").read_text())
        assert result["arch"] == "cpu" and result["particle_steps_per_second"] > 0
        assert 100 < result["array_bytes_per_particle"] < 100_000
        assert result["breakdown"]["ns_per_particle_step"]["pair_contacts"] > 0
        assert 0 < result["breakdown"]["empty_step_us"] < 1e5          # µs: a launch, not a step's work
        assert f"{name}: " in r.stdout
    assert json.loads((out / "bench1_f32.json").read_text())["precision"] == "f32"
    bench2 = json.loads((out / "bench2.json").read_text())     # BENCH-1 interleaved with its window
    assert bench2["bench1_particles"] == 10_000 and len(bench2["cost_ratio_per_slice"]) == 4
    assert bench2["cost_ratio_to_bench1"] == pytest.approx(bench2["bench1_particle_steps_per_second"]
                                                           / bench2["particle_steps_per_second"])
    assert bench2["precision"] == "f64"
    # the paper case with the fill's particle-steps (7-8 % of them) charged at BENCH-1's rate
    fill_ps, paper_ps = bench2["paper_case_fill_particle_steps"], bench2["paper_case_particle_steps"]
    assert 0.05 < fill_ps / paper_ps < 0.1
    assert bench2["projected_hours_paper_case_fill_at_bench1"] * 3600 == pytest.approx(
        fill_ps / bench2["bench1_particle_steps_per_second"]
        + (paper_ps - fill_ps) / bench2["particle_steps_per_second"])
    # the step before a build every particle is within the trigger, and one is close to it
    moved = bench2["rebuild_displacements"]
    assert 0 <= moved["median"] <= moved["p90"] <= moved["p99"] <= moved["p99_9"] <= moved["max"] <= 1.0
    assert moved["max"] > 0.5 and moved["steps_between_builds"] >= 1
    assert r.stdout.count("an empty step launch") == 3
    assert "kernels that failed to compile or launch: none" in r.stdout
    assert "device check passed" in r.stdout


def test_device_check_refuses_unknown_options(tmp_path):
    for args, message in ((["--arch", "tpu"], "--arch must be cuda or cpu"),
                          (["--jobs", "0"], "--jobs must be a whole number"),
                          (["--wheels", str(tmp_path)], "holds no .whl files")):
        r = subprocess.run(["bash", str(ROOT / "benchmarks" / "device_check.sh"), *args], capture_output=True,
                           text=True)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
