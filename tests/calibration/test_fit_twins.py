"""Fitting: recover a known yield ratio (from the compaction curve) and particle friction (from the drum's
flowing angle) from synthetic targets made by the same small twins; evaluations run on a local Dask cluster."""

from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from mfdem.calibration import (CompactionSetup, DrumSetup, Parameter, SearchSpace, Targets, fit, parse_parameter,
                               read_curve_csv)
from mfdem.calibration.cli import calibrate
from mfdem.config import load_config, make_config
from mfdem.engine.materials import InputError
from mfdem.tasks import call

# both twins with the same 2 mm particles: compaction 4.8 g in a 20 mm die to 160 N (same stress as the 1 mm
# case), the small drum with a softened modulus; the drum wall's friction is fixed at 0.5
TRUE = {"yield_ratio": 0.1, "friction_particle": 0.1}
BASE = {"particles": {"diameter": 2e-3, "youngs_modulus": 1e8, "yield_ratio": TRUE["yield_ratio"]},
        "contact": {"friction_particle": TRUE["friction_particle"], "friction_wall": 0.5,
                    "rolling_friction_particle": 0.0, "rolling_friction_wall": 0.0, "rolling_model": "none"},
        "run": {"arch": "cpu", "threads": 1}}
COMPACTION = CompactionSetup(mass=4.8e-3, die_diameter=0.02, target_force=160.0, piston_speed=0.2, fill_overlap=0.1)
DRUM = DrumSetup(diameter=0.04, width=0.0075, slice_fraction=1.0, omega=12.0, fill_mass=5.45e-3, spinup=0.3,
                 duration=0.3, snapshots=30, chord_fraction=0.5, size_spread=0.1, rayleigh_fraction=0.25,
                 youngs_modulus=1e6)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, dask_client):
    """The targets are made on the two workers at once (which also compiles their twins); the "measured"
    angle is the mean of two drum runs with different initial lattices (less noise than one evaluation)."""
    cfg = make_config(overrides=BASE)
    twins = [{"compaction": COMPACTION}, {"drum": DRUM}, {"drum": replace(DRUM, seed=2)}]
    jobs = [dask_client.submit(call, "mfdem.calibration.fitting:synthetic_targets",
                               {"cfg": cfg, "drum_duration_factor": 1.0, **twin}, pure=False) for twin in twins]
    comp, *drums = (j.result() for j in jobs)
    path = tmp_path_factory.mktemp("targets") / "curve.csv"
    path.write_text(comp["compaction"].to_csv([f"synthetic: yield_ratio {TRUE['yield_ratio']}"]))
    return path, float(np.mean([d["flowing_angle_deg"] for d in drums])), comp["bulk_density"]


def test_fit_recovers_yield_ratio_and_friction(synthetic, dask_client, tmp_path):
    curve_path, angle, _ = synthetic
    start = make_config(overrides={**BASE, "particles": {**BASE["particles"], "yield_ratio": 0.05},
                                   "contact": {**BASE["contact"], "friction_particle": 0.3}})
    targets = Targets(curve=read_curve_csv(curve_path), flowing_angle_deg=angle)
    space = SearchSpace([Parameter("yield_ratio", 0.04, 0.25), Parameter("friction_particle", 0.03, 0.4)])
    res = fit(targets, space, cfg=start, compaction=COMPACTION, drum=DRUM, budget=10, batch=2, outdir=tmp_path,
              client=dask_client)
    assert len(res.evaluations) == 10
    # friction from one noisy drum angle per evaluation: 20 % (10 % until unloaded contacts stopped carrying a
    # tangential spring, which flattened angle(μ) near μ = 0.1 in this small drum: 0.119 was found)
    tolerance = {"yield_ratio": 0.10, "friction_particle": 0.20}
    for name, true in TRUE.items():
        assert res.best[name] == pytest.approx(true, rel=tolerance[name]), (name, res.best, res.best_evaluated)
    # the written config is a full run config with the fitted values, other settings from the base config
    cfg = load_config(tmp_path / "best.toml")
    assert cfg.particles.yield_ratio == pytest.approx(res.best["yield_ratio"], rel=1e-5)
    assert cfg.contact.friction_particle == pytest.approx(res.best["friction_particle"], rel=1e-5)
    assert cfg.contact.friction_wall == 0.5 and cfg.particles.diameter == 2e-3
    report = (tmp_path / "report.csv").read_text().splitlines()
    assert len(report) == 11 and report[0].startswith("index,name,status,yield_ratio,friction_particle,objective")
    header = report[0].split(",")
    for twin in ("compaction", "drum"):      # how deep each evaluation pressed its contacts
        column = [float(row.split(",")[header.index(f"{twin}_max_overlap_ratio")]) for row in report[1:]]
        assert all(0 < x < 1 for x in column), (twin, column)
    assert len(list((tmp_path / "evaluations").glob("eval_*.json"))) == 10
    # a second run with the same budget is served from the evaluation files: nothing is simulated again
    again = fit(targets, space, cfg=start, compaction=COMPACTION, drum=DRUM, budget=10, batch=2, outdir=tmp_path)
    assert all(e["skipped"] for e in again.evaluations)
    assert again.best == res.best


