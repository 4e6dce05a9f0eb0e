"""benchmarks/vs_liggghts.py: its LIGGGHTS deck is BENCH-1, and without LIGGGHTS it says how to install it."""

import importlib.util
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
