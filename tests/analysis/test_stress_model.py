"""Stress model (paper eqs. 2, 4, 5) on run files with hand-computed work and collision counts."""

import math

import h5py
import numpy as np
import pytest

from mfdem.analysis import (AnalysisError, analyze_run, batch_means, specific_energy, stress_intensity, stress_number,
                            stress_statistics_from_arrays)

DT = 0.01  # s, output interval of the hand example
# 4 intervals x 3 particles; interval 1 has no collision at all, particle 2 dissipates 5e-4 J in interval 2
# without a contact start (enduring contact)
WORK = np.array([[2e-3, 0.0, 1e-3],
                 [0.0, 0.0, 0.0],
                 [6e-3, 4e-3, 5e-4],
                 [1e-3, 8e-3, 3e-3]])
COLL = np.array([[2, 0, 1],
                 [0, 0, 0],
                 [3, 1, 0],
                 [1, 2, 3]])
MASS = 1e-3  # kg, every particle
# by hand: SI_i (J/kg) = W/(N m): k0: 1, 1; k2: 2, 4; k3: 1, 4, 1 with weights 2,1 | 3,1 | 1,2,3
EVENTS = 13
SI_CG = 25.0 / 13.0            # Σ N·SI / Σ N = (2+1+6+4+1+8+3) / 13
SF_CG = 13 / (4 * DT)          # 325 1/s
M_TOTAL = 3e-3
SN_P_3600 = SF_CG * 3600 * MASS / M_TOTAL   # 390,000
E_M_3600 = SI_CG * SN_P_3600                # 750,000 J/kg


@pytest.fixture
def hand_run(make_run):
    return make_run(WORK, COLL, mass=np.full(3, MASS), dt_out=DT, collisions_wall=np.minimum(COLL, 1))


def test_hand_example_matches_paper_equations(hand_run):
    r = analyze_run(hand_run, steady_from=0.0, t_mix=(3600.0, 600.0))
    assert r.m_total == pytest.approx(M_TOTAL, rel=1e-12)
    assert r.m_particle == pytest.approx(MASS, rel=1e-12)
    assert r.stress.events == EVENTS
    assert r.SI_CG == pytest.approx(SI_CG, rel=1e-12)
    assert r.SF_CG == pytest.approx(SF_CG, rel=1e-12)
    assert r.SN_p == pytest.approx(SN_P_3600, rel=1e-12)
    assert r.E_m_sim == pytest.approx(E_M_3600, rel=1e-12)
    # eq. 2 holds exactly, for every mixing time
    for t in r.per_t_mix:
        assert t.E_m_sim == t.SN_p * r.SI_CG
    assert r.per_t_mix[1].t_mix == 600.0
    assert r.per_t_mix[1].SN_p == pytest.approx(SN_P_3600 / 6, rel=1e-12)
    # the same number written as "dissipated power in collided pairs per mass × t_mix"
    assert r.E_m_sim == pytest.approx(25e-3 / (4 * DT) / M_TOTAL * 3600, rel=1e-12)
    # percentiles of the collision-weighted distribution: SI 1 (7 events), 2 (3), 4 (3)
    assert r.stress.percentiles == {50.0: 1.0, 90.0: 4.0, 99.0: 4.0}
    assert r.stress.si_max == pytest.approx(4.0)
    # diagnostics
    assert r.stress.work_fraction_without_collision == pytest.approx(0.5 / 25.5)
    assert r.dissipated_specific_power == pytest.approx(25.5e-3 / (4 * DT) / M_TOTAL)
    assert r.stress.wall_events == int(np.minimum(COLL, 1).sum())
    d = r.to_dict()
    for key, value in (("rpm", 5000.0), ("SI_CG", r.SI_CG), ("SF_CG", r.SF_CG), ("SN_p", r.SN_p),
                       ("E_m_sim", r.E_m_sim), ("specific_power_sim", r.specific_power_sim), ("steady_from", 0.0)):
        assert d[key] == value


def test_si_sf_distribution_on_log_classes(hand_run):
    r = analyze_run(hand_run, steady_from=0.0, bins_per_decade=10)
    dist = r.stress.distribution
    # classes 10^(j/10): SI = 1 -> j = 0, SI = 2 -> j = 3 (log10 2 = 0.301), SI = 4 -> j = 6
    assert dist.edges[0] == pytest.approx(1.0)
    assert dist.edges == pytest.approx(10 ** (np.arange(8) / 10))
    assert dist.events.tolist() == [7, 0, 0, 3, 0, 0, 3]
    assert dist.sf == pytest.approx(dist.events / (4 * DT))
    assert dist.sf.sum() == pytest.approx(r.SF_CG)
    assert dist.zero_events == 0
    # the collision-weighted mean of the classes' members is SI_CG
    assert (dist.events * np.array([1, 0, 0, 2, 0, 0, 4])).sum() / dist.events.sum() == pytest.approx(r.SI_CG)


