"""One CLI (issue 17): masses in kg everywhere, old gram spellings converted with a warning, rpm in fit files,
the same names for the same friction settings, the --out rule and --json on run and repair."""

import json
import re
import shutil
import subprocess
import sys
import warnings

import h5py
import pytest
from click.testing import CliRunner

from mfdem.calibration import CompactionSetup, DrumSetup, Parameter
from mfdem.calibration import cli as ccli
from mfdem.calibration.common import CalibrationError, setup_from_dict
from mfdem.calibration.fitting import load_fit_file
from mfdem.calibration.search_space import PARAMETERS, overrides_for
from mfdem.cli import main
from mfdem.config import DeprecatedSetting, load_config, make_config
from mfdem.engine.materials import InputError
from mfdem.examples import data_path
from mfdem.io.runlog import RunWriter
from mfdem.mixer.runner import MixerRun, config_from_fill
from tests.small_mixer import SMALL

DEPRECATED = "the old spelling is accepted in this version only"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# ------------------------------------------------------------------------------------------ run config


def test_old_config_file_with_fill_mass_in_grams_loads_with_a_warning(tmp_path):
    old = tmp_path / "old.toml"
    old.write_text("[run]\nfill_mass = 3.88\n")
    with pytest.warns(DeprecatedSetting, match=r"run.fill_mass = 3.88 g is now run.charge_mass = 0.00388 kg"):
        cfg = load_config(old)
    assert cfg.run.charge_mass == 0.00388                    # the decimal shift, not 3.88 / 1000
    assert cfg.n_particles == make_config().n_particles == 113551
    assert "charge_mass = 0.00388" in cfg.to_toml() and "fill_mass" not in cfg.to_toml()
    old.write_text("[run]\nfill_mass = 3.88\ncharge_mass = 0.00388\n")
    with pytest.raises(InputError, match=r"give run.charge_mass or the old run.fill_mass \(g\), not both"):
        load_config(old)
    with warnings.catch_warnings():     # a run file's stored config converts without a word
        warnings.simplefilter("error")
        assert make_config(toml_text="[run]\nfill_mass = 0.2\n", stored=True).run.charge_mass == 2e-4


def test_presets_and_print_config_use_kg():
    res = invoke("run", "--preset", "quick", "--print-config")
    assert res.exit_code == 0, res.output
    assert re.search(r"^charge_mass = 0.00388 +# kg, ", res.stdout, re.M) and "fill_mass" not in res.stdout
    res = invoke("run", "--preset", "quick", "--print-config", "--json")
    assert json.loads(res.stdout)["run"]["charge_mass"] == 0.00388


def test_run_fill_mass_in_grams_gives_the_particles_of_charge_mass_in_kg():
    small = [f"--particle-diameter={SMALL['particles']['diameter']}"]
    res = invoke("run", *small, "--charge-mass", "2e-4", "--print-config", "--json")
    new = make_config(overrides=json.loads(res.stdout))
    with pytest.warns(DeprecatedSetting, match=r"--fill-mass 0.2 \(g\) is now --charge-mass 0.0002 \(kg\)"):
        res = invoke("run", *small, "--fill-mass", "0.2", "--print-config", "--json")
    old = make_config(overrides=json.loads(res.stdout))
    assert old.run.charge_mass == new.run.charge_mass == 2e-4
    assert old.n_particles == new.n_particles == 309


