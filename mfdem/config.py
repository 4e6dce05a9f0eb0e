"""Run configuration: typed settings with units, defaults, validation and TOML in/out.

Every setting lives in a section (``[run]``, ``[particles]``, ...); each field declares its unit, allowed range
and meaning. ``load_config`` reads a TOML file, rejects unknown sections/keys and out-of-range values with a
message naming the field, and returns a ``Config``; ``Config.to_toml`` writes the fully resolved settings
(what the run file stores and ``mfdem run --config`` accepts).

Defaults reproduce the paper's simulation (mixer_setup.md §2–3): one fifth of a Nobilta-type mixer with
3.88 g of 300 µm, 2417 kg/m³ coarse-grained particles filled through two inlets over 0.1 s, then the rotor
for 0.4 s. The paper does not give its calibrated material; the default particle is an estimate derived in
docs/default_material.md from the conditions under which Thornton–Ning means anything in this mixer.
"""

import dataclasses
import math
import tomllib
import warnings
from dataclasses import dataclass, field, fields
from decimal import Decimal

import tomli_w

from mfdem.engine.contact import registry
from mfdem.geometry.nobilta import NobiltaParams
from mfdem.validation import InputError, check_setting, setting

MAX_DIAMETER = 0.05   # m: larger than any lab mixer's gaps; keeps the particle count and volume finite


@dataclass
class RunSettings:
    rpm: float = setting(10000.0, "rev/min", 0, 100000, doc="rotor speed (positive: counter-clockwise about +z)")
    duration: float = setting(0.4, "s", 0, None, lo_open=True, doc="rotor run after filling")
    charge_mass: float = setting(3.88e-3, "kg", 0, None, lo_open=True,
                                 doc="particle mass in one fifth of the mixer (the full mixer gets five times it)")
    fill_time: float = setting(0.1, "s", 0, None, lo_open=True, doc="time over which the inlets insert the fill")
    rotor_ramp_time: float = setting(0.005, "s", 0, None, doc="linear spin-up of the rotor after filling")
    dt: float = setting(0.0, "s", 0, None, doc="time step; 0 = from the time-step helper (steps_per_contact)")
    steps_per_contact: float = setting(0.0, "-", 0, None,
                                       doc="time steps per contact at the rotor tip speed (dt = 0); 0 = the normal "
                                           "law's own: 12 for Thornton–Ning, 10 for Hertz, 15 for hysteretic linear, "
                                           "which keep the restitution within 1 % (benchmarks/timestep_accuracy.py)")
    output_interval: float = setting(0.005, "s", 0, None, lo_open=True,
                                     doc="interval of the per-particle work/collision logs (paper: 0.005 s)")
    snapshot_every: int = setting(1, "intervals", 1, None, doc="a snapshot every this many output intervals")
    timeseries_every: int = setting(200, "steps", 1, None, doc="a time-series row every this many steps")
    full_mixer: bool = setting(False, doc="simulate the whole 360° mixer instead of the 72° periodic sector")
    seed: int = setting(1, "-", 0, None, doc="seed of the inlet positions")
    arch: str = setting("auto", choices=("auto", "cpu", "cuda"), doc="Taichi backend")
    precision: str = setting("f64", choices=("f64", "f32"), doc="floating point of the contact arithmetic")
    threads: int = setting(0, "-", 0, None, doc="CPU threads; 0 = all cores")
    overlap_limit: float = setting(0.5, "R", 0, 2, lo_open=True,
                                   doc="largest overlap/radius a contact may reach (checked before and during the run)")
    energy_tolerance: float = setting(0.05, "-", 0, None, lo_open=True,
                                      doc="stop the run (status failed) when the energy audit's residual exceeds "
                                          "this fraction of the energy turned over (a blow-up)")
    overlap_action: str = setting("refuse", choices=("refuse", "stop", "warn"),
                                  doc="refuse: refuse a material whose head-on rotor-tip hit exceeds overlap_limit, "
                                      "and stop the run (status failed) when a contact exceeds it or a particle "
                                      "leaves the mixer; stop: only the stop; warn: only warn (experts)")


