"""Matplotlib figures on an Agg canvas: PNG output without a display and without touching pyplot's state
or the user's backend (safe to call from a notebook)."""

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def figure(nrows: int = 1, ncols: int = 1, size=(7.0, 4.5)):
    """``(fig, axes)`` with axes an (nrows, ncols) array; save with ``fig.savefig(path, dpi=120)``."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes
