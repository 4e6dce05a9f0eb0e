"""One writer per run file: an advisory lock on ``<run file>.lock``, held for the writer's whole life.

HDF5 releases its own file lock once a writer switches to SWMR mode (so that readers can open the file),
so it cannot keep a second writer out. ``mfdem run``, ``--overwrite``, ``--resume`` and ``mfdem repair``
take this lock first and refuse, naming the writer's process id, when another process holds it. Readers
(analyze, play) never take it. The lock is ``flock`` where the platform has it, ``msvcrt.locking`` on
Windows, and the exclusive creation of the lock file elsewhere; the operating system drops the first two
when a writer dies, so a killed run never leaves its file locked.
"""

from __future__ import annotations

import os
from pathlib import Path

from mfdem.validation import InputError

try:
    import fcntl
except ImportError:   # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:   # everything but Windows
    msvcrt = None


class WriterLockError(InputError):
    """Another process is writing the run file."""


class WriterLock:
    """The writer lock of the run file ``path``; ``acquire`` raises WriterLockError when it is taken."""

    def __init__(self, path):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "WriterLock":
        flags = os.O_RDWR | os.O_CREAT | (0 if fcntl or msvcrt else os.O_EXCL)
        try:
            fd = os.open(self.lock_path, flags, 0o644)
        except FileExistsError:
            raise WriterLockError(self._message()) from None
        try:
            if fcntl:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            elif msvcrt:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            raise WriterLockError(self._message()) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.unlink(self.lock_path)   # before unlocking: a waiting writer then locks a fresh file
        except OSError:
            pass
        if fcntl:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def _message(self) -> str:
        try:
            pid = self.lock_path.read_text().strip() or "?"
        except OSError:
            pid = "?"
        return (f"{self.path} is being written by process {pid} (lock {self.lock_path.name}); wait for it to "
                "finish or stop it first — reading it (analyze, play) is fine")
