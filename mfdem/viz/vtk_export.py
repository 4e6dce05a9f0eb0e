"""ParaView-ready VTK export of a run (``mfdem export-vtk RUN.h5 --out DIR``).

Written into ``OUTDIR`` (created if needed), for each exported snapshot k (zero-padded, ≥ 4 digits, the
run's snapshot index):

* ``particles_KKKK.vtp`` — one point (with a vertex cell) per inserted particle; point arrays ``radius`` (m),
  ``velocity`` (m/s, 3-vector), ``speed`` (m/s), ``angular_velocity`` (rad/s, 3-vector),
  ``dissipated_power`` (W), ``collisions`` (stress events in the output interval ending at the snapshot),
  ``mass`` (kg), ``particle_id`` (index into the run's particle arrays) and ``sector_copy`` (0 for the
  simulated sector; j for the copy rotated by j·sector angle with ``sector_to_full``). Field data
  ``TimeValue`` (s) and ``rotor_angle`` (rad). Particles not yet inserted are left out.
* ``rotor_KKKK.vtp`` — the rotor surface rotated by the snapshot's logged angle (m).

and once ``vessel.vtp`` (m). ``run.pvd`` is the ParaView collection of every exported snapshot with its time
(s): part 0 particles, part 1 rotor, part 2 vessel (repeated for each time). ``particles.pvd`` and
``rotor.pvd`` hold the two series on their own.

To see particles at their true size in ParaView, either use the Point Gaussian representation (Shader Preset
"Sphere", Scale By Array ``radius`` with Use Scale Function off, Gaussian Radius 1), or a Glyph filter
(Glyph Type Sphere, Scale Array ``radius``, Scale Factor 2 since the glyph sphere has unit diameter).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv

from mfdem.viz.errors import VizError, opened_run, parse_frames, require_snapshots
from mfdem.viz.scene import load_particles, particles_polydata, rotor_polydata, vessel_polydata

__all__ = ["ExportResult", "export_vtk", "write_pvd"]


@dataclass
class ExportResult:
    """What :func:`export_vtk` wrote."""

    outdir: Path
    pvd: Path  #: run.pvd (all parts)
    particles_pvd: Path
    rotor_pvd: Path
    vessel: Path | None  #: vessel.vtp, None if the run has no vessel mesh
    snapshots: list[int] = field(default_factory=list)  #: exported snapshot indices
    times: list[float] = field(default_factory=list)  #: their times, s
    particle_files: list[Path] = field(default_factory=list)
    rotor_files: list[Path] = field(default_factory=list)


def write_pvd(path, entries) -> Path:
    """Write a ParaView ``.pvd`` collection; ``entries`` are ``(time_s, part, file_name)`` tuples.

    File names are written relative to the .pvd's folder as given.
    """
    root = ET.Element("VTKFile", type="Collection", version="0.1", byte_order="LittleEndian")
    coll = ET.SubElement(root, "Collection")
    for t, part, name in entries:
        ET.SubElement(coll, "DataSet", timestep=repr(float(t)), group="", part=str(int(part)), file=str(name))
    ET.indent(root)
    path = Path(path)
    path.write_text('<?xml version="1.0"?>\n' + ET.tostring(root, encoding="unicode") + "\n")
    return path


def _save(poly: pv.PolyData, path: Path, time: float | None = None, angle: float | None = None) -> Path:
    if time is not None:
        poly.field_data["TimeValue"] = np.array([time], float)
    if angle is not None:
        poly.field_data["rotor_angle"] = np.array([angle], float)
    poly.save(path, binary=True)
    return path


def export_vtk(run, outdir, *, frames=None, sector_to_full: bool = False) -> ExportResult:
    """Export snapshots of ``run`` (a path or open ``RunFile``) as VTK XML files for ParaView into ``outdir``.

    ``frames`` selects snapshots (None = all, ``"START:STOP:STEP"``, a list of indices); ``sector_to_full``
    replicates a sector run to the whole mixer (particles, velocity vectors, rotor and vessel). See the module
    docstring for the files and arrays. Raises :class:`VizError` for a missing file, a run with no
    snapshots or a bad selection.
    """
    outdir = Path(outdir)
    with opened_run(run) as rf:
        n = require_snapshots(rf)
        sel = parse_frames(frames, n)
        if outdir.exists() and not outdir.is_dir():
            raise VizError(f"{outdir} exists and is not a directory")
        created = not outdir.exists()
        outdir.mkdir(parents=True, exist_ok=True)
        before = set(outdir.iterdir())
        try:
            return _export(rf, outdir, sel, n, sector_to_full)
        except BaseException:   # a damaged snapshot, a full disk, Ctrl-C: leave no half export behind
            for f in set(outdir.iterdir()) - before:
                f.unlink(missing_ok=True)
            if created and not any(outdir.iterdir()):
                outdir.rmdir()
            raise


def _export(rf, outdir: Path, sel, n: int, sector_to_full: bool) -> ExportResult:
    width = max(4, len(str(n - 1)))
    res = ExportResult(outdir=outdir, pvd=outdir / "run.pvd", particles_pvd=outdir / "particles.pvd",
                       rotor_pvd=outdir / "rotor.pvd", vessel=None)
    vessel = vessel_polydata(rf, sector_to_full=sector_to_full)
    if vessel.n_points:
        res.vessel = _save(vessel, outdir / "vessel.vtp")
    for k in sel:
        frame = load_particles(rf, k, sector_to_full=sector_to_full)
        pfile = _save(particles_polydata(frame), outdir / f"particles_{k:0{width}d}.vtp", frame.time,
                      frame.rotor_angle)
        rfile = _save(rotor_polydata(rf, frame.rotor_angle, sector_to_full=sector_to_full),
                      outdir / f"rotor_{k:0{width}d}.vtp", frame.time, frame.rotor_angle)
        res.snapshots.append(k)
        res.times.append(frame.time)
        res.particle_files.append(pfile)
        res.rotor_files.append(rfile)
    entries = []
    for t, p, r in zip(res.times, res.particle_files, res.rotor_files):
        entries += [(t, 0, p.name), (t, 1, r.name)]
        if res.vessel is not None:
            entries.append((t, 2, res.vessel.name))
    write_pvd(res.pvd, entries)
    write_pvd(res.particles_pvd, [(t, 0, p.name) for t, p in zip(res.times, res.particle_files)])
    write_pvd(res.rotor_pvd, [(t, 0, r.name) for t, r in zip(res.times, res.rotor_files)])
    return res
