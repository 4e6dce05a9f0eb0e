"""The files shipped inside the package (``mfdem/data/``): the default mixer meshes and the example calibration
(targets, fit set-up, base config). They resolve from the installed package, so a wheel install has them too.

    mfdem examples my_examples     # copies calibration/ and geometries/ into my_examples/
    mfdem calibrate fit --setup my_examples/calibration/example_fit.toml --out fit_out
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

SETS = ("calibration", "geometries")


def data_path(*parts: str) -> Path:
    """The path of a shipped file or folder, e.g. ``data_path("geometries", "rotor.stl")``."""
    return Path(str(resources.files("mfdem").joinpath("data", *parts)))


def copy_examples(dest, *, overwrite: bool = False) -> list[Path]:
    """Copy the shipped example sets (``calibration/``, ``geometries/``) into the folder ``dest``; returns the
    copied files. An existing file is kept unless ``overwrite`` (edited targets are never silently replaced)."""
    dest = Path(dest)
    written = []
    for name in SETS:
        src = data_path(name)
        for f in sorted(p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            target = dest / name / f.relative_to(src)
            if target.exists() and not overwrite:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
            written.append(target)
    return written
