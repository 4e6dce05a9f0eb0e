"""``mfdem analyze --csv``, ``to_dataframe()`` and the plot functions' Figures (synthetic run files)."""

import csv
import json
import math
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from mfdem.analysis import MeasuredPower, analyze_run, analyze_runs
from mfdem.analysis.cli import analyze
from mfdem.analysis.plots import plot_measured_power, plot_power_vs_time, plot_si_sf, plot_vs_rpm

SUMMARY = ["run", "status", "rotor_speed_rpm", "sector_angle_deg", "steady_from_s", "steady_from_source",
           "window_end_s", "window_duration_s", "n_intervals", "n_particles", "m_total_kg", "m_particle_kg",
           "SI_CG_J_per_kg", "SI_CG_sem_J_per_kg", "SI_median_J_per_kg", "SI_p90_J_per_kg", "SI_p99_J_per_kg",
           "SI_max_J_per_kg", "SF_CG_1_per_s", "SF_CG_sem_1_per_s", "SF_per_particle_1_per_s", "n_events",
           "wall_event_fraction", "zero_si_event_fraction", "work_fraction_without_collision",
           "SI_CG_contact_starts_J_per_kg", "SF_CG_contact_starts_1_per_s", "t_mix_s", "SN_p", "SN_p_sem",
           "E_m_sim_J_per_kg", "E_m_sim_sem_J_per_kg", "rotor_power_W", "rotor_power_std_W",
           "specific_power_sim_W_per_kg", "specific_power_sim_std_W_per_kg", "specific_power_sim_sem_W_per_kg",
           "dissipated_specific_power_W_per_kg", "max_overlap_ratio", "measured_file", "idle_power_W",
           "batch_mass_kg", "specific_power_exp_W_per_kg", "specific_power_exp_std_W_per_kg", "power_ratio",
           "E_m_exp_J_per_kg", "E_m_ratio"]
CLASSES = ["run", "rotor_speed_rpm", "SI_lower_J_per_kg", "SI_upper_J_per_kg", "SI_center_J_per_kg", "events",
           "SF_1_per_s", "SF_per_particle_1_per_s", "event_fraction"]
POWER = ["run", "rotor_speed_rpm", "time_s", "in_window", "rotor_power_W", "specific_power_W_per_kg",
         "kinetic_energy_J", "elastic_energy_J", "potential_energy_J", "rotor_work_total_J",
         "dissipated_work_total_J"]
FILES = {"summary": ("summary.csv", SUMMARY), "classes": ("si_sf_classes.csv", CLASSES),
         "power": ("power_timeseries.csv", POWER)}


def speed_run(make_run, rpm, k=20, n=30):
    """Work per collision ∝ rpm², a few collisions without dissipated work (the SI <= 0 class)."""
    rng = np.random.default_rng(int(rpm))
    coll = rng.poisson(2, (k, n))
    work = 1e-9 * (rpm / 1000.0) ** 2 * coll * rng.uniform(0.5, 1.5, (k, n))
    work[::4, 0] = 0.0
    return make_run(work, coll, mass=np.full(n, 3.4e-8), rpm=rpm, name=f"run_{rpm:g}.h5")


def power_csv(path, net):
    t = np.arange(0.0, 3601.0, 5.0)
    p = 300.0 + net + np.random.default_rng(3).normal(0.0, 10.0, len(t))
    path.write_text("time,power\n" + "\n".join(f"{a:g},{b:.3f}" for a, b in zip(t, p)) + "\n")
    return path


