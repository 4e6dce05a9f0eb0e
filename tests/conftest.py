"""Shared test set-up: one Taichi backend in f64 for the whole session (the CPU; ``MFDEM_TEST_ARCH=cuda`` runs
the engine tests, which ask for the running backend, on a GPU: benchmarks/device_check.sh), one small mixer
run."""

import os

import pytest

from mfdem.engine import backend

# Taichi's IR optimisation off for the suite and its subprocesses: kernels compile several times faster
# (engine/backend.py); the device check at full sizes sets 0 and compiles as a run does
os.environ.setdefault(backend.FAST_COMPILE_ENV, "1")


@pytest.fixture(scope="session", autouse=True)
def taichi_cpu_f64():
    backend.init(os.environ.get("MFDEM_TEST_ARCH", "cpu"), "f64", threads=2)


@pytest.fixture(scope="session")
def sector_run(tmp_path_factory):
    """A complete small sector run (tests/small_mixer.py): (path, MixerRun)."""
    from mfdem.mixer.runner import MixerRun  # noqa: PLC0415
    from tests.small_mixer import small_config  # noqa: PLC0415

    path = tmp_path_factory.mktemp("runs") / "sector.h5"
    job = MixerRun.create(small_config(), path)
    assert job.run(progress=False) == "complete"
    return path, job
