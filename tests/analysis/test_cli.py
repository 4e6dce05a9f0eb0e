"""``mfdem analyze`` (the click command object), JSON and plots."""

import json

import h5py
import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from mfdem.analysis import analyze_run, analyze_runs
from mfdem.analysis.cli import analyze
from mfdem.analysis.plots import write_plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REQUIRED = ("rpm", "SI_CG", "SF_CG", "SN_p", "E_m_sim", "specific_power_sim", "steady_from")


def speed_run(make_run, rpm, k=20, n=30, dt=0.005):
    """A run whose work per collision grows as rpm², with the same collision counts at every speed."""
    rng = np.random.default_rng(7)
    coll = rng.poisson(2, (k, n))
    work = 1e-9 * (rpm / 1000.0) ** 2 * coll * rng.uniform(0.5, 1.5, (k, n))
    return make_run(work, coll, mass=np.full(n, 3.4e-8), dt_out=dt, rpm=rpm, name=f"run_{rpm:g}.h5")


def power_csv(path, net=150.0, idle=300.0, duration=3600.0):
    rng = np.random.default_rng(2)
    t = np.arange(0.0, duration + 1.0, 5.0)
    p = idle + net + rng.normal(0.0, 10.0, len(t))
    path.write_text("time,power\n" + "\n".join(f"{a:g},{b:.3f}" for a, b in zip(t, p)) + "\n")
    return path


def run_cli(*args):
    result = CliRunner().invoke(analyze, [str(a) for a in args])
    return result


def test_json_single_run(make_run):
    path = speed_run(make_run, 5000)
    result = run_cli(path, "--steady-from", 0, "--json", "--t-mix", 3600, "--t-mix", 300)
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 1
    d = objects[0]
    for key in REQUIRED:
        assert isinstance(d[key], float), key
    api = analyze_run(path, steady_from=0.0, t_mix=(3600.0, 300.0))
    assert d["SI_CG"] == api.SI_CG and d["SF_CG"] == api.SF_CG and d["SN_p"] == api.SN_p
    assert d["E_m_sim"] == d["SI_CG"] * d["SN_p"]
    assert [t["t_mix"] for t in d["per_t_mix"]] == [3600.0, 300.0]
    assert d["steady_from"] == 0.0 and d["steady_from_source"] == "user"
    assert "specific_power_exp" not in d


def test_table_several_runs_and_rpm_exponents(make_run):
    paths = [speed_run(make_run, rpm) for rpm in (4000, 1000, 2000)]
    result = run_cli(*paths, "--steady-from", 0)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "mean stress intensity SI_CG" in out and "J/kg" in out and "W/kg" in out
    assert "Comparison over rotor speed" in out
    assert "SI_CG ~ n^k: k = 2" in out
    assert "specific power (sim) ~ n^k: k = 2" in out
    # runs are reported in rpm order
    assert out.index("run_1000.h5") < out.index("run_2000.h5") < out.index("run_4000.h5")

    result = run_cli(*paths, "--steady-from", 0, "--json")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["rpm"] for o in objects] == [1000.0, 2000.0, 4000.0]
    assert objects[0]["rpm_fit"]["SI_CG"]["exponent"] == pytest.approx(2.0, abs=1e-9)
    assert objects[0]["rpm_fit"]["specific_power_sim"]["exponent"] == pytest.approx(2.0, abs=1e-9)


def test_measured_power_comparison(make_run, tmp_path):
    path = speed_run(make_run, 5000)
    csv = power_csv(tmp_path / "power.csv")
    result = run_cli(path, "--steady-from", 0, "--json", "--measured-power", csv, "--idle-power", 300,
                     "--batch-mass", 0.02)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["specific_power_exp"] == pytest.approx(150.0 / 0.02, rel=0.01)
    assert d["E_m_exp"] == pytest.approx(150.0 * 3600 / 0.02, rel=0.01)
    assert d["power_ratio"] == pytest.approx(d["specific_power_sim"] / d["specific_power_exp"])
    assert d["sg_window"] == 49
    table = run_cli(path, "--steady-from", 0, "--measured-power", csv, "--idle-power", 300, "--batch-mass", 0.02)
    assert "net specific power, measured" in table.stdout and "E_m,exp" in table.stdout


def test_plots_are_valid_png(make_run, tmp_path):
    paths = [speed_run(make_run, rpm) for rpm in (1000, 3000)]
    csvs = [power_csv(tmp_path / f"p{i}.csv", net=50.0 * (i + 1)) for i in range(2)]
    out = tmp_path / "figs"
    args = [*paths, "--steady-from", 0, "--plots", out]
    for c in csvs:
        args += ["--measured-power", c]
    result = run_cli(*args, "--idle-power", 300, "--batch-mass", 0.02)
    assert result.exit_code == 0, result.output
    names = {"si_sf.png", "power_vs_time.png", "measured_power.png", "rpm.png"}
    assert {p.name for p in out.iterdir()} == names
    for name in names:
        data = (out / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE, name
        img = imread(out / name)
        assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100, name
    # the API on a single run without measured power
    written = write_plots(analyze_runs([paths[0]], steady_from=0.0), tmp_path / "api")
    assert sorted(p.name for p in written) == ["power_vs_time.png", "rpm.png", "si_sf.png"]
    assert all(p.read_bytes()[:8] == PNG_SIGNATURE for p in written)


def test_bad_input_gives_clear_errors(make_run, tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    result = run_cli(text, "--steady-from", 0)
    assert result.exit_code == 2 and "not an HDF5 file" in result.output

    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else"
    result = run_cli(other)
    assert result.exit_code == 2 and "not an mfdem run file" in result.output

    empty = make_run(np.zeros((4, 3)), np.zeros((4, 3), int))
    result = run_cli(empty, "--steady-from", 0)
    assert result.exit_code == 2 and "no collisions in the analysis window" in result.output

    good = speed_run(make_run, 2000)
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("time,power\n0,400\n5,four hundred\n")
    result = run_cli(good, "--steady-from", 0, "--measured-power", bad_csv, "--idle-power", 300,
                     "--batch-mass", 0.02)
    assert result.exit_code == 2
    assert f"{bad_csv} line 3, column 2 ('power', W): 'four hundred' is not a finite number" in result.output

    missing_col = tmp_path / "cols.csv"
    missing_col.write_text("time;torque\n0;1\n5;2\n")
    result = run_cli(good, "--steady-from", 0, "--measured-power", missing_col, "--idle-power", 300,
                     "--batch-mass", 0.02)
    assert result.exit_code == 2 and "no 'power' column" in result.output

    result = run_cli(good, "--measured-power", bad_csv)
    assert result.exit_code == 2 and "--idle-power" in result.output
    result = run_cli(good, good, "--steady-from", 0, "--steady-from", 0, "--steady-from", 0)
    assert result.exit_code == 2 and "once per run" in result.output
    result = run_cli(good, "--steady-from", 1.0)
    assert result.exit_code == 2 and "empty analysis window" in result.output


def test_help_documents_units():
    result = CliRunner().invoke(analyze, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for option, unit in (("--steady-from", "s"), ("--t-mix", "s"), ("--measured-power", "(W)"),
                         ("--idle-power", "W"), ("--batch-mass", "kg"), ("--plots", "PNG"), ("--json", "J/kg"),
                         ("--bins-per-decade", "J/kg"), ("--sg-span", "samples")):
        assert option in text and unit in text, option
