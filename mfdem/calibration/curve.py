"""Measured force–displacement curves of a compaction test: reading them from CSV (m, N) and the
displacements at fixed force levels that characterise a curve for the fit (simulated and measured alike)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mfdem.validation import InputError

CURVE_COLUMNS = ("displacement_m", "force_n")   # what a measured curve must have


def loading_displacements(displacement, force, branch, levels) -> np.ndarray:
    """Displacement where the loading branch first reaches each force level (linear interpolation on the
    running maximum of the force, so noise cannot make it non-monotone). NaN above the largest force."""
    ld = np.asarray(branch) == "loading"
    s = np.asarray(displacement, float)[ld]
    f = np.maximum.accumulate(np.asarray(force, float)[ld])
    return _crossings(s, f, np.asarray(levels, float))


def unloading_displacements(displacement, force, branch, levels) -> np.ndarray:
    """Displacement where the unloading branch first falls to each force level (running minimum)."""
    ul = np.asarray(branch) == "unloading"
    s = np.asarray(displacement, float)[ul]
    f = np.minimum.accumulate(np.asarray(force, float)[ul])
    # decreasing force: mirror it to reuse the increasing-crossing code
    return _crossings(s, -f, -np.asarray(levels, float))


def _crossings(s: np.ndarray, f: np.ndarray, levels: np.ndarray) -> np.ndarray:
    out = np.full(len(levels), np.nan)
    if len(s) == 0:
        return out
    for k, lev in enumerate(levels):
        idx = np.nonzero(f >= lev)[0]
        if len(idx) == 0:
            continue
        j = idx[0]
        if j == 0 or f[j] == f[j - 1]:
            out[k] = s[j]
        else:
            out[k] = s[j - 1] + (lev - f[j - 1]) * (s[j] - s[j - 1]) / (f[j] - f[j - 1])
    return out


@dataclass
class MeasuredCurve:
    """A force–displacement curve read from CSV (m, N); ``branch`` splits loading and unloading."""

    displacement: np.ndarray
    force: np.ndarray
    branch: np.ndarray
    path: str = ""
    header: list = field(default_factory=list)

    @property
    def max_force(self) -> float:
        return float(np.max(self.force))


def read_curve_csv(path) -> MeasuredCurve:
    """Read a force–displacement CSV: optional ``#`` comment lines, then a header with at least the columns
    ``displacement_m`` (m) and ``force_n`` (N); an optional ``branch`` column (loading/unloading), otherwise
    rows up to the largest force are loading and the rest unloading. InputError for anything else."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"curve file {path}: {exc.strerror or exc}") from None
    header = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("#")]
    body = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not body:
        raise InputError(f"curve file {path}: empty; expected a header line with columns "
                         f"{','.join(CURVE_COLUMNS)} and data rows")
    reader = csv.DictReader(body)
    cols = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in CURVE_COLUMNS if c not in cols]
    if missing:
        raise InputError(f"curve file {path}: missing column(s) {', '.join(missing)}; the header must name "
                         f"{','.join(CURVE_COLUMNS)} (displacement in m, force in N), found: {','.join(cols)}")
    s, f, b = [], [], []
    for line_no, row in enumerate(reader, start=2):
        row = {k.strip(): v for k, v in row.items() if k is not None}
        try:
            s.append(float(row["displacement_m"]))
            f.append(float(row["force_n"]))
        except (TypeError, ValueError):
            raise InputError(f"curve file {path}, data row {line_no - 1}: displacement_m and force_n must be "
                             f"numbers (got {row.get('displacement_m')!r}, {row.get('force_n')!r})") from None
        b.append((row.get("branch") or "").strip().lower())
    s, f = np.asarray(s), np.asarray(f)
    if len(s) < 5:
        raise InputError(f"curve file {path}: {len(s)} data rows; at least 5 are needed")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(f))):
        raise InputError(f"curve file {path}: displacement_m and force_n must be finite")
    if f.max() <= 0:
        raise InputError(f"curve file {path}: force_n never rises above 0 N")
    if any(b):
        bad = sorted({x for x in b if x not in ("loading", "unloading")})
        if bad:
            raise InputError(f"curve file {path}: branch must be 'loading' or 'unloading' (got {', '.join(bad)})")
        branch = np.asarray(b)
    else:
        branch = np.where(np.arange(len(f)) <= int(np.argmax(f)), "loading", "unloading")
    return MeasuredCurve(s, f, branch, str(path), header)


LOAD_LEVELS = np.linspace(0.1, 1.0, 10)        # the curve's force levels, fractions of its maximum force
UNLOAD_LEVELS = np.array([0.8, 0.6, 0.4, 0.2, 0.1])


def curve_features(displacement, force, branch, max_force: float, *, load_levels=None,
                   unload_levels=None) -> dict:
    """Displacements (m) that characterise a curve for fitting, all measured from the displacement at the
    lowest loading level (so the zero of the displacement axis does not matter): ``load`` at 20–100 % and
    ``unload`` at 80–10 % of ``max_force``."""
    load_levels = LOAD_LEVELS if load_levels is None else np.asarray(load_levels)
    unload_levels = UNLOAD_LEVELS if unload_levels is None else np.asarray(unload_levels)
    sl = loading_displacements(displacement, force, branch, load_levels * max_force)
    su = unloading_displacements(displacement, force, branch, unload_levels * max_force)
    return {"load": sl[1:] - sl[0], "unload": su - sl[0], "load_levels": load_levels[1:],
            "unload_levels": unload_levels}
