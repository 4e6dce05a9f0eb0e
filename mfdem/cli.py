"""The ``mfdem`` command line: a thin layer over the Python API (SI units unless an option says otherwise)."""

from __future__ import annotations

import click

from mfdem import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="mfdem")
def main() -> None:
    """Coarse-grained DEM for high-intensity rotor-stator powder mixers."""


if __name__ == "__main__":
    main()