def test_intervals_without_collisions_contribute_nothing(make_run, hand_run):
    without = make_run(np.delete(WORK, 1, axis=0), np.delete(COLL, 1, axis=0), mass=np.full(3, MASS), dt_out=DT)
    a = analyze_run(hand_run, steady_from=0.0, n_batches=4)
    b = analyze_run(without, steady_from=0.0, n_batches=3)
    assert a.SI_CG == pytest.approx(b.SI_CG, rel=1e-14)
    assert a.stress.percentiles == b.stress.percentiles
    assert a.stress.distribution.events.tolist() == b.stress.distribution.events.tolist()
    assert a.stress.events == b.stress.events
    # the empty interval still belongs to the window's duration: fewer events per second
    assert a.SF_CG == pytest.approx(b.SF_CG * 3 / 4)
    # and breaks nothing: the batch with no collision is skipped, every number is finite
    assert math.isfinite(a.stress.si_cg_sem) and math.isfinite(a.stress.sf_cg_sem)
    for key, value in a.to_dict().items():
        if isinstance(value, float):
            assert math.isfinite(value), key


def test_per_particle_masses_enter_si(make_run):
    mass = np.array([1e-3, 2e-3, 1e-3])
    path = make_run(WORK, COLL, mass=mass, dt_out=DT)
    r = analyze_run(path, steady_from=0.0)
    si = stress_intensity(WORK, COLL, mass)
    hit = COLL > 0
    expected = (si[hit] * COLL[hit]).sum() / COLL.sum()
    assert r.SI_CG == pytest.approx(expected, rel=1e-12)
    assert r.m_total == pytest.approx(4e-3)
    # SN_p = SF_CG · t_mix · m_particle / m_total with m_particle the mean mass: events per particle
    assert r.SN_p == pytest.approx(r.SF_CG * 3600 / 3, rel=1e-12)
    assert r.E_m_sim == r.SI_CG * r.SN_p


def test_batch_means_standard_error_by_hand(hand_run):
    values, se = batch_means([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], 2)
    assert values.tolist() == [1.5, 3.5]
    assert se == pytest.approx(1.0)
    r = analyze_run(hand_run, steady_from=0.0, n_batches=2)
    # batches {0,1}: SI 3/3 = 1, SF 3/0.02 = 150; {2,3}: SI 22/10 = 2.2, SF 10/0.02 = 500
    assert r.stress.si_cg_sem == pytest.approx(np.std([1.0, 2.2], ddof=1) / math.sqrt(2))
    assert r.stress.sf_cg_sem == pytest.approx(np.std([150.0, 500.0], ddof=1) / math.sqrt(2))
    assert r.per_t_mix[0].SN_p_sem == pytest.approx(r.stress.sf_cg_sem * 3600 / 3)


def test_collisions_without_dissipated_work_are_zero_si_events():
    work = np.array([[2e-3, 0.0]])
    coll = np.array([[1, 3]])
    s = stress_statistics_from_arrays(work, coll, np.full(2, 1e-3), [0.01])
    assert s.events == 4
    assert s.zero_si_events == 3
    assert s.si_cg == pytest.approx(2.0 / 4)
    assert s.percentiles[50.0] == 0.0 and s.percentiles[90.0] == pytest.approx(2.0)
    assert s.distribution.events.sum() == 1


def test_percentiles_are_exact_with_blocks():
    rng = np.random.default_rng(1)
    coll = rng.poisson(1.5, (23, 200))
    work = rng.lognormal(-12, 2, coll.shape) * coll
    work[rng.random(coll.shape) < 0.05] = 0.0
    mass = rng.uniform(1e-6, 3e-6, 200)
    qs = (1.0, 50.0, 90.0, 99.0, 99.9, 100.0)
    s = stress_statistics_from_arrays(work, coll, mass, np.full(23, 0.005), percentiles=qs, block_rows=4)
    si = stress_intensity(work, coll, mass)
    hit = coll > 0
    expanded = np.repeat(si[hit], coll[hit])
    for q in qs:
        assert s.percentiles[q] == np.percentile(expanded, q, method="inverted_cdf"), q
    assert s.si_cg == pytest.approx(expanded.mean(), rel=1e-12)
    assert s.distribution.events.sum() + s.zero_si_events == len(expanded)


def test_equation_helpers():
    assert stress_number(325.0, 3600.0, 1e-3, 3e-3) == pytest.approx(390000.0)
    assert specific_energy(2.0, 5.0) == 10.0
    si = stress_intensity([[3.0, 1.0]], [[3, 0]], 0.5)
    assert si[0, 0] == 2.0 and np.isnan(si[0, 1])


