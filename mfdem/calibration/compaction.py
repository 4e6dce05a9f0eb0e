"""Compaction twin: a cylindrical die filled with coarse-grained particles, compressed by a piston.

The lab test (mixer_setup.md §4; the paper's Methods, "DEM Simulations"): 1 g of powder in a die is
compressed up to 1000 N in a materials testing machine and the force–displacement curve is recorded. The
twin does the same with the engine:

1. **Fill** (pluviation): the particles start on a loose, jittered lattice inside the die (a
   ``CylinderWall(inside=True)`` on a ``PlaneWall`` floor) and settle under gravity. The fill uses a softened
   Young's modulus when the particle's own is stiff (chosen so that the fall impacts stay below
   ``fill_overlap`` × R) and damps velocities after the free fall; both only shorten the preparation.
   The settled packing is kept per process and reused by evaluations that share it (same geometry, seed,
   friction and fill material).
2. **Loading**: the particles get their real material (overlaps relax with damping), a ``PlaneWall`` piston
   starts just above the bed and is driven down at ``piston_speed`` until the piston force, averaged over a
   window of samples, reaches ``target_force``.
3. **Unloading**: the piston reverses at the same speed until its force drops back to the touch force.

Displacement is the piston travel from the *preload point*, where the window-averaged piston force first
exceeds ``touch_fraction`` × target force (1 %, as a testing machine's preload; at least half the bed
weight); the initial bed height is the piston height there. Porosity = 1 − solid volume / (die
cross-section × bed height), with the bed height from the piston: at the preload (initial), at the target
force, and where the piston leaves the compact on unloading (final). Forces are those of the walls on the
particles (``wall_force_on_particles``): piston, floor and the axial (friction) force of the die wall; in a
quasi-static state F_piston = F_floor + F_die wall − bed weight.

Quasi-static speed: with ``piston_speed = 0`` the speed is set from the inertial number
I = γ̇ d / √(σ/ρ) (γ̇ = v / bed height, d particle diameter, ρ particle density) at 1 % of the target stress:
v = I·H·√(σ₁/ρ)/d with ``inertial_number`` = 5e-3 by default: I falls as the stress rises, below 1e-3 (the
quasi-static regime, GDR MiDi 2004) from 25 % of the target force on. The displacement zero is the 1 % preload
because the first contact with the loose surface is never quasi-static (I ~ 0.1 under the bed's weight).
:func:`quasi_static_check` runs the same fill at v and v/2 and reports how much the curve changes (< 2 %
passes; about 1 % at twice the default speed on the test case).

One module, past the usual size: the plan, the settled fill, the pressing and its twin interface are one
experiment; measured curves and their features are calibration/curve.py.
"""

from __future__ import annotations

import math
import time as wallclock
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from mfdem.calibration.common import (GRAVITY, PARTICLE, WALL, TargetNotReached, base_config, check_overlap,
                                      contact_set, count_for_mass, pair_overlap, particle_radii, rayleigh_step,
                                      settle, twin_simulation, validate_setup)
from mfdem.calibration.curve import (  # noqa: F401 - re-exported
    CURVE_COLUMNS,
    LOAD_LEVELS,
    UNLOAD_LEVELS,
    MeasuredCurve,
    curve_features,
    loading_displacements,
    read_curve_csv,
)
from mfdem.calibration.twin import Target, Twin
from mfdem.config import Config
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import CylinderWall, PlaneWall
from mfdem.progress import Progress
from mfdem.tables import FLOAT, TEXT, Table
from mfdem.validation import InputError

CURVE_TABLE = {"displacement_m": FLOAT, "force_n": FLOAT, "floor_force_n": FLOAT, "wall_force_n": FLOAT,
               "time_s": FLOAT, "branch": TEXT}
POURED_POROSITY = 0.45      # a loose pour, for the reachability estimate
_PACKING_FACTOR = math.pi / (0.6 * 6.0)   # mean contact force = this · d² · σ (φ = 0.6, 6 contacts, Rumpf)


