"""Clear the "open for writing" flags a killed HDF5 writer leaves in the superblock.

HDF5 (superblock version 2/3, written with ``libver="latest"``) marks a file as open for (SWMR) writing and
refuses a plain open until the flag is cleared; ``h5clear -s`` does this. This module does the same in
Python so users need no extra tool: it rewrites the flag byte and the superblock checksum (Jenkins
lookup3, as HDF5 computes it). The data written before the kill is untouched.
"""

from __future__ import annotations

import os

from mfdem.validation import InputError

try:
    import fcntl
except ImportError:   # Windows: the run file's writer lock (mfdem.io.lock) guards it instead
    fcntl = None

_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MASK = 0xFFFFFFFF


class RepairError(InputError):
    """The file is not an HDF5 file this function can repair, or a writer still has it open."""


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _MASK


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    a = (a - c) & _MASK; a ^= _rot(c, 4); c = (c + b) & _MASK
    b = (b - a) & _MASK; b ^= _rot(a, 6); a = (a + c) & _MASK
    c = (c - b) & _MASK; c ^= _rot(b, 8); b = (b + a) & _MASK
    a = (a - c) & _MASK; a ^= _rot(c, 16); c = (c + b) & _MASK
    b = (b - a) & _MASK; b ^= _rot(a, 19); a = (a + c) & _MASK
    c = (c - b) & _MASK; c ^= _rot(b, 4); b = (b + a) & _MASK
    return a, b, c


def _final(a: int, b: int, c: int) -> int:
    c ^= b; c = (c - _rot(b, 14)) & _MASK
    a ^= c; a = (a - _rot(c, 11)) & _MASK
    b ^= a; b = (b - _rot(a, 25)) & _MASK
    c ^= b; c = (c - _rot(b, 16)) & _MASK
    a ^= c; a = (a - _rot(c, 4)) & _MASK
    b ^= a; b = (b - _rot(a, 14)) & _MASK
    c ^= b; c = (c - _rot(b, 24)) & _MASK
    return c


def lookup3(data: bytes, initval: int = 0) -> int:
    """Bob Jenkins' lookup3 ``hashlittle`` as used for HDF5 metadata checksums."""
    length = len(data)
    a = b = c = (0xDEADBEEF + length + initval) & _MASK
    pos = 0
    while length > 12:
        a = (a + int.from_bytes(data[pos:pos + 4], "little")) & _MASK
        b = (b + int.from_bytes(data[pos + 4:pos + 8], "little")) & _MASK
        c = (c + int.from_bytes(data[pos + 8:pos + 12], "little")) & _MASK
        a, b, c = _mix(a, b, c)
        pos += 12
        length -= 12
    if length == 0:
        return c
    tail = data[pos:] + bytes(12 - length)
    a = (a + int.from_bytes(tail[0:4], "little")) & _MASK
    b = (b + int.from_bytes(tail[4:8], "little")) & _MASK
    c = (c + int.from_bytes(tail[8:12], "little")) & _MASK
    return _final(a, b, c)


def _find_superblock(f) -> int:
    offset = 0
    size = os.fstat(f.fileno()).st_size
    while offset < size:
        f.seek(offset)
        if f.read(8) == _SIGNATURE:
            return offset
        offset = 512 if offset == 0 else offset * 2
    raise RepairError("no HDF5 superblock found: not an HDF5 file")


def clear_write_flags(path: str | os.PathLike) -> bool:
    """Clear the writer flags of ``path``; return True if flags were set and have been cleared.

    Refuses (RepairError) when another process still holds the file lock, i.e. a live writer.
    """
    with open(path, "r+b") as f:
        try:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise RepairError(f"{path}: a running process still has the file open for writing") from exc
        try:
            base = _find_superblock(f)
            f.seek(base + 8)
            version, size_off, _size_len, flags = f.read(4)
            if version < 2:
                return False  # superblock v0/v1 carries no status flags
            f.seek(base + 12 + 2 * size_off)          # v2/3: base, extension, end-of-file addresses
            end = int.from_bytes(f.read(size_off), "little")
            size = os.fstat(f.fileno()).st_size
            if base + end > size:
                raise RepairError(f"{path}: truncated: the file has {size} of its {base + end} bytes (a copy or "
                                  "download cut short, or a full disk); the lost part cannot be repaired, use a "
                                  "complete copy")
            if flags == 0:
                return False
            body_len = 12 + 4 * size_off
            f.seek(base)
            body = bytearray(f.read(body_len))
            body[11] = 0
            f.seek(base)
            f.write(bytes(body) + lookup3(bytes(body)).to_bytes(4, "little"))
            f.flush()
            os.fsync(f.fileno())
            return True
        finally:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
