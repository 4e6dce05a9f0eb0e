"""GranuDrum twin on a small case (~540 particles of 2 mm in a 40 mm drum, periodic 7.5 mm slice, 8 rad/s)."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from mfdem.calibration import simulate_drum
from mfdem.calibration.cli import calibrate
from mfdem.engine.materials import InputError


def test_frictionless_spheres_flatten(drum_case, capsys):
    """No friction anywhere (particles and drum wall): the drum cannot lift the bed, the surface is level
    (within the ±2° scatter of the surface of a bed only 20 particles across). Its progress reaches stderr."""
    setup, cfg = drum_case({"contact": {"friction_particle": 0.0, "friction_wall": 0.0}})
    r = simulate_drum(setup, cfg, progress=True)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("drum twin, ") and "(100.0 %), snapshot 30 of 30, ETA 0:00:00" in last
    assert abs(r.flowing_angle_deg) < 5.0
    assert np.isfinite(r.cohesive_index)


def test_raising_friction_raises_the_angle(drum_case, tmp_path):
    angles = []
    for mu in (0.05, 0.4):
        setup, cfg = drum_case({"contact": {"friction_particle": mu}})
        r = simulate_drum(setup, cfg)
        angles.append(r.flowing_angle_deg)
        assert r.n_particles > 400
        assert r.max_overlap_ratio < 0.3
    assert angles[0] > 5.0
    assert angles[1] > angles[0] + 8.0, angles
    fig = r.plot(tmp_path / "drum.png")
    assert isinstance(fig, Figure) and (tmp_path / "drum.png").stat().st_size > 1000


def test_cli_prints_angle_and_cohesive_index(tmp_path):
    res = CliRunner().invoke(calibrate, [
        "drum", "--charge-mass", "5.45e-3", "--rpm", str(8.0 * 60 / (2 * np.pi)), "--drum-diameter", "0.04",
        "--drum-width", "0.0075", "--slice-fraction", "1", "--particle-diameter", "2e-3", "--size-spread", "0.1",
        "--friction-particle", "0.3", "--friction-wall", "0.5", "--rolling-friction", "0", "--rolling-model", "none",
        "--youngs-modulus", "1e8", "--yield-ratio", "0.1", "--drum-youngs-modulus", "1e6", "--spinup", "0.25",
        "--duration", "0.35", "--snapshots", "30", "--chord-fraction", "0.5", "--arch", "cpu",
        "--out", str(tmp_path / "d"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert 10 < out["flowing_angle_deg"] < 50
    assert out["cohesive_index"] > 0
    assert (tmp_path / "d" / "drum.png").exists() and (tmp_path / "d" / "drum.json").exists()   # --out: a folder
    # the profile CSV holds the surface the angle was fitted on: refitting its chord rows gives the angle
    lines = [ln for ln in Path(out["profile_csv"]).read_text().splitlines() if not ln.startswith("#")]
    rows = [r for r in csv.DictReader(lines) if r["in_chord"] == "1"]
    slope = np.polyfit([float(r["x_m"]) for r in rows], [float(r["height_m"]) for r in rows], 1)[0]
    assert np.degrees(np.arctan(slope)) == pytest.approx(out["flowing_angle_deg"], abs=1e-6)


def test_bad_drum_input(drum_case):
    setup, cfg = drum_case(slice_fraction=0.5)     # 3.75 mm slice < 3.3 particle diameters
    with pytest.raises(InputError, match="slice_fraction"):
        simulate_drum(setup, cfg)
    with pytest.raises(InputError, match="fill_mass"):
        simulate_drum(*drum_case(fill_mass=0.05))
    res = CliRunner().invoke(calibrate, ["drum", "--rpm", "-3"])
    assert res.exit_code != 0 and "rpm" in res.output
