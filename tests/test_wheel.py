"""The built wheel is complete: every module, the default meshes, the example calibration and the LICENSE, and
an install of it finds them in the installed package (not in a checkout)."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import json, sys
from pathlib import Path
import mfdem
from mfdem.cli import main
from mfdem.calibration.compaction import read_curve_csv
from mfdem.calibration.fitting import load_fit_file
from mfdem.examples import data_path
assert Path(mfdem.__file__).parent == Path(sys.argv[1]) / "mfdem", mfdem.__file__
assert data_path("geometries", "rotor.stl").is_file()
out = Path(sys.argv[2])
try:
    main(["examples", str(out), "--json"])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
spec = load_fit_file(out / "calibration" / "example_fit.toml")
curve = read_curve_csv(Path(spec["_dir"]) / spec["targets"]["curve"])
base = Path(spec["_dir"]) / spec["config"]["base"]
print(json.dumps({"points": len(curve.displacement), "base": base.is_file(),
                  "stl": (out / "geometries" / "vessel_sector72.stl").stat().st_size}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    (path,) = out.glob("mfdem-*.whl")
    return path


def test_the_wheel_holds_every_module_the_data_and_the_license(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "mfdem").rglob("*.py")}
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "mfdem" / "data").rglob("*") if p.is_file()}
    assert modules - names == set()
    assert data and data - names == set()
    assert {"mfdem/data/calibration/example_fit.toml", "mfdem/data/geometries/rotor.stl"} <= data
    dist = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert any(n.startswith(dist) and n.endswith("/LICENSE") for n in names)
    meta = zipfile.ZipFile(wheel).read(f"{dist}/METADATA").decode()
    assert "MIT" in meta and "Requires-Python: >=3.11" in meta
    assert "mfdem = mfdem.cli:main" in zipfile.ZipFile(wheel).read(f"{dist}/entry_points.txt").decode()


def test_an_installed_wheel_finds_its_examples_outside_a_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    env = {**os.environ, "PYTHONPATH": str(site)}
    r = subprocess.run([sys.executable, "-c", CHECK, str(site), str(tmp_path / "ex")], capture_output=True,
                       text=True, timeout=300, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.strip().splitlines()
    copied = json.loads(lines[0])
    assert len(copied["files"]) == len(list((ROOT / "mfdem" / "data").rglob("*.*")))
    found = json.loads(lines[-1])
    assert found["points"] > 10 and found["base"] and found["stl"] > 1_000
