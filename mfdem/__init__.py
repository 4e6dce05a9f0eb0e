"""mfdem: coarse-grained DEM for high-intensity (mechanofusion) rotor-stator mixers."""

import os

# Taichi prints a banner to stdout on import; keep stdout clean for --json output
os.environ.setdefault("ENABLE_TAICHI_HEADER_PRINT", "False")

__version__ = "0.1.0"
