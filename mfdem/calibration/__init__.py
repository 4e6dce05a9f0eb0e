"""Calibration of coarse-grained particles: digital twins of the lab tests and parameter fitting.

    from mfdem.calibration import CompactionSetup, simulate_compaction, DrumSetup, simulate_drum
    r = simulate_compaction(CompactionSetup(mass=1e-3, die_diameter=0.012, target_force=1000.0), cfg)
    d = simulate_drum(DrumSetup(omega=rpm_to_omega(20)), cfg)   # rev/min → rad/s
    fit(Targets(curve=read_curve_csv("measured.csv"), flowing_angle_deg=32.0),
        SearchSpace([Parameter("yield_ratio", 0.01, 0.2), Parameter("friction", 0.1, 0.8)]), cfg=cfg,
        spec=ClusterSpec("local"))

``cfg`` is a run config (:mod:`mfdem.config`): the twins read its [particles], [wall] and [contact]
settings, and the fit writes the calibrated ones back as a config for ``mfdem run --config``. SI units.
Command line: ``mfdem calibrate compaction|drum|fit`` (:mod:`mfdem.calibration.cli`). The twins the fit
knows are registered in :mod:`mfdem.calibration.twins`; evaluations run as tasks (:mod:`mfdem.tasks`).
"""

from mfdem.calibration.common import CalibrationError, OverlapWarning, TargetNotReached
from mfdem.calibration.compaction import (CompactionResult, CompactionSetup, MeasuredCurve, quasi_static_check,
                                          read_curve_csv, simulate_compaction)
from mfdem.calibration.drum import DrumResult, DrumSetup, simulate_drum
from mfdem.calibration.fitting import FitResult, Targets, fit
from mfdem.calibration.optimizer import ResponseSurfaceOptimizer
from mfdem.calibration.search_space import Parameter, SearchSpace, parse_parameter
from mfdem.calibration.surface import average_interface, cohesive_index, column_edges, column_tops, flowing_angle
from mfdem.tasks import ClusterSpec, Task, dask_client, run_tasks
from mfdem.theory import angular_speed as rpm_to_omega

__all__ = [
    "CalibrationError", "TargetNotReached", "OverlapWarning",
    "CompactionSetup", "CompactionResult", "MeasuredCurve", "simulate_compaction", "quasi_static_check",
    "read_curve_csv",
    "DrumSetup", "DrumResult", "simulate_drum", "rpm_to_omega",
    "column_edges", "column_tops", "average_interface", "flowing_angle", "cohesive_index",
    "Targets", "Parameter", "SearchSpace", "parse_parameter", "ResponseSurfaceOptimizer", "fit", "FitResult",
    "ClusterSpec", "Task", "dask_client", "run_tasks",
]
