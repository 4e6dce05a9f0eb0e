"""``mfdem run --from-fill``: a run that starts from another run's filled charge."""

import numpy as np
import pytest
from click.testing import CliRunner

from mfdem.cli import main
from mfdem.engine.materials import InputError
from mfdem.io import open_run
from mfdem.mixer.runner import MixerRun, config_from_fill


def _balance(rf) -> np.ndarray:
    """Kinetic + elastic + potential energy + dissipated work − rotor work (J): constant once the fill is in."""
    g = rf.timeseries
    return (g("kinetic_energy") + g("elastic_energy") + g("potential_energy") + g("dissipated_work_total")
            - g("rotor_work_total"))


def test_the_source_keeps_its_filled_state(sector_run):
    path, job = sector_run
    with open_run(path) as rf:
        state, k = rf.fill_state()
        assert k == job.fill_intervals == 2             # 0.002 s of fill in 0.001 s intervals
        assert len(state["particles/x"]) == job.cfg.n_particles
        assert state["scalars"][2] == pytest.approx(0.002, rel=1e-9)   # the instant the fill ends


def test_at_the_same_speed_the_restart_continues_the_source_bit_for_bit(sector_run, tmp_path):
    src, _ = sector_run
    out = tmp_path / "same.h5"
    MixerRun.create(config_from_fill(src), out, from_fill=src).run(progress=False)
    with open_run(src) as a, open_run(out) as b:
        assert b.attrs["filled_from"] == str(src)
        assert b.n_intervals == a.n_intervals
        for name in ("dissipated_work", "collisions", "contact_starts", "rotor_work"):
            np.testing.assert_array_equal(b.interval(name), a.interval(name))
        np.testing.assert_array_equal(b.checkpoint()[0]["particles/x"], a.checkpoint()[0]["particles/x"])


def test_a_new_speed_keeps_the_particles_and_the_energy_books(sector_run, tmp_path):
    src, job = sector_run
    out = tmp_path / "fast.h5"
    cfg = config_from_fill(src, overrides={"run": {"rpm": 6000.0, "duration": 0.003}})
    new = MixerRun.create(cfg, out, from_fill=src)
    assert new.interval == 2 and new.sim.n == job.cfg.n_particles
    assert new.run(progress=False) == "complete"
    with open_run(src) as a, open_run(out) as b:
        assert b.rpm == 6000.0 and a.rpm == 3000.0
        assert b.n_intervals == 5                        # 2 copied fill intervals + 3 at 6000 rpm
        np.testing.assert_array_equal(b.interval("dissipated_work", 0, 2), a.interval("dissipated_work", 0, 2))
        np.testing.assert_array_equal(b.fill_state()[0]["particles/x"], a.fill_state()[0]["particles/x"])
        # the rotor now works twice as fast: more rotor work in the first rotor interval than the source's
        assert b.interval("rotor_work", 2, 3)[0] > 2 * a.interval("rotor_work", 2, 3)[0] > 0
        # energy audit across the restart: the balance after the fill stays what it was at the fill's end,
        # to the same 1 % of the rotor work that the source itself keeps
        t_fill = a.interval("t_end", 1, 2)[0]
        for rf in (a, b):
            t, bal, work = rf.timeseries("time"), _balance(rf), rf.timeseries("rotor_work_total")
            at_fill = bal[np.searchsorted(t, t_fill * (1 - 1e-9)) - 1]
            assert abs(bal[-1] - at_fill) < 0.01 * work[-1]
        np.testing.assert_array_equal(b.insert_time, a.insert_time)


def test_a_different_particle_is_refused_naming_the_setting(sector_run, tmp_path):
    src, _ = sector_run
    cfg = config_from_fill(src, overrides={"particles": {"yield_ratio": 0.2}})
    with pytest.raises(InputError, match=r"these differ: particles.yield_ratio = 0.2 \(the fill has 0.1\)"):
        MixerRun.create(cfg, tmp_path / "x.h5", from_fill=src)
    assert not (tmp_path / "x.h5").exists()


def test_a_file_without_a_filled_state_is_refused(tmp_path, sector_run):
    src, _ = sector_run
    with pytest.raises(InputError, match="no such file"):
        config_from_fill(tmp_path / "missing.h5")
    early = tmp_path / "early.h5"   # stopped after one interval, before its 2-interval fill ended
    job = MixerRun.create(config_from_fill(src), early)
    job.run(progress=False, stop_after_intervals=1)
    with pytest.raises(InputError, match="holds no filled state"):
        MixerRun.create(config_from_fill(early), tmp_path / "y.h5", from_fill=early)


def test_the_command_line_starts_from_a_fill(sector_run, tmp_path):
    src, _ = sector_run
    out = tmp_path / "cli.h5"
    r = CliRunner().invoke(main, ["run", "--from-fill", str(src), "--rpm", "4000", "--duration", "0.002",
                                  "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    with open_run(out) as rf:
        assert rf.rpm == 4000.0 and rf.status == "complete" and rf.n_intervals == 4
    r = CliRunner().invoke(main, ["run", "--from-fill", str(src), "--preset", "quick", "--out", str(out)])
    assert r.exit_code == 2 and "cannot be combined with --preset" in r.output
    r = CliRunner().invoke(main, ["run", "--from-fill", str(src), "--particle-diameter", "0.0007",
                                  "--out", str(tmp_path / "z.h5")])
    assert r.exit_code == 2 and "particles.diameter = 0.0007" in r.output