@dataclass
class ParticleSettings:
    diameter: float = setting(300e-6, "m", 0, MAX_DIAMETER, lo_open=True,
                              doc="coarse-grained (CG) particle diameter d_CG")
    real_diameter: float = setting(3.3e-6, "m", 0, MAX_DIAMETER, lo_open=True,
                                   doc="real (primary) particle size a CG particle stands for (paper: NCM d50 "
                                       "3.3 µm); sets the CG factor l = diameter / real_diameter "
                                       "(docs/coarse_graining.md)")
    density: float = setting(2417.0, "kg/m^3", 0, None, lo_open=True, doc="coarse-grain density (paper)")
    youngs_modulus: float = setting(5.0e9, "Pa", 0, None, lo_open=True,
                                    doc="Young's modulus (estimate, docs/default_material.md)")
    poisson_ratio: float = setting(0.3, "-", -1, 0.5, lo_open=True, hi_open=True, doc="Poisson ratio (estimate)")
    yield_pressure: float = setting(70.0e6, "Pa", 0, None,
                                    doc="Thornton-Ning limiting contact pressure p_y (estimate, "
                                        "docs/default_material.md); 0 = use yield_ratio")
    yield_ratio: float = setting(0.0, "-", 0, 1, doc="Thornton-Ning yield ratio, read as yield_ratio_definition "
                                                   "says (when yield_pressure = 0); both 0 = elastic Hertz")
    yield_ratio_definition: str = setting("contact_radius", choices=("contact_radius", "overlap"),
                                          doc="contact_radius: a_y = ratio R_i (LIGGGHTS); overlap: "
                                              "delta_y = ratio R* (say which one a paper's 'yield ratio' means)")


@dataclass
class WallSettings:
    youngs_modulus: float = setting(200e9, "Pa", 0, None, lo_open=True, doc="rotor and vessel (steel)")
    poisson_ratio: float = setting(0.3, "-", -1, 0.5, lo_open=True, hi_open=True, doc="rotor and vessel")


@dataclass
class _ContactLaws:
    friction_particle: float = setting(0.5, "-", 0, None,
                                       doc="sliding (dynamic) friction particle-particle (estimate)")
    friction_wall: float = setting(0.3, "-", 0, None, doc="sliding (dynamic) friction particle-wall (estimate)")
    static_friction_particle: float = setting(0.0, "-", 0, None,
                                              doc="static friction particle-particle; 0 = friction_particle")
    static_friction_wall: float = setting(0.0, "-", 0, None, doc="static friction particle-wall; 0 = friction_wall")
    rolling_friction_particle: float = setting(0.1, "-", 0, None, doc="rolling friction particle-particle")
    rolling_friction_wall: float = setting(0.1, "-", 0, None, doc="rolling friction particle-wall")
    rolling_model: str = setting("epsd", choices=("epsd", "constant_torque", "none"),
                                 doc="rolling resistance: epsd (Type C spring), constant_torque (Type A), none")
    stress_event_speed: float = setting(0.01, "m/s", 0, None,
                                        doc="approach speed from which a loading onset is a stress event "
                                            "(docs/hdf5.md)")
    normal_model: str = setting("auto", choices=("auto", *registry.names("normal")),
                                doc="normal contact law (engine/contact/registry.py); auto: thornton_ning when the "
                                    "particle yields, else hertz")


def _law_settings() -> list:
    """``<coefficient>_particle`` and ``<coefficient>_wall`` for every coefficient a registered normal law
    takes from the user (registry.py), with the coefficient's unit, range and meaning."""
    out = []
    for c in registry.user_coefficients("normal"):
        for side, pair in (("particle", "particle-particle"), ("wall", "particle-wall")):
            out.append((f"{c.name}_{side}", float,
                        setting(c.default, c.unit, c.lo, c.hi, lo_open=c.lo_open, hi_open=c.hi_open,
                                doc=f"{c.doc}, {pair}")))
    return out


