"""Colour fields and camera views of playback (no PyVista import: the CLI builds its choices from here)."""

from __future__ import annotations

from dataclasses import dataclass

from mfdem.viz.errors import VizError

__all__ = ["CAMERA_VIEWS", "COLOR_FIELDS", "ColorField", "color_field"]

#: camera presets: look along the rotor axis, from the side (axis up), or isometric
CAMERA_VIEWS = ("axis", "side", "iso")


@dataclass(frozen=True)
class ColorField:
    """A per-particle scalar the particles can be coloured by."""

    name: str  #: key used by ``--color-by``
    label: str  #: human-readable name
    unit: str  #: unit shown in the scalar-bar title
    fmt: str  #: printf format of the scalar-bar labels
    cmap: str  #: default colour map
    log_default: bool  #: log colour scale by default

    @property
    def title(self) -> str:
        """Scalar-bar title with units, e.g. ``"speed (m/s)"``."""
        return f"{self.label} ({self.unit})"

    @property
    def bar_title(self) -> str:
        """The title on two lines, so that it fits above a narrow vertical bar."""
        head, _, tail = self.label.rpartition(" ")
        return f"{head}\n{tail} ({self.unit})" if head else f"{self.label}\n({self.unit})"


COLOR_FIELDS: dict[str, ColorField] = {
    "speed": ColorField("speed", "speed", "m/s", "%.3g", "viridis", False),
    "dissipated_power": ColorField("dissipated_power", "dissipated power", "W", "%.1e", "inferno", True),
    "collisions": ColorField("collisions", "collisions", "per interval", "%.0f", "plasma", False),
}


def color_field(name: str) -> ColorField:
    """The :class:`ColorField` called ``name``; :class:`VizError` naming the valid ones otherwise."""
    try:
        return COLOR_FIELDS[name]
    except KeyError:
        raise VizError(f"unknown colour field {name!r}: choose one of {', '.join(COLOR_FIELDS)}") from None
