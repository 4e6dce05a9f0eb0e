"""mfdem: coarse-grained DEM for high-intensity (mechanofusion) rotor-stator mixers."""

import os

# Taichi prints a banner to stdout on import; keep stdout clean for --json output
os.environ.setdefault("ENABLE_TAICHI_HEADER_PRINT", "False")

__version__ = "0.1.0"

# What a notebook needs, imported on first use (``import mfdem`` stays fast and loads no Taichi):
#   cfg = mfdem.make_config(preset="quick"); job = mfdem.MixerRun.create(cfg, "run.h5"); job.run()
#   result = mfdem.analyze_run("run.h5"); mfdem.export_vtk("run.h5", "vtk/")
_ENTRY_POINTS = {
    "make_config": "mfdem.config", "load_config": "mfdem.config", "Config": "mfdem.config",
    "MixerRun": "mfdem.mixer.runner", "rpm_sweep": "mfdem.mixer.sweep", "ClusterSpec": "mfdem.tasks",
    "open_run": "mfdem.io.runlog",
    "analyze_run": "mfdem.analysis.analyze", "analyze_runs": "mfdem.analysis.analyze",
    "export_vtk": "mfdem.viz.vtk_export",
    "simulate_compaction": "mfdem.calibration.compaction", "CompactionSetup": "mfdem.calibration.compaction",
    "simulate_drum": "mfdem.calibration.drum", "DrumSetup": "mfdem.calibration.drum",
    "Simulation": "mfdem.engine.simulation", "Domain": "mfdem.engine.simulation",
    "Material": "mfdem.engine.materials",
    "InputError": "mfdem.validation", "RunFailure": "mfdem.validation",   # catch these, not ValueError/RuntimeError
}
__all__ = ["__version__", *_ENTRY_POINTS]


def __getattr__(name: str):
    if name in _ENTRY_POINTS:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_ENTRY_POINTS[name]), name)
    raise AttributeError(f"module 'mfdem' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