ContactSettings = dataclasses.make_dataclass("ContactSettings", _law_settings(), bases=(_ContactLaws,))
ContactSettings.__module__ = __name__       # found by pickle (a config travels to sweep workers)


@dataclass
class _MeshFiles:
    rotor_stl: str = setting("", doc="rotor STL (m, full 360°, axis +z); empty = the parametric rotor")
    vessel_stl: str = setting("", doc="vessel STL (m, full 360°, chamber z in [0, L]); empty = parametric")
    stl_scale: float = setting(1.0, "-", 0, None, lo_open=True, doc="factor applied to STL coordinates")


# the parametric mixer's settings are the generator's own parameters (geometry/nobilta.py), one definition
GeometrySettings = dataclasses.make_dataclass(
    "GeometrySettings", [(f.name, f.type, field(default=f.default, metadata=f.metadata))
                         for f in dataclasses.fields(NobiltaParams)], bases=(_MeshFiles,))
GeometrySettings.__module__ = __name__


@dataclass
class InletSettings:
    count: int = setting(2, "per sector", 1, 8, doc="inlets in each 72° sector")
    speed: float = setting(2.0, "m/s", 0, None, doc="radial speed of inserted particles")
    insert_interval: float = setting(0.002, "s", 0, None, lo_open=True, doc="time between insertion batches")
    inner_radius: float = setting(0.016, "m", 0, None, lo_open=True, doc="inner radius of the inlet regions")
    outer_radius: float = setting(0.032, "m", 0, None, lo_open=True, doc="outer radius of the inlet regions")


@dataclass
class EngineSettings:
    skin: float = setting(0.0, "m", 0, None, doc="Verlet skin; 0 = from the tip speed (0.2-0.6 particle radii)")
    max_neighbors: int = setting(0, "-", 0, 1000, doc="initial neighbour-list length; 0 = from the skin (grows "
                                                      "on demand)")


SECTIONS = {"run": RunSettings, "particles": ParticleSettings, "wall": WallSettings, "contact": ContactSettings,
            "geometry": GeometrySettings, "inlets": InletSettings, "engine": EngineSettings}

# `--preset quick` (the README quickstart): the paper's case with its material and fill degree (3.88 g per
# sector), made small by larger particles (0.8 mm, 6,000 instead of 114,000) and a short fill and rotor run.
# The blade-tip gap keeps the paper case's 3.3 particle diameters (1 mm for 300 µm): with the 1 mm gap,
# 0.8 mm particles jam between blade tip and vessel and are crushed beyond 0.5 R at 10,000 rpm.
PRESETS = {
    "paper": {},
    "quick": {"particles": {"diameter": 0.8e-3}, "geometry": {"tip_gap": 2.7e-3},
              "run": {"fill_time": 0.01, "duration": 0.01, "output_interval": 0.001, "timeseries_every": 100},
              "inlets": {"insert_interval": 0.001}},
}