def test_the_deprecation_is_one_line_on_stderr():
    r = subprocess.run([sys.executable, "-m", "mfdem.cli", "run", "--fill-mass", "3.88", "--print-config"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ours = [line for line in r.stderr.splitlines() if "fill-mass" in line]
    assert ours == [f"warning: --fill-mass 3.88 (g) is now --charge-mass 0.00388 (kg) ({DEPRECATED})"]
    assert "charge_mass = 0.00388" in r.stdout


# ------------------------------------------------------------------------------------------ old run files


def _as_old_file(path):
    """Rewrite the stored config of run file ``path`` as an mfdem before kg wrote it (fill_mass in g)."""
    with h5py.File(path, "r+") as f:
        text = str(f.attrs["config"])
        kg = float(re.search(r"^charge_mass = (\S+)", text, re.M).group(1))
        f.attrs["config"] = re.sub(r"^charge_mass = .*$", f"fill_mass = {kg * 1e3:.12g}  # g, particle mass",
                                   text, flags=re.M)


def test_an_old_run_file_loads_continues_resumes_and_analyses(sector_run, tmp_path):
    src, job = sector_run
    old = tmp_path / "old.h5"
    shutil.copy(src, old)
    _as_old_file(old)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedSetting)
        cfg = config_from_fill(old, overrides={"run": {"duration": 0.002}})
        assert cfg.run.charge_mass == 2e-4 and cfg.n_particles == job.cfg.n_particles
        part = tmp_path / "part.h5"         # from the old fill, stopped after one of its two rotor intervals
        MixerRun.create(cfg, part, from_fill=old).run(progress=False, stop_after_intervals=1)
    _as_old_file(part)
    res = invoke("run", "--resume", part, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)              # the one line on stdout
    assert out["status"] == "complete" and out["intervals"] == out["n_intervals"] == 4
    assert out["n_particles"] == job.cfg.n_particles and out["error"] is None
    new, was = (invoke("analyze", f, "--steady-from", "0.004", "--json") for f in (old, src))
    assert new.exit_code == 0, new.output
    assert json.loads(new.stdout.replace(str(old), str(src))) == json.loads(was.stdout)


# ------------------------------------------------------------------------------------------ --json


def test_run_json_has_the_fields_a_script_needs(sector_run, tmp_path):
    src, job = sector_run
    out = tmp_path / "ff.h5"
    res = invoke("run", "--from-fill", src, "--duration", "0.001", "--out", out, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d == {**d, "path": str(out), "status": "complete", "intervals": 3, "n_intervals": 3,
                 "n_particles": job.cfg.n_particles, "error": None}
    assert d["wall_time"] > 0 and d["dt"] > 0


def test_run_json_reports_a_failure_and_exits_1(sector_run, tmp_path, monkeypatch):
    import errno  # noqa: PLC0415

    copy_fill = RunWriter.write_checkpoint

    def fail(self, arrays, n_intervals):      # the fill's checkpoint is copied, the first of the run fails
        if n_intervals > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        copy_fill(self, arrays, n_intervals)
    monkeypatch.setattr(RunWriter, "write_checkpoint", fail)
    src, _ = sector_run
    res = invoke("run", "--from-fill", src, "--duration", "0.001", "--out", tmp_path / "full.h5", "--json")
    assert res.exit_code == 1
    d = json.loads(res.stdout)
    assert d["status"] == "failed" and d["intervals"] == 3 and "No space left on device" in d["error"]
    assert "Error: " in res.stderr and "--resume" in res.stderr


def test_repair_json(sector_run, tmp_path):
    path = tmp_path / "copy.h5"
    shutil.copy(sector_run[0], path)
    res = invoke("repair", path, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"path": str(path), "repaired": False,
                                      "checked": ["write flags", "every dataset readable"], "status": "complete",
                                      "intervals": 8}


# ------------------------------------------------------------------------------------------ calibrate


def _plan_line(monkeypatch, *args):
    """The twin's plan line (stderr) for ``calibrate args``; the simulation itself is skipped."""
    def skip(*a, **k):
        raise CalibrationError("skipped")
    monkeypatch.setattr("mfdem.calibration.compaction.simulate_compaction", skip)
    monkeypatch.setattr("mfdem.calibration.drum.simulate_drum", skip)
    res = CliRunner().invoke(ccli.calibrate, [str(a) for a in args])
    assert res.exit_code == 1 and "skipped" in res.stderr, res.output
    return res.stderr.splitlines()[0]


def test_compaction_mass_in_grams_gives_the_particles_of_powder_mass_in_kg(monkeypatch, tmp_path):
    args = ["compaction", "--die-diameter", "0.01", "--target-force", "50", "--particle-diameter", "1e-3",
            "--yield-ratio", "0.1", "--youngs-modulus", "1e8", "--out", tmp_path]
    new = _plan_line(monkeypatch, *args, "--powder-mass", "6e-4")
    with pytest.warns(DeprecatedSetting, match=r"--mass 0.6 \(g\) is now --powder-mass 0.0006 \(kg\)"):
        old = _plan_line(monkeypatch, *args, "--mass", "0.6")
    assert old == new and new.startswith("474 particles of 1000 um")


def test_drum_fill_mass_in_grams_gives_the_particles_of_charge_mass_in_kg(monkeypatch, tmp_path):
    args = ["drum", "--drum-diameter", "0.04", "--drum-width", "0.0075", "--slice-fraction", "1",
            "--particle-diameter", "2e-3", "--out", tmp_path]
    new = _plan_line(monkeypatch, *args, "--charge-mass", "5.45e-3")
    with pytest.warns(DeprecatedSetting, match=r"--fill-mass 5.45 \(g\) is now --charge-mass 0.00545 \(kg\)"):
        old = _plan_line(monkeypatch, *args, "--fill-mass", "5.45")
    assert old == new and re.match(r"\d+ particles \(0.00545 kg\)", new)


def _material(**given):
    options = {name: None for name in [*ccli.MATERIAL_KEYS, *ccli.OLD_MATERIAL_OPTIONS]} | given
    return ccli._material_config(None, **options)


def test_friction_options_mean_what_the_fit_parameters_and_config_fields_mean():
    base = make_config().contact
    for name, keys in PARAMETERS.items():       # every fit parameter is a material option, same keys
        assert ccli.MATERIAL_KEYS[name] == keys[0], name
        cfg = _material(**{name: 0.123})
        assert cfg.to_dict() == make_config(overrides=overrides_for({name: 0.123})).to_dict(), name
    c = _material(friction=0.4).contact
    assert c.friction_particle == c.friction_wall == 0.4
    c = _material(friction_particle=0.4).contact
    assert (c.friction_particle, c.friction_wall) == (0.4, base.friction_wall)
    # the old --sliding-friction set the particle-particle friction only, and still does
    with pytest.warns(DeprecatedSetting, match=r"--sliding-friction 0.4 set the particle-particle friction only "
                                               r"\(contact.friction_particle\).* it is now --friction-particle 0.4"):
        c = _material(sliding_friction=0.4).contact
    assert (c.friction_particle, c.friction_wall) == (0.4, base.friction_wall)
    with pytest.warns(DeprecatedSetting, match="--wall-friction 0.2 .* it is now --friction-wall 0.2"):
        c = _material(wall_friction=0.2).contact
    assert (c.friction_particle, c.friction_wall) == (base.friction_particle, 0.2)


def test_help_documents_the_friction_mapping_and_the_out_rule():
    text = " ".join(CliRunner().invoke(ccli.calibrate, ["--help"]).output.split())
    assert "--friction-particle / friction_particle / contact.friction_particle" in text
    assert "the fit's former sliding_friction" in text
    assert "rev/min (--rpm; rpm in fit files)" in text
    rule = " ".join(ccli.OUT_RULE.split())
    for args in (["run"], ["calibrate", "compaction"], ["calibrate", "drum"], ["calibrate", "fit"], ["sweep"],
                 ["export-vtk"]):
        text = " ".join(invoke(*args, "--help").output.split())
        assert rule in text, args
    text = " ".join(invoke("--help").output.split())
    assert "--out is the output file of a command that writes one file (run) and the output folder" in text


# ------------------------------------------------------------------------------------------ fit files


def test_fit_file_keys_match_the_options_and_old_keys_still_work():
    with warnings.catch_warnings():             # the example is written in the current spelling
        warnings.simplefilter("error", DeprecatedSetting)
        spec = load_fit_file(data_path("calibration", "example_fit.toml"))
        comp = setup_from_dict(CompactionSetup, spec["compaction"], "[compaction]")
        drum = setup_from_dict(DrumSetup, spec["drum"], "[drum]")
    assert comp.mass == 4.8e-3 and drum.fill_mass == 5.45e-3 and drum.omega == pytest.approx(12.0, rel=1e-7)
    with pytest.warns(DeprecatedSetting, match=r"\[compaction\] mass is now powder_mass \(the same, kg\)"):
        old_comp = {k: v for k, v in spec["compaction"].items() if k != "powder_mass"} | {"mass": 4.8e-3}
        assert setup_from_dict(CompactionSetup, old_comp, "[compaction]") == comp
    old_keys = {k: v for k, v in spec["drum"].items() if k not in ("rpm", "charge_mass")}
    with pytest.warns(DeprecatedSetting) as record:
        old = setup_from_dict(DrumSetup, old_keys | {"omega": 12.0, "fill_mass": 5.45e-3}, "[drum]")
    messages = [str(w.message) for w in record]
    assert any("[drum] omega is now rpm = 114.592 rev/min (was 12.0 rad/s)" in m for m in messages)
    assert any("[drum] fill_mass is now charge_mass (the same, kg)" in m for m in messages)
    assert old.omega == 12.0 and old.fill_mass == drum.fill_mass
    with pytest.raises(InputError, match=r"\[compaction\] powder_mass = 0: must be in \(0, inf\) kg"):
        setup_from_dict(CompactionSetup, {"powder_mass": 0}, "[compaction]")


def test_the_fits_sliding_friction_is_now_friction():
    with pytest.warns(DeprecatedSetting, match="fit parameter sliding_friction is now friction"):
        p = Parameter("sliding_friction", 0.1, 0.5)
    assert p.name == "sliding_friction"      # kept: a resumed fit finds its evaluation files
    assert overrides_for({"sliding_friction": 0.3}) == overrides_for({"friction": 0.3}) == {
        "contact": {"friction_particle": 0.3, "friction_wall": 0.3}}
