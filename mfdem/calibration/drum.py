"""GranuDrum twin: a horizontal rotating drum, its steady flowing angle and cohesive index.

The lab test (mixer_setup.md §4): a GranuDrum (Ø 84 mm × 20 mm) turns at 20 rpm with 51.2 g of powder;
60 images of the free surface are averaged. The twin: a ``CylinderWall(inside=True)`` of the drum's
diameter, axis along z (horizontal), gravity −y, turning at ``omega`` about +z. Either an axial slice
(``slice_fraction`` of the width, 15 % by default = 3 mm) with linear periodic boundaries along z, or the full
width between two side walls that turn with the drum (``full_width``). The default fill is the paper's:
51.2 g scaled to the simulated width (7.68 g for the 15 % slice).

Procedure: the particles start on a close lattice in the bottom of the drum, which turns from t = 0; the
first ``spinup`` seconds (default half a revolution) let the bed settle, rise and reach steady flow and
are discarded. Then ``snapshots`` snapshots are taken evenly over ``duration`` (default one revolution)
and reduced by :mod:`mfdem.calibration.surface` (free surface per snapshot, average, flowing angle over the
central chord D/5, cohesive index). Steadiness is checked by comparing the angles of the first and second
half of the snapshots (``angle_drift_deg``).

Young's modulus: the flowing angle hardly depends on it while overlaps stay small, so ``youngs_modulus``
may soften the particles for this twin only (a larger time step) — a common choice for flow calibration;
0 keeps the config's value.
"""

from __future__ import annotations

import math
import time as wallclock
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from mfdem.calibration import surface
from mfdem.calibration.common import (GRAVITY, PARTICLE, WALL, base_config, check_overlap, contact_set, count_for_mass,
                                      particle_radii, rayleigh_step, twin_simulation, validate_setup, with_overrides)
from mfdem.calibration.twin import Target, Twin
from mfdem.config import Config
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import CylinderWall, PlaneWall
from mfdem.progress import Progress
from mfdem.tables import FLOAT, INT, Table
from mfdem.validation import InputError

PAPER_FILL_MASS = 51.2e-3       # kg in the whole 20 mm GranuDrum (paper)
PAPER_WIDTH = 20.0e-3           # m
LOOSE_PACKING = 0.58            # solid fraction assumed for the fill-volume check
PROFILE_TABLE = {"x_m": FLOAT, "height_m": FLOAT, "height_std_m": FLOAT, "in_chord": INT, "fit_height_m": FLOAT}


@dataclass
class DrumSetup:
    """The rotating-drum test (SI units). Material values come from the config passed alongside."""

    diameter: float = 0.084             # m
    width: float = PAPER_WIDTH          # m, axial length of the real drum
    slice_fraction: float = 0.15        # -, simulated share of the width (periodic slice)
    full_width: bool = False            # simulate the whole width between turning side walls
    omega: float = 2.0 * math.pi * 20.0 / 60.0   # rad/s (20 rpm)
    fill_mass: float = 0.0              # kg in the simulated width; 0 = 51.2 g × simulated width / 20 mm
    snapshots: int = 60
    duration: float = 0.0               # s of sampling; 0 = one revolution
    spinup: float = 0.0                 # s before sampling; 0 = half a revolution
    chord_fraction: float = 0.2         # -, chord of the flowing angle / D (GranuDrum: D/5)
    column_width: float = 0.0           # m, interface columns; 0 = one particle diameter
    size_spread: float = 0.0            # -, radii uniform in R·(1 ± spread)
    rayleigh_fraction: float = 0.2      # -, time step / Rayleigh time
    youngs_modulus: float = 0.0         # Pa, particle modulus for this twin; 0 = the config's
    seed: int = 1

    def validate(self) -> "DrumSetup":
        validate_setup(self, {
            "diameter": (0, None, True, "m"), "width": (0, None, True, "m"), "slice_fraction": (0, 1, True, ""),
            "omega": (0, None, True, "rad/s"), "fill_mass": (0, None, False, "kg"),
            "snapshots": (2, 100_000, False, ""), "duration": (0, None, False, "s"),
            "spinup": (0, None, False, "s"), "chord_fraction": (0, 1, True, ""),
            "column_width": (0, None, False, "m"), "size_spread": (0, 0.5, False, ""),
            "rayleigh_fraction": (0, 0.5, True, ""), "youngs_modulus": (0, None, False, "Pa"),
            "seed": (0, None, False, "")})
        if not isinstance(self.full_width, bool):
            raise InputError(f"DrumSetup.full_width = {self.full_width!r}: must be true or false")
        return self

    @property
    def simulated_width(self) -> float:
        return self.width if self.full_width else self.width * self.slice_fraction

    @property
    def revolution(self) -> float:
        return 2.0 * math.pi / self.omega


