"""HDF5 run files (docs/hdf5.md)."""

from mfdem.io.runlog import RunFile, RunFileError, RunWriter, Snapshot, open_run, repair

__all__ = ["RunFile", "RunFileError", "RunWriter", "Snapshot", "open_run", "repair"]
