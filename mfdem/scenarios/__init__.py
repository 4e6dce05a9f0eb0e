"""Ready-made set-ups built on the engine: single impacts, the dense bed benchmark, the mixer, calibration twins."""
