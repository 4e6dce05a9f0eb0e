"""The three tables of ``mfdem analyze --csv DIR`` and of ``to_dataframe()`` on the analysis results.

One builder per table (:func:`table`) feeds both the CSV file and the DataFrame (:mod:`mfdem.tables`: units
in the column names, empty cell = missing). Every table has a ``run`` column (the run file's path, as in
the JSON key ``file``) so the three join on it; runs are in rpm order.

``summary.csv`` (``"summary"``) — one row per run, the numbers of ``mfdem analyze`` (JSON key + unit):
    run, status, rotor_speed_rpm, sector_angle_deg, steady_from_s, steady_from_source (auto/user),
    window_end_s, window_duration_s, n_intervals, n_particles, m_total_kg (simulated fill mass),
    m_particle_kg, SI_CG_J_per_kg, SI_CG_sem_J_per_kg, SI_median_J_per_kg, SI_p90_J_per_kg, SI_p99_J_per_kg,
    SI_max_J_per_kg, SF_CG_1_per_s, SF_CG_sem_1_per_s, SF_per_particle_1_per_s, n_events,
    wall_event_fraction, zero_si_event_fraction, work_fraction_without_collision,
    SI_CG_contact_starts_J_per_kg, SF_CG_contact_starts_1_per_s, t_mix_s, SN_p, SN_p_sem, E_m_sim_J_per_kg,
    E_m_sim_sem_J_per_kg, rotor_power_W, rotor_power_std_W, specific_power_sim_W_per_kg,
    specific_power_sim_std_W_per_kg, specific_power_sim_sem_W_per_kg, dissipated_specific_power_W_per_kg,
    max_overlap_ratio, measured_file, idle_power_W, batch_mass_kg, specific_power_exp_W_per_kg,
    specific_power_exp_std_W_per_kg, power_ratio, E_m_exp_J_per_kg, E_m_ratio.
    t_mix_s, SN_p, E_m_* are for the first mixing time (the JSON's ``per_t_mix`` has all); the measured
    columns are empty without measured power, the contact-start ones for format-1 files.

``si_sf_classes.csv`` (``"classes"``) — the SI–SF distribution, one row per SI class per run:
    run, rotor_speed_rpm, SI_lower_J_per_kg, SI_upper_J_per_kg, SI_center_J_per_kg (geometric), events,
    SF_1_per_s (events of all simulated particles per second), SF_per_particle_1_per_s, event_fraction.
    The first row of each run is the class SI <= 0 (events without dissipated work; no place on a log axis:
    lower bound and centre empty, upper bound 0), then the logarithmic classes from the lowest to the
    highest occupied one. ``events`` sums to the summary's n_events and ``event_fraction`` to 1 per run.

``power_timeseries.csv`` (``"power"``) — the run's time series, one row per sample per run:
    run, rotor_speed_rpm, time_s, in_window (1 inside the analysis window), rotor_power_W,
    specific_power_W_per_kg (rotor power / m_total), kinetic_energy_J, elastic_energy_J, potential_energy_J,
    rotor_work_total_J, dissipated_work_total_J (both cumulative since t = 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mfdem.analysis.analyze import MultiRunAnalysis, RunAnalysis
from mfdem.tables import FLOAT, INT, TEXT, Table

FILES = {"summary": "summary.csv", "classes": "si_sf_classes.csv", "power": "power_timeseries.csv"}


def _measured(attr):
    return lambda r: None if r.measured is None else getattr(r.measured, attr)


def _starts(attr):
    return lambda r: None if r.stress_contact_starts is None else getattr(r.stress_contact_starts, attr)


def _fraction(part, whole):
    return None if part < 0 or whole <= 0 else part / whole


# (column, kind, value of a RunAnalysis)
_SUMMARY = (
    ("run", TEXT, lambda r: r.path),
    ("status", TEXT, lambda r: r.status),
    ("rotor_speed_rpm", FLOAT, lambda r: r.rpm),
    ("sector_angle_deg", FLOAT, lambda r: r.sector_angle_deg),
    ("steady_from_s", FLOAT, lambda r: r.steady_from),
    ("steady_from_source", TEXT, lambda r: r.steady_from_source),
    ("window_end_s", FLOAT, lambda r: r.window_end),
    ("window_duration_s", FLOAT, lambda r: r.window_duration),
    ("n_intervals", INT, lambda r: r.stress.n_intervals),
    ("n_particles", INT, lambda r: r.n_particles),
    ("m_total_kg", FLOAT, lambda r: r.m_total),
    ("m_particle_kg", FLOAT, lambda r: r.m_particle),
    ("SI_CG_J_per_kg", FLOAT, lambda r: r.SI_CG),
    ("SI_CG_sem_J_per_kg", FLOAT, lambda r: r.stress.si_cg_sem),
    ("SI_median_J_per_kg", FLOAT, lambda r: r.stress.percentiles.get(50.0)),
    ("SI_p90_J_per_kg", FLOAT, lambda r: r.stress.percentiles.get(90.0)),
    ("SI_p99_J_per_kg", FLOAT, lambda r: r.stress.percentiles.get(99.0)),
    ("SI_max_J_per_kg", FLOAT, lambda r: r.stress.si_max),
    ("SF_CG_1_per_s", FLOAT, lambda r: r.SF_CG),
    ("SF_CG_sem_1_per_s", FLOAT, lambda r: r.stress.sf_cg_sem),
    ("SF_per_particle_1_per_s", FLOAT, lambda r: r.SF_CG * r.m_particle / r.m_total),
    ("n_events", INT, lambda r: r.stress.events),
    ("wall_event_fraction", FLOAT, lambda r: _fraction(r.stress.wall_events, r.stress.events)),
    ("zero_si_event_fraction", FLOAT, lambda r: _fraction(r.stress.zero_si_events, r.stress.events)),
    ("work_fraction_without_collision", FLOAT, lambda r: r.stress.work_fraction_without_collision),
    ("SI_CG_contact_starts_J_per_kg", FLOAT, _starts("si_cg")),
    ("SF_CG_contact_starts_1_per_s", FLOAT, _starts("sf_cg")),
    ("t_mix_s", FLOAT, lambda r: r.t_mix),
    ("SN_p", FLOAT, lambda r: r.SN_p),
    ("SN_p_sem", FLOAT, lambda r: r.per_t_mix[0].SN_p_sem),
    ("E_m_sim_J_per_kg", FLOAT, lambda r: r.E_m_sim),
    ("E_m_sim_sem_J_per_kg", FLOAT, lambda r: r.per_t_mix[0].E_m_sim_sem),
    ("rotor_power_W", FLOAT, lambda r: r.power.mean_power),
    ("rotor_power_std_W", FLOAT, lambda r: r.power.std_power),
    ("specific_power_sim_W_per_kg", FLOAT, lambda r: r.specific_power_sim),
    ("specific_power_sim_std_W_per_kg", FLOAT, lambda r: r.power.specific_std),
    ("specific_power_sim_sem_W_per_kg", FLOAT, lambda r: r.power.specific_sem),
    ("dissipated_specific_power_W_per_kg", FLOAT, lambda r: r.dissipated_specific_power),
    ("max_overlap_ratio", FLOAT, lambda r: r.max_overlap_ratio),
    ("measured_file", TEXT, _measured("source")),
    ("idle_power_W", FLOAT, _measured("idle_power")),
    ("batch_mass_kg", FLOAT, _measured("batch_mass")),
    ("specific_power_exp_W_per_kg", FLOAT, lambda r: r.specific_power_exp),
    ("specific_power_exp_std_W_per_kg", FLOAT, _measured("specific_power_std")),
    ("power_ratio", FLOAT, lambda r: r.power_ratio),
    ("E_m_exp_J_per_kg", FLOAT, lambda r: r.E_m_exp),
    ("E_m_ratio", FLOAT, lambda r: r.per_t_mix[0].E_m_ratio),
)

_CLASSES = {"run": TEXT, "rotor_speed_rpm": FLOAT, "SI_lower_J_per_kg": FLOAT, "SI_upper_J_per_kg": FLOAT,
            "SI_center_J_per_kg": FLOAT, "events": INT, "SF_1_per_s": FLOAT, "SF_per_particle_1_per_s": FLOAT,
            "event_fraction": FLOAT}

_POWER = {"run": TEXT, "rotor_speed_rpm": FLOAT, "time_s": FLOAT, "in_window": INT, "rotor_power_W": FLOAT,
          "specific_power_W_per_kg": FLOAT, "kinetic_energy_J": FLOAT, "elastic_energy_J": FLOAT,
          "potential_energy_J": FLOAT, "rotor_work_total_J": FLOAT, "dissipated_work_total_J": FLOAT}
_ENERGIES = ("kinetic_energy", "elastic_energy", "potential_energy", "rotor_work_total", "dissipated_work_total")


def summary_table(runs: Sequence[RunAnalysis]) -> Table:
    return Table({name: kind for name, kind, _ in _SUMMARY}, [tuple(get(r) for _, _, get in _SUMMARY) for r in runs])


def classes_table(runs: Sequence[RunAnalysis]) -> Table:
    rows = []
    for r in runs:
        d = r.stress.distribution
        total = int(d.events.sum()) + d.zero_events
        zero_sf = d.zero_events / d.duration
        rows.append((r.path, r.rpm, None, 0.0, None, d.zero_events, zero_sf, zero_sf * d.particle_to_total_mass,
                     d.zero_events / total))
        rows += [(r.path, r.rpm, *row) for row in zip(d.edges[:-1], d.edges[1:], d.centers, d.events, d.sf,
                                                       d.sf_per_particle, d.fraction)]
    return Table(dict(_CLASSES), rows)


def power_table(runs: Sequence[RunAnalysis]) -> Table:
    rows = []
    for r in runs:
        ts = r.timeseries
        power = np.asarray(ts["rotor_power"], dtype=float)
        columns = (ts["time"], ts["in_window"], power, power / r.m_total, *(ts[key] for key in _ENERGIES))
        rows += [(r.path, r.rpm, *values) for values in zip(*columns)]
    return Table(dict(_POWER), rows)


_BUILDERS = {"summary": summary_table, "classes": classes_table, "power": power_table}


def table(runs: Sequence[RunAnalysis], name: str) -> Table:
    """The table ``name`` ("summary", "classes" or "power"; module docstring) of ``runs``."""
    try:
        build = _BUILDERS[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}: choose one of {', '.join(_BUILDERS)}") from None
    return build(runs)


def write_csv(multi: MultiRunAnalysis, outdir) -> list[Path]:
    """Write summary.csv, si_sf_classes.csv and power_timeseries.csv into ``outdir`` (created if needed),
    each atomically; returns their paths."""
    outdir = Path(outdir)
    return [table(multi.runs, name).write_csv(outdir / file) for name, file in FILES.items()]
