"""Progress of long jobs (mixer run, calibration twins), wherever they run.

In a Jupyter notebook a tqdm widget, on a terminal a tqdm bar (both through ``tqdm.auto``); anywhere else — a
batch job's log file, a Dask worker — one plain line every ``log_every`` seconds, so that a job of hours is
never silent. Nothing at all when disabled.
"""

from __future__ import annotations

import sys
import time


def _interactive(stream) -> bool:
    """A bar fits: the stream is a terminal, or the code runs in a Jupyter kernel."""
    if getattr(stream, "isatty", lambda: False)():
        return True
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and type(shell.get_ipython()).__name__ == "ZMQInteractiveShell"
    except AttributeError:
        return False


class Progress:
    """``Progress(total, desc=..., unit="step")``; ``update_to(done, note)`` after each chunk of work, ``close()``
    at the end (or use it as a context manager). ``total`` None: no percentage or ETA, only the count."""

    def __init__(self, total: float | None, *, desc: str, unit: str = "step", enabled: bool = True, stream=None,
                 log_every: float = 120.0, initial: float = 0):
        self.total, self.desc, self.unit = total, desc, unit
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.log_every = log_every
        self.t0 = time.perf_counter()
        self.next_log = self.t0 + log_every
        self.initial = self.done = initial
        self._unprinted = None   # the last update that got no line (log mode), printed by close()
        self.bar = None
        if enabled and _interactive(self.stream):
            from tqdm.auto import tqdm  # noqa: PLC0415

            self.bar = tqdm(total=total, initial=initial, desc=desc, unit=unit, dynamic_ncols=True, file=self.stream)

    def update_to(self, done: float, note: str = "") -> None:
        if not self.enabled:
            return
        step, self.done = done - self.done, done
        if self.bar is not None:
            self.bar.set_postfix_str(note, refresh=False)
            self.bar.update(step)
            return
        now = time.perf_counter()
        finished = self.total is not None and done >= self.total
        if now < self.next_log and not finished:
            self._unprinted = (done, note)
            return
        self._unprinted = None
        self.next_log = now + self.log_every
        self._line(done, note, now)

    def _line(self, done: float, note: str, now: float) -> None:
        line = f"{self.desc}: {self.unit} {done:g}"
        if self.total:
            line += f" of {self.total:g} ({100 * done / self.total:.1f} %)"
        if note:
            line += f", {note}"
        if self.total:
            eta = int((self.total - done) * (now - self.t0) / max(done - self.initial, 1e-12))
            line += f", ETA {eta // 3600}:{eta // 60 % 60:02d}:{eta % 60:02d}"
        print(line, file=self.stream, flush=True)

    def write(self, line: str) -> None:
        """A message of its own (an evaluation's result, a failed point) that does not break the bar."""
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """Close the bar; in log mode print the last update if it got no line."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self._unprinted is not None:
            self._line(*self._unprinted, time.perf_counter())
            self._unprinted = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
