"""Errors and warnings of the analysis package."""

from __future__ import annotations

import warnings

from mfdem.validation import InputError


class AnalysisError(InputError):
    """Input the analysis cannot use: not an mfdem run, an empty window, no collisions, a bad CSV, ...

    The message names the file (and line/column for CSV input) and says what to change.
    """


class AnalysisWarning(UserWarning):
    """Something the user should know about a result that was still computed."""


def warn(messages: list[str], text: str) -> None:
    """Record ``text`` in ``messages`` (kept with the result) and issue it as an :class:`AnalysisWarning`."""
    messages.append(text)
    warnings.warn(text, AnalysisWarning, stacklevel=3)