@dataclass
class CompactionSetup:
    """The compaction test (SI units). Material values come from the config passed alongside."""

    mass: float = 1.0e-3               # kg of particles in the die
    die_diameter: float = 12.0e-3      # m (1 g at 395 N = 3.45 MPa in the paper's porosity test → Ø ≈ 12 mm)
    target_force: float = 1000.0       # N on the piston where loading stops
    piston_speed: float = 0.0          # m/s; 0 = from inertial_number (quasi-static)
    inertial_number: float = 5.0e-3    # -, I at 1 % of the target stress for the automatic speed
    size_spread: float = 0.0           # -, radii uniform in R·(1 ± spread); 0 = monodisperse (the paper)
    rayleigh_fraction: float = 0.2     # -, time step as a fraction of the Rayleigh time
    fill_overlap: float = 0.05         # -, largest overlap/R of the fill impacts (sets the fill modulus)
    touch_fraction: float = 0.01       # -, preload (displacement zero) as a fraction of the target force
    sample_every: int = 5              # steps between force samples
    window: int = 20                   # samples per averaged curve point
    seed: int = 1                      # lattice jitter of the fill

    def validate(self) -> "CompactionSetup":
        validate_setup(self, {
            "mass": (0, None, True, "kg"), "die_diameter": (0, None, True, "m"),
            "target_force": (0, None, True, "N"), "piston_speed": (0, None, False, "m/s"),
            "inertial_number": (0, 0.1, True, ""), "size_spread": (0, 0.5, False, ""),
            "rayleigh_fraction": (0, 0.5, True, ""), "fill_overlap": (0, 0.2, True, ""),
            "touch_fraction": (0, 0.1, True, ""), "sample_every": (1, 10_000, False, "steps"),
            "window": (1, 10_000, False, "samples"), "seed": (0, None, False, "")})
        return self


@dataclass
class CompactionResult:
    """Force–displacement curve (window averages) and the numbers derived from it (SI units)."""

    displacement: np.ndarray        # m, piston travel from the touch point
    force: np.ndarray               # N, piston on the particles (pushing down, positive)
    floor_force: np.ndarray         # N, floor on the particles (up, positive)
    wall_force: np.ndarray          # N, axial force of the die wall on the particles (up, positive)
    time: np.ndarray                # s
    branch: np.ndarray              # "loading" / "unloading"
    displacement_at_target: float   # m
    initial_porosity: float         # -, poured bed (piston at touch)
    porosity_at_target: float       # -, bed under the target force
    final_porosity: float           # -, compact after unloading
    bulk_density: float             # kg/m³, poured bed
    force_balance: float            # -, (F_floor + F_wall − W)/F_piston over the upper half of loading
    wall_friction_fraction: float   # -, F_wall/F_piston at the target force
    piston_speed: float             # m/s
    n_particles: int
    dt: float                       # s
    steps: int
    fill_modulus: float             # Pa, modulus used while the fill settled
    max_overlap_ratio: float        # -, largest δ/R while loading and unloading
    runtime: float                  # s (wall clock)
    setup: dict = field(default_factory=dict)
    material: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Scalars only (JSON-ready)."""
        d = {k: v for k, v in asdict(self).items() if not isinstance(v, np.ndarray)}
        return d

    @property
    def loading(self) -> np.ndarray:
        return self.branch == "loading"

    def curve_table(self) -> Table:
        """The curve, one row per averaged point (:mod:`mfdem.tables`): displacement_m (from the preload),
        force_n (piston), floor_force_n, wall_force_n (die wall, axial), time_s, branch (loading/unloading);
        forces in N on the particles. ``displacement_m`` and ``force_n`` are what :func:`read_curve_csv`
        reads, so a written curve is a valid fit target."""
        return Table(dict(CURVE_TABLE), list(zip(self.displacement, self.force, self.floor_force,
                                                  self.wall_force, self.time, self.branch)))

    def to_csv(self, header: list[str] = ()) -> str:
        """The curve table as CSV text, after ``#`` comment lines ``header``."""
        return self.curve_table().to_csv(header)

    def write_csv(self, path, header: list[str] = ()) -> Path:
        """Write :meth:`to_csv` to ``path`` atomically; returns the path."""
        return self.curve_table().write_csv(path, header)

    def to_dataframe(self):
        """The curve table as a pandas DataFrame (``pip install 'mfdem[tables]'``)."""
        return self.curve_table().to_dataframe()

    def plot(self, path=None, title: str = None, measured=None) -> "matplotlib.figure.Figure":  # noqa: F821
        """The curve (and a measured one, ``(displacement, force)``, if given) as a matplotlib Figure, also
        written to ``path`` (PNG, or the suffix's format) when one is given."""
        from mfdem.figures import figure, finish  # noqa: PLC0415

        fig, axes = figure(size=(6.4, 4.4))
        ax = axes[0, 0]
        ld = self.loading
        ax.plot(self.displacement[ld] * 1e3, self.force[ld], "-", color="C0", label="piston, loading")
        ax.plot(self.displacement[~ld] * 1e3, self.force[~ld], "-", color="C1", label="piston, unloading")
        ax.plot(self.displacement * 1e3, self.floor_force, ":", color="0.4", lw=1, label="floor")
        if measured is not None:
            ax.plot(np.asarray(measured[0]) * 1e3, measured[1], "k--", lw=1, label="measured")
        ax.set_xlabel("piston displacement (mm)")
        ax.set_ylabel("force (N)")
        ax.set_title(title or f"compaction: {self.n_particles} particles, final porosity {self.final_porosity:.3f}")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
        return finish(fig, path)


