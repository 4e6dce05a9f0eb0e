"""The mixer set-up: geometry, engine, and the inlets that fill it (mixer_setup.md §2–3).

One fifth of a Nobilta-type rotor–stator mixer as a 72° sector with rotational periodicity (or, with
``run.full_mixer``, the whole vessel), the full rotor and vessel meshes as walls (the rotor turning about +z
from the end of the fill), and ``inlets.count`` inlets per sector inserting the fill mass over the fill time
without overlaps. Gravity is −y in every case; at mixing speeds (Froude number 43–4,270) it only matters
for the fill.
"""

import dataclasses
import math
import warnings
from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from mfdem import theory
from mfdem.config import Config
from mfdem.engine.contact import registry
from mfdem.engine.materials import Material, effective_modulus
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.timestep import advise
from mfdem.engine.walls.mesh import MeshBody, distance_to_surface
from mfdem.geometry import GeometryError, NobiltaParams, build_rotor, build_vessel, load_mesh, sector
from mfdem.scenarios.contact_set import contact_set, simulation_for
from mfdem.validation import InputError

GRAVITY = (0.0, -9.81, 0.0)   # m/s², horizontal rotor axis
RANDOM_PACKING = 0.64         # densest random packing: the fill must fit at this solid fraction
MAX_VESSEL_DIAMETER = 2.0     # m: larger vessels are taken for an STL in the wrong unit
MAX_INLET_SITES = 2e7         # lattice sites the inlets may hold (3 float64 each, plus temporaries)


@dataclass
class MixerGeometry:
    rotor: trimesh.Trimesh      # full rotor at angle 0 (m)
    vessel: trimesh.Trimesh     # full chamber surface (m)
    vessel_radius: float        # m
    length: float               # m, chamber z in [0, length]
    sector_angle_deg: float     # 72 for the sector, 360 for the full mixer
    display_rotor: trimesh.Trimesh   # the simulated part (sector cut) for playback
    display_vessel: trimesh.Trimesh

    @property
    def free_volume(self) -> float:
        """Chamber minus rotor volume of the simulated part (m³)."""
        return (self.vessel.volume - self.rotor.volume) * self.sector_angle_deg / 360.0


def build_geometry(cfg: Config) -> MixerGeometry:
    """Parametric Nobilta-type meshes, or the user's STL files (validated)."""
    g = cfg.geometry
    sector_deg = 360.0 if cfg.run.full_mixer else 72.0
    try:
        if g.rotor_stl:
            rotor = load_mesh(g.rotor_stl, name="rotor", scale=g.stl_scale)
            vessel = load_mesh(g.vessel_stl, name="vessel", scale=g.stl_scale)
        else:
            params = NobiltaParams(**{f.name: getattr(g, f.name) for f in dataclasses.fields(NobiltaParams)})
            if not cfg.run.full_mixer and params.n_blades != 5:
                raise InputError(f"geometry.n_blades = {params.n_blades}: the 72° periodic sector needs 5 blades; "
                                 "set run.full_mixer = true for other rotors")
            rotor, vessel = build_rotor(params), build_vessel(params)
    except GeometryError as exc:
        raise InputError(str(exc)) from None
    radial = np.linalg.norm(vessel.vertices[:, :2], axis=1)
    if 2 * radial.max() > MAX_VESSEL_DIAMETER:
        raise InputError(f"geometry: the vessel is {2 * radial.max():.3g} m across, more than the "
                         f"{MAX_VESSEL_DIAMETER:g} m of the largest rotor-stator mixers: is the STL in millimetres? "
                         f"Set geometry.stl_scale = 0.001 (now {g.stl_scale:g})")
    z0, z1 = vessel.bounds[:, 2]
    if abs(z0) > 1e-6 or z1 <= 0:
        raise InputError(f"geometry: the vessel must span z ∈ [0, L] about the +z axis (found z ∈ [{z0:g}, {z1:g}] m)")
    if np.linalg.norm(vessel.centroid[:2]) > 1e-3 * radial.max():
        raise InputError("geometry: the vessel must be centred on the z axis (the rotor axis)")
    display_rotor, display_vessel = rotor, vessel
    if not cfg.run.full_mixer:
        try:
            display_rotor, display_vessel = sector(rotor, 72.0), sector(vessel, 72.0)
        except Exception as exc:  # noqa: BLE001 - display only; the simulation uses the full meshes
            warnings.warn(f"could not cut the meshes to the 72° sector for playback ({exc}); storing full meshes",
                          stacklevel=2)
    return MixerGeometry(rotor, vessel, float(radial.max()), float(z1), sector_deg, display_rotor, display_vessel)


