"""CSV files, DataFrames and Figures of the calibration twins' results (built from known curves and surfaces,
no simulation: the twins themselves are tested in test_compaction.py and test_drum.py)."""

import csv
import math
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from mfdem.calibration import CompactionResult, DrumResult, read_curve_csv, surface

CURVE_HEADER = ["displacement_m", "force_n", "floor_force_n", "wall_force_n", "time_s", "branch"]
PROFILE_HEADER = ["x_m", "height_m", "height_std_m", "in_chord", "fit_height_m"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def compaction():
    """A loading branch F = 50 N (s / 1 mm)^1.5 to 50 N and an elastic unloading back to 1 N."""
    s_load = np.linspace(0.0, 1e-3, 40)
    s_unload = np.linspace(1e-3, 0.9e-3, 15)[1:]
    s = np.concatenate([s_load, s_unload])
    force = np.concatenate([50.0 * (s_load / 1e-3) ** 1.5, 1.0 + 49.0 * (s_unload - 0.9e-3) / 1e-4])
    branch = np.array(["loading"] * len(s_load) + ["unloading"] * len(s_unload))
    return CompactionResult(
        displacement=s, force=force, floor_force=0.9 * force, wall_force=0.1 * force - 1e-4,
        time=np.arange(len(s)) * 1e-3, branch=branch, displacement_at_target=1e-3, initial_porosity=0.45,
        porosity_at_target=0.3, final_porosity=0.32, bulk_density=800.0, force_balance=1.0,
        wall_friction_fraction=0.1, piston_speed=0.1, n_particles=470, dt=1e-7, steps=10_000,
        fill_modulus=1e8, max_overlap_ratio=0.05, runtime=1.0)


@pytest.fixture
def drum():
    """The same reduction as simulate_drum on 30 snapshots of a 31° surface with scatter; the outermost
    columns are empty in some snapshots (no averaged top there)."""
    rng = np.random.default_rng(5)
    rd, slope = 0.02, math.tan(math.radians(31.0))
    edges = surface.column_edges(rd, 2e-3)
    centres = 0.5 * (edges[:-1] + edges[1:])
    tops = []
    for k in range(30):
        x = centres + rng.uniform(-4e-4, 4e-4, len(centres))
        h = slope * x + rng.normal(0.0, 3e-4, len(centres))
        if k % 3 == 0:
            h[np.abs(centres) > 0.015] = np.nan
        tops.append((x, h))
    iface = surface.average_interface(tops)
    fit = surface.flowing_angle(iface.x, iface.height, rd, chord_fraction=0.5)
    halves = []
    for part in (tops[:15], tops[15:]):
        i = surface.average_interface(part)
        halves.append(surface.flowing_angle(i.x, i.height, rd, chord_fraction=0.5).angle_deg)
    return DrumResult(
        flowing_angle_deg=fit.angle_deg, cohesive_index=surface.cohesive_index(iface, fit, rd),
        angle_first_half_deg=halves[0], angle_second_half_deg=halves[1], angle_drift_deg=halves[1] - halves[0],
        steady=True,
        interface_x=iface.x, interface_height=iface.height, interface_std=iface.std, chord_columns=fit.used,
        slope=fit.slope, intercept=fit.intercept, x_mid=fit.x_mid,
        last_positions=np.column_stack([centres, slope * centres - 1e-3, np.zeros(len(centres))]),
        radii=np.full(len(centres), 1e-3), n_particles=len(centres), fill_mass=5e-3, dt=1e-5, steps=1000,
        max_overlap_ratio=0.01, runtime=1.0, setup={"diameter": 2 * rd, "snapshots": 30, "chord_fraction": 0.5})


def data_rows(path):
    lines = path.read_text().splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    body = list(csv.reader(ln for ln in lines if not ln.startswith("#")))
    return comments, body[0], [dict(zip(body[0], row)) for row in body[1:]]


def cell(value):
    return math.nan if value == "" else float(value)


def test_compaction_curve_csv_reads_back_exactly(compaction, tmp_path):
    path = compaction.write_csv(tmp_path / "curve.csv", ["made by the test", "forces in N"])
    assert path.read_text() == compaction.to_csv(["made by the test", "forces in N"])
    comments, header, rows = data_rows(path)
    assert comments == ["# made by the test", "# forces in N"] and path.read_text().startswith("# made")
    assert header == CURVE_HEADER
    assert [cell(r["floor_force_n"]) for r in rows] == compaction.floor_force.tolist()
    assert [cell(r["time_s"]) for r in rows] == compaction.time.tolist()
    curve = read_curve_csv(path)               # a written curve is a valid fit target, to the last bit
    assert curve.displacement.tolist() == compaction.displacement.tolist()
    assert curve.force.tolist() == compaction.force.tolist()
    assert curve.branch.tolist() == compaction.branch.tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curve.csv"]    # no temporary file left


def test_drum_profile_csv_holds_the_surface_and_the_angle_fit(drum, tmp_path):
    path = drum.write_csv(tmp_path / "drum.csv", ["drum of the test"])
    comments, header, rows = data_rows(path)
    assert header == PROFILE_HEADER
    assert comments[0] == "# drum of the test"
    assert f"flowing angle {drum.flowing_angle_deg:.6g} deg" in comments[1]
    ok = np.isfinite(drum.interface_height)
    assert 0 < len(rows) == ok.sum() < len(drum.interface_height)      # columns without a top left out
    x = np.array([cell(r["x_m"]) for r in rows])
    h = np.array([cell(r["height_m"]) for r in rows])
    assert x.tolist() == drum.interface_x[ok].tolist() and np.all(np.diff(x) > 0)
    assert h.tolist() == drum.interface_height[ok].tolist()
    assert [cell(r["height_std_m"]) for r in rows] == drum.interface_std[ok].tolist()
    chord = np.array([r["in_chord"] == "1" for r in rows])
    assert chord.sum() == drum.chord_columns.sum() >= 3
    # refitting the chord's rows gives the reported flowing angle; the fit column is that line
    slope, intercept = np.polyfit(x[chord], h[chord], 1)
    assert math.degrees(math.atan(slope)) == pytest.approx(drum.flowing_angle_deg, abs=1e-9)
    assert drum.flowing_angle_deg == pytest.approx(31.0, abs=1.0)
    fit = np.array([cell(r["fit_height_m"]) for r in rows])
    assert np.all(np.isnan(fit[~chord]))
    assert fit[chord] == pytest.approx(slope * x[chord] + intercept, rel=1e-9, abs=1e-12)


def test_to_dataframe_equals_the_csv(compaction, drum, tmp_path):
    pd = pytest.importorskip("pandas")
    for result, header in ((compaction, CURVE_HEADER), (drum, PROFILE_HEADER)):
        path = result.write_csv(tmp_path / "t.csv", ["comment"])
        df = result.to_dataframe()
        assert list(df.columns) == header
        pd.testing.assert_frame_equal(df, pd.read_csv(path, comment="#"), check_exact=True)


def test_missing_pandas_is_a_clear_error(compaction, drum, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    for result in (compaction, drum):
        with pytest.raises(ImportError, match=r"pip install 'mfdem\[tables\]'"):
            result.to_dataframe()
        assert result.write_csv(tmp_path / "t.csv").stat().st_size > 100    # CSV needs no pandas


def test_plots_return_figures_and_save_when_given_a_path(compaction, drum, tmp_path):
    for result in (compaction, drum):
        fig = result.plot()
        assert isinstance(fig, Figure) and fig.axes[0].has_data()
        assert not list(tmp_path.iterdir())
        assert isinstance(result.plot(tmp_path / "plot.png"), Figure)
        assert (tmp_path / "plot.png").read_bytes()[:8] == PNG
        (tmp_path / "plot.png").unlink()