# ------------------------------------------------------------------------------------------ set-up


@dataclass(frozen=True)
class _Plan:
    n: int
    radius: float           # nominal (m)
    r_max: float
    die_radius: float
    lattice: np.ndarray     # (n, 3) initial positions
    radii: np.ndarray
    lo: tuple
    hi: tuple
    solid_volume: float     # m³
    area: float             # m²
    fill_modulus: float
    fill_dt: float
    dt: float
    piston_speed: float


def plan(setup: CompactionSetup, cfg: Config) -> _Plan:
    """Validate the inputs (InputError naming the field and range) and lay out the twin; no simulation."""
    setup.validate()
    p = cfg.particles
    d = p.diameter
    n = count_for_mass(setup.mass, d, p.density)
    if n < 20:
        raise InputError(f"mass = {setup.mass:g} kg gives {n} particles of {d:g} m: must give at least 20 "
                         f"(mass ≥ {20 * p.density * math.pi / 6 * d**3:.3g} kg)")
    if n > 5_000_000:
        raise InputError(f"mass = {setup.mass:g} kg gives {n} particles: at most 5,000,000")
    r = d / 2
    r_max = r * (1 + setup.size_spread)
    if setup.die_diameter < 4 * 2 * r_max:
        raise InputError(f"die_diameter = {setup.die_diameter:g} m: must be ≥ 4 particle diameters "
                         f"({8 * r_max:g} m)")
    rng = np.random.default_rng(setup.seed)
    radii = particle_radii(n, d, setup.size_spread, rng)
    rd = setup.die_diameter / 2
    area = math.pi * rd**2
    solid = float(np.sum(4.0 / 3.0 * math.pi * radii**3))
    _check_reachable(setup, cfg, area, solid)
    lattice = _lattice(n, rd, r_max, rng)
    top = float(lattice[:, 2].max()) + r_max
    m = 2 * r_max
    lo = (-rd - m, -rd - m, -m)
    hi = (rd + m, rd + m, top + 3 * m)
    # fill modulus: the fall from the lattice top at √(2 g h) must not overlap more than fill_overlap · R
    mass = p.density * 4 / 3 * math.pi * r**3
    v = math.sqrt(2 * GRAVITY * top)
    delta = setup.fill_overlap * r
    e_star = 15 * (mass / 2) * v * v / (16 * math.sqrt(r / 2) * delta**2.5)
    e_fill = min(p.youngs_modulus, 2 * (1 - p.poisson_ratio**2) * e_star)
    r_min = float(radii.min())
    dt = rayleigh_step(r_min, cfg, setup.rayleigh_fraction)
    fill_dt = rayleigh_step(r_min, cfg, setup.rayleigh_fraction, youngs_modulus=e_fill)
    speed = setup.piston_speed or auto_piston_speed(setup, cfg, area, solid)
    return _Plan(n, r, r_max, rd, lattice, radii, lo, hi, solid, area, e_fill, fill_dt, dt, speed)


def auto_piston_speed(setup: CompactionSetup, cfg: Config, area: float, solid: float) -> float:
    """v = I·H·√(σ₁/ρ)/d at 1 % of the target stress σ₁ (module docstring)."""
    height = solid / (area * (1 - POURED_POROSITY))
    sigma = 0.01 * setup.target_force / area
    return setup.inertial_number * height * math.sqrt(sigma / cfg.particles.density) / cfg.particles.diameter


