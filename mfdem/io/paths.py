"""Output paths checked before any set-up: a command refuses (InputError) a path it could not write at the
end, instead of failing after the simulation and losing its result."""

import os
import tempfile
from pathlib import Path

from mfdem.validation import InputError


def check_output(path, what: str, *, folder: bool = False) -> Path:
    """``path`` (a file, a file prefix, or with ``folder`` a folder made if missing) as a Path, after checking
    that its name is not too long for the file system and that its folder takes a new file."""
    p = Path(path)
    base = p if folder else p.parent
    existing = base
    while not existing.exists() and existing != existing.parent:   # a folder output is made with parents
        if not folder:
            raise InputError(f"{what} {p}: no such folder {base}; create it first")
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{what} {p}: {existing} is not a folder")
    longest = max([len(part.encode()) for part in p.parts] + [0])
    limit = _name_max(existing)
    if longest + 10 > limit:       # + room for the suffixes a command adds (".lock", "_curve.csv")
        raise InputError(f"{what} {p}: a name of {longest} bytes is too long for this file system (at most "
                         f"{limit - 10} here)")
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".mfdem-write-test-"):
            pass
    except OSError as exc:
        raise InputError(f"{what} {p}: cannot write in {existing} ({exc.strerror or exc})") from None
    return p


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):   # Windows has no pathconf
        return 255
