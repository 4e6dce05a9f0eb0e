"""Spatial sorting (engine/spatial_sort.py), checked by spatial_sort_cases.py in a process of its own: Taichi
holds at most 512 field trees per process, each Simulation takes 7 and the whole suite in one process comes
close to that limit, so these six extra Simulations run apart."""

import os
import subprocess
import sys
from pathlib import Path


def test_spatial_sort_cases_pass_in_their_own_process():
    cases = Path(__file__).with_name("spatial_sort_cases.py")
    root = Path(__file__).parents[2]
    path = os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])    # the device check's wheels too
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(cases)], cwd=root,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path})
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    assert "3 passed" in out.stdout