def steps_per_contact(cfg: Config) -> float:
    """``run.steps_per_contact``, or where it is 0 the normal law's own ``STEPS_PER_CONTACT``."""
    return cfg.run.steps_per_contact or registry.model("normal", contact_set(cfg).normal_model).STEPS_PER_CONTACT


def time_step(cfg: Config, geometry: MixerGeometry) -> float:
    """``run.dt`` or the step giving ``steps_per_contact(cfg)`` per contact (Hertz for Thornton–Ning) at the
    rotor tip speed (at least 1 m/s)."""
    return _time_step(cfg, max(tip_speed(cfg, geometry), 1.0))


def fill_time_step(cfg: Config, geometry: MixerGeometry) -> float:
    """``run.dt`` or the step giving ``steps_per_contact(cfg)`` per contact at ``fill_impact_speed``: the step
    of the fill, when the rotor stands still."""
    return _time_step(cfg, fill_impact_speed(cfg, geometry))


def fill_impact_speed(cfg: Config, geometry: MixerGeometry) -> float:
    """The fastest contact of the fill (m/s): two particles that each entered at ``inlets.speed`` and fell
    across the whole vessel (its diameter), meeting head-on, 2·√(v_in² + 2g·2R_v). At 10,000 rpm this is
    about an eighth of the tip speed, so the fill's step is about 1.5 times the mixing step (t_c ∝ v^−1/5)."""
    fall = math.sqrt(cfg.inlets.speed**2 + 2.0 * math.hypot(*GRAVITY) * 2.0 * geometry.vessel_radius)
    return 2.0 * fall


def _time_step(cfg: Config, speed: float) -> float:
    p = cfg.particles
    cs = contact_set(cfg)
    particle = Material(p.youngs_modulus, p.poisson_ratio, p.density)
    wall = Material(cfg.wall.youngs_modulus, cfg.wall.poisson_ratio)
    return advise(p.diameter / 2, particle, speed, wall=wall, dt=cfg.run.dt or None,
                  steps_per_contact=steps_per_contact(cfg), normal_model=cs.normal_model,
                  coefficients=cs.pair_coefficients()).dt


def check_fill(cfg: Config, geometry: MixerGeometry) -> None:
    """The fill must fit into the simulated free volume at random close packing."""
    n = cfg.n_particles
    solid = n * math.pi / 6.0 * cfg.particles.diameter**3
    if solid > RANDOM_PACKING * geometry.free_volume:
        raise InputError(
            f"run.charge_mass = {cfg.run.charge_mass} kg ({n} particles, {solid * 1e6:.2f} mL solid) cannot fit in "
            f"the simulated free volume of {geometry.free_volume * 1e6:.2f} mL (at most "
            f"{RANDOM_PACKING * geometry.free_volume * 1e6:.2f} mL of particles)")


GAP_DIAMETERS_ADVISED = 3      # CG diameters across the blade-tip gap (physics.md §5.1; paper: 3.3)
LENGTH_DIAMETERS_ADVISED = 10  # CG diameters along the chamber


def tip_gap(geometry: MixerGeometry) -> float:
    """Blade tip – vessel wall gap (m): vessel radius minus the largest radius of the rotor mesh."""
    return geometry.vessel_radius - float(np.linalg.norm(geometry.rotor.vertices[:, :2], axis=1).max())


