"""Bad input across every command: one line naming the field, file or option, exit 2, no traceback, no file
left behind, and no kernel compiled (Taichi set-up is forbidden while a case runs)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

import mfdem.engine.backend
from mfdem.cli import main
from mfdem.mixer.runner import MixerRun
from tests.small_mixer import small_config


class KernelSetUp(BaseException):
    """Raised if a bad input gets as far as setting up Taichi (not an Exception: nothing may catch it)."""


@pytest.fixture(scope="module")
def files(tmp_path_factory, sector_run):
    """Input files of every kind a user can get wrong."""
    d = tmp_path_factory.mktemp("bad_inputs")
    run, _ = sector_run
    out = {"run": run, "missing": d / "missing.h5", "dir": d}
    (d / "text.h5").write_text("not an HDF5 file\n")
    out["text"] = d / "text.h5"
    (d / "latin1.toml").write_bytes(b"[run]\nrpm = 5000\n# caf\xe9\n")
    out["latin1"] = d / "latin1.toml"
    for name, text in {"badtoml": "[run\nrpm = 1", "section": "[rotor]\nrpm = 1\n", "key": "[run]\nspeed = 1\n",
                       "type": '[run]\nrpm = "fast"\n', "both_yield": "[particles]\nyield_ratio = 0.1\n"
                       "yield_pressure = 1e8\n", "static": "[contact]\nstatic_friction_particle = 0.2\n",
                       "one_stl": '[geometry]\nrotor_stl = "r.stl"\n', "inlets": "[inlets]\nouter_radius = 0.01\n",
                       "blades": "[geometry]\nn_blades = 4\n", "stl_missing": '[geometry]\nrotor_stl = "no.stl"\n'
                       'vessel_stl = "no.stl"\n', "threads": "[run]\nthreads = 100000\n",
                       "gap": "[geometry]\ntip_gap = 1e-5\n", "energy": "[run]\nenergy_tolerance = 0\n",
                       "fit_types": "[targets]\nangle = \"steep\"\n", "fit_section": "[nonsense]\nx = 1\n",
                       "fit_both": "[targets]\nflowing_angle_deg = 30\n[search]\nfriction = [0.1, 0.5]\n"
                       "[drum]\nrpm = 20\nomega = 2.0\n",
                       "fit_rpm": "[targets]\nflowing_angle_deg = 30\n[search]\nfriction = [0.1, 0.5]\n"
                       "[drum]\nrpm = -20\n"}.items():
        (d / f"{name}.toml").write_text(text)
        out[name] = d / f"{name}.toml"
    geometries = Path(__file__).resolve().parents[1] / "mfdem" / "data" / "geometries"
    (d / "mm_stl.toml").write_text(f'[geometry]\nrotor_stl = "{geometries / "rotor.stl"}"\n'
                                   f'vessel_stl = "{geometries / "vessel.stl"}"\nstl_scale = 1000.0\n')
    out["mm_stl"] = d / "mm_stl.toml"
    trunc = d / "truncated.h5"
    data = run.read_bytes()
    trunc.write_bytes(data[: len(data) // 3])
    out["truncated"] = trunc
    corrupt = d / "corrupt.h5"          # one compressed chunk of the last interval and of the first snapshot
    shutil.copy(run, corrupt)
    with h5py.File(corrupt, "r") as f:
        chunks = [f["intervals/dissipated_work"].id.get_chunk_info_by_coord((7, 0)),
                  f["snapshots/position"].id.get_chunk_info_by_coord((0, 0, 0))]
    with open(corrupt, "r+b") as fh:
        for c in chunks:
            fh.seek(c.byte_offset + c.size // 2)
            fh.write(bytes(32))
    out["corrupt"] = corrupt
    other = d / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.zeros(3)
    out["other"] = other
    nockpt = d / "nockpt.h5"      # a run file created but stopped before its first interval
    job = MixerRun.create(small_config(), nockpt)
    job.writer.close("interrupted")
    job.lock.release()
    out["nockpt"] = nockpt
    (d / "curve.csv").write_text("a,b\n1,2\n")
    out["csv"] = d / "curve.csv"
    return out


CASES = [
    # mfdem run: options
    (["run", "--rpm", "-5"], "run.rpm = -5.0: must be in [0, 100000]"),
    (["run", "--rpm", "nan"], "run.rpm = nan: must be a finite number"),
    (["run", "--rpm", "inf"], "must be a finite number"),
    (["run", "--particle-diameter", "1e308"], "particles.diameter = 1e+308: must be in (0, 0.05] m"),
    (["run", "--particle-diameter", "0"], "particles.diameter = 0.0: must be in (0, 0.05] m"),
    (["run", "--charge-mass", "0"], "run.charge_mass = 0.0: must be in (0, inf) kg"),
    (["run", "--charge-mass", "1e3"], "cannot fit in the simulated free volume"),
    (["run", "--charge-mass", "0.001", "--fill-mass", "1"], "give --charge-mass (kg) or the deprecated --fill-mass"),
    (["run", "--duration", "-1"], "run.duration = -1.0"),
    (["run", "--fill-time", "0"], "run.fill_time = 0.0"),
    (["run", "--dt", "-1e-7"], "run.dt = -1e-07"),
    (["run", "--output-interval", "0"], "run.output_interval = 0.0"),
    (["run", "--output-interval", "10"], "run.output_interval = 10.0 s is longer than the run"),
    (["run", "--snapshot-every", "0"], "run.snapshot_every = 0"),
    (["run", "--seed", "-1"], "run.seed = -1"),
    (["run", "--overlap-limit", "3"], "run.overlap_limit = 3.0: must be in (0, 2] R"),
    (["run", "--rpm", "abc"], "'abc' is not a valid float"),
    (["run", "--arch", "tpu"], "'tpu' is not one of"),
    (["run", "--particle-diameter", "0.002"], "blade-tip gap of 1 mm holds 0.50 particle diameters"),
    # mfdem run: config files
    (["run", "--config", "{missing}"], "No such file or directory"),
    (["run", "--config", "{latin1}"], "not UTF-8 text"),
    (["run", "--config", "{badtoml}"], "not valid TOML"),
    (["run", "--config", "{section}"], "unknown section [rotor]"),
    (["run", "--config", "{key}"], "unknown key run.speed"),
    (["run", "--config", "{type}"], "run.rpm = 'fast': must be a finite number"),
    (["run", "--config", "{both_yield}"], "give yield_ratio or yield_pressure, not both"),
    (["run", "--config", "{static}"], "contact.static_friction_particle = 0.2"),
    (["run", "--config", "{one_stl}"], "give both rotor_stl and vessel_stl"),
    (["run", "--config", "{inlets}"], "inlets.outer_radius = 0.01 m must exceed inlets.inner_radius"),
    (["run", "--config", "{blades}"], "geometry.n_blades = 4"),
    (["run", "--config", "{stl_missing}"], "no.stl"),
    (["run", "--config", "{threads}"], "run.threads = 100000: must be in [0,"),
    (["run", "--config", "{gap}"], "geometry.tip_gap ≥ 0.3 mm"),
    (["run", "--config", "{energy}"], "run.energy_tolerance = 0"),
    (["run", "--config", "{mm_stl}"], "is the STL in millimetres? Set geometry.stl_scale = 0.001"),
    (["run", "--particle-diameter", "2e-5", "--rpm", "1000"], "the insertion lattice would hold"),
    # mfdem run: output, resume, fill
    (["run", "--out", "/proc/x.h5"], "run file /proc/x.h5: cannot write in /proc"),
    (["run", "--out", "{dir}/no/such/x.h5"], "no such folder"),
    (["run", "--out", "{dir}/" + "a" * 300 + ".h5"], "is too long for this file system"),
    (["run", "--out", "{run}"], "exists; choose another --out"),
    (["run", "--resume", "{missing}"], "no such file"),
    (["run", "--resume", "{text}"], "not an HDF5 file"),
    (["run", "--resume", "{other}"], "not an mfdem run file"),
    (["run", "--resume", "{nockpt}"], "no checkpoint yet"),
    (["run", "--resume", "{run}", "--rpm", "5000"], "cannot be combined with --rpm"),
    (["run", "--from-fill", "{missing}"], "no such file"),
    (["run", "--from-fill", "{nockpt}"], "holds no filled state"),
    (["run", "--from-fill", "{run}", "--particle-diameter", "0.0007"], "particles.diameter = 0.0007"),
    (["run", "--from-fill", "{run}", "--preset", "quick"], "cannot be combined with --preset"),
    # mfdem impact
    (["impact", "--velocity", "-1"], "velocity = -1.0: must be in (0,"),
    (["impact", "--velocity", "1e6"], "below the particle's sound speed"),
    (["impact", "--velocity", "inf"], "velocity = inf: must be a finite number in (0, inf) m/s"),
    (["impact", "--velocity", "10", "--radius", "0"], "radius = 0.0: must be in (0, 1.0] m"),
    (["impact", "--velocity", "10", "--angle", "95"], "angle = 95.0: must be in [0, 90) deg"),
    (["impact", "--velocity", "10", "--yield-ratio", "0.1", "--yield-pressure", "1e8"], "not both"),
    (["impact", "--velocity", "10", "--config", "{latin1}"], "not UTF-8 text"),
    # mfdem analyze
    (["analyze", "{missing}"], "missing.h5: no such file"),
    (["analyze", "{text}"], "not an HDF5 file"),
    (["analyze", "{other}"], "not an mfdem run file"),
    (["analyze", "{truncated}"], "truncated.h5"),
    (["analyze", "{corrupt}", "--steady-from", "0.004"], "dataset intervals/dissipated_work is damaged"),
    (["export-vtk", "{corrupt}", "--out", "{dir}/vtk"], "dataset snapshots/position is damaged"),
    (["analyze", "{run}", "--steady-from", "nan"], "steady_from must be a finite time"),
    (["analyze", "{run}", "--steady-from", "1"], "empty analysis window"),
    (["analyze", "{run}", "--sg-span", "-3"], "x>=1"),
    (["analyze", "{run}", "--plots", "/proc/plots"], "--plots /proc/plots: cannot write in /proc"),
    (["analyze", "{run}", "--measured-power", "{csv}", "--idle-power", "1", "--batch-mass", "1"], "power"),
    # mfdem calibrate and sweep
    (["calibrate", "compaction", "--powder-mass", "0"], "--powder-mass = 0.0: must be in (0, inf) kg"),
    (["calibrate", "compaction", "--powder-mass", "1e-3", "--mass", "1"], "or the deprecated --mass (g), not both"),
    (["calibrate", "compaction", "--die-diameter", "0.0005"], "die_diameter = 0.0005 m: must be ≥ 4 particle"),
    (["calibrate", "compaction", "--out", "/proc/c"], "--out /proc/c: cannot write in /proc"),
    (["calibrate", "compaction", "--config", "{latin1}"], "not UTF-8 text"),
    (["calibrate", "drum", "--rpm", "0"], "rpm"),
    (["calibrate", "drum", "--out", "/proc/d"], "--out /proc/d: cannot write in /proc"),
    (["calibrate", "drum", "--charge-mass", "-1"], "--charge-mass = -1.0: must be in [0, inf) kg"),
    (["calibrate", "drum", "--friction", "0.3", "--friction-wall", "0.2"],
     "--friction and --friction-wall both set contact.friction_wall"),
    (["calibrate", "drum", "--sliding-friction", "0.3", "--friction-particle", "0.2"], "not both"),
    (["calibrate", "drum", "--yield-ratio", "0.1", "--yield-pressure", "1e8"], "not both"),
    (["calibrate", "fit", "--setup", "{fit_both}"], "[drum]: give rpm or the old omega, not both"),
    (["calibrate", "fit", "--setup", "{fit_rpm}"], "[drum] rpm = -20: must be in (0, inf) rev/min"),
    (["calibrate", "fit", "--setup", "{missing}"], "No such file or directory"),
    (["calibrate", "fit", "--setup", "{latin1}"], "not UTF-8 text"),
    (["calibrate", "fit", "--setup", "{fit_types}"], "angle"),
    (["calibrate", "fit", "--setup", "{fit_section}"], "nonsense"),
    (["calibrate", "fit", "--budget", "0"], "x>=1"),
    (["calibrate", "fit", "--curve", "{csv}", "--out", "/proc/f"], "--out /proc/f: cannot write in /proc"),
    (["sweep", "--rpm", "a,b"], "give numbers separated by commas"),
    (["sweep", "--rpm", "1000", "--config", "{latin1}"], "not UTF-8 text"),
    (["sweep", "--rpm", "1000", "--out", "/proc/s"], "--out /proc/s: cannot write in /proc"),
    # playback, export, repair
    (["play", "{missing}", "--screenshot", "{dir}/s.png"], "no such file"),
    (["play", "{text}", "--screenshot", "{dir}/s.png"], "not an HDF5 file"),
    (["play", "{run}", "--screenshot", "{dir}/s.png", "--cmap", "no_such_map"], "no_such_map"),
    (["play", "{run}", "--screenshot", "{dir}/s.avi"], "unsupported format '.avi'"),
    (["play", "{run}", "--screenshot", "/proc/s.png"], "--screenshot /proc/s.png: cannot write in /proc"),
    (["export-vtk", "{missing}", "--out", "{dir}/vtk"], "no such file"),
    (["export-vtk", "{run}", "--out", "{dir}/vtk", "--frames", "a:b"], "must be integers"),
    (["export-vtk", "{run}", "--out", "/proc/vtk"], "--out /proc/vtk: cannot write in /proc"),
    (["export-vtk", "{run}", "{dir}/vtk", "--out", "{dir}/vtk"], "give the output folder once"),
    (["play", "{run}", "--json"], "--json reports the files of --screenshot and --movie"),
    (["repair", "{missing}"], "no such file"),
    (["repair", "{text}", "--json"], "not an HDF5 file"),
    (["repair", "{text}"], "not an HDF5 file"),
    (["repair", "{truncated}"], "truncated"),
    (["repair", "{corrupt}"], "damaged beyond repair: intervals/dissipated_work, snapshots/position cannot be read"),
]


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_input_is_one_line_and_exit_2(args, message, files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # outputs with default names land here
    args = [a.format(**files) for a in args]
    before = sorted(p.name for p in files["dir"].iterdir())

    def no_kernels(*a, **k):
        raise KernelSetUp("a bad input reached the Taichi set-up")
    monkeypatch.setattr(mfdem.engine.backend, "init", no_kernels)
    res = CliRunner().invoke(main, args)
    assert isinstance(res.exception, SystemExit) and "Traceback" not in res.output, res.output
    assert res.exit_code == 2, res.output
    assert message in res.output, res.output
    assert len([line for line in res.output.splitlines() if line.strip()]) <= 3   # usage errors add a hint
    assert sorted(p.name for p in files["dir"].iterdir()) == before
    assert list(tmp_path.iterdir()) == []


def test_cuda_without_a_cuda_device_is_bad_input(tmp_path):
    """In a fresh process (this one already runs Taichi on the CPU), with every CUDA device hidden."""
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    r = subprocess.run([sys.executable, "-m", "mfdem.cli", "run", "--preset", "quick", "--arch", "cuda",
                        "--out", str(tmp_path / "cuda.h5")], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "no CUDA device is available; use --arch cpu or auto" in r.stderr
    assert not (tmp_path / "cuda.h5").exists()


def test_a_bad_fast_compile_setting_is_bad_input(tmp_path):
    env = {**os.environ, "MFDEM_FAST_COMPILE": "yes"}
    r = subprocess.run([sys.executable, "-m", "mfdem.cli", "run", "--preset", "quick", "--out",
                        str(tmp_path / "run.h5")], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "MFDEM_FAST_COMPILE = 'yes': must be 0 (Taichi's default) or 1 (fast compilation)" in r.stderr
    assert not (tmp_path / "run.h5").exists()
