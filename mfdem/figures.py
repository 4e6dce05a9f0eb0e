"""Matplotlib figures on their own Agg canvas: no display and no pyplot state, and the user's backend is left
alone (safe to call from a notebook, where a returned figure shows itself inline).

Every plotting function of mfdem builds its figure with :func:`figure`, ends with :func:`finish` and returns
the :class:`AggFigure`; given a path it also writes the image there (atomically)."""

import io
import os
import tempfile
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 120


class AggFigure(Figure):
    """A Figure that IPython/Jupyter displays as a PNG even when pyplot (and so the inline backend's display
    hook) was never imported."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, dpi=DPI, format="png")
        return buf.getvalue()


def figure(nrows: int = 1, ncols: int = 1, size=(7.0, 4.5)):
    """``(fig, axes)`` with axes an (nrows, ncols) array; finish it with ``finish(fig, path)``."""
    fig = AggFigure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def finish(fig: Figure, path=None) -> Figure:
    """``fig``, written to ``path`` first when one is given (:func:`save`)."""
    if path is not None:
        save(fig, path)
    return fig


def save(fig: Figure, path) -> Path:
    """Write ``fig`` at ``path`` through a temporary file and ``os.replace``: a reader sees the old file or the
    complete new one, never half an image. The format follows the suffix (.png, .pdf, .svg, ...; PNG for
    any other)."""
    path = Path(path)
    fmt = path.suffix[1:].lower()
    if fmt not in fig.canvas.get_supported_filetypes():
        fmt = "png"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".{fmt}", dir=path.parent or ".")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=DPI, format=fmt)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
