"""Errors of the playback / export layer (kept free of PyVista so the CLI imports it cheaply)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from mfdem.io import RunFile, RunFileError, open_run
from mfdem.validation import InputError


class VizError(InputError):
    """Bad input to playback or export: no snapshots, a frame out of range, an unknown colour field, ..."""


class VizRunFileError(VizError, RunFileError):
    """The run file itself is missing or unreadable (a :class:`VizError` *and* a ``RunFileError``)."""


@contextmanager
def opened_run(run):
    """Yield a :class:`~mfdem.io.RunFile` for ``run`` (a path or an already open ``RunFile``).

    A path is opened with :func:`mfdem.io.open_run` and closed again on exit; an open ``RunFile`` is used
    as it is and left open. Problems opening the file become :class:`VizRunFileError`.
    """
    if isinstance(run, RunFile):
        yield run
        return
    try:
        rf = open_run(Path(run))
    except RunFileError as exc:
        raise VizRunFileError(str(exc)) from exc
    try:
        yield rf
    finally:
        rf.close()


def require_snapshots(run: RunFile) -> int:
    """Number of complete snapshots of ``run``; :class:`VizError` if there are none."""
    n = int(run.n_snapshots)
    if n == 0:
        raise VizError(f"{run.path}: the run has no snapshots yet, so there is nothing to show or export "
                       f"(snapshots are written every `snapshot_every` output intervals; status "
                       f"'{run.status}')")
    return n


def check_frame(k: int, n_snapshots: int) -> int:
    """Normalise a snapshot index ``k`` (negative counts from the end) to ``0 … n_snapshots−1``.

    Raises :class:`VizError` naming the valid range when ``k`` is out of range.
    """
    k = int(k)
    if not -n_snapshots <= k < n_snapshots:
        raise VizError(f"frame {k} is out of range: the run has {n_snapshots} snapshot"
                       f"{'s' if n_snapshots != 1 else ''}, valid frames are 0..{n_snapshots - 1} "
                       f"(or -{n_snapshots}..-1 counting from the end)")
    return k % n_snapshots


def parse_frames(spec, n_snapshots: int) -> list[int]:
    """Snapshot indices selected by ``spec``.

    ``spec`` is ``None`` (every snapshot), an int, a ``slice``, a sequence of ints, or a string: ``"K"`` (one
    snapshot) or Python slice syntax ``"START:STOP:STEP"`` with any part optional (``"::5"``, ``"10:"``,
    ``"-20:"``). Raises :class:`VizError` for a malformed spec, an index out of range or an empty selection.
    """
    if spec is None:
        return list(range(n_snapshots))
    if isinstance(spec, slice):
        sel = list(range(n_snapshots))[spec]
    elif isinstance(spec, (int,)) and not isinstance(spec, bool):
        sel = [check_frame(spec, n_snapshots)]
    elif isinstance(spec, str):
        text = spec.strip()
        if ":" not in text:
            try:
                k = int(text)
            except ValueError:
                raise VizError(f"bad frame selection {spec!r}: expected K or START:STOP:STEP "
                               f"(snapshot indices, e.g. '0:10:2' or '::5')") from None
            sel = [check_frame(k, n_snapshots)]
        else:
            parts = text.split(":")
            if len(parts) > 3:
                raise VizError(f"bad frame selection {spec!r}: expected START:STOP:STEP")
            try:
                nums = [int(p) if p.strip() else None for p in parts]
            except ValueError:
                raise VizError(f"bad frame selection {spec!r}: START, STOP and STEP must be integers "
                               f"(snapshot indices)") from None
            if len(nums) == 3 and nums[2] is not None and nums[2] <= 0:
                raise VizError(f"bad frame selection {spec!r}: STEP must be a positive integer")
            sel = list(range(n_snapshots))[slice(*nums)]
    else:
        try:
            sel = [check_frame(k, n_snapshots) for k in spec]
        except TypeError:
            raise VizError(f"bad frame selection {spec!r}") from None
    if not sel:
        raise VizError(f"frame selection {spec!r} selects no snapshot: the run has {n_snapshots} snapshots "
                       f"(0..{n_snapshots - 1})")
    return sel
