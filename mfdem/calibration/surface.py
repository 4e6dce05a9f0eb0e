"""Free surface of a rotating-drum bed from particle positions, its flowing angle and cohesive index.

Pure numpy; coordinates in the plane perpendicular to the drum axis: x horizontal, y up (gravity −y).

* **Interface of one snapshot** (:func:`column_tops`): the particles are binned into vertical columns along
  x (default width: one particle diameter); in each column the interface is the top of the highest
  particle, (x_i, y_i + r_i) of that particle. Empty columns are NaN.
* **Averaged interface** (:func:`average_interface`): per column the mean over snapshots of the top's x and
  height, and the standard deviation of the height; only columns with a top in every snapshot count.
* **Flowing angle** (:func:`flowing_angle`, GranuDrum convention): the slope of a least-squares line through
  the averaged interface over its central chord of length ``chord_fraction`` × D (D/5 by default),
  measured along the interface and centred on the interface point nearest to the drum axis (the chord's
  mid-point). The line is first fitted over |x − x_axis| ≤ chord/2, then the chord is re-centred and the
  fit repeated. Sign: positive when the surface rises towards the side where the drum wall goes up.
  Exact for points on a straight interface.
* **Cohesive index** (:func:`cohesive_index`, after Lumay et al., Powder Technol. 224 (2012) 19): the
  mean over columns of the standard deviation of the interface height between snapshots (each snapshot's
  top measured from the averaged interface at the same x), divided by the drum diameter and multiplied by
  1000 (dimensionless; 0 for a steady smooth interface). Columns within
  80 % of the interface's half-length from its mid-point count (the ends, where the interface meets the
  wall, are left out). GranuDrum reports its index in image units; compare trends, or scale by the
  instrument's pixels per drum diameter / 1000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mfdem.validation import InputError


def column_edges(drum_radius: float, column_width: float, center_x: float = 0.0) -> np.ndarray:
    """Column edges spanning the drum, one column centred on the axis."""
    n = int(math.ceil(drum_radius / column_width - 0.5))
    return center_x + (np.arange(-n, n + 2) - 0.5) * column_width


def column_tops(x, y, radius, edges) -> tuple[np.ndarray, np.ndarray]:
    """``(x_top, h_top)`` per column ``[edges[j], edges[j+1])``: x of the highest particle and its top
    y + r (m); NaN where the column is empty."""
    x = np.asarray(x, float)
    top = np.asarray(y, float) + np.broadcast_to(np.asarray(radius, float), x.shape)
    n_col = len(edges) - 1
    j = np.searchsorted(edges, x, side="right") - 1
    ok = (j >= 0) & (j < n_col)
    j, top, x = j[ok], top[ok], x[ok]
    xt = np.full(n_col, np.nan)
    ht = np.full(n_col, np.nan)
    if len(j):
        order = np.lexsort((top, j))
        js = j[order]
        last = np.r_[js[1:] != js[:-1], True]
        xt[js[last]] = x[order][last]
        ht[js[last]] = top[order][last]
    return xt, ht


@dataclass
class Interface:
    """Averaged interface: per column mean x and height of the top (m), height scatter (m), and the
    per-snapshot heights (n_snapshots × n_columns)."""

    x: np.ndarray
    height: np.ndarray
    std: np.ndarray
    snapshots: np.ndarray
    snapshot_x: np.ndarray


def average_interface(tops: list) -> Interface:
    """Average ``[(x_top, h_top), ...]`` of several snapshots; columns missing in any snapshot are NaN."""
    if not tops:
        raise InputError("snapshots: at least one snapshot is needed")
    xs = np.array([t[0] for t in tops])
    hs = np.array([t[1] for t in tops])
    full = np.all(np.isfinite(hs), axis=0)
    x = np.full(hs.shape[1], np.nan)
    h = np.full(hs.shape[1], np.nan)
    s = np.full(hs.shape[1], np.nan)
    x[full] = xs[:, full].mean(axis=0)
    h[full] = hs[:, full].mean(axis=0)
    s[full] = hs[:, full].std(axis=0)
    return Interface(x, h, s, hs, xs)


@dataclass
class FlowingAngle:
    angle_deg: float        # positive when the surface rises where the wall goes up
    slope: float            # dy/dx of the fitted line
    intercept: float        # y of the line at x = 0 (m)
    x_mid: float            # x of the chord mid-point (m)
    used: np.ndarray        # columns in the chord (bool)
    chord: float            # chord length (m)


def flowing_angle(x, height, drum_radius: float, *, chord_fraction: float = 0.2, center=(0.0, 0.0),
                  direction: float = 1.0, min_points: int = 3) -> FlowingAngle:
    """Slope of the averaged interface over the central chord (module docstring). ``direction`` = sign of
    the drum's angular velocity about +z (x right, y up): +1 lifts the bed on the +x side."""
    x = np.asarray(x, float)
    h = np.asarray(height, float)
    valid = np.isfinite(x) & np.isfinite(h)
    cx, cy = float(center[0]), float(center[1])
    chord = chord_fraction * 2.0 * drum_radius
    half = 0.5 * chord
    used = valid & (np.abs(x - cx) <= half)
    a, b = _line(x, h, used, min_points, chord_fraction)
    x_mid = cx
    for _ in range(3):
        x_mid = (cx + a * (cy - b)) / (1.0 + a * a)           # foot of the perpendicular from the axis
        used = valid & (np.abs(x - x_mid) <= half / math.sqrt(1.0 + a * a) * (1 + 1e-12))
        a, b = _line(x, h, used, min_points, chord_fraction)
    sign = 1.0 if direction >= 0 else -1.0
    return FlowingAngle(math.degrees(math.atan(a)) * sign, a, b, x_mid, used, chord)


