"""mfdem runs where fcntl does not exist (Windows): every command's modules import, and the run-file writer
lock falls back to an exclusively created lock file."""

import subprocess
import sys

import pytest

SCRIPT = """
import sys, pathlib, tempfile
sys.modules["fcntl"] = None          # `import fcntl` now fails, as on Windows
import mfdem.cli, mfdem.io, mfdem.mixer.runner, mfdem.io.repair
from mfdem.io.lock import WriterLock, WriterLockError
path = pathlib.Path(tempfile.mkdtemp()) / "run.h5"
lock = WriterLock(path).acquire()
try:
    WriterLock(path).acquire()
    raise SystemExit("a second writer got the lock")
except WriterLockError:
    pass
lock.release()
WriterLock(path).acquire().release()  # free again
print("ok")
"""


def test_the_package_imports_and_locks_without_fcntl():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_a_small_run_without_fcntl_writes_resumes_and_analyses(tmp_path, monkeypatch):
    """The small mixer case end to end where fcntl does not exist: run under the lock-file fallback (a second
    writer is refused while it runs), resume, analyse (the modules' imports are checked in a fresh interpreter
    above; here the lock module is switched to the fallback in this process, so the compiled engine is reused)."""
    from mfdem.analysis import analyze_run  # noqa: PLC0415
    from mfdem.io import lock  # noqa: PLC0415
    from mfdem.io.lock import WriterLock, WriterLockError  # noqa: PLC0415
    from mfdem.mixer.runner import MixerRun  # noqa: PLC0415
    from tests.small_mixer import small_config  # noqa: PLC0415

    monkeypatch.setattr(lock, "fcntl", None)
    monkeypatch.setattr(lock, "msvcrt", None)
    path = tmp_path / "run.h5"
    job = MixerRun.create(small_config(), path)
    assert job.run(progress=False, stop_after_intervals=3) == "interrupted"
    with pytest.raises(RuntimeError, match="already ended and closed its file"):
        job.run(progress=False)
    job.close()                                      # its engine goes to the resume: nothing compiles again
    job = MixerRun.resume(path)
    try:
        WriterLock(path).acquire()
        raise AssertionError("a second writer got the lock of a run being written")
    except WriterLockError:
        pass
    assert job.run(progress=False) == "complete"
    assert not path.with_name("run.h5.lock").exists()
    assert analyze_run(path, steady_from=0.004).n_particles > 0
