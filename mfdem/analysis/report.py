"""Terminal tables and JSON output of ``mfdem analyze`` (plain ASCII, so any terminal shows it)."""

from __future__ import annotations

import json
import math

from mfdem.analysis.analyze import MultiRunAnalysis, RunAnalysis


def _num(value, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}g}"


def _rows_table(rows: list[tuple[str, object, object, str]]) -> list[str]:
    """Rows of (quantity, value, standard error, unit) as aligned text."""
    cells = [(q, _num(v), "" if e is None else f"+/- {_num(e, 2)}", u) for q, v, e, u in rows]
    w0 = max(len(c[0]) for c in cells)
    w1 = max(len(c[1]) for c in cells)
    w2 = max(len(c[2]) for c in cells)
    return [f"  {q:<{w0}}  {v:>{w1}}  {e:<{w2}}  {u}".rstrip() for q, v, e, u in cells]


def format_run(r: RunAnalysis) -> str:
    """A readable block for one run: window, stress model, power (and measured power if given)."""
    s = r.stress
    how = "detected plateau of rotor power and kinetic energy" if r.steady_from_source == "auto" else "given"
    lines = [f"{r.path}: {r.rpm:g} rpm, status {r.status}, {r.sector_angle_deg:g} deg sector",
             f"  window {r.steady_from:.4g} s ({how}) to {r.window_end:.4g} s: {s.n_intervals} intervals, "
             f"{s.duration:.4g} s; {r.n_particles:,} particles, m_total {r.m_total:.4g} kg, "
             f"m_particle {r.m_particle:.4g} kg"]
    if r.steady_state is not None:
        lines.append(f"  plateau: {r.steady_state.describe()}")
    rows = [("mean stress intensity SI_CG", s.si_cg, s.si_cg_sem, "J/kg"),
            ("SI median", s.percentiles.get(50.0), None, "J/kg"),
            ("SI 90th percentile", s.percentiles.get(90.0), None, "J/kg"),
            ("SI 99th percentile", s.percentiles.get(99.0), None, "J/kg"),
            ("SI maximum", s.si_max, None, "J/kg"),
            ("stress frequency SF_CG (all particles)", s.sf_cg, s.sf_cg_sem, "1/s"),
            ("stress frequency per particle", s.sf_cg * r.m_particle / r.m_total, None, "1/s"),
            ("stress events in window", s.events, None, "-")]
    if s.wall_events >= 0:
        rows.append(("  of which wall/rotor contacts", 100.0 * s.wall_events / s.events, None, "%"))
    rows.append(("  of which without dissipated work", 100.0 * s.zero_si_events / s.events, None, "%"))
    rows.append(("dissipated work without a stress event", 100.0 * s.work_fraction_without_collision, None, "%"))
    c = r.stress_contact_starts
    if c is not None:   # the same window with geometric contact starts as events (as contact-list codes count)
        rows += [("SI_CG per geometric contact start", c.si_cg, c.si_cg_sem, "J/kg"),
                 ("SF_CG of geometric contact starts", c.sf_cg, c.sf_cg_sem, "1/s"),
                 ("  dissipated work without a contact start", 100.0 * c.work_fraction_without_collision, None,
                  "%")]
    for t in r.per_t_mix:
        rows.append((f"stress number SN_p (t_mix {t.t_mix:g} s)", t.SN_p, t.SN_p_sem, "-"))
        rows.append((f"E_m,sim = SI_CG*SN_p (t_mix {t.t_mix:g} s)", t.E_m_sim, t.E_m_sim_sem, "J/kg"))
    rows += [("rotor power (simulated part)", r.power.mean_power, r.power.sem_power, "W"),
             ("net specific power, simulated", r.specific_power_sim, r.power.specific_sem, "W/kg"),
             ("  standard deviation", r.power.specific_std, None, "W/kg"),
             ("dissipated specific power", r.dissipated_specific_power, None, "W/kg")]
    if r.max_overlap_ratio is not None:
        rows.append(("largest overlap / radius in window", r.max_overlap_ratio, None, "-"))
    if r.measured is not None:
        m = r.measured
        rows += [("net specific power, measured", m.specific_power, None, "W/kg"),
                 ("  standard deviation", m.specific_power_std, None, "W/kg"),
                 ("power ratio simulated/measured", r.power_ratio, None, "-")]
        for t in r.per_t_mix:
            rows.append((f"E_m,exp (t_mix {t.t_mix:g} s)", t.E_m_exp, None, "J/kg"))
            rows.append((f"E_m ratio sim/exp (t_mix {t.t_mix:g} s)", t.E_m_ratio, None, "-"))
        sg = f"window {m.sg_window}" if m.sg_window else "not smoothed"
        lines.append(f"  measured: {m.source}, {m.mix_start:g} to {m.mix_end:g} s, idle power {m.idle_power:g} W, "
                     f"batch mass {m.batch_mass:g} kg, Savitzky-Golay {sg}, degree {m.sg_order}")
    lines += _rows_table(rows)
    lines.append("  (+/- : standard error from batch means over "
                 f"{s.n_batches} batches of output intervals)")
    return "\n".join(lines)


