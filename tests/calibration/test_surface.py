"""Free-surface extraction, flowing angle and cohesive index on synthetic particle sets (pure numpy)."""

import math

import numpy as np
import pytest

from mfdem.calibration import surface
from mfdem.engine.materials import InputError


def tilted_bed(slope, intercept, radius_drum, d, rng, depth=6):
    """Points on the line y = slope·x + intercept (one every d/3 along x, random z) and rows of points
    1, 2, … d below it; all inside the drum."""
    xs = np.arange(-radius_drum, radius_drum, d / 3) + rng.uniform(0, d / 3)
    rows = []
    for k in range(depth):
        y = slope * xs + intercept - k * d
        rows.append(np.column_stack([xs + rng.uniform(-0.1, 0.1, len(xs)) * d * (k > 0), y]))
    pts = np.concatenate(rows)
    inside = np.hypot(pts[:, 0], pts[:, 1]) < radius_drum - d
    return pts[inside]


@pytest.mark.parametrize("angle_deg", [33.0, 12.5, -21.0])
def test_angle_of_a_tilted_plane_is_exact(angle_deg):
    rng = np.random.default_rng(3)
    r_drum, d = 0.042, 0.5e-3
    slope = math.tan(math.radians(angle_deg))
    edges = surface.column_edges(r_drum, d)
    tops = []
    for _ in range(5):      # several snapshots of the same plane, different points
        pts = tilted_bed(slope, 0.002, r_drum, d, rng)
        tops.append(surface.column_tops(pts[:, 0], pts[:, 1], d / 2, edges))
    iface = surface.average_interface(tops)
    fit = surface.flowing_angle(iface.x, iface.height, r_drum, chord_fraction=0.2)
    assert fit.slope == pytest.approx(slope, rel=1e-9, abs=1e-12)
    assert fit.angle_deg == pytest.approx(angle_deg, rel=1e-9)
    assert fit.intercept == pytest.approx(0.002 + d / 2, rel=1e-9)     # the tops are one radius up
    # the chord is D/5 long along the interface, centred on the point nearest the axis
    used_x = iface.x[fit.used]
    assert np.ptp(used_x) * math.sqrt(1 + slope**2) <= 0.2 * 2 * r_drum + 1e-12
    assert np.ptp(used_x) * math.sqrt(1 + slope**2) > 0.2 * 2 * r_drum - 3 * d
    x_mid = -slope * (0.002 + d / 2) / (1 + slope**2)
    assert fit.x_mid == pytest.approx(x_mid, rel=1e-9)
    # identical interfaces: no scatter
    assert surface.cohesive_index(iface, fit, r_drum) < 1e-9
    # the sign follows the drum's sense of rotation
    back = surface.flowing_angle(iface.x, iface.height, r_drum, chord_fraction=0.2, direction=-1)
    assert back.angle_deg == pytest.approx(-angle_deg, rel=1e-9)


def test_cohesive_index_measures_the_scatter_between_snapshots():
    """Flat interfaces shifted up and down by ±a between snapshots: std a in every column → 1000·a/D."""
    r_drum, d, a = 0.042, 0.5e-3, 0.4e-3
    edges = surface.column_edges(r_drum, d)
    xs = np.linspace(-0.035, 0.035, 400)
    tops = [surface.column_tops(xs, np.full_like(xs, s * a), 0.0, edges) for s in (1, -1, 1, -1)]
    iface = surface.average_interface(tops)
    fit = surface.flowing_angle(iface.x, iface.height, r_drum)
    assert fit.angle_deg == pytest.approx(0.0, abs=1e-9)
    assert surface.cohesive_index(iface, fit, r_drum) == pytest.approx(1000 * a / (2 * r_drum), rel=1e-9)


def test_too_short_a_chord_is_a_clear_error():
    edges = surface.column_edges(0.042, 0.01)
    xs = np.linspace(-0.03, 0.03, 50)
    iface = surface.average_interface([surface.column_tops(xs, 0.3 * xs, 0.0, edges)])
    with pytest.raises(InputError, match="chord_fraction"):
        surface.flowing_angle(iface.x, iface.height, 0.042, chord_fraction=0.05)