@dataclass
class Config:
    run: RunSettings = field(default_factory=RunSettings)
    particles: ParticleSettings = field(default_factory=ParticleSettings)
    wall: WallSettings = field(default_factory=WallSettings)
    contact: ContactSettings = field(default_factory=ContactSettings)
    geometry: GeometrySettings = field(default_factory=GeometrySettings)
    inlets: InletSettings = field(default_factory=InletSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)

    def validate(self) -> "Config":
        for name in SECTIONS:
            _validate_section(name, getattr(self, name))
        p = self.particles
        if p.yield_ratio > 0 and p.yield_pressure > 0:
            raise InputError("particles: give yield_ratio or yield_pressure, not both (set the other to 0)")
        if p.real_diameter > p.diameter:
            raise InputError(f"particles.real_diameter = {p.real_diameter} m: must be in (0, {p.diameter}] m (the "
                             "coarse-grained particle is never smaller than the real one it stands for)")
        c = self.contact
        for kind in ("particle", "wall"):
            mu_s, mu = getattr(c, f"static_friction_{kind}"), getattr(c, f"friction_{kind}")
            if 0 < mu_s < mu:
                raise InputError(f"contact.static_friction_{kind} = {mu_s}: must be 0 (same as friction_{kind}) "
                                 f"or ≥ friction_{kind} = {mu}")
        if 0 < self.run.steps_per_contact < 5:
            raise InputError(f"run.steps_per_contact = {self.run.steps_per_contact}: must be 0 (the normal law's own) "
                             "or at least 5")
        g = self.geometry
        if bool(g.rotor_stl) != bool(g.vessel_stl):
            raise InputError("geometry: give both rotor_stl and vessel_stl, or neither (the parametric mixer)")
        if self.inlets.outer_radius <= self.inlets.inner_radius:
            raise InputError(f"inlets.outer_radius = {self.inlets.outer_radius} m must exceed inlets.inner_radius = "
                             f"{self.inlets.inner_radius} m")
        if self.run.output_interval > self.run.fill_time + self.run.duration:
            raise InputError(f"run.output_interval = {self.run.output_interval} s is longer than the run "
                             f"({self.run.fill_time + self.run.duration} s)")
        if self.run.snapshot_every * self.run.output_interval > self.run.fill_time + self.run.duration:
            raise InputError(f"run.snapshot_every = {self.run.snapshot_every}: a snapshot every "
                             f"{self.run.snapshot_every * self.run.output_interval:g} s is longer than the run "
                             f"({self.run.fill_time + self.run.duration:g} s); must be in [1, "
                             f"{max(1, int((self.run.fill_time + self.run.duration) / self.run.output_interval))}]")
        return self

    def to_dict(self) -> dict:
        return {name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS}

    def to_toml(self) -> str:
        """The resolved settings as TOML, one commented line per field (unit and meaning)."""
        lines = ["# mfdem run configuration (SI units unless stated)"]
        for name, cls in SECTIONS.items():
            lines.append(f"\n[{name}]")
            section = getattr(self, name)
            for f in fields(cls):
                value = tomli_w.dumps({"v": getattr(section, f.name)}).strip()[4:]
                unit = f.metadata.get("unit")
                note = f"{unit}, {f.metadata['doc']}" if unit else f.metadata["doc"]
                lines.append(f"{f.name} = {value:<22s} # {note}")
        return "\n".join(lines) + "\n"

    @property
    def total_charge_mass(self) -> float:
        """Particle mass in the simulated mixer (sector or full), kg."""
        return self.run.charge_mass * (5.0 if self.run.full_mixer else 1.0)

    @property
    def particle_mass(self) -> float:
        d = self.particles.diameter
        return self.particles.density * math.pi / 6.0 * d**3

    @property
    def cg_factor(self) -> float:
        """Coarse-graining factor l = d_CG / d_real, - (physics.md §5.1)."""
        return self.particles.diameter / self.particles.real_diameter

    @property
    def n_particles(self) -> int:
        return max(1, int(round(self.total_charge_mass / self.particle_mass)))


def _validate_section(name: str, section) -> None:
    for f in fields(section):
        setattr(section, f.name, check_setting(f"{name}.{f.name}", getattr(section, f.name), f))


def grams_to_kg(grams):
    """g → kg as a decimal shift (3.88 g → 0.00388 kg, the number one would write, where 3.88 / 1000 is
    0.0038799999999999998); a non-number is passed on unchanged for the range check to name it."""
    return float(Decimal(repr(float(grams))).scaleb(-3)) if _is_number(grams) else grams


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class DeprecatedSetting(FutureWarning):
    """An option, setting or key in its old spelling: accepted and converted in this version only."""


def warn_deprecated(message: str, stacklevel: int = 2) -> None:
    """Warn about an old spelling (the ``mfdem`` command prints it as one line on stderr)."""
    warnings.warn(f"{message} (the old spelling is accepted in this version only)", DeprecatedSetting,
                  stacklevel=stacklevel + 1)