def read(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def number(cell):
    return math.nan if cell == "" else float(cell)


@pytest.fixture
def two_runs(make_run, tmp_path):
    """Two speeds, each with a measured power trace; the CLI arguments and the API result for them."""
    paths = [speed_run(make_run, rpm) for rpm in (3000, 1000)]
    meas = [power_csv(tmp_path / f"p{i}.csv", 50.0 * (i + 1)) for i in range(2)]
    args = [*paths, "--steady-from", "0.02", "--t-mix", "600"]
    for m in meas:
        args += ["--measured-power", m]
    args += ["--idle-power", "300", "--batch-mass", "0.02"]
    multi = analyze_runs(paths, steady_from=0.02, t_mix=(600.0,),
                         measured=[MeasuredPower.from_csv(m, 300.0, 0.02) for m in meas])
    return [str(a) for a in args], multi


def test_csv_tables_hold_the_analysis_numbers(two_runs, tmp_path):
    args, multi = two_runs
    out = tmp_path / "tables" / "new"          # made with its parents
    res = CliRunner().invoke(analyze, [*args, "--csv", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["power_timeseries.csv", "si_sf_classes.csv", "summary.csv"]
    assert f"wrote {out / 'summary.csv'}" in res.stderr
    js = [json.loads(line) for line in res.stdout.splitlines()]      # --json still prints the runs

    header, summary = read(out / "summary.csv")
    assert header == SUMMARY
    assert [row["run"] for row in summary] == [r.path for r in multi.runs]          # rpm order
    for row, r, j in zip(summary, multi.runs, js):
        assert row["status"] == "complete" and row["steady_from_source"] == "user"
        exact = {"rotor_speed_rpm": r.rpm, "SI_CG_J_per_kg": r.SI_CG, "SF_CG_1_per_s": r.SF_CG, "SN_p": r.SN_p,
                 "E_m_sim_J_per_kg": r.E_m_sim, "t_mix_s": 600.0, "m_total_kg": r.m_total,
                 "specific_power_sim_W_per_kg": r.specific_power_sim, "rotor_power_W": r.power.mean_power,
                 "specific_power_exp_W_per_kg": r.specific_power_exp, "E_m_exp_J_per_kg": r.E_m_exp,
                 "power_ratio": r.power_ratio, "SI_p99_J_per_kg": r.stress.percentiles[99.0],
                 "steady_from_s": r.steady_from, "SI_CG_contact_starts_J_per_kg": r.stress_contact_starts.si_cg,
                 "idle_power_W": 300.0, "batch_mass_kg": 0.02}
        for column, value in exact.items():
            assert number(row[column]) == value, column
        assert int(row["n_events"]) == r.stress.events and int(row["n_particles"]) == r.n_particles
        assert number(row["SI_CG_J_per_kg"]) == j["SI_CG"] and number(row["E_m_sim_J_per_kg"]) == j["E_m_sim"]
        assert number(row["zero_si_event_fraction"]) > 0

    header, classes = read(out / "si_sf_classes.csv")
    assert header == CLASSES
    for r in multi.runs:
        d = r.stress.distribution
        rows = [row for row in classes if row["run"] == r.path]
        zero, logs = rows[0], rows[1:]
        assert (zero["SI_lower_J_per_kg"], zero["SI_center_J_per_kg"], number(zero["SI_upper_J_per_kg"])) == \
            ("", "", 0.0)
        assert int(zero["events"]) == d.zero_events > 0
        assert [int(row["events"]) for row in logs] == d.events.tolist()
        assert [number(row["SI_lower_J_per_kg"]) for row in logs] == d.edges[:-1].tolist()
        assert [number(row["SF_1_per_s"]) for row in logs] == d.sf.tolist()
        assert sum(int(row["events"]) for row in rows) == r.stress.events
        assert sum(number(row["event_fraction"]) for row in rows) == pytest.approx(1.0, rel=1e-12)
        # SI_CG is the event-weighted mean of the classes, up to the class width (10 per decade: within 12.2 %)
        si = sum(number(row["SI_center_J_per_kg"]) * int(row["events"]) for row in logs) / r.stress.events
        assert si == pytest.approx(r.SI_CG, rel=0.125)

    header, power = read(out / "power_timeseries.csv")
    assert header == POWER
    for r in multi.runs:
        rows = [row for row in power if row["run"] == r.path]
        ts = r.timeseries
        assert [number(row["time_s"]) for row in rows] == ts["time"].tolist()
        assert [number(row["rotor_power_W"]) for row in rows] == ts["rotor_power"].tolist()
        inside = [number(row["specific_power_W_per_kg"]) for row in rows if row["in_window"] == "1"]
        assert len(inside) == 10 * r.stress.n_intervals           # ten samples per interval in the window
        assert np.mean(inside) == pytest.approx(r.specific_power_sim, rel=1e-12)
        assert {row["in_window"] for row in rows} == {"0", "1"}


def test_to_dataframe_equals_the_csv(two_runs, tmp_path):
    pd = pytest.importorskip("pandas")
    _, multi = two_runs
    written = multi.write_csv(tmp_path)
    assert [p.name for p in written] == ["summary.csv", "si_sf_classes.csv", "power_timeseries.csv"]
    for name, (file, columns) in FILES.items():
        df = multi.to_dataframe(name)
        assert list(df.columns) == columns
        pd.testing.assert_frame_equal(df, pd.read_csv(tmp_path / file), check_exact=True)
        # one run's frame is that run's part of the multi-run frame
        r = multi.runs[1]
        part = df[df["run"] == r.path].reset_index(drop=True)
        pd.testing.assert_frame_equal(r.to_dataframe(name), part, check_exact=True)
    assert multi.to_dataframe().equals(multi.to_dataframe("summary"))
    # a run without measured power: the measured columns are empty (NaN), in the CSV as in the frame
    plain = analyze_runs([multi.runs[0].path], steady_from=0.02)
    plain.write_csv(tmp_path / "plain")
    df = plain.to_dataframe("summary")
    pd.testing.assert_frame_equal(df, pd.read_csv(tmp_path / "plain" / "summary.csv"), check_exact=True)
    assert df[["measured_file", "specific_power_exp_W_per_kg", "E_m_ratio"]].isna().all().all()
    with pytest.raises(ValueError, match="unknown table 'curve'.*summary, classes, power"):
        multi.to_dataframe("curve")


def test_missing_pandas_is_a_clear_error_and_csv_needs_no_pandas(make_run, tmp_path, monkeypatch):
    r = analyze_run(speed_run(make_run, 2000), steady_from=0.02)
    monkeypatch.setitem(sys.modules, "pandas", None)       # as if pandas were not installed
    with pytest.raises(ImportError, match=r"pip install 'mfdem\[tables\]'"):
        r.to_dataframe("classes")
    res = CliRunner().invoke(analyze, [r.path, "--steady-from", "0.02", "--csv", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    header, rows = read(tmp_path / "out" / "summary.csv")
    assert header == SUMMARY and number(rows[0]["SI_CG_J_per_kg"]) == r.SI_CG


def test_csv_folder_that_cannot_be_written_is_refused(make_run, tmp_path):
    path = speed_run(make_run, 2000)
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the folder should be")
    for target, why in ((blocker, "is a file"), (blocker / "sub", "is not a folder")):
        res = CliRunner().invoke(analyze, [str(path), "--steady-from", "0.02", "--csv", str(target)])
        assert res.exit_code == 2, res.output
        assert "--csv" in res.output and why in res.output
    assert not (tmp_path / "summary.csv").exists()


def test_csv_combines_with_plots(make_run, tmp_path):
    path = speed_run(make_run, 2000)
    res = CliRunner().invoke(analyze, [str(path), "--steady-from", "0.02", "--csv", str(tmp_path / "t"),
                                       "--plots", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "mean stress intensity SI_CG" in res.stdout
    assert len(list((tmp_path / "t").iterdir())) == 3 and len(list((tmp_path / "p").iterdir())) == 3


def test_plot_functions_return_figures_and_save_when_given_a_path(two_runs, tmp_path):
    import matplotlib.pyplot as plt

    _, multi = two_runs
    tmp_path = tmp_path / "figures"
    tmp_path.mkdir()
    before = plt.get_fignums()
    plots = {"si_sf": (plot_si_sf, multi.runs), "power": (plot_power_vs_time, multi.runs),
             "measured": (plot_measured_power, multi.runs), "rpm": (plot_vs_rpm, multi)}
    for name, (plot, data) in plots.items():
        fig = plot(data)
        assert isinstance(fig, Figure) and fig.axes and fig.axes[0].has_data(), name
        assert not list(tmp_path.iterdir())                   # no path: nothing written
        assert isinstance(plot(data, tmp_path / f"{name}.png"), Figure)
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        (tmp_path / f"{name}.png").unlink()
    plot_si_sf(multi.runs, tmp_path / "si_sf.svg")           # the suffix picks the format
    assert b"<svg" in (tmp_path / "si_sf.svg").read_bytes()[:500]
    assert plt.get_fignums() == before                       # pyplot's figure list untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["si_sf.svg"]   # no temporary file left behind


def test_figures_display_in_jupyter_without_pyplot(two_runs):
    formatter = pytest.importorskip("IPython.core.formatters")
    _, multi = two_runs
    data, _ = formatter.DisplayFormatter().format(plot_si_sf(multi.runs))
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_power_table_of_a_real_run(sector_run):
    """The energy columns of a real mixer run: rotor power is the rate of the cumulative rotor work, and the
    energy books close (rotor work = dissipated work + stored energy change, as docs/hdf5.md states)."""
    path, _ = sector_run
    df = analyze_run(path, steady_from=0.005).to_dataframe("power")
    t, work = df["time_s"].to_numpy(), df["rotor_work_total_J"].to_numpy()
    assert np.diff(work).max() > 0 and df["kinetic_energy_J"].min() >= 0
    rate = np.diff(work) / np.diff(t)
    assert df["rotor_power_W"].to_numpy()[1:] == pytest.approx(rate, rel=1e-3, abs=1e-6 * np.abs(rate).max())
    stored = df[["kinetic_energy_J", "elastic_energy_J", "potential_energy_J"]].sum(axis=1).to_numpy()
    balance = work - df["dissipated_work_total_J"].to_numpy() - (stored - stored[0])
    assert np.abs(np.diff(balance)).max() < 0.01 * work[-1]
    assert df["in_window"].sum() > 0 and df.loc[df["in_window"] == 1, "time_s"].min() > 0.005