def _check_reachable(setup: CompactionSetup, cfg: Config, area: float, solid: float) -> None:
    """Reject a target force the die cannot reach before any simulation: the mean contact force it needs
    (Rumpf: f ≈ π d² σ / (φ Z)) must load a pair of particles to less than the bed can give (overlaps of
    ``POURED_POROSITY`` × d; beyond that the piston would press the bed below its solid height)."""
    d = cfg.particles.diameter
    sigma = setup.target_force / area
    f = _PACKING_FACTOR * d * d * sigma
    strain = pair_overlap(f, cfg, d / 2) / d
    if strain > 1.2 * POURED_POROSITY:
        # largest force: the contact force at an overlap of POURED_POROSITY · d, by bisection on the law
        lo_f, hi_f = 0.0, f
        for _ in range(80):
            mid = 0.5 * (lo_f + hi_f)
            if pair_overlap(mid, cfg, d / 2) / d < POURED_POROSITY:
                lo_f = mid
            else:
                hi_f = mid
        f_max = lo_f / (_PACKING_FACTOR * d * d) * area
        p = cfg.particles
        law = (f"yield ratio {p.yield_ratio:g}" if p.yield_ratio else
               f"yield pressure {p.yield_pressure:g} Pa" if p.yield_pressure else "elastic Hertz contacts")
        raise InputError(
            f"target_force = {setup.target_force:g} N cannot be reached in a {setup.die_diameter * 1e3:g} mm die: "
            f"the mean stress {sigma / 1e6:.3g} MPa needs contact forces of ~{f:.3g} N, i.e. overlaps of "
            f"~{strain:.2g} particle diameters with E = {p.youngs_modulus:g} Pa and {law} (the bed would have to "
            f"shrink below its solid volume). With these particles the die reaches at most ~{f_max:.3g} N: "
            f"target_force must be in (0, {f_max:.3g}] N, or raise the Young's modulus / yield ratio, or widen "
            f"the die")


def _lattice(n: int, die_radius: float, r_max: float, rng) -> np.ndarray:
    """A loose square lattice (spacing 2.2 r_max, alternate layers offset, jittered) filling the die from
    the floor up; the last layer takes random sites."""
    s = 2.2 * r_max
    g = np.arange(-die_radius, die_radius + s, s)
    layers = []
    for k in range(2):
        off = 0.5 * s * k
        x, y = np.meshgrid(g + off, g + off, indexing="ij")
        inside = x**2 + y**2 <= (die_radius - 1.05 * r_max - 0.1 * s) ** 2
        layers.append(np.column_stack([x[inside], y[inside]]))
    rows = []
    k = 0
    while sum(len(r) for r in rows) < n:
        layer = layers[k % 2]
        if len(layer) == 0:
            raise InputError(f"die_diameter = {2 * die_radius:g} m is too narrow for particles of "
                             f"{2 * r_max:g} m")
        need = n - sum(len(r) for r in rows)
        take = layer if need >= len(layer) else layer[np.sort(rng.choice(len(layer), need, replace=False))]
        z = 1.05 * r_max + k * s
        rows.append(np.column_stack([take, np.full(len(take), z)]))
        k += 1
    pos = np.concatenate(rows)
    pos[:, :2] += rng.uniform(-0.05 * s, 0.05 * s, (n, 2))
    return pos


# ------------------------------------------------------------------------------------------ running

_FILLS: OrderedDict = OrderedDict()
_MAX_FILLS = 8


def _simulation(pl: _Plan, cfg: Config, dt: float, e: float) -> Simulation:
    return twin_simulation("compaction", contact_set(cfg, youngs_modulus=e), cfg, Domain(pl.lo, pl.hi), pl.n, pl.r_max,
                           dt, (0, 0, -GRAVITY))


def _die_walls(sim: Simulation, pl: _Plan) -> tuple[int, int]:
    die = sim.add_wall(CylinderWall(point=(0, 0, 0), axis=(0, 0, 1), radius=pl.die_radius, inside=True,
                                    material=WALL, name="die"))
    floor = sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1), material=WALL, name="floor"))
    return die, floor