def format_comparison(multi: MultiRunAnalysis) -> str:
    """One row per run (sorted by rpm) and the fitted exponents over rpm."""
    runs = multi.runs
    t_mix = runs[0].t_mix
    same_t = all(r.t_mix == t_mix for r in runs)
    measured = any(r.measured is not None for r in runs)
    head = ["rpm", "SI_CG J/kg", "SI_p99 J/kg", "SF_CG 1/s", f"SN_p ({t_mix:g} s)" if same_t else "SN_p",
            "E_m,sim J/kg", "P_sim W/kg"]
    if measured:
        head += ["P_exp W/kg", "P ratio", "E_m,exp J/kg"]
    body = []
    for r in runs:
        row = [_num(r.rpm), _num(r.SI_CG), _num(r.stress.percentiles.get(99.0)), _num(r.SF_CG), _num(r.SN_p),
               _num(r.E_m_sim), _num(r.specific_power_sim)]
        if measured:
            row += [_num(r.specific_power_exp), _num(r.power_ratio), _num(r.E_m_exp)]
        body.append(row)
    widths = [max(len(head[i]), *(len(b[i]) for b in body)) for i in range(len(head))]
    out = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.rjust(w) for c, w in zip(b, widths)) for b in body]
    labels = {"SI_CG": "SI_CG", "SF_CG": "SF_CG", "specific_power_sim": "specific power (sim)",
              "specific_power_exp": "specific power (exp)"}
    for key, fit in multi.fits.items():
        name = labels.get(key, key)
        if fit is None:
            out.append(f"{name} ~ n^k: not fittable (needs two different rpm and positive values)")
        else:
            se = "" if not math.isfinite(fit.exponent_se) else f" +/- {fit.exponent_se:.2g}"
            out.append(f"{name} ~ n^k: k = {fit.exponent:.3g}{se} ({fit.n_points} runs, R^2 = {fit.r2:.3f})")
    return "\n".join(out)


def format_report(multi: MultiRunAnalysis) -> str:
    """Every run's block, then (for several runs) the comparison over rpm."""
    parts = [format_run(r) for r in multi.runs]
    if len(multi.runs) > 1:
        parts.append("Comparison over rotor speed\n" + format_comparison(multi))
    return "\n\n".join(parts)


def to_json_lines(multi: MultiRunAnalysis, distribution: bool = True) -> str:
    """One JSON object per run and line (strict JSON: NaN written as null); with several runs every object
    also carries ``rpm_fit`` (the exponents over rpm)."""
    fits = multi.fits_dict() if len(multi.runs) > 1 else None
    lines = []
    for r in multi.runs:
        d = r.to_dict(distribution=distribution)
        if fits is not None:
            d["rpm_fit"] = fits
        lines.append(json.dumps(d, allow_nan=False))
    return "\n".join(lines)
