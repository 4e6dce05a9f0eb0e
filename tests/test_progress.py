"""Progress of long jobs: a tqdm bar on a terminal (or a Jupyter widget), plain periodic lines in a log file,
nothing when disabled."""

import io

from mfdem.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _advance(progress, total=100, chunk=10):
    for done in range(chunk, total + 1, chunk):
        progress.update_to(done, f"t = {done * 1e-6:.4f} s")
    progress.close()


def test_a_log_file_gets_one_plain_line_per_interval_and_the_last():
    log = io.StringIO()
    _advance(Progress(100, desc="drum twin", stream=log, log_every=0.0))
    lines = log.getvalue().splitlines()
    assert len(lines) == 10 and "\r" not in log.getvalue()
    assert lines[0].startswith("drum twin: step 10 of 100 (10.0 %), t = 0.0000 s, ETA ")
    assert lines[-1] == "drum twin: step 100 of 100 (100.0 %), t = 0.0001 s, ETA 0:00:00"

    log = io.StringIO()
    _advance(Progress(100, desc="drum twin", stream=log, log_every=3600.0))
    assert log.getvalue().splitlines() == ["drum twin: step 100 of 100 (100.0 %), t = 0.0001 s, ETA 0:00:00"]

    log = io.StringIO()                                       # no known total: the count only, no ETA
    progress = Progress(None, desc="compaction twin", stream=log, log_every=0.0)
    progress.update_to(500, "piston force 12 N of 1000 N")
    assert log.getvalue() == "compaction twin: step 500, piston force 12 N of 1000 N\n"

    log = io.StringIO()
    progress = Progress(None, desc="compaction twin", stream=log, log_every=3600.0)
    progress.update_to(900, "piston force 980 N of 1000 N")
    progress.update_to(1000, "piston force 1000 N of 1000 N")
    progress.close()                                          # the last state, which got no line of its own
    assert log.getvalue() == "compaction twin: step 1000, piston force 1000 N of 1000 N\n"


def test_a_terminal_gets_the_bar_and_a_disabled_progress_nothing():
    term = _Terminal()
    _advance(Progress(100, desc="1000 particles", stream=term, log_every=0.0))
    assert "1000 particles" in term.getvalue() and "100/100" in term.getvalue()
    assert "ETA" not in term.getvalue()                       # tqdm's own format, not the log lines

    log = io.StringIO()
    _advance(Progress(100, desc="x", enabled=False, stream=log, log_every=0.0))
    assert log.getvalue() == ""