def test_window_without_collisions_is_an_error(make_run):
    path = make_run(np.zeros((5, 4)), np.zeros((5, 4), int), dt_out=DT)
    with pytest.raises(AnalysisError, match="no collisions in the analysis window"):
        analyze_run(path, steady_from=0.0)


def test_non_finite_work_is_an_error(make_run):
    work = WORK.copy()
    work[2, 1] = np.nan
    path = make_run(work, COLL, mass=np.full(3, MASS), dt_out=DT)
    with pytest.raises(AnalysisError, match="non-finite dissipated work"):
        analyze_run(path, steady_from=0.0)


def test_window_selection_and_empty_window(hand_run):
    r = analyze_run(hand_run, steady_from=0.015)     # starts at the next interval boundary, 0.02 s
    assert r.steady_from == pytest.approx(0.02)
    assert r.steady_from_source == "user"
    assert r.stress.n_intervals == 2
    assert r.SI_CG == pytest.approx(22.0 / 10.0)
    with pytest.raises(AnalysisError, match="empty analysis window"):
        analyze_run(hand_run, steady_from=0.5)


def test_mass_counts_only_present_particles(make_run):
    work = np.array([[1e-3, 1e-3, 0.0]] * 2)
    coll = np.array([[1, 1, 0]] * 2)
    path = make_run(work, coll, mass=np.array([1e-3, 1e-3, 5e-3]), n_inserted=[2, 2],
                    insert_time=np.array([0.0, 0.0, 10.0]))
    r = analyze_run(path, steady_from=0.0)
    assert r.n_particles == 2
    assert r.m_total == pytest.approx(2e-3)
    assert r.SN_p == pytest.approx(r.SF_CG * 3600 / 2)


def test_incomplete_rows_after_a_crash_are_ignored(hand_run):
    before = analyze_run(hand_run, steady_from=0.0)
    with h5py.File(hand_run, "r+") as f:  # a killed writer's half-written row: everything but t_end
        for name in ("t_start", "dissipated_work", "collisions", "collisions_wall", "rotor_work", "n_inserted"):
            ds = f[f"intervals/{name}"]
            ds.resize(ds.shape[0] + 1, axis=0)
            ds[-1] = 1000
    after = analyze_run(hand_run, steady_from=0.0)
    assert after.SI_CG == before.SI_CG and after.SF_CG == before.SF_CG


def test_not_an_mfdem_run(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    with pytest.raises(AnalysisError, match="not an HDF5 file"):
        analyze_run(text)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(AnalysisError, match="not an mfdem run file"):
        analyze_run(other)
    with pytest.raises(AnalysisError, match="no such file"):
        analyze_run(tmp_path / "missing.h5")


def test_si_and_sf_under_both_event_definitions_side_by_side(make_run):
    """``contact_starts`` (geometric) beside ``collisions`` (stress events): the same work, other counts."""
    starts = COLL * 3                              # e.g. flickering contacts: three starts per event
    starts[1] = [4, 4, 4]                          # and starts in the interval without any event
    r = analyze_run(make_run(WORK, COLL, mass=np.full(3, MASS), dt_out=DT, contact_starts=starts),
                    steady_from=0.0)
    c = r.stress_contact_starts
    assert r.SI_CG == pytest.approx(SI_CG, rel=1e-12)
    assert c.events == starts.sum() == 51
    assert c.sf_cg == pytest.approx(51 / (4 * DT), rel=1e-12)
    assert c.si_cg == pytest.approx(25.0 / 51, rel=1e-12)    # the work with N_c > 0 over all starts
    d = r.to_dict()
    assert d["SI_CG_contact_starts"] == pytest.approx(25.0 / 51) and d["SF_CG"] == pytest.approx(SF_CG)
    from mfdem.analysis.report import format_run  # noqa: PLC0415
    assert "SI_CG per geometric contact start" in format_run(r)


def test_negative_interval_work_enters_mean_and_percentiles_alike():
    """A (particle, interval) pair with a small negative net work: its SI is negative in SI_CG and in the
    percentiles (before, the percentiles counted it as 0 while SI_CG kept the sign)."""
    from mfdem.analysis.stress_model import stress_statistics_from_arrays as stats  # noqa: PLC0415

    work = np.array([[-1e-3, 2e-3, 3e-3, 4e-3]])
    coll = np.array([[1, 1, 1, 1]])
    s = stats(work, coll, np.full(4, MASS), np.array([DT]), percentiles=(25.0, 50.0, 100.0))
    assert s.si_cg == pytest.approx(8.0 / 4)
    assert s.percentiles == {25.0: -1.0, 50.0: 2.0, 100.0: 4.0}
    assert s.zero_si_events == 1