def mass_option(kg, grams, new: str, old: str):
    """A mass in kg from option ``new`` (kg) or, converted with a warning, from its deprecated spelling ``old``
    in grams; None when neither is given."""
    if grams is None:
        return kg
    if kg is not None:
        raise InputError(f"give {new} (kg) or the deprecated {old} (g), not both")
    kg = grams_to_kg(grams)
    warn_deprecated(f"{old} {grams!r} (g) is now {new} {kg!r} (kg)", stacklevel=3)
    return kg


# Settings renamed with a change of unit: (section, old key) -> (new key, old unit, old value -> new value)
RENAMED = {("run", "fill_mass"): ("charge_mass", "g", grams_to_kg)}


def _apply(cfg: Config, data: dict, origin: str, *, warn: bool = True) -> set:
    """Set ``data`` = {section: {key: value}} on ``cfg``; returns the (section, key) pairs it set. A renamed key
    (``RENAMED``) is converted, with a DeprecatedSetting warning unless ``warn`` is False."""
    done = set()
    for sec_name, values in data.items():
        if sec_name not in SECTIONS:
            raise InputError(f"{origin}: unknown section [{sec_name}]; allowed: {', '.join(SECTIONS)}")
        if not isinstance(values, dict):
            raise InputError(f"{origin}: [{sec_name}] must be a table of settings")
        section = getattr(cfg, sec_name)
        allowed = [f.name for f in fields(section)]
        for key, value in values.items():
            if (sec_name, key) in RENAMED:
                new, unit, convert = RENAMED[sec_name, key]
                if new in values:
                    raise InputError(f"{origin}: give {sec_name}.{new} or the old {sec_name}.{key} ({unit}), not "
                                     "both")
                if warn:
                    new_unit = section.__dataclass_fields__[new].metadata["unit"]
                    warn_deprecated(f"{origin}: {sec_name}.{key} = {value!r} {unit} is now {sec_name}.{new} = "
                                    f"{convert(value)!r} {new_unit}", stacklevel=3)
                key, value = new, convert(value)
            if key not in allowed:
                raise InputError(f"{origin}: unknown key {sec_name}.{key}; allowed in [{sec_name}]: "
                                 f"{', '.join(allowed)}")
            setattr(section, key, value)
            done.add((sec_name, key))
    return done


def make_config(*, preset: str = "paper", toml_text: str = None, origin: str = "config",
                overrides: dict = None, stored: bool = False) -> Config:
    """Defaults ← preset ← TOML text ← overrides (``{section: {key: value}}``), validated.

    A yield ratio given without a yield pressure replaces the default yield pressure (the two are
    alternatives; giving both explicitly is an error). Old spellings (``RENAMED``) are converted with a
    DeprecatedSetting warning; ``stored``: ``toml_text`` is the config an older mfdem stored in a run file,
    converted without a warning (the user has nothing to change)."""
    if preset not in PRESETS:
        raise InputError(f"preset = {preset!r}: must be one of {', '.join(PRESETS)}")
    cfg = Config()
    given = _apply(cfg, PRESETS[preset], f"preset {preset}")
    if toml_text is not None:
        try:
            data = tomllib.loads(toml_text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{origin}: not valid TOML ({exc})") from None
        given |= _apply(cfg, data, origin, warn=not stored)
    if overrides:
        given |= _apply(cfg, overrides, "command line")
    if ("particles", "yield_ratio") in given and ("particles", "yield_pressure") not in given:
        if isinstance(cfg.particles.yield_ratio, (int, float)) and cfg.particles.yield_ratio > 0:
            cfg.particles.yield_pressure = 0.0
    return cfg.validate()


def read_text(path, what: str = "config file") -> str:
    """A settings file's text; a missing, unreadable or non-UTF-8 file is an InputError naming ``what``."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"{what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def load_config(path, *, preset: str = "paper", overrides: dict = None) -> Config:
    """Read a TOML config file (see ``make_config``); a missing or unreadable file is an InputError."""
    return make_config(preset=preset, toml_text=read_text(path), origin=str(path), overrides=overrides)