@dataclass
class DrumResult:
    flowing_angle_deg: float
    cohesive_index: float
    angle_first_half_deg: float
    angle_second_half_deg: float
    angle_drift_deg: float          # second − first half
    steady: bool
    interface_x: np.ndarray         # m, averaged interface
    interface_height: np.ndarray    # m
    interface_std: np.ndarray       # m
    chord_columns: np.ndarray       # bool, columns of the angle fit
    slope: float
    intercept: float                # m
    x_mid: float                    # m
    last_positions: np.ndarray      # (n, 3) m
    radii: np.ndarray               # m
    n_particles: int
    fill_mass: float                # kg
    dt: float                       # s
    steps: int
    max_overlap_ratio: float
    runtime: float                  # s (wall clock)
    setup: dict = field(default_factory=dict)
    material: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {k: v for k, v in asdict(self).items() if not isinstance(v, np.ndarray)}

    def profile_table(self) -> Table:
        """The averaged free surface and the flowing-angle fit, one row per interface column with a top in
        every snapshot, left to right (:mod:`mfdem.tables`): x_m, height_m (averaged top), height_std_m
        (scatter between snapshots), in_chord (1: the column is in the fitted chord), fit_height_m (the
        fitted line slope · x + intercept, on the chord's columns only); coordinates in the drum's
        cross-section, m, origin on the axis, y up."""
        ok = np.isfinite(self.interface_x) & np.isfinite(self.interface_height)   # columns run left to right
        x = self.interface_x[ok]
        chord = self.chord_columns[ok]
        fit = np.where(chord, self.slope * x + self.intercept, np.nan)
        return Table(dict(PROFILE_TABLE), list(zip(x, self.interface_height[ok], self.interface_std[ok],
                                                    chord.astype(int), fit)))

    def fit_comments(self) -> list[str]:
        """The flowing-angle fit in words, for the ``#`` lines above the profile table."""
        return [f"flowing angle {self.flowing_angle_deg:.6g} deg: least-squares line height_m = slope * x_m + "
                f"intercept over the chord D * {self.setup['chord_fraction']:g} (in_chord = 1), slope "
                f"{self.slope:.9g}, intercept {self.intercept:.9g} m, chord mid-point x {self.x_mid:.9g} m",
                f"cohesive index {self.cohesive_index:.6g}; angle over the first / second half of the snapshots "
                f"{self.angle_first_half_deg:.6g} / {self.angle_second_half_deg:.6g} deg"]

    def write_csv(self, path, header: list[str] = ()) -> Path:
        """Write the profile table as CSV to ``path`` atomically, after the ``#`` lines ``header`` and
        :meth:`fit_comments`; returns the path."""
        return self.profile_table().write_csv(path, [*header, *self.fit_comments()])

    def to_dataframe(self):
        """The profile table as a pandas DataFrame (``pip install 'mfdem[tables]'``)."""
        return self.profile_table().to_dataframe()

    def plot(self, path=None, title: str = None) -> "matplotlib.figure.Figure":  # noqa: F821
        """The last snapshot's particles (cross-section), the averaged interface and the fitted chord as a
        matplotlib Figure, also written to ``path`` (PNG, or the suffix's format) when one is given."""
        from matplotlib.collections import EllipseCollection  # noqa: PLC0415
        from matplotlib.patches import Circle  # noqa: PLC0415

        from mfdem.figures import figure, finish  # noqa: PLC0415

        r_drum = self.setup["diameter"] / 2
        fig, axes = figure(size=(5.6, 5.6))
        ax = axes[0, 0]
        ax.add_patch(Circle((0, 0), r_drum * 1e3, fill=False, color="k", lw=1.5))
        pos = self.last_positions * 1e3
        d = 2 * self.radii * 1e3
        ax.add_collection(EllipseCollection(d, d, 0, units="xy", offsets=pos[:, :2], offset_transform=ax.transData,
                                            facecolors="C0", alpha=0.35, edgecolors="none"))
        ok = np.isfinite(self.interface_height)
        ax.plot(self.interface_x[ok] * 1e3, self.interface_height[ok] * 1e3, "-", color="C3", lw=1.5,
                label=f"averaged surface ({self.setup['snapshots']} snapshots)")
        xs = self.interface_x[self.chord_columns]
        if len(xs):
            xl = np.array([xs.min(), xs.max()])
            ax.plot(xl * 1e3, (self.slope * xl + self.intercept) * 1e3, "-", color="k", lw=2.5,
                    label=f"chord D·{self.setup['chord_fraction']:g}: {self.flowing_angle_deg:.1f}°")
        ax.set_xlim(-r_drum * 1.05e3, r_drum * 1.05e3)
        ax.set_ylim(-r_drum * 1.05e3, r_drum * 1.05e3)
        ax.set_aspect("equal")
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("y (mm)")
        ax.set_title(title or f"drum: flowing angle {self.flowing_angle_deg:.1f}°, "
                              f"cohesive index {self.cohesive_index:.1f}")
        ax.legend(loc="upper left", fontsize=8)
        return finish(fig, path)


