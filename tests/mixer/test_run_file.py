"""The HDF5 run file: documented schema, survival of SIGKILL, exact resume, bad input."""

import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest
import taichi as ti
import trimesh
from click.testing import CliRunner

from mfdem.cli import main
from mfdem.io import open_run
from mfdem.io.repair import clear_write_flags
from mfdem.mixer.runner import MixerRun
from tests.small_mixer import small_config


def test_schema_matches_the_documentation(sector_run):
    path, job = sector_run
    n = job.cfg.n_particles
    with h5py.File(path, "r") as f:
        for name in ("format", "format_version", "mfdem_version", "config", "status", "rpm", "omega", "dt", "fill_dt",
                     "sector_angle_deg", "rotor_axis", "rotor_origin", "gravity", "output_interval", "fill_end_time",
                     "rotor_start_time", "end_time", "n_particles", "python_version", "taichi_version",
                     "numpy_version", "h5py_version"):
            assert name in f.attrs, name
        assert f.attrs["taichi_version"] == ".".join(map(str, ti.__version__))
        assert f.attrs["numpy_version"] == np.__version__ and f.attrs["h5py_version"] == h5py.__version__
        assert f.attrs["status"] == "complete" and f.attrs["sector_angle_deg"] == 72.0
        assert f.attrs["n_particles"] == n
        k = f["intervals/t_end"].shape[0]
        assert k == job.n_intervals == 8
        for name, shape, kind in (("particles/mass", (n,), "f"), ("particles/radius", (n,), "f"),
                                  ("intervals/dissipated_work", (k, n), "f"), ("intervals/collisions", (k, n), "i"),
                                  ("intervals/collisions_wall", (k, n), "i"), ("intervals/t_start", (k,), "f"),
                                  ("intervals/rotor_work", (k,), "f"), ("snapshots/position", (k, n, 3), "f"),
                                  ("snapshots/velocity", (k, n, 3), "f"), ("snapshots/dissipated_power", (k, n), "f"),
                                  ("snapshots/rotor_angle", (k,), "f"), ("snapshots/time", (k,), "f")):
            assert f[name].shape == shape and f[name].dtype.kind == kind, name
            if name.startswith(("intervals/", "snapshots/")):
                assert f[name].chunks is not None
        assert f["intervals/dissipated_work"].compression == "gzip"
        for name in ("time", "rotor_torque", "rotor_power", "kinetic_energy", "dissipated_work_total"):
            assert f[f"timeseries/{name}"].shape[0] > k
        np.testing.assert_allclose(f["intervals/t_end"][...], np.arange(1, k + 1) * 1e-3, rtol=1e-9)
        first = f["snapshots/position"][0]
        inserted_then = f["intervals/n_inserted"][0]
        assert np.all(np.isnan(first[inserted_then:])) and not np.any(np.isnan(first[:inserted_then]))
        assert np.all(f["intervals/dissipated_work"][0, inserted_then:] == 0)
        assert f["geometry/rotor/vertices"].shape[1] == 3 and f["geometry/vessel/faces"].shape[1] == 3
        # collisions include the wall part; dissipated power is the interval's work over its length
        assert np.all(f["intervals/collisions"][...] >= f["intervals/collisions_wall"][...])
        np.testing.assert_allclose(f["snapshots/dissipated_power"][-1],
                                   f["intervals/dissipated_work"][-1] / 1e-3, rtol=1e-5)


