"""The calibration twins the fit knows, in the order it runs them (calibration/twin.py: adding a twin is its
module plus one line here)."""

from mfdem.calibration import compaction, drum

TWINS = (compaction.TWIN, drum.TWIN)
BY_NAME = {t.name: t for t in TWINS}
TARGETS = {t.name: t for twin in TWINS for t in twin.targets}   # every measured target, by name
