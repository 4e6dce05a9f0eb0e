"""Regenerate the default Nobilta-type mixer meshes shipped in ``mfdem/data/geometries/``.

    python scripts/make_geometry.py                 # writes into mfdem/data/geometries/ of this checkout
    python scripts/make_geometry.py --out my_dir --segments 240 --lead-angle 45

Lengths on the command line are in millimetres (converted to metres here); the files are in metres.
"""

from __future__ import annotations

from pathlib import Path

import click

from mfdem.geometry import NobiltaParams, build_rotor, build_vessel, free_volume, write_geometry

_REPO = Path(__file__).resolve().parent.parent


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=_REPO / "mfdem" / "data" / "geometries",
              show_default=True, help="Output directory.")
@click.option("--segments", type=int, default=NobiltaParams.n_segments, show_default=True,
              help="Segments round the full circle.")
@click.option("--lead-angle", type=float, default=NobiltaParams.lead_angle_deg, show_default=True,
              help="Leading-face inclination from radial [deg], 0-60.")
@click.option("--length-mm", type=float, default=None,
              help="Chamber axial length [mm]; default: solved for the target free volume.")
@click.option("--free-volume-ml", type=float, default=NobiltaParams.target_free_volume * 1e6,
              show_default=True, help="Target free volume [mL] used when --length-mm is not given.")
def main(out: Path, segments: int, lead_angle: float, length_mm: float | None, free_volume_ml: float) -> None:
    """Write rotor/vessel STLs, their 72-degree sectors and params.toml."""
    params = NobiltaParams(
        n_segments=segments, lead_angle_deg=lead_angle,
        axial_length=None if length_mm is None else length_mm * 1e-3,
        target_free_volume=free_volume_ml * 1e-6,
    ).resolved()
    paths = write_geometry(out, params)
    click.echo(f"axial length {params.axial_length * 1e3:.3f} mm, free volume {free_volume(params) * 1e6:.3f} mL "
               f"(meshes: rotor {build_rotor(params).volume * 1e6:.3f} mL, "
               f"vessel {build_vessel(params).volume * 1e6:.3f} mL)")
    for path in paths.values():
        click.echo(f"  {path}  ({path.stat().st_size / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