def _line(x, h, used, min_points, chord_fraction) -> tuple[float, float]:
    if int(used.sum()) < min_points:
        raise InputError(f"chord_fraction = {chord_fraction:g}: the central chord holds {int(used.sum())} interface "
                         f"columns, at least {min_points} are needed; use a finer column width, a longer chord "
                         f"or smaller particles")
    xs, hs = x[used], h[used]
    xm, hm = xs.mean(), hs.mean()
    dx = xs - xm
    denom = float(np.dot(dx, dx))
    if denom == 0.0:
        raise InputError("interface: the chord's columns all have the same x; cannot fit a slope")
    a = float(np.dot(dx, hs - hm) / denom)
    return a, float(hm - a * xm)


def cohesive_index(interface: Interface, fit: FlowingAngle, drum_radius: float, center=(0.0, 0.0),
                   span: float = 0.8) -> float:
    """1000 × mean column height scatter / D over the central ``span`` of the interface (module docstring).

    The scatter of column j is the standard deviation over snapshots of h_kj − h̄(x_kj): each snapshot's
    top measured from the averaged interface (linearly interpolated) at the same x, so that where the top
    particle sits inside a sloping column does not count as scatter.
    """
    cx, cy = float(center[0]), float(center[1])
    a, b = fit.slope, fit.intercept
    dist = abs(a * cx - cy + b) / math.sqrt(1 + a * a)
    half = math.sqrt(max(drum_radius**2 - dist**2, 0.0))
    ok = np.isfinite(interface.x) & np.isfinite(interface.height)
    cols = ok & (np.abs(interface.x - fit.x_mid) <= span * half / math.sqrt(1 + a * a))
    if not cols.any():
        return math.nan
    xs, hs = interface.x[ok], interface.height[ok]
    order = np.argsort(xs)
    ref = np.interp(interface.snapshot_x[:, cols], xs[order], hs[order])
    dev = interface.snapshots[:, cols] - ref
    return float(1000.0 * np.mean(dev.std(axis=0)) / (2.0 * drum_radius))
