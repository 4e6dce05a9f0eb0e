"""The click commands ``play`` and ``export-vtk`` (run through CliRunner, off-screen)."""

from __future__ import annotations

import json

import imageio.v3 as iio
import pytest
from click.testing import CliRunner

from mfdem.config import DeprecatedSetting
from mfdem.viz.cli import export_vtk_command, play_command

SMALL = ["--window-size", "320", "240"]


@pytest.fixture
def runner():
    return CliRunner()


def test_help_documents_every_option_with_units(runner):
    text = " ".join(runner.invoke(play_command, ["--help"]).output.split())
    for option in ("--color-by", "--sector-to-full", "--screenshot", "--frame ", "--movie", "--frames",
                   "--fps", "--window-size W H", "--camera [axis|side|iso]", "--azimuth DEG",
                   "--elevation DEG", "--zoom", "--max-spheres N", "--clim MIN MAX",
                   "--log-scale / --linear-scale", "--vessel-opacity"):
        assert option in text, option
    for unit in ("m/s", "(W", "pixels", "degrees", "per second"):
        assert unit in text, unit
    text = " ".join(runner.invoke(export_vtk_command, ["--help"]).output.split())
    for word in ("--out DIR", "--frames", "--sector-to-full", "radius m", "velocity m/s", "dissipated_power W",
                 "run.pvd", "--json"):
        assert word in text, word


def test_screenshot(runner, small_run, tmp_path):
    out = tmp_path / "shot.png"
    res = runner.invoke(play_command, [str(small_run), "--screenshot", str(out), "--frame", "1",
                                       "--color-by", "dissipated_power", "--camera", "iso", *SMALL])
    assert res.exit_code == 0, res.output
    assert "snapshot 1 of 0..3" in res.output
    assert iio.imread(out).shape[:2] == (240, 320)


def test_screenshot_and_movie_of_a_sector_run(runner, sector_run, tmp_path):
    res = runner.invoke(play_command, [str(sector_run), "--sector-to-full",
                                       "--screenshot", str(tmp_path / "a.png"),
                                       "--movie", str(tmp_path / "a.gif"), "--frames", "0:2", "--fps", "4",
                                       "--max-spheres", "100", "--azimuth", "20", "--elevation", "-10",
                                       "--zoom", "1.2", "--clim", "0", "5", *SMALL])
    assert res.exit_code == 0, res.output
    assert "2 frames at 4 fps" in res.output
    assert iio.imread(tmp_path / "a.gif", index=None).shape[:3] == (2, 240, 320)


def test_export_vtk(runner, small_run, tmp_path):
    res = runner.invoke(export_vtk_command, [str(small_run), "--out", str(tmp_path / "vtk"), "--frames", "1:"])
    assert res.exit_code == 0, res.output
    assert "wrote 3 snapshots" in res.output and "run.pvd" in res.output
    assert sorted(p.name for p in (tmp_path / "vtk").glob("particles_*.vtp")) == [
        "particles_0001.vtp", "particles_0002.vtp", "particles_0003.vtp"]


def test_export_vtk_json_and_the_old_folder_argument(runner, small_run, tmp_path):
    res = runner.invoke(export_vtk_command, [str(small_run), "--out", str(tmp_path / "vtk"), "--frames", "::2",
                                             "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    files = sorted(p.name for p in (tmp_path / "vtk").iterdir())
    assert out == {"out": str(tmp_path / "vtk"), "pvd": str(tmp_path / "vtk" / "run.pvd"), "n_files": len(files),
                   "snapshots": [0, 2], "times": pytest.approx([0.01, 0.03])}
    assert len(files) == 2 * 2 + 1 + 3          # particles and rotor per snapshot, vessel, three .pvd
    with pytest.warns(DeprecatedSetting, match="export-vtk RUN.h5 .*old is now export-vtk RUN.h5 --out .*old"):
        res = runner.invoke(export_vtk_command, [str(small_run), str(tmp_path / "old"), "--frames", "1"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "old" / "run.pvd").exists()


def test_play_json_names_the_files_written(runner, sector_run, tmp_path):
    res = runner.invoke(play_command, [str(sector_run), "--screenshot", str(tmp_path / "a.png"), "--frame", "1",
                                       "--movie", str(tmp_path / "a.gif"), "--frames", "0:2", "--fps", "4",
                                       "--max-spheres", "100", "--json", *SMALL])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"run": str(sector_run), "screenshot": str(tmp_path / "a.png"), "frame": 1,
                                      "movie": str(tmp_path / "a.gif"), "movie_frames": 2, "fps": 4.0}
    assert (tmp_path / "a.png").exists() and (tmp_path / "a.gif").exists()


@pytest.mark.parametrize("args, message", [
    (["{missing}", "--screenshot", "{out}"], "no such file"),
    (["{empty}", "--screenshot", "{out}"], "no snapshots"),
    (["{small}", "--screenshot", "{out}", "--frame", "4"],
     "frame 4 is out of range: the run has 4 snapshots, valid frames are 0..3"),
    (["{small}", "--movie", "{tmp}/m.avi"], "unsupported format '.avi'"),
    (["{small}", "--screenshot", "{out}", "--frames", "0:2"], "--frames selects the snapshots of --movie"),
    (["{small}", "--movie", "{tmp}/m.gif", "--frames", "a:b"], "must be integers"),
    (["{small}", "--movie", "{tmp}/m.gif", "--frame", "1"], "use --frames"),
    (["{small}", "--screenshot", "{out}", "--clim", "1", "0"], "MIN < MAX"),
    (["{small}", "--screenshot", "{out}", "--color-by", "dissipated_power", "--clim", "0", "1"],
     "log colour scale needs MIN > 0"),
])
def test_bad_input_is_a_clear_error(runner, small_run, empty_run, tmp_path, args, message):
    subst = dict(missing=tmp_path / "missing.h5", empty=empty_run, small=small_run, out=tmp_path / "o.png",
                 tmp=tmp_path)
    res = runner.invoke(play_command, [a.format(**subst) for a in args] + SMALL)
    assert res.exit_code == 2
    assert "Error: " in res.output and message in res.output
    assert not (tmp_path / "o.png").exists()


def test_unknown_colour_field_is_a_usage_error(runner, small_run):
    res = runner.invoke(play_command, [str(small_run), "--color-by", "temperature"])
    assert res.exit_code == 2 and "speed" in res.output


def test_export_errors(runner, empty_run, tmp_path):
    res = runner.invoke(export_vtk_command, [str(empty_run), "--out", str(tmp_path / "vtk")])
    assert res.exit_code == 2 and "no snapshots" in res.output
    res = runner.invoke(export_vtk_command, [str(tmp_path / "nope.h5"), "--out", str(tmp_path / "vtk"), "--json"])
    assert res.exit_code == 2 and "no such file" in res.output


def test_window_without_display_says_what_to_do(runner, small_run, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    res = runner.invoke(play_command, [str(small_run)])
    assert res.exit_code == 2 and "no display" in res.output and "--screenshot" in res.output