def check_resolution(cfg: Config, geometry: MixerGeometry) -> list[str]:
    """Refuse (InputError) a CG particle wider than the blade-tip gap or the chamber; returns warnings for
    fewer than 3 diameters across the gap or 10 along the chamber (coarse graining stays a statistical
    model only with several CG particles across the narrowest flow region, physics.md §5.1)."""
    d = cfg.particles.diameter
    notes = []
    for name, size, advised, setting in (
            ("blade-tip gap", tip_gap(geometry), GAP_DIAMETERS_ADVISED, "geometry.tip_gap"),
            ("chamber length", geometry.length, LENGTH_DIAMETERS_ADVISED, "geometry.axial_length")):
        held = size / d
        if held < 1:
            raise InputError(f"particles.diameter = {d:g} m: the {name} of {size * 1e3:.3g} mm holds {held:.2f} "
                             f"particle diameters; must be ≥ 1. Use smaller (less coarse-grained) particles, or "
                             f"{setting} ≥ {d * 1e3:.3g} mm ({advised * d * 1e3:.3g} mm advised)")
        if held < advised:
            notes.append(f"the {name} of {size * 1e3:.3g} mm holds only {held:.2f} CG particle diameters "
                         f"(d = {d * 1e3:.3g} mm; {advised} or more advised): the flow there is resolved by too few "
                         "particles for coarse graining to hold (docs/coarse_graining.md)")
    for note in notes:
        warnings.warn(note, stacklevel=2)
    return notes


def tip_speed(cfg: Config, geometry: MixerGeometry) -> float:
    """Rotor tip speed (m/s): ω times the largest radius of the rotor mesh."""
    return theory.angular_speed(cfg.run.rpm) * float(np.linalg.norm(geometry.rotor.vertices[:, :2], axis=1).max())


def tip_impact_overlap(cfg: Config, speed: float, yield_pressure: float = None) -> float:
    """δ_max/R of a particle hit head-on by a wall of ``cfg``'s wall material at ``speed`` (m/s): Thornton's
    closed form (physics.md §2.2; Hertz for an elastic particle). ``yield_pressure`` replaces the particle's
    p_y against the wall."""
    cs = contact_set(cfg)
    r = cfg.particles.diameter / 2
    e_star = effective_modulus(cs.particle, cs.wall)
    law = registry.model("normal", cs.normal_model)
    if hasattr(law, "impact_overlap"):        # a law with its own closed form (hysteretic_linear)
        return law.impact_overlap(cfg.particle_mass, r, e_star, speed, cs.pair_coefficients()[1]) / r
    p_y = cs.yield_pressures()["particle_wall"] if yield_pressure is None else yield_pressure
    return theory.impact_overlap(p_y, e_star, r, cfg.particle_mass, speed) / r


def check_tip_impact(cfg: Config, geometry: MixerGeometry) -> float:
    """Refuse (InputError) a material that a head-on rotor-tip hit would press beyond ``run.overlap_limit``
    when ``run.overlap_action`` is "refuse" (else warn); returns that hit's δ_max/R."""
    speed = tip_speed(cfg, geometry)
    ratio = tip_impact_overlap(cfg, speed)
    limit = cfg.run.overlap_limit
    if ratio <= limit:
        return ratio
    if cfg.run.overlap_action == "refuse":
        raise InputError(_overlap_message(cfg, speed, ratio))
    warnings.warn(_overlap_message(cfg, speed, ratio), stacklevel=2)
    return ratio


def _overlap_message(cfg: Config, speed: float, ratio: float) -> str:
    p, limit = cfg.particles, cfg.run.overlap_limit
    cs = contact_set(cfg)
    head = (f"run.rpm = {cfg.run.rpm:g}: a head-on hit by the rotor tip at {speed:.3g} m/s would press a particle "
            f"{ratio:.2g} R into the wall")
    tail = "a lower rpm, or set run.overlap_action = \"stop\" (stop when it happens) or \"warn\" to run anyway"
    if hasattr(registry.model("normal", cs.normal_model), "impact_overlap"):   # δ_max ∝ K_nl^(-1/2)
        return (f"{head} with contact.normal_model = {cs.normal_model!r}, beyond run.overlap_limit = {limit:g} R. "
                f"Raise its loading stiffness {(ratio / limit) ** 2:.3g}× (the Young's modulus or "
                f"contact.stiffness_multiplier_wall), use {tail}")
    p_y = cs.yield_pressures()["particle_wall"]
    what = "elastic (Hertz) particle" if p_y is None else \
        (f"p_y = {p_y / 1e6:.3g} MPa against the wall; particles pass through a wall above "
         f"√(3 p_y/ρ) = {math.sqrt(3 * p_y / p.density):.3g} m/s")
    lo, hi = (p_y or 1e3), 1e12     # the p_y that keeps this hit within the limit, by bisection
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if tip_impact_overlap(cfg, speed, mid) > limit else (lo, mid)
    return (f"{head} (E = {p.youngs_modulus:.3g} Pa, {what}), beyond run.overlap_limit = {limit:g} R, where "
            f"Thornton-Ning means nothing. Use a harder particle (particles.yield_pressure ≥ {hi / 1e6:.3g} MPa at "
            f"this E; docs/default_material.md), {tail}")