def test_killed_run_keeps_its_intervals_and_resumes_exactly(tmp_path, sector_run):
    reference_path, reference = sector_run
    cfg_file = tmp_path / "small.toml"
    cfg_file.write_text(small_config().to_toml())
    out = tmp_path / "killed.h5"
    proc = subprocess.Popen([sys.executable, "-m", "mfdem.cli", "run", "--config", str(cfg_file), "--out", str(out),
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 600
    done = 0
    while done < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if out.exists():
            try:
                with open_run(out) as run:
                    done = run.n_intervals
            except (OSError, ValueError):
                pass
    assert proc.poll() is None, proc.stderr.read().decode()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_run(out) as killed, open_run(reference_path) as full:
        k = killed.n_intervals
        assert 3 <= k < full.n_intervals and killed.status == "running"
        np.testing.assert_array_equal(killed.interval("dissipated_work"), full.interval("dissipated_work", 0, k))
        np.testing.assert_array_equal(killed.interval("collisions"), full.interval("collisions", 0, k))
    clear_write_flags(out)
    with h5py.File(out, "r+") as f:                 # as if written under another numpy
        f.attrs["numpy_version"] = "1.0.0"
    with pytest.warns(UserWarning, match=r"other library versions \(numpy_version 1.0.0 → "):
        job = MixerRun.resume(out)
    assert job.run(progress=False) == "complete"
    with h5py.File(out, "r") as f:                  # repaired and closed: plain h5py opens it
        assert f.attrs["status"] == "complete"
    with open_run(out) as resumed, open_run(reference_path) as full:
        assert resumed.n_intervals == full.n_intervals
        a, _ = resumed.checkpoint()
        b, _ = full.checkpoint()
        np.testing.assert_allclose(a["particles/x"], b["particles/x"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(resumed.interval("dissipated_work"), full.interval("dissipated_work"),
                                   rtol=1e-9, atol=1e-18)


def _run_cli(tmp_path, *args):
    out = tmp_path / "bad.h5"
    res = CliRunner().invoke(main, ["run", "--out", str(out), "--quiet", *args])
    assert res.exit_code != 0
    assert not out.exists(), "a bad input must not leave a file behind"
    return res.output


def test_bad_input_is_refused_before_anything_is_written(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[run]\nrpm = 1000\nspeed_of_light = 3e8\n")
    assert "unknown key run.speed_of_light" in _run_cli(tmp_path, "--config", str(cfg))
    cfg.write_text("[rotor]\nrpm = 1000\n")
    assert "unknown section [rotor]" in _run_cli(tmp_path, "--config", str(cfg))
    assert "run.rpm = -5.0" in _run_cli(tmp_path, "--rpm", "-5")
    assert "cannot fit" in _run_cli(tmp_path, "--charge-mass", "0.5")
    garbage = tmp_path / "rotor.stl"
    garbage.write_bytes(os.urandom(300))
    vessel = tmp_path / "vessel.stl"
    trimesh.creation.cylinder(radius=0.04, height=0.013).export(vessel)
    cfg.write_text(f'[geometry]\nrotor_stl = "{garbage}"\nvessel_stl = "{vessel}"\n')
    assert "rotor.stl" in _run_cli(tmp_path, "--config", str(cfg))
    box = trimesh.creation.box(extents=(0.01, 0.01, 0.01))
    open_box = trimesh.Trimesh(box.vertices, box.faces[:-1])
    open_box.export(garbage)
    assert "watertight" in _run_cli(tmp_path, "--config", str(cfg))
    cfg.write_text("[run\nrpm = 1000\n")
    assert "not valid TOML" in _run_cli(tmp_path, "--config", str(cfg))


def test_a_closed_run_lends_its_engine_to_the_next_run_of_its_layout(tmp_path):
    with MixerRun.create(small_config(run={"duration": 0.001}), tmp_path / "a.h5") as first:
        assert first.run(progress=False) == "complete"
    with pytest.raises(RuntimeError, match="closed"):
        first.sim.step(1)
    # another run of the same layout (particles, box, meshes; engine_pool.py) at another rotor speed
    second = MixerRun.create(small_config(run={"duration": 0.002, "seed": 7, "rpm": 2000.0}), tmp_path / "b.h5")
    assert second.sim.state is first.sim.state            # the same arrays and compiled kernels, cleared
    assert abs(second.sim.meshes.omega[0]) == pytest.approx(2000.0 * 2 * np.pi / 60)   # the rotor at its own speed
    assert second.run(progress=False) == "complete"
    with open_run(tmp_path / "b.h5") as rf:
        assert rf.status == "complete" and rf.n_intervals == 4
    second.close()
    with MixerRun.create(small_config(run={"duration": 0.001}), tmp_path / "c.h5"):
        pass                                              # closed unrun: the file is closed and released
    with open_run(tmp_path / "c.h5") as rf:
        assert rf.status == "interrupted"
    with MixerRun.create(small_config(run={"duration": 0.001}), tmp_path / "c.h5", overwrite=True) as again:
        assert again.run(progress=False) == "complete"