def _settled_fill(setup: CompactionSetup, cfg: Config, pl: _Plan, progress: bool = False) -> np.ndarray:
    """Positions of the settled fill (cached per process for identical inputs); ``progress`` shows the
    settling on stderr (it can take longer than the compaction itself)."""
    p, c = cfg.particles, cfg.contact
    key = (setup.mass, setup.die_diameter, setup.size_spread, setup.seed, setup.rayleigh_fraction,
           setup.fill_overlap, p.diameter, p.density, p.poisson_ratio, p.yield_ratio, p.yield_pressure,
           p.yield_ratio_definition, c.static_friction_particle, c.static_friction_wall,
           pl.fill_modulus, c.friction_particle, c.friction_wall, c.rolling_friction_particle,
           c.rolling_friction_wall, c.rolling_model, cfg.wall.youngs_modulus, cfg.wall.poisson_ratio,
           cfg.run.precision)
    if key in _FILLS:
        _FILLS.move_to_end(key)
        return _FILLS[key]
    sim = _simulation(pl, cfg, pl.fill_dt, pl.fill_modulus)
    _die_walls(sim, pl)
    sim.add_particles(pl.lattice, pl.radii, material=PARTICLE)
    fall = math.sqrt(2 * float(pl.lattice[:, 2].max()) / GRAVITY)
    mass = cfg.particles.density * 4 / 3 * math.pi * pl.radius**3
    max_time = 10 * fall + 0.05
    with Progress(max_time, desc=f"compaction fill, {pl.n} particles settling", unit="simulated s",
                  enabled=progress) as bar:
        settle(sim, max_time=max_time, check_every=50 * sim.dt, damping_after=1.2 * fall,
               tolerance=1e-4 * mass * GRAVITY * 2 * pl.radius, progress=bar)
    pos = sim.positions.astype(float).copy()
    _FILLS[key] = pos
    while len(_FILLS) > _MAX_FILLS:
        _FILLS.popitem(last=False)
    return pos