def build_simulation(cfg: Config, geometry: MixerGeometry, dt: float) -> Simulation:
    """The engine for the mixer: particle and wall materials, rotor and vessel meshes, sector domain."""
    cs = contact_set(cfg)
    r = cfg.particles.diameter / 2
    m = 4 * r
    rv, length = geometry.vessel_radius, geometry.length
    if cfg.run.full_mixer:
        domain = Domain((-rv - m, -rv - m, -m), (rv + m, rv + m, length + m))
    else:
        domain = Domain((-m, -m, -m), (rv + m, rv + m, length + m), sector_angle_deg=72.0)
    omega = theory.angular_speed(cfg.run.rpm)
    # a skin that the fastest particles (about the tip speed) cross in no fewer than ~8 steps: fewer list
    # rebuilds at high speed, at the price of longer lists
    skin = cfg.engine.skin or min(0.6 * r, max(0.2 * r, 8 * tip_speed(cfg, geometry) * dt))
    rotor = MeshBody(geometry.rotor.vertices, np.asarray(geometry.rotor.faces), material=1, omega=omega,
                     start_time=cfg.run.fill_time, ramp_time=cfg.run.rotor_ramp_time, name="rotor")
    vessel = MeshBody(geometry.vessel.vertices, np.asarray(geometry.vessel.faces), material=1, name="vessel")
    return simulation_for(cfg, cs, domain=domain, capacity=cfg.n_particles, max_radius=r, dt=dt, gravity=GRAVITY,
                          skin=skin, max_neighbors=cfg.engine.max_neighbors or None, max_walls=0,
                          meshes=[rotor, vessel])


def fill_target(cfg: Config, time: float) -> int:
    """Particles that should be in the mixer after the batch inserted at ``time`` (s): the mass flow is uniform
    over the fill time, and each batch brings the mass of the coming insertion interval."""
    ahead = (time + cfg.inlets.insert_interval) / cfg.run.fill_time
    return min(cfg.n_particles, math.ceil(cfg.n_particles * min(ahead, 1.0) - 1e-9))


def fill_particle_steps(cfg: Config, fill_dt: float) -> float:
    """Particle-steps of the fill at step ``fill_dt`` (s): its batches (``fill_target``), so the fill carries
    about half the charge on average."""
    interval, fill = cfg.inlets.insert_interval, cfg.run.fill_time
    starts = np.arange(0.0, fill, interval)
    return sum(fill_target(cfg, t) * (min(t + interval, fill) - t) for t in starts) / fill_dt


def run_particle_steps(cfg: Config, dt: float, fill_dt: float | None = None) -> float:
    """Particle-steps of the whole run at step ``dt`` (s), the fill at ``fill_dt`` (default ``dt``): the fill
    (``fill_particle_steps``), then the full charge for ``run.duration``. With a benchmark's particle-steps per
    second it gives the run's wall time."""
    return fill_particle_steps(cfg, fill_dt or dt) + cfg.n_particles * cfg.run.duration / dt


