"""Taichi's kernel cache: it keeps working after a process was killed while holding its lock (backend.CACHE_LOCK),
and it is large enough to keep the suite's kernels (backend.CACHE_SIZE_BYTES)."""

import os
import subprocess
import sys
import time

import pytest
import taichi as ti

from mfdem.engine import backend

COMPILE_ONE_KERNEL = """
import taichi as ti
from mfdem.engine import backend
backend.init("cpu")
x = ti.field(ti.f64, 4)

@ti.kernel
def fill():
    for i in x:
        x[i] = i * 0.5

fill()
print(ti.lang.impl.current_cfg().offline_cache_max_size_of_files, x[3])
"""


def _lock(cache_dir, age_seconds):
    lock = cache_dir / backend.CACHE_LOCK
    lock.touch()
    then = time.time() - age_seconds
    os.utime(lock, (then, then))
    return lock


def test_only_a_stale_lock_is_removed(tmp_path):
    assert not backend.clear_stale_cache_lock(str(tmp_path))              # no lock
    fresh = _lock(tmp_path, 1.0)                                           # a live process's
    assert not backend.clear_stale_cache_lock(str(tmp_path))
    assert fresh.exists()
    stale = _lock(tmp_path, backend.STALE_LOCK_SECONDS + 60.0)
    with pytest.warns(UserWarning, match="removed a stale Taichi cache lock"):
        assert backend.clear_stale_cache_lock(str(tmp_path))
    assert not stale.exists()


def test_a_stale_lock_no_longer_stops_the_cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    _lock(cache, 3600.0)                 # left by a process killed an hour ago
    script = tmp_path / "compile_one_kernel.py"       # Taichi reads a kernel's source from its file
    script.write_text(COMPILE_ONE_KERNEL)
    env = {**os.environ, backend.CACHE_PATH_ENV: str(cache), backend.CACHE_SIZE_ENV: "300000000"}
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[-2:] == ["300000000", "1.5"]     # Taichi's own setting of the cache's size wins
    assert "removed a stale Taichi cache lock" in r.stderr
    assert not (cache / backend.CACHE_LOCK).exists()
    assert list(cache.glob("*.tic")), sorted(p.name for p in cache.iterdir())   # the kernel was cached


def test_the_cache_holds_more_than_taichis_default():
    expected = int(os.environ.get(backend.CACHE_SIZE_ENV) or backend.CACHE_SIZE_BYTES)   # conftest.py's init
    assert ti.lang.impl.current_cfg().offline_cache_max_size_of_files == expected
    assert backend.CACHE_SIZE_BYTES > 100 * 2**20                         # Taichi's default
