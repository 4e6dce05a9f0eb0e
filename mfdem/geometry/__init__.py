"""Mixer geometry: the parametric Nobilta-type rotor/vessel generator and loading of user STL meshes.

Frame and conventions are documented in :mod:`mfdem.geometry.nobilta` (rotor axis +z, chamber z in [0, L],
gravity -y, rotor turning +phi, blade 0 centred at 180/n_blades deg); all lengths in metres.
"""

from mfdem.geometry.nobilta import (GeometryError, NobiltaParams, build_rotor, build_vessel, free_volume, rotor_profile,
                                    rotor_section_area, sector, solve_axial_length, write_geometry)
from mfdem.geometry.stl import load_mesh, mesh_arrays

__all__ = [
    "GeometryError",
    "NobiltaParams",
    "build_rotor",
    "build_vessel",
    "free_volume",
    "load_mesh",
    "mesh_arrays",
    "rotor_profile",
    "rotor_section_area",
    "sector",
    "solve_axial_length",
    "write_geometry",
]
