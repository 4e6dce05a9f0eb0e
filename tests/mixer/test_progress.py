"""Run progress (mfdem/progress.py): a tqdm bar on a terminal, plain periodic lines in a log file."""

import io
from types import SimpleNamespace

from mfdem.mixer.runner import _progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _fake_run(total=100):
    sim = SimpleNamespace(step_count=0, n=1000, time=0.0)
    return SimpleNamespace(total_steps=total, sim=sim, cfg=SimpleNamespace(n_particles=1000), dt=1e-6)


def _advance(bar, run, steps):
    for _ in range(steps // 10):
        run.sim.step_count += 10
        run.sim.time = run.sim.step_count * run.dt
        bar.update(10, run.sim)
    bar.close()


def test_a_log_file_gets_one_plain_line_per_interval_and_the_last_step():
    run, log = _fake_run(), io.StringIO()
    _advance(_progress(True, run, stream=log, log_every=0.0), run, 100)
    lines = log.getvalue().splitlines()
    assert len(lines) == 10 and "\r" not in log.getvalue()
    assert lines[0].startswith("1000 particles, dt 1.00e-06 s: step 10 of 100 (10.0 %), t = 0.0000 s, ")
    assert "particle-steps/s, ETA" in lines[0]
    assert "step 100 of 100 (100.0 %)" in lines[-1] and lines[-1].endswith("ETA 0:00:00")

    run, log = _fake_run(), io.StringIO()
    _advance(_progress(True, run, stream=log, log_every=3600.0), run, 100)
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and "step 100 of 100" in lines[0]      # a long interval: only the final line


def test_a_terminal_gets_the_bar_and_a_disabled_progress_nothing():
    run, term = _fake_run(), _Terminal()
    _advance(_progress(True, run, stream=term, log_every=0.0), run, 100)
    assert "1000 particles, dt 1.00e-06 s" in term.getvalue() and "100/100" in term.getvalue()
    assert "ETA" not in term.getvalue()                       # tqdm's own format, not the log lines

    run, log = _fake_run(), io.StringIO()
    _advance(_progress(False, run, stream=log, log_every=0.0), run, 100)
    assert log.getvalue() == ""
