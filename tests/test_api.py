"""The notebook entry points hang off the package: ``mfdem.make_config``, ``mfdem.MixerRun``, ...; ``import mfdem``
itself stays light (no Taichi)."""

import json
import subprocess
import sys

import pytest

import mfdem


def test_the_entry_points_resolve_and_the_import_stays_light():
    for name in mfdem.__all__:
        assert getattr(mfdem, name) is not None, name
    assert mfdem.make_config is mfdem.config.make_config and mfdem.MixerRun.__name__ == "MixerRun"
    assert set(mfdem.__all__) <= set(dir(mfdem))
    with pytest.raises(AttributeError, match="no attribute 'simulate'"):
        mfdem.simulate  # noqa: B018
    r = subprocess.run([sys.executable, "-c", "import sys, mfdem; print('taichi' in sys.modules)"],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "False", r.stderr[-2000:]


def test_every_run_time_failure_is_one_catchable_class_and_one_line_exit_1():
    from mfdem.calibration import CalibrationError, TargetNotReached  # noqa: PLC0415
    from mfdem.exits import EXIT_FAILURE, Failure, as_click  # noqa: PLC0415
    from mfdem.mixer.runner import RunStopped  # noqa: PLC0415
    from mfdem.tasks import ClusterLost, TaskError  # noqa: PLC0415

    for cls in (RunStopped, CalibrationError, TargetNotReached, TaskError, ClusterLost):
        assert issubclass(cls, mfdem.RunFailure) and not issubclass(cls, mfdem.InputError), cls
        line = as_click(cls("overlap 0.52 R > run.overlap_limit; the file keeps every interval written"))
        assert isinstance(line, Failure) and line.exit_code == EXIT_FAILURE
        assert line.message == "overlap 0.52 R > run.overlap_limit; the file keeps every interval written"
    assert as_click(RuntimeError("x")).message.startswith("RuntimeError: x (an mfdem bug")   # not one of ours


def test_mfdem_examples_copies_the_shipped_files_and_keeps_edited_ones(tmp_path):
    from click.testing import CliRunner  # noqa: PLC0415

    from mfdem.cli import main  # noqa: PLC0415

    res = CliRunner().invoke(main, ["examples", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    fit = tmp_path / "calibration" / "example_fit.toml"
    assert str(fit) in json.loads(res.output)["files"] and (tmp_path / "geometries" / "rotor.stl").is_file()
    fit.write_text("# my targets\n")
    assert json.loads(CliRunner().invoke(main, ["examples", str(tmp_path), "--json"]).output)["files"] == []
    assert fit.read_text() == "# my targets\n"
    CliRunner().invoke(main, ["examples", str(tmp_path), "--overwrite"])
    assert fit.read_text().startswith("# Example fit")
    res = CliRunner().invoke(main, ["examples", str(fit)])       # a file where the folder should be
    assert res.exit_code == 2 and "is a file" in res.output
