"""mfdem: coarse-grained DEM for high-intensity (mechanofusion) rotor-stator mixers."""

__version__ = "0.1.0"
