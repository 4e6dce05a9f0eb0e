"""The command line's two error paths (README, "Reliability").

* **Bad input** — an option, a config field, a file that is missing, unreadable, not a run file, damaged or
  held by another writer: one line naming it, the value and what is allowed; exit 2 (``BadInput``).
* **A run-time failure** — a guard stopped the run, a write failed, a calibration did not reach its target:
  one line saying what happened and where the data are; exit 1 (``Failure``).

``Commands`` is the top-level click group: whatever a command lets through becomes one of the two, so no
user input ends in a traceback (``MFDEM_DEBUG=1`` shows it). Ctrl-C exits 130.
"""

import os

import click

from mfdem.validation import InputError, RunFailure  # every bad-input and every run-time error derives from one

EXIT_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED = 2, 1, 130


class BadInput(click.ClickException):
    """Bad user input: one line, exit 2."""

    exit_code = EXIT_INPUT


class Failure(click.ClickException):
    """A run-time failure: one line, exit 1."""

    exit_code = EXIT_FAILURE


def as_click(exc: BaseException) -> click.ClickException:
    """The one-line click error for ``exc``: BadInput for input errors, Failure for everything else."""
    if isinstance(exc, click.ClickException):
        return exc
    if isinstance(exc, (InputError, UnicodeDecodeError)):
        return BadInput(str(exc))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return Failure(f"{where}{exc.strerror or exc}")
    if isinstance(exc, RunFailure):   # a run, twin, fit or sweep that says what went wrong
        return Failure(str(exc))
    if isinstance(exc, MemoryError):
        return Failure("out of memory: the case is too large for this machine (fewer or larger particles, or a "
                       "smaller geometry)")
    return Failure(f"{type(exc).__name__}: {exc} (an mfdem bug or an unforeseen case; MFDEM_DEBUG=1 shows the "
                   "traceback)")


class Commands(click.Group):
    """A click group whose commands end in one of the two error paths, never in a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise SystemExit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence, see the module docstring
            if os.environ.get("MFDEM_DEBUG"):
                raise
            raise as_click(exc) from None
