"""Meaningless options are refused with a message naming the option and what is allowed, before any set-up."""

import os

import pytest
from click.testing import CliRunner

from mfdem.cli import main
from mfdem.config import make_config
from mfdem.engine.materials import InputError
from mfdem.mixer.runner import MixerRun


def test_resume_with_other_options_is_an_error(tmp_path):
    res = CliRunner().invoke(main, ["run", "--resume", str(tmp_path / "x.h5"), "--rpm", "5000", "--overwrite"])
    assert res.exit_code == 2
    assert "--resume" in res.output and "--rpm" in res.output and "--overwrite" in res.output


def test_more_threads_than_cores_are_refused(tmp_path):
    cfg = make_config(overrides={"run": {"threads": (os.cpu_count() or 1) + 1}})
    with pytest.raises(InputError, match=r"run.threads = \d+: must be in \[0, \d+\]"):
        MixerRun.create(cfg, tmp_path / "t.h5")
    assert not (tmp_path / "t.h5").exists()


def test_a_snapshot_interval_longer_than_the_run_is_refused():
    with pytest.raises(InputError, match=r"run.snapshot_every = 1000: .* must be in \[1, 100\]"):
        make_config(overrides={"run": {"snapshot_every": 1000}})


@pytest.mark.parametrize("args, option", [(["analyze", "x.h5", "--sg-span", "-3"], "--sg-span"),
                                          (["calibrate", "fit", "--budget", "0"], "--budget"),
                                          (["calibrate", "fit", "--batch", "0"], "--batch")])
def test_meaningless_numbers_are_refused(args, option):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and option in res.output and "x>=1" in res.output