@dataclass(frozen=True)
class _Plan:
    n: int
    radii: np.ndarray
    r_max: float
    lattice: np.ndarray
    lo: tuple
    hi: tuple
    periodic: tuple
    dt: float
    spinup: float
    duration: float
    column_width: float
    fill_mass: float
    cfg: Config


def plan(setup: DrumSetup, cfg: Config) -> _Plan:
    """Validate and lay out the twin (InputError naming the field and range); no simulation."""
    setup.validate()
    if setup.youngs_modulus:
        cfg = with_overrides(cfg, {"particles": {"youngs_modulus": setup.youngs_modulus}})
    p = cfg.particles
    d = p.diameter
    r_max = d / 2 * (1 + setup.size_spread)
    w = setup.simulated_width
    rd = setup.diameter / 2
    if setup.diameter < 10 * 2 * r_max:
        raise InputError(f"DrumSetup.diameter = {setup.diameter:g} m: must be ≥ 10 particle diameters "
                         f"({20 * r_max:g} m)")
    if not setup.full_width and w < 3 * 2.2 * r_max:
        raise InputError(f"DrumSetup.slice_fraction = {setup.slice_fraction:g}: the periodic slice of "
                         f"{w * 1e3:.3g} mm must be at least 3.3 particle diameters ({6.6 * r_max * 1e3:.3g} mm); "
                         f"raise slice_fraction or use full_width")
    if setup.full_width and w < 2.2 * r_max:
        raise InputError(f"DrumSetup.width = {w:g} m: must exceed a particle diameter")
    fill_mass = setup.fill_mass or PAPER_FILL_MASS * w / PAPER_WIDTH
    n = count_for_mass(fill_mass, d, p.density)
    if n < 50:
        raise InputError(f"DrumSetup.fill_mass = {fill_mass:g} kg gives {n} particles: at least 50 are needed")
    volume = n * math.pi / 6 * d**3 / LOOSE_PACKING
    capacity = 0.85 * math.pi * rd**2 * w
    if volume > capacity:
        raise InputError(f"DrumSetup.fill_mass = {fill_mass:g} kg fills {volume / (math.pi * rd**2 * w) * 100:.0f} % "
                         f"of the drum; at most 85 % (≤ {fill_mass * capacity / volume:.3g} kg)")
    rng = np.random.default_rng(setup.seed)
    radii = particle_radii(n, d, setup.size_spread, rng)
    lattice = _lattice(n, rd, w, r_max, setup.full_width, rng)
    m = 2 * r_max
    if setup.full_width:
        lo, hi, periodic = (-rd - m, -rd - m, -m), (rd + m, rd + m, w + m), (False, False, False)
    else:
        lo, hi, periodic = (-rd - m, -rd - m, 0.0), (rd + m, rd + m, w), (False, False, True)
    dt = rayleigh_step(float(radii.min()), cfg, setup.rayleigh_fraction)
    spinup = setup.spinup or 0.5 * setup.revolution
    duration = setup.duration or setup.revolution
    column = setup.column_width or d
    if duration / setup.snapshots < dt:
        raise InputError(f"DrumSetup.snapshots = {setup.snapshots}: more snapshots than time steps in the duration")
    return _Plan(n, radii, r_max, lattice, lo, hi, periodic, dt, spinup, duration, column, fill_mass, cfg)