def simulate_compaction(setup: CompactionSetup = None, cfg: Config = None, *, fill: np.ndarray = None,
                        progress: bool = False) -> CompactionResult:
    """Run the compaction twin; see the module docstring. ``cfg`` supplies the particle, wall and contact
    settings (default: the mixer's defaults); ``progress``: show it on stderr (mfdem/progress.py). Raises
    InputError for bad input (before any simulation) and TargetNotReached when the piston reaches the bed's
    solid height first."""
    t_start = wallclock.perf_counter()
    setup = setup or CompactionSetup()
    cfg = base_config(cfg)
    pl = plan(setup, cfg)
    positions = _settled_fill(setup, cfg, pl, progress) if fill is None else fill
    p = cfg.particles

    sim = _simulation(pl, cfg, pl.dt, p.youngs_modulus)
    die, floor = _die_walls(sim, pl)
    sim.add_particles(positions, pl.radii, material=PARTICLE)
    mass_p = p.density * 4 / 3 * math.pi * pl.radius**3
    if pl.fill_modulus != p.youngs_modulus:   # the stiffer particles push the fill's overlaps apart: damp it
        settle(sim, max_time=2000 * sim.dt, check_every=10 * sim.dt, damping_after=0.0,
               tolerance=1e-4 * mass_p * GRAVITY * 2 * pl.radius)
    sim.max_overlap_ratio(reset=True)
    weight = float(np.sum(sim.masses)) * GRAVITY
    top = float(np.max(sim.positions[:, 2] + pl.radii))
    v = pl.piston_speed
    z_start = top + 0.25 * pl.radius
    t0 = sim.time
    piston = sim.add_wall(PlaneWall(point=(0, 0, z_start + v * t0), normal=(0, 0, -1), velocity=(0, 0, -v),
                                    material=WALL, name="piston"))
    touch = max(setup.touch_fraction * setup.target_force, 0.5 * weight)
    solid_height = pl.solid_volume / pl.area
    every, window = setup.sample_every, setup.window

    def piston_z(t):
        return z_start - v * (t - t0) if not unloading else z_turn + v * (t - t_turn)

    samples = []          # rows: z_piston, F_piston, F_floor, F_wall, time
    windows = []          # window means, same columns + branch flag
    unloading = False
    z_turn = t_turn = None
    z_touch = None
    steps0 = sim.step_count
    bar = Progress(None, desc=f"compaction twin, {pl.n} particles", enabled=progress)
    with bar:
        while True:
            sim.step(every)
            fp = -float(sim.wall_force_on_particles(piston)[2])
            ff = float(sim.wall_force_on_particles(floor)[2])
            fw = float(sim.wall_force_on_particles(die)[2])
            samples.append((piston_z(sim.time), fp, ff, fw, sim.time))
            if len(samples) < window:
                continue
            mean = np.mean(samples, axis=0)
            samples.clear()
            windows.append((*mean, 1.0 if unloading else 0.0))
            bar.update_to(sim.step_count - steps0, f"piston force {mean[1]:.4g} N of {setup.target_force:g} N, "
                                                   f"{'unloading' if unloading else 'loading'}")
            if not unloading:
                if z_touch is None and mean[1] >= touch:
                    z_touch = mean[0]
                if mean[1] >= setup.target_force:
                    t_turn, z_turn = sim.time, piston_z(sim.time)
                    unloading = True
                    sim.set_wall(piston, PlaneWall(point=(0, 0, z_turn - v * t_turn), normal=(0, 0, -1),
                                                      velocity=(0, 0, v), material=WALL, name="piston"))
                elif mean[0] <= solid_height:
                    raise TargetNotReached(
                        f"target_force = {setup.target_force:g} N was not reached: the piston pressed the bed down "
                        f"to its solid height ({solid_height * 1e3:.3g} mm) at {mean[1]:.4g} N. Lower the target "
                        f"force or stiffen the particles (Young's modulus, yield ratio)")
            elif mean[1] <= touch or mean[0] >= z_touch:
                break
    w = np.asarray(windows)
    keep = w[:, 0] <= z_touch + 1e-15
    w = w[keep]
    disp = z_touch - w[:, 0]
    branch = np.where(w[:, 5] > 0, "unloading", "loading")
    ld = branch == "loading"
    # displacement at the target force: interpolate between the last two loading windows
    fl, sl = w[ld, 1], disp[ld]
    if len(fl) >= 2 and fl[-1] > fl[-2]:
        s_target = float(sl[-2] + (setup.target_force - fl[-2]) * (sl[-1] - sl[-2]) / (fl[-1] - fl[-2]))
    else:
        s_target = float(sl[-1])
    upper = ld & (w[:, 1] >= 0.5 * setup.target_force)
    balance = float(np.mean((w[upper, 2] + w[upper, 3] - weight) / w[upper, 1])) if upper.any() else math.nan
    wall_frac = float(w[ld, 3][-1] / w[ld, 1][-1])
    height = {"initial": z_touch, "target": z_touch - s_target, "final": float(w[-1, 0])}
    por = {k: 1.0 - pl.solid_volume / (pl.area * h) for k, h in height.items()}
    overlap = sim.max_overlap_ratio()
    check_overlap("compaction twin", overlap, cfg)
    return CompactionResult(
        displacement=disp, force=w[:, 1], floor_force=w[:, 2], wall_force=w[:, 3], time=w[:, 4], branch=branch,
        displacement_at_target=s_target, initial_porosity=por["initial"], porosity_at_target=por["target"],
        final_porosity=por["final"], bulk_density=float(np.sum(sim.masses)) / (pl.area * z_touch),
        force_balance=balance, wall_friction_fraction=wall_frac, piston_speed=v, n_particles=pl.n, dt=pl.dt,
        steps=sim.step_count - steps0, fill_modulus=pl.fill_modulus, max_overlap_ratio=overlap,
        runtime=wallclock.perf_counter() - t_start, setup=asdict(setup),
        material={"particles": asdict(cfg.particles), "contact": asdict(cfg.contact), "wall": asdict(cfg.wall)})


def quasi_static_check(setup: CompactionSetup = None, cfg: Config = None, tolerance: float = 0.02) -> dict:
    """Run the twin at the setup's piston speed and at half of it (same fill) and compare the loading curves:
    ``curve_change`` = max over force levels 10–100 % of the target of |s_v(F) − s_v/2(F)| / s_v/2(target).
    Returns both results' displacements at target, the change and ``passed`` (change < ``tolerance``)."""
    setup = setup or CompactionSetup()
    cfg = base_config(cfg)
    fast = simulate_compaction(setup, cfg)
    slow_setup = CompactionSetup(**{**asdict(setup), "piston_speed": fast.piston_speed / 2})
    slow = simulate_compaction(slow_setup, cfg)
    levels = np.linspace(0.1, 1.0, 10) * setup.target_force
    s_fast = loading_displacements(fast.displacement, fast.force, fast.branch, levels)
    s_slow = loading_displacements(slow.displacement, slow.force, slow.branch, levels)
    change = float(np.max(np.abs(s_fast - s_slow)) / s_slow[-1])
    return {"piston_speed": fast.piston_speed, "displacement_at_target": fast.displacement_at_target,
            "displacement_at_target_half_speed": slow.displacement_at_target, "curve_change": change,
            "passed": change < tolerance, "results": (fast, slow)}