class Inlets:
    """Insertion sites inside the inlet regions, and the schedule that fills the mixer.

    Each inlet is an annular wedge (inner–outer radius, a few degrees wide, the chamber length less a
    particle's clearance) between two blades of the rotor at rest. Sites lie on a jittered cubic lattice
    (spacing 1.1 d) and are kept only if they clear the rotor and vessel; at each batch the scheduled number
    of particles takes free sites (none overlapping a particle already in the mixer), the rest wait for the
    next batch. Particles enter with ``inlets.speed`` radially outwards.
    """

    def __init__(self, cfg: Config, geometry: MixerGeometry, rng: np.random.Generator):
        self.cfg = cfg
        d = cfg.particles.diameter
        self.radius = d / 2
        n_sectors = 5 if cfg.run.full_mixer else 1
        width = math.radians(72.0 / cfg.inlets.count) * 0.35      # angular half-width of each inlet
        centres = [math.radians((k + 0.5) * 72.0 / cfg.inlets.count + 72.0 * s)
                   for s in range(n_sectors) for k in range(cfg.inlets.count)]
        r0, r1 = cfg.inlets.inner_radius, min(cfg.inlets.outer_radius, geometry.vessel_radius - d)
        spacing = 1.1 * d
        n_sites = (2 * r1 / spacing + 1) ** 2 * max(geometry.length / spacing, 1)
        if n_sites > MAX_INLET_SITES:   # refused before the lattice is allocated
            raise InputError(f"inlets: the insertion lattice would hold {n_sites:.3g} sites "
                             f"({n_sites * 72 / 1e9:.3g} GB) for {d * 1e3:.3g} mm particles in a vessel "
                             f"{2 * geometry.vessel_radius:.3g} m across and {geometry.length:.3g} m long, more than "
                             f"mfdem builds ({MAX_INLET_SITES:.0e}); check geometry.stl_scale (an STL "
                             "in millimetres?), inlets.outer_radius or particles.diameter")
        g = np.arange(-r1, r1 + spacing, spacing)
        z = np.arange(self.radius * 2, geometry.length - self.radius * 2, spacing)
        x, y, zz = np.meshgrid(g, g, z, indexing="ij")
        pts = np.stack([x.ravel(), y.ravel(), zz.ravel()], axis=1)
        pts += rng.uniform(-0.04 * d, 0.04 * d, pts.shape)
        rad = np.linalg.norm(pts[:, :2], axis=1)
        phi = np.arctan2(pts[:, 1], pts[:, 0]) % (2 * math.pi)
        inside = (rad >= r0) & (rad <= r1)
        in_wedge = np.zeros(len(pts), bool)
        for c in centres:
            in_wedge |= np.abs((phi - c + math.pi) % (2 * math.pi) - math.pi) <= width
        pts = pts[inside & in_wedge]
        pts = pts[_clear_of(pts, [geometry.rotor, geometry.vessel], self.radius)]
        if len(pts) == 0:
            raise InputError("inlets: no free insertion site; check inlets.inner_radius / outer_radius against "
                             "the geometry")
        self.sites = pts
        self.rng = rng
        self.n_total = cfg.n_particles
        self.inserted = 0

    def batch(self, time: float, positions: np.ndarray) -> np.ndarray:
        """Positions (m) of the particles to insert now; ``positions`` are those already present."""
        want = fill_target(self.cfg, time) - self.inserted
        if want <= 0:
            return np.zeros((0, 3))
        free = np.ones(len(self.sites), bool)
        if len(positions):
            tree = cKDTree(positions)
            free &= np.isinf(tree.query(self.sites, k=1, distance_upper_bound=2.02 * self.radius)[0])
        idx = np.flatnonzero(free)
        take = self.rng.permutation(idx)[:want]
        return self.sites[np.sort(take)]

    def velocities(self, pos: np.ndarray) -> np.ndarray:
        radial = np.zeros_like(pos)
        radial[:, :2] = pos[:, :2] / np.linalg.norm(pos[:, :2], axis=1, keepdims=True)
        return self.cfg.inlets.speed * radial


def _clear_of(points: np.ndarray, meshes, radius: float) -> np.ndarray:
    """Mask of points farther than 1.05 radius from every mesh surface."""
    keep = np.ones(len(points), bool)
    for mesh in meshes:
        keep &= distance_to_surface(points, mesh.vertices, mesh.faces, 1.05 * radius) > 1.05 * radius
    return keep