def _lattice(n, rd, w, r_max, full_width, rng) -> np.ndarray:
    """Hexagonal layers (spacing 2.04 r_max) in the bottom of the drum, lowest sites first."""
    s = 2.04 * r_max
    if full_width:
        nz = max(1, int((w - 2.1 * r_max) // s) + 1)
        zs = 1.05 * r_max + np.arange(nz) * s
    else:
        nz = max(1, int(w // s))
        zs = (np.arange(nz) + 0.5) * w / nz
    rows = []
    ys = np.arange(-rd + 1.05 * r_max, rd, s * math.sqrt(3) / 2)
    for iz, z in enumerate(zs):
        for iy, y in enumerate(ys):
            off = 0.5 * s * (iy % 2) + 0.25 * s * (iz % 2)
            xs = np.arange(-rd + off, rd, s)
            ok = xs**2 + y**2 <= (rd - 1.05 * r_max) ** 2
            rows.append(np.column_stack([xs[ok], np.full(ok.sum(), y), np.full(ok.sum(), z)]))
    pos = np.concatenate(rows)
    if len(pos) < n:
        raise InputError(f"fill: {n} particles do not fit in the drum lattice ({len(pos)} sites)")
    order = np.lexsort((rng.random(len(pos)), pos[:, 1]))
    pos = pos[order[:n]].copy()
    pos[:, :2] += rng.uniform(-0.01 * s, 0.01 * s, (n, 2))
    return pos


def _simulation(pl: _Plan, cfg: Config) -> Simulation:
    return twin_simulation("drum", contact_set(cfg), cfg, Domain(pl.lo, pl.hi, periodic=pl.periodic), pl.n, pl.r_max,
                           pl.dt, (0, -GRAVITY, 0))


def build(setup: DrumSetup, cfg: Config = None) -> tuple:
    """``(plan, simulation)``: the filled drum with its walls, ready to step (``simulate_drum`` runs it)."""
    pl = plan(setup, base_config(cfg))
    sim = _simulation(pl, pl.cfg)
    omega = (0.0, 0.0, setup.omega)
    sim.add_wall(CylinderWall(point=(0, 0, 0), axis=(0, 0, 1), radius=setup.diameter / 2, inside=True,
                              angular_velocity=omega, material=WALL, name="drum"))
    if setup.full_width:
        w = setup.simulated_width
        sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1), angular_velocity=omega, material=WALL,
                               name="side wall 0"))
        sim.add_wall(PlaneWall(point=(0, 0, w), normal=(0, 0, -1), angular_velocity=omega, material=WALL,
                               name="side wall 1"))
    sim.add_particles(pl.lattice, pl.radii, material=PARTICLE)
    return pl, sim


def simulate_drum(setup: DrumSetup = None, cfg: Config = None, *, progress: bool = False) -> DrumResult:
    """Run the drum twin; see the module docstring. ``cfg`` supplies the particle, wall and contact settings
    (default: the mixer's defaults). ``progress``: show it on stderr (mfdem/progress.py)."""
    t_start = wallclock.perf_counter()
    setup = setup or DrumSetup()
    pl, sim = build(setup, cfg)
    cfg = pl.cfg
    rd = setup.diameter / 2
    spin_steps = int(math.ceil(pl.spinup / pl.dt))
    every = max(1, int(round(pl.duration / setup.snapshots / pl.dt)))
    bar = Progress(spin_steps + setup.snapshots * every, desc=f"drum twin, {sim.n} particles", enabled=progress)
    chunk = max(1, spin_steps // 100)
    with bar:
        for done in range(0, spin_steps, chunk):
            sim.step(min(chunk, spin_steps - done))
            bar.update_to(min(done + chunk, spin_steps), f"spin-up, t = {sim.time:.3f} s")
        sim.max_overlap_ratio(reset=True)
        edges = surface.column_edges(rd, pl.column_width)
        tops = []
        for k in range(setup.snapshots):
            sim.step(every)
            pos = sim.positions
            tops.append(surface.column_tops(pos[:, 0], pos[:, 1], pl.radii, edges))
            bar.update_to(spin_steps + (k + 1) * every, f"snapshot {k + 1} of {setup.snapshots}")
    interface = surface.average_interface(tops)
    fit = surface.flowing_angle(interface.x, interface.height, rd, chord_fraction=setup.chord_fraction)
    ci = surface.cohesive_index(interface, fit, rd)
    half = setup.snapshots // 2
    halves = []
    for part in (tops[:half], tops[half:]):
        iface = surface.average_interface(part)
        halves.append(surface.flowing_angle(iface.x, iface.height, rd, chord_fraction=setup.chord_fraction).angle_deg)
    drift = halves[1] - halves[0]
    overlap = sim.max_overlap_ratio()
    check_overlap("drum twin", overlap, cfg)
    return DrumResult(
        flowing_angle_deg=fit.angle_deg, cohesive_index=ci, angle_first_half_deg=halves[0],
        angle_second_half_deg=halves[1], angle_drift_deg=drift,
        steady=bool(abs(drift) <= max(2.0, 0.1 * abs(fit.angle_deg))),
        interface_x=interface.x, interface_height=interface.height, interface_std=interface.std,
        chord_columns=fit.used, slope=fit.slope, intercept=fit.intercept, x_mid=fit.x_mid,
        last_positions=sim.positions.astype(float), radii=pl.radii, n_particles=pl.n, fill_mass=pl.fill_mass,
        dt=pl.dt, steps=spin_steps + every * setup.snapshots, max_overlap_ratio=overlap,
        runtime=wallclock.perf_counter() - t_start, setup={**asdict(setup), "spinup_used": pl.spinup,
                                                          "duration_used": pl.duration},
        material={"particles": asdict(cfg.particles), "contact": asdict(cfg.contact), "wall": asdict(cfg.wall)})


class DrumTwin(Twin):
    """The rotating drum as a calibration twin (calibration/twin.py): it reproduces a measured flowing angle."""

    name = "drum"
    setup_class = DrumSetup
    targets = (Target("flowing_angle_deg", "angle", "deg", "flowing angle", lo=0, hi=90, cli="--angle"),)
    report = (("flowing_angle_deg", "flowing_angle_deg"), ("drum_max_overlap_ratio", "max_overlap_ratio"))

    def simulate(self, setup: dict, cfg, progress: bool = False) -> dict:
        r = simulate_drum(DrumSetup(**setup), cfg, progress=progress)
        return {k: v for k, v in r.summary().items() if k not in ("setup", "material")}

    def features(self, record: dict, targets) -> dict:
        return {"angle": float(record["flowing_angle_deg"])}

    def errors(self, responses: dict, targets, measured: dict) -> dict:
        return {"angle": float((responses["angle"] - targets.flowing_angle_deg) / targets.flowing_angle_deg)}

    def synthetic(self, setup, cfg, sample_factor: float = 2.0) -> dict:
        """A "measured" flowing angle from the known parameters in ``cfg``, sampled ``sample_factor`` times
        longer than ``setup`` says, for a steadier angle."""
        d = asdict(setup)
        d["duration"] = (setup.duration or setup.revolution) * sample_factor
        d["snapshots"] = int(round(setup.snapshots * sample_factor))
        r = simulate_drum(DrumSetup(**d), cfg)
        return {"drum": r, "flowing_angle_deg": r.flowing_angle_deg}


TWIN = DrumTwin()
