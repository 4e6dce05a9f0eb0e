"""Matplotlib figures on an Agg canvas: PNG output without a display and without touching pyplot's state
or the user's backend (safe to call from a notebook)."""

import os
import tempfile
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def figure(nrows: int = 1, ncols: int = 1, size=(7.0, 4.5)):
    """``(fig, axes)`` with axes an (nrows, ncols) array; write it with ``save(fig, path)``."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def save(fig, path) -> Path:
    """Write ``fig`` as a PNG at ``path`` through a temporary file and ``os.replace``: a reader sees the old
    file or the complete new one, never half an image."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".png", dir=path.parent or ".")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=120, format="png")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