# ------------------------------------------------------------------------------------------ curves


class CompactionTwin(Twin):
    """The compaction test as a calibration twin (calibration/twin.py): it reproduces a measured loading (and
    unloading) curve and the poured bulk density."""

    name = "compaction"
    setup_class = CompactionSetup
    targets = (Target("curve", "curve", "CSV with displacement_m (m) and force_n (N)", "force-displacement curve",
                      cli="--curve", reader=read_curve_csv),
               Target("bulk_density", "bulk_density", "kg/m^3", "bulk density", lo=0, cli="--bulk-density"))
    report = (("displacement_at_target_m", "displacement_at_target"), ("bulk_density_kg_m3", "bulk_density"),
              ("final_porosity", "final_porosity"), ("compaction_max_overlap_ratio", "max_overlap_ratio"))
    LOAD_LEVELS = LOAD_LEVELS.tolist()      # of the measured maximum force
    UNLOAD_LEVELS = UNLOAD_LEVELS.tolist()

    def plan(self, setup, targets) -> dict:
        """Run to the measured curve's maximum force, and read the displacements at its force levels."""
        setup = setup or CompactionSetup()
        if targets.curve is None:
            return asdict(setup.validate())
        out = asdict(replace(setup, target_force=targets.curve.max_force).validate())
        return {**out, "load_levels": self.LOAD_LEVELS, "unload_levels": self.UNLOAD_LEVELS}

    def simulate(self, setup: dict, cfg, progress: bool = False) -> dict:
        levels = {k: setup.get(k) for k in ("load_levels", "unload_levels")}
        s = CompactionSetup(**{k: v for k, v in setup.items() if k not in levels})
        r = simulate_compaction(s, cfg, progress=progress)
        feats = curve_features(r.displacement, r.force, r.branch, s.target_force, **levels)
        out = {k: v for k, v in r.summary().items() if k not in ("setup", "material")}
        return {**out, "load": feats["load"].tolist(), "unload": feats["unload"].tolist()}

    def measured(self, targets) -> dict:
        c = targets.curve
        return {} if c is None else {"curve": curve_features(c.displacement, c.force, c.branch, c.max_force)}

    def features(self, record: dict, targets) -> dict:
        out = {}
        if targets.curve is not None:
            out["load"] = np.asarray(record["load"], float)
            out["unload"] = np.asarray(record["unload"], float)
        if targets.bulk_density is not None:
            out["bulk_density"] = float(record["bulk_density"])
        return out

    def errors(self, responses: dict, targets, measured: dict) -> dict:
        """curve: the RMS over the force levels of the displacement error relative to the measured
        displacement at the maximum force (a level never reached counts as 100 %); bulk density: relative."""
        out = {}
        if targets.curve is not None:
            m = measured["curve"]
            scale = m["load"][-1]
            errs = [(responses["load"] - m["load"]) / scale]
            if np.any(np.isfinite(m["unload"])):
                ok = np.isfinite(m["unload"])
                errs.append((responses["unload"][ok] - m["unload"][ok]) / scale)
            e = np.concatenate(errs)
            e = np.where(np.isfinite(e), e, 1.0)
            out["curve"] = float(math.sqrt(np.mean(e * e)))
        if targets.bulk_density is not None:
            out["bulk_density"] = float((responses["bulk_density"] - targets.bulk_density) / targets.bulk_density)
        return out

    def synthetic(self, setup, cfg, sample_factor: float = 1.0) -> dict:
        """"Measured" targets made by this twin from the known parameters in ``cfg`` (it runs to its target
        force: there is no sampling window to lengthen, ``sample_factor`` does not apply)."""
        r = simulate_compaction(setup, cfg)
        return {"compaction": r, "bulk_density": r.bulk_density}


TWIN = CompactionTwin()
