"""The calibration-twin interface: what the fit needs from a twin of a calibration experiment.

A twin is a small simulation of one measurement (the compaction test, the rotating drum). It declares the
measured values it reproduces (``targets``: each with its unit, its check and the key of its weight and
error) and its set-up class, and it implements four steps the fit calls in order:

* ``plan(setup, targets)`` → the set-up (a plain dict) every evaluation of a fit runs with;
* ``simulate(setup, cfg, progress)`` → the record of one run (JSON-able), stored in the evaluation file;
* ``features(record, targets)`` → the responses the fit's surrogate models (numbers or vectors), and
  ``measured(targets)`` the same features of the measurement, where they are not the targets themselves;
* ``errors(responses, targets, measured)`` → ``{error key: relative error}``, which the objective weighs.

``report`` names the record entries that become columns of the fit's report. A twin is registered by a line
in ``twins.py``; ``docs/calibration.md`` walks through adding one.
"""

import os
from dataclasses import asdict, dataclass

from mfdem.validation import check_range


@dataclass(frozen=True)
class Target:
    """A measured value a twin reproduces: ``name`` (the Targets attribute, the fit file's [targets] key),
    ``key`` (its weight and error: weights.<key>, error_<key>), unit, meaning and allowed range."""

    name: str
    key: str
    unit: str
    doc: str
    lo: float = None
    hi: float = None
    cli: str = ""             # the calibrate fit option (empty: none)
    reader: object = None     # a file target: reads the path given (relative to the fit file) into its value

    def check(self, value):
        """The value (a file target read by ``reader``), or InputError naming the target and its range."""
        if self.reader is not None and isinstance(value, (str, os.PathLike)):
            return self.reader(value)
        if self.lo is None and self.hi is None:
            return value
        return check_range(self.doc, value, self.lo, self.hi, lo_open=True, hi_open=True, unit=self.unit)


class Twin:
    """Base class of a calibration twin (module docstring); subclasses set the class attributes and
    implement ``simulate``, ``features`` and ``errors``."""

    name = ""                 # its fit() keyword and fit-file table: [compaction], [drum]
    setup_class = None        # dataclass of its set-up, with validate()
    targets: tuple = ()       # Target declarations
    report: tuple = ()        # (report column, record key)

    def needed(self, targets) -> bool:
        return any(getattr(targets, t.name) is not None for t in self.targets)

    def plan(self, setup, targets) -> dict:
        return asdict((setup or self.setup_class()).validate())

    def simulate(self, setup: dict, cfg, progress: bool = False) -> dict:
        raise NotImplementedError

    def measured(self, targets) -> dict:
        return {}

    def features(self, record: dict, targets) -> dict:
        raise NotImplementedError

    def errors(self, responses: dict, targets, measured: dict) -> dict:
        raise NotImplementedError

    def synthetic(self, setup, cfg, sample_factor: float) -> dict:
        """"Measured" targets made by the twin from the known parameters in ``cfg`` (examples and tests),
        sampling ``sample_factor`` times longer than ``setup`` where it samples a flow."""
        raise NotImplementedError

    def runtime(self, record: dict) -> float:
        return float(record.get("runtime") or 0.0)
