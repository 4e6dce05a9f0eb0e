"""Taichi initialisation, shared by everything in the process.

Taichi is initialised once per process. Positions are always stored in f64 (coordinates span ~0.1 m while
overlaps are ~10 nm, physics.md §1.8); ``precision`` sets the type of everything else ("f64", the default,
or "f32" where the contact arithmetic runs in single precision on overlaps computed in f64).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings

import taichi as ti

from mfdem.validation import InputError

ARCHS = ("auto", "cpu", "cuda")
PRECISIONS = ("f64", "f32")
# MFDEM_FAST_COMPILE=1 turns Taichi's own IR optimisation off (advanced_optimization; LLVM still optimises):
# the step kernels compile about ten times faster, and BENCH-1 ran as fast in f64, about 9 % slower in f32
# (README, "Compiling"). The test suite sets it; runs and benchmarks keep Taichi's default.
FAST_COMPILE_ENV = "MFDEM_FAST_COMPILE"
# Taichi guards its kernel cache with this file while it reads or writes the cache's index, for well under a
# second. A process killed in that moment leaves it behind, and from then on no process reads or writes the
# cache: every run compiles all its kernels again (20–60 s for the mixer), with no message at our log level.
CACHE_LOCK = "ticache.lock"
CACHE_PATH_ENV = "TI_OFFLINE_CACHE_FILE_PATH"     # Taichi's own setting of the cache's folder
STALE_LOCK_SECONDS = 120.0
# Taichi keeps at most 100 MB of compiled kernels on disk by default and drops the least recently used beyond
# that. A test-suite run adds more than that (README, "The disk cache's size"), which pushed out kernels that the
# next run needed again. TI_OFFLINE_CACHE_MAX_SIZE_OF_FILES (bytes), Taichi's own setting, overrides this limit.
CACHE_SIZE_ENV = "TI_OFFLINE_CACHE_MAX_SIZE_OF_FILES"
CACHE_SIZE_BYTES = 1 << 30

_state: dict = {}


class BackendError(InputError):
    """The requested Taichi backend cannot be used."""


def init(arch: str = "auto", precision: str = "f64", threads: int | None = None) -> str:
    """Initialise Taichi (once); return the arch actually used ("cpu" or "cuda").

    A second call with the same settings is a no-op; asking for different settings after kernels exist
    raises BackendError, because re-initialising would invalidate every array.
    """
    if arch not in ARCHS:
        raise BackendError(f"arch = {arch!r}: must be one of {', '.join(ARCHS)}")
    if precision not in PRECISIONS:
        raise BackendError(f"precision = {precision!r}: must be one of {', '.join(PRECISIONS)}")
    if _state:
        same_arch = arch == "auto" or arch == _state["arch"]
        if same_arch and precision == _state["precision"]:
            return _state["arch"]
        raise BackendError(
            f"Taichi already runs with arch={_state['arch']}, precision={_state['precision']} in this process; "
            f"arch={arch}, precision={precision} needs a new process")
    fast = os.environ.get(FAST_COMPILE_ENV, "0")
    if fast not in ("0", "1"):
        raise BackendError(f"{FAST_COMPILE_ENV} = {fast!r}: must be 0 (Taichi's default) or 1 (fast compilation)")
    kwargs = dict(default_fp=ti.f64 if precision == "f64" else ti.f32, default_ip=ti.i32,
                  offline_cache=True, log_level=ti.ERROR, cpu_max_num_threads=threads or os.cpu_count() or 1,
                  advanced_optimization=fast == "0")
    if not os.environ.get(CACHE_SIZE_ENV):
        kwargs["offline_cache_max_size_of_files"] = CACHE_SIZE_BYTES
    clear_stale_cache_lock(os.environ.get(CACHE_PATH_ENV) or ti.lang.impl.default_cfg().offline_cache_file_path)
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):  # Taichi prints the arch
        warnings.simplefilter("ignore")
        # Taichi falls back to the CPU when CUDA is asked for but absent
        ti.init(arch=ti.cpu if arch == "cpu" else ti.cuda, **kwargs)
    use = "cpu" if ti.lang.impl.current_cfg().arch == ti.x64 or ti.lang.impl.current_cfg().arch == ti.arm64 else "cuda"
    if arch == "cuda" and use != "cuda":
        raise BackendError("arch = 'cuda' but no CUDA device is available; use --arch cpu or auto")
    _state.update(arch=use, precision=precision, threads=kwargs["cpu_max_num_threads"])
    return use


def clear_stale_cache_lock(cache_dir: str) -> bool:
    """Remove Taichi's cache lock in ``cache_dir`` if it is older than ``STALE_LOCK_SECONDS`` (left by a killed
    process; see ``CACHE_LOCK``), with a warning; return whether it was removed."""
    lock = os.path.join(cache_dir, CACHE_LOCK)
    try:
        age = time.time() - os.path.getmtime(lock)
    except OSError:          # no lock: the usual case
        return False
    if age < STALE_LOCK_SECONDS:
        return False
    try:
        os.remove(lock)
    except OSError:
        return False         # another process removed it first, or it cannot be removed: Taichi will say
    warnings.warn(f"removed a stale Taichi cache lock ({lock}, {age / 60:.0f} min old, left by a process that was "
                  "killed); while it was there, every run compiled all its kernels again", stacklevel=3)
    return True


def advanced_optimization() -> bool:
    """Whether kernels compiled now get Taichi's IR optimisation (off with MFDEM_FAST_COMPILE=1)."""
    return bool(ti.lang.impl.current_cfg().advanced_optimization)


@contextlib.contextmanager
def default_compilation():
    """Kernels first launched inside this block are compiled with Taichi's default optimisation, even where
    MFDEM_FAST_COMPILE is set: for a test of what a run compiles."""
    cfg = ti.lang.impl.current_cfg()
    before, cfg.advanced_optimization = cfg.advanced_optimization, True
    try:
        yield
    finally:
        cfg.advanced_optimization = before


def current() -> dict:
    """``{"arch": ..., "precision": ..., "threads": ...}`` of the running backend (threads: the CPU's), or {}
    before init."""
    return dict(_state)


def real_dtype():
    """Numpy dtype of non-position floating-point state."""
    import numpy as np  # noqa: PLC0415

    return np.float64 if _state.get("precision", "f64") == "f64" else np.float32