def test_bad_fit_input(tmp_path, synthetic):
    with pytest.raises(InputError, match="search space is empty"):
        SearchSpace([])
    with pytest.raises(InputError, match="unknown parameter"):
        parse_parameter("stiffness=1:2")
    with pytest.raises(InputError, match=r"yield_ratio bounds \[0.5, 2\] must lie in \(0, 1\]"):
        parse_parameter("yield_ratio=0.5:2")
    with pytest.raises(InputError, match="at least one of"):
        Targets()
    bad = tmp_path / "bad.csv"
    bad.write_text("time,load\n0,0\n1,1\n2,2\n3,3\n4,4\n")
    res = CliRunner().invoke(calibrate, ["fit", "--curve", str(bad), "--param", "yield_ratio=0.01:0.2"])
    assert res.exit_code == 2 and "missing column(s) displacement_m, force_n" in res.output
    res = CliRunner().invoke(calibrate, ["fit", "--angle", "30"])
    assert res.exit_code == 2 and "search space is empty" in res.output
    res = CliRunner().invoke(calibrate, ["fit", "--angle", "30", "--param", "friction=0.1:0.5",
                                         "--scheduler", "lsf"])
    assert res.exit_code == 2 and "scheduler" in res.output


def test_fit_exits_1_when_evaluations_failed(tmp_path, monkeypatch):
    """A fit whose evaluations partly or wholly failed writes what it has and exits 1 (README, exit codes)."""
    from mfdem.calibration import fitting as fit_module  # noqa: PLC0415
    from mfdem.calibration.common import CalibrationError  # noqa: PLC0415

    def evaluate(values, base_config_toml, compaction=None, drum=None, progress=False, limit=0.3):
        if values["friction_particle"] > limit:
            raise CalibrationError("the drum did not reach a steady flow")
        return {"values": values, "drum": {"flowing_angle_deg": 25.0 + 30.0 * values["friction_particle"]}}

    args = ["fit", "--angle", "30", "--param", "friction_particle=0.05:0.5", "--budget", "4", "--batch", "4",
            "--scheduler", "inline", "--json"]
    monkeypatch.setattr(fit_module, "evaluate_point", evaluate)
    res = CliRunner().invoke(calibrate, [*args, "--out", str(tmp_path / "some")])
    assert res.exit_code == 1, res.output
    assert '"failed_evaluations": ' in res.output and "evaluations failed" in res.output
    assert (tmp_path / "some" / "best.toml").exists()
    monkeypatch.setattr(fit_module, "evaluate_point", lambda **kw: evaluate(**kw, limit=-1.0))
    res = CliRunner().invoke(calibrate, [*args, "--out", str(tmp_path / "none")])
    assert res.exit_code == 1 and "every evaluation failed" in res.output


def test_fit_and_task_progress_name_each_result(tmp_path, monkeypatch, capsys):
    """Fit and sweep show a bar (here, in a log: lines) over their evaluations, with a line per result and per
    failure; the task functions are told to report too."""
    from mfdem.calibration import SearchSpace, Targets, fit, parse_parameter  # noqa: PLC0415
    from mfdem.calibration import fitting as fit_module  # noqa: PLC0415
    from mfdem.tasks import ClusterSpec, Task, run_tasks  # noqa: PLC0415

    told = []

    def evaluate(values, base_config_toml, compaction=None, drum=None, progress=False):
        told.append(progress)
        return {"values": values, "drum": {"flowing_angle_deg": 25.0 + 30.0 * values["friction_particle"]}}

    monkeypatch.setattr(fit_module, "evaluate_point", evaluate)
    fit(Targets(flowing_angle_deg=30.0), SearchSpace([parse_parameter("friction_particle=0.05:0.5")]), budget=3,
        batch=3, outdir=tmp_path / "fit", spec=ClusterSpec("inline"), progress=True)
    err = capsys.readouterr().err.splitlines()
    assert told == [True] * 3
    assert sum(line.startswith("[") and ": objective " in line for line in err) == 3
    assert any(line.startswith("fit: evaluation 3 of 3 (100.0 %)") for line in err)

    tasks = [Task("good", "json:dumps", {"obj": [1]}), Task("bad", "json:loads", {"s": "{"})]
    run_tasks(tasks, tmp_path / "tasks", progress="two tasks")
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("bad: FAILED: JSONDecodeError") for line in err)
    assert any(line.startswith("two tasks: task 2 of 2 (100.0 %)") for line in err)
    run_tasks(tasks, tmp_path / "tasks", progress="two tasks")      # "good" is done: the bar starts at 1
    assert any(line.startswith("two tasks: task 2 of 2") for line in capsys.readouterr().err.splitlines())
