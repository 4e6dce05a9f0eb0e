"""Shared test set-up: one Taichi CPU backend in f64 for the whole session."""

import pytest

from mfdem.engine import backend


@pytest.fixture(scope="session", autouse=True)
def taichi_cpu_f64():
    backend.init("cpu", "f64", threads=2)
