"""mfdem runs where fcntl does not exist (Windows): every command's modules import, and the run-file writer
lock falls back to an exclusively created lock file."""

import subprocess
import sys

SCRIPT = """
import sys, pathlib, tempfile
sys.modules["fcntl"] = None          # `import fcntl` now fails, as on Windows
import mfdem.cli, mfdem.io, mfdem.runner, mfdem.io.repair
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
