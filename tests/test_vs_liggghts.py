"""benchmarks/vs_liggghts.py: its LIGGGHTS deck is BENCH-1, and without LIGGGHTS it says how to install it."""

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from mfdem.scenarios import dense_bed

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "vs_liggghts.py"


def _module():
    spec = importlib.util.spec_from_file_location("vs_liggghts", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_deck_places_the_bench1_lattice():
    text = _module().deck(100_000, 1000, "processors 2 1 1")
    spacing = float(re.search(r"lattice sc (\S+) origin 0.5 0.5 0.0", text).group(1))
    x0, x1, y0, y1, z0, z1 = map(float, re.search(r"region bed block (.+) units box", text).group(1).split())
    # LIGGGHTS sites of `lattice sc a origin 0.5 0.5 0`: ((i + ½)a, (j + ½)a, k a) inside the region
    nx = sum(1 for i in range(200) if x0 <= (i + 0.5) * spacing < x1)
    ny = sum(1 for j in range(200) if y0 <= (j + 0.5) * spacing < y1)
    ks = [k for k in range(200) if z0 <= k * spacing < z1]
    sites = np.array([[(i + 0.5) * spacing, (j + 0.5) * spacing, k * spacing]
                      for i in range(nx) for j in range(ny) for k in ks])
    np.testing.assert_allclose(np.unique(sites, axis=0), np.unique(dense_bed.lattice(100_000), axis=0), atol=1e-12)
    assert "processors 2 1 1" in text and "run 1000" in text and "timestep 2e-7" in text
    assert math.isclose(float(re.search(r"diameter (\S+) density 2417", text).group(1)), 2 * dense_bed.RADIUS)
    assert "pair_style gran model thornton_ning tangential history" in text


def test_without_liggghts_it_says_how_to_install_it_and_fails(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}   # neither liggghts nor mpirun on the path
    r = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "apt-get install -y liggghts" in r.stderr


FAKE_LIGGGHTS = """#!{python}
# stands in for LIGGGHTS: reports the deck's runs at a rate that depends on the ranks and the call
import os, re, sys
deck = open(sys.argv[sys.argv.index("-in") + 1]).read()
ranks = int(os.environ.get("FAKE_RANKS", "1"))
split_x = "processors 2 1 1" in deck
log = os.environ["FAKE_LOG"]
calls = sum(1 for line in open(log) if line.startswith("liggghts 2")) if os.path.exists(log) else 0
rate = 1e6 if ranks == 1 else (2e6, 4e6)[calls % 2] if split_x else 1e6   # 2 ranks: 2e6, 4e6, 2e6, ...
with open(log, "a") as f:
    f.write(f"liggghts {{ranks}}\\n")
n = 2500                                                # the bed the test asks for
for steps in re.findall(r"^run (\\d+)", deck, re.M):
    print(f"Loop time of {{2500 * int(steps) / rate}} on {{ranks}} procs for {{steps}} steps with {{n}} atoms")
"""
FAKE_MPIRUN = """#!{python}
import os, sys
args = sys.argv[1:]
ranks = args[args.index("-np") + 1]
os.execvpe(args[args.index("-np") + 2], args[args.index("-np") + 2:], {{**os.environ, "FAKE_RANKS": ranks}})
"""


def test_rounds_take_each_ratio_against_that_rounds_liggghts_best(tmp_path, monkeypatch):
    for name, text in (("liggghts", FAKE_LIGGGHTS), ("mpirun", FAKE_MPIRUN)):
        exe = tmp_path / name
        exe.write_text(text.format(python=sys.executable))
        exe.chmod(0o755)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))
    module = _module()

    def fake_mfdem(n, steps, precision, threads):
        with open(log, "a") as f:
            f.write(f"mfdem {precision}\n")
        rate = {"f64": 3e6, "f32": 5e6}[precision]
        return {"code": "mfdem", "config": f"{precision}, {threads} threads", "precision": precision,
                "particle_steps_per_second": rate}

    monkeypatch.setattr(module, "run_mfdem", fake_mfdem)
    from click.testing import CliRunner

    r = CliRunner().invoke(module.main, ["--particles", "2500", "--steps", "20", "--rounds", "3", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output.strip().splitlines()[-1])
    # the order is reversed every other round
    assert log.read_text().split("\n")[:-1] == ["liggghts 1", "liggghts 2", "mfdem f64", "mfdem f32",
                                                "mfdem f32", "mfdem f64", "liggghts 2", "liggghts 1",
                                                "liggghts 1", "liggghts 2", "mfdem f64", "mfdem f32"]
    # LIGGGHTS-best: 2e6, 4e6, 2e6 on 2 ranks (its 1 rank runs at 1e6)
    f64, f32 = (row for row in result["summary"] if row["code"] == "mfdem")
    np.testing.assert_allclose(f64["ratios"], [1.5, 0.75, 1.5])
    np.testing.assert_allclose(f32["ratios"], [2.5, 1.25, 2.5])
    assert (f64["median_ratio"], f64["min_ratio"], f64["max_ratio"]) == (1.5, 0.75, 1.5)
    assert (f64["target"], f64["rounds_met"], f32["target"], f32["rounds_met"]) == (1.5, 2, 2.5, 2)
    liggghts2 = result["summary"][1]
    assert liggghts2["config"] == "2 ranks, processors 2 1 1"
    np.testing.assert_allclose(liggghts2["particle_steps_per_second"], [2e6, 4e6, 2e6])

    log.unlink()                                   # LIGGGHTS-best 2e6 again
    text = CliRunner().invoke(module.main, ["--particles", "2500", "--steps", "20", "--rounds", "1"]).output
    assert ("mfdem f64, 2 threads: × LIGGGHTS-best median 1.50, range 1.50–1.50; target ≥ 1.5: met in 1 of 1 round"
            in text)
