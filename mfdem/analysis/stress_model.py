"""Kwade stress model from the per-interval logs (paper eqs. 2, 4, 5; physics.md §5.2; mixer_setup.md §5).

Definitions used here (all SI units):

* **Stress intensity of one particle in one output interval** (paper eq. 4)::

      SI_i = (Σ_c W_c^diss) / (N_c,i · m_i)            [J/kg]

  ``Σ_c W_c^diss`` is ``intervals/dissipated_work[k, i]`` (J), ``N_c,i`` is ``intervals/collisions[k, i]``
  (stress events, wall contacts included) and ``m_i`` is ``particles/mass[i]`` (kg; the CG particle mass).
  A **stress event** is the onset of a normal load — the normal force rising from zero, in a new contact or
  in the re-impact of an unloaded one — while the partners approach at ≥ ``stress_event_speed`` (0.01 m/s
  by default; docs/hdf5.md "Stress events"): one per partner and collision, one per bounce, none for a
  resting or only sliding contact. Format-1 files and ``intervals/contact_starts`` count geometric contact
  starts instead (δ turning positive), which ``mfdem analyze`` reports beside the events.
  Only (particle, interval) pairs with ``N_c,i > 0`` have an SI. Work dissipated in pairs with ``N_c,i = 0``
  (enduring contacts that started in an earlier interval) has no stress event to be assigned to: it
  contributes nothing to SI and is reported as the diagnostic ``work_fraction_without_collision``.
* **SI–SF distribution**: each ``SI_i`` counted ``N_c,i`` times (collision-weighted), sorted into logarithmic
  SI classes (``bins_per_decade`` classes per decade, class bounds at ``10**(j / bins_per_decade)`` J/kg).
  The stress frequency of a class is its number of events divided by the window duration (1/s, all
  particles); pairs whose dissipated work is zero or negative are counted in a separate "zero" class
  because they have no place on a logarithmic axis. They enter SI_CG and the percentiles with their value and
  sign: a small negative net work is the integrator's error on a pair that dissipated almost nothing (or
  elastic energy taken in the previous interval and released in this one), and dropping its sign in one
  statistic but not the other would make the two disagree.
* **Mean stress intensity** ``SI_CG`` = mean of the collision-weighted distribution
  = ``Σ N_c,i · SI_i / Σ N_c,i`` = ``Σ_{N_c>0} (W_i / m_i) / Σ N_c,i`` (J/kg).
* **Stress frequency** ``SF_CG`` = all collision events of all particles in the window / window duration
  (1/s). A particle–particle collision is two stress events (one per partner), a wall contact one.
* **Stress number** (paper eq. 5): ``SN_p = SF_CG · t_mix · m_particle / m_total`` (-).
* **Specific energy** (paper eq. 2): ``E_m,sim = SI_CG · SN_p`` (J/kg).
* **Percentiles** of the collision-weighted SI distribution use the inverted-CDF definition (the smallest SI
  whose cumulative event count reaches q % of all events; ``numpy.percentile(np.repeat(SI, N_c), q,
  method="inverted_cdf")``). They are exact: a fine histogram (1000 classes per decade) locates the class of
  each percentile, a second pass over the data sorts the values of that class only.
* **Uncertainty** by batch means: the window's intervals are split into ``n_batches`` contiguous batches;
  SI_CG and SF_CG are computed per batch (ratio estimators) and the standard error is
  ``std(batch values, ddof=1) / sqrt(number of batches)``. Batches without any collision are left out of the
  SI_CG error.

The data are processed in blocks of output intervals (:func:`stress_statistics` takes a block reader), so a
window of 100 intervals × 113,600 particles never needs more than a few tens of MB.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mfdem.analysis.errors import AnalysisError

#: SI classes cover 10**LOG10_SI_MIN … 10**LOG10_SI_MAX J/kg; values outside land in the end classes.
LOG10_SI_MIN, LOG10_SI_MAX = -30, 30
#: resolution of the histogram that locates percentiles before they are refined exactly
FINE_PER_DECADE = 1000
#: percentiles reported by default (%)
DEFAULT_PERCENTILES = (50.0, 90.0, 99.0)

BlockReader = Callable[[int, int], tuple[np.ndarray, np.ndarray, np.ndarray | None]]


# ----------------------------------------------------------------------------------------------- equations


def stress_intensity(work, collisions, mass) -> np.ndarray:
    """Per-particle, per-interval stress intensity SI_i = W_i / (N_c,i · m_i) (paper eq. 4), J/kg.

    ``work`` (J) and ``collisions`` (-) are arrays of the same shape (…, N); ``mass`` (kg) broadcasts
    against them. Entries with ``N_c,i = 0`` have no SI and are returned as NaN.
    """
    work = np.asarray(work, dtype=float)
    collisions = np.asarray(collisions)
    out = np.full(np.broadcast_shapes(work.shape, collisions.shape), np.nan)
    np.divide(work / np.asarray(mass, dtype=float), collisions, out=out, where=collisions > 0)
    return out


def stress_number(sf_cg: float, t_mix: float, m_particle: float, m_total: float) -> float:
    """Mean stress number per particle SN_p = SF_CG · t_mix · m_particle / m_total (paper eq. 5), -.

    ``sf_cg`` in 1/s (stress events of all simulated particles per second), ``t_mix`` in s, masses in kg
    (``m_particle`` the CG particle mass, ``m_total`` the simulated mass).
    """
    return float(sf_cg) * float(t_mix) * float(m_particle) / float(m_total)


def specific_energy(si_cg: float, sn_p: float) -> float:
    """Simulated specific energy E_m,sim = SI_CG · SN_p (paper eq. 2), J/kg."""
    return float(si_cg) * float(sn_p)


def batch_means(numerator, denominator, n_batches: int) -> tuple[np.ndarray, float]:
    """Batch values ``Σ_b numerator / Σ_b denominator`` over contiguous batches, and their standard error.

    ``numerator`` and ``denominator`` are per-interval sums (same length K). The K intervals are split into
    ``min(n_batches, K)`` contiguous batches of (nearly) equal size; batches whose denominator is zero are
    dropped. Returns ``(batch_values, standard_error)`` with ``standard_error = std(ddof=1) / sqrt(B)``, NaN
    when fewer than two batches remain.
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    if num.shape != den.shape or num.ndim != 1:
        raise ValueError("numerator and denominator must be 1-D arrays of equal length")
    k = len(num)
    if k == 0 or n_batches < 1:
        return np.zeros(0), math.nan
    groups = np.array_split(np.arange(k), min(int(n_batches), k))
    values = []
    for g in groups:
        d = den[g].sum()
        if d > 0:
            values.append(num[g].sum() / d)
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return values, math.nan
    return values, float(np.std(values, ddof=1) / math.sqrt(len(values)))


# ----------------------------------------------------------------------------------------------- results


@dataclass
class SISFDistribution:
    """Collision-weighted SI distribution on logarithmic classes (the SI–SF plot).

    ``edges`` (J/kg) has one more entry than ``events``; class j holds lower ≤ SI < upper.
    """

    bins_per_decade: int
    edges: np.ndarray
    events: np.ndarray
    zero_events: int
    duration: float
    particle_to_total_mass: float

    @property
    def centers(self) -> np.ndarray:
        """Geometric class centres, J/kg."""
        return np.sqrt(self.edges[:-1] * self.edges[1:])

    @property
    def sf(self) -> np.ndarray:
        """Stress frequency per class: events of all particles per second, 1/s."""
        return self.events / self.duration

    @property
    def sf_per_particle(self) -> np.ndarray:
        """Stress frequency per class and particle, 1/s (``sf · m_particle / m_total``)."""
        return self.sf * self.particle_to_total_mass

    @property
    def fraction(self) -> np.ndarray:
        """Share of all events (zero class included in the total) in each class, -."""
        total = self.events.sum() + self.zero_events
        return self.events / total if total else np.zeros_like(self.events, dtype=float)

    @property
    def density(self) -> np.ndarray:
        """Event density per decade of SI, 1/decade (``fraction · bins_per_decade``)."""
        return self.fraction * self.bins_per_decade

    def to_dict(self) -> dict:
        return {"bins_per_decade": self.bins_per_decade,
                "si_lower": self.edges[:-1].tolist(), "si_upper": self.edges[1:].tolist(),
                "events": self.events.tolist(), "SF": self.sf.tolist(), "zero_si_events": int(self.zero_events)}


@dataclass
class StressStatistics:
    """Stress-model statistics of one analysis window (see the module docstring for the definitions)."""

    n_intervals: int
    duration: float                      # s, Σ (t_end − t_start) over the window
    events: int                          # Σ N_c over all particles and intervals
    wall_events: int                     # the wall/rotor part of ``events`` (-1 if not logged)
    zero_si_events: int                  # events in pairs with W <= 0
    si_cg: float                         # J/kg
    si_cg_sem: float                     # J/kg
    sf_cg: float                         # 1/s
    sf_cg_sem: float                     # 1/s
    collided_specific_rate_sem: float    # J/(kg·s), s.e. of Σ_{N>0}(W_i/m_i)/T (for E_m,sim's s.e.)
    percentiles: dict[float, float]      # {q (%): SI (J/kg)}
    si_max: float                        # J/kg
    work_total: float                    # J, all dissipated work in the window
    work_without_collision: float        # J, in (particle, interval) pairs with N_c = 0
    collided_specific_work: float        # J/kg, Σ_{N>0} W_i / m_i
    distribution: SISFDistribution
    n_batches: int
    events_per_interval: np.ndarray = field(repr=False)
    duration_per_interval: np.ndarray = field(repr=False)
    work_per_interval: np.ndarray = field(repr=False)

    @property
    def work_fraction_without_collision(self) -> float:
        """Share of dissipated work in (particle, interval) pairs without an event (N_c = 0), -."""
        return self.work_without_collision / self.work_total if self.work_total > 0 else 0.0


# ----------------------------------------------------------------------------------------------- engine


def _pre(source: str) -> str:
    return f"{source}: " if source else ""


def _class_index(si: np.ndarray, per_decade: int) -> np.ndarray:
    """Index of the logarithmic class of positive ``si`` (J/kg), offset so the lowest class is 0."""
    j = np.floor(np.log10(si) * per_decade).astype(np.int64) - LOG10_SI_MIN * per_decade
    return np.clip(j, 0, (LOG10_SI_MAX - LOG10_SI_MIN) * per_decade - 1)


def _block_pairs(work, coll, mass, source=""):
    """SI and weights of the pairs with N_c > 0 in one block; also per-row sums."""
    work = np.asarray(work, dtype=float)
    coll = np.asarray(coll)
    if work.shape != coll.shape:
        raise AnalysisError(f"{_pre(source)}dissipated_work {work.shape} and collisions {coll.shape} differ in shape")
    if np.any(coll < 0):
        raise AnalysisError(f"{_pre(source)}negative collision counts in the run file")
    if not np.all(np.isfinite(work)):
        raise AnalysisError(f"{_pre(source)}non-finite dissipated work (NaN or inf) in the run file: the simulation "
                            "diverged in the analysis window")
    hit = coll > 0
    wm = work / mass                                   # J/kg per pair
    si = wm[hit] / coll[hit]                           # J/kg, eq. 4
    weights = coll[hit].astype(np.int64)
    rows = dict(events=coll.sum(axis=1, dtype=np.int64),
                collided=np.where(hit, wm, 0.0).sum(axis=1),
                work=work.sum(axis=1),
                work_no_coll=np.where(hit, 0.0, work).sum(axis=1))
    return si, weights, rows


def stress_statistics(read_block: BlockReader, n_rows: int, mass, durations, *, bins_per_decade: int = 10,
                      n_batches: int = 10, percentiles=DEFAULT_PERCENTILES, block_rows: int | None = None,
                      particle_to_total_mass: float = math.nan, source: str = "") -> StressStatistics:
    """Stress-model statistics over ``n_rows`` output intervals (paper eqs. 4–5 inputs, SI–SF distribution).

    ``read_block(start, stop)`` returns ``(dissipated_work (J), collisions, collisions_wall or None)`` for the
    window's rows ``start:stop`` (each (stop−start, N)); ``mass`` (N,) in kg; ``durations`` (n_rows,) in s.
    ``particle_to_total_mass`` (m_particle / m_total) only scales the per-particle SF of the distribution.
    Raises :class:`AnalysisError` if the window holds no collision.
    """
    mass = np.asarray(mass, dtype=float)
    durations = np.asarray(durations, dtype=float)
    if n_rows < 1:
        raise AnalysisError(f"{_pre(source)}the analysis window holds no output interval")
    if len(durations) != n_rows or np.any(durations <= 0):
        raise AnalysisError(f"{_pre(source)}interval durations must be {n_rows} positive values")
    if np.any(mass <= 0):
        raise AnalysisError(f"{_pre(source)}particle masses must be positive")
    if block_rows is None:
        block_rows = max(1, int(32e6 // (16 * max(len(mass), 1))))  # ~32 MB of work + counts
    bpd, fine = int(bins_per_decade), FINE_PER_DECADE
    if bpd < 1:
        raise AnalysisError("bins_per_decade must be at least 1")
    n_coarse = (LOG10_SI_MAX - LOG10_SI_MIN) * bpd
    n_fine = (LOG10_SI_MAX - LOG10_SI_MIN) * fine
    coarse = np.zeros(n_coarse, np.int64)
    fine_hist = np.zeros(n_fine, np.int64)
    zero_events = 0
    negative_si, negative_w = [], []   # kept exactly: negative SIs are rare and enter the percentiles
    wall_events = 0
    wall_logged = True
    si_max = 0.0
    per_row = {k: [] for k in ("events", "collided", "work", "work_no_coll")}

    # pass 1: sums, coarse and fine histograms
    for start in range(0, n_rows, block_rows):
        stop = min(start + block_rows, n_rows)
        work, coll, coll_wall = read_block(start, stop)
        si, weights, rows = _block_pairs(work, coll, mass, source)
        for key, value in rows.items():
            per_row[key].append(value)
        if coll_wall is None:
            wall_logged = False
        else:
            wall_events += int(np.asarray(coll_wall).sum(dtype=np.int64))
        pos = si > 0
        zero_events += int(weights[~pos].sum())
        neg = si < 0
        negative_si.append(si[neg])
        negative_w.append(weights[neg])
        if pos.any():
            si_pos, w_pos = si[pos], weights[pos]
            coarse += np.bincount(_class_index(si_pos, bpd), weights=w_pos, minlength=n_coarse).astype(np.int64)
            fine_hist += np.bincount(_class_index(si_pos, fine), weights=w_pos, minlength=n_fine).astype(np.int64)
            si_max = max(si_max, float(si_pos.max()))
    rows = {key: np.concatenate(v) for key, v in per_row.items()}
    events_k = rows["events"]
    total_events = int(events_k.sum())
    if total_events == 0:
        raise AnalysisError(f"{_pre(source)}no collisions in the analysis window ({n_rows} intervals, "
                            f"{durations.sum():.6g} s); choose an earlier --steady-from or check the run")
    collided_k = rows["collided"]
    duration = float(durations.sum())

    si_cg = float(collided_k.sum() / total_events)
    sf_cg = total_events / duration
    _, si_sem = batch_means(collided_k, events_k, n_batches)
    _, sf_sem = batch_means(events_k, durations, n_batches)
    _, rate_sem = batch_means(collided_k, durations, n_batches)
    n_b = min(int(n_batches), n_rows)

    # percentiles: negative SIs exactly, zeros, then positive ones located in the fine histogram and refined
    # exactly in a second pass
    pct = {}
    targets = {}  # fine bin -> list of (q, rank within the bin)
    cum = np.cumsum(fine_hist)
    neg_order = np.argsort(np.concatenate(negative_si), kind="stable")
    neg_si = np.concatenate(negative_si)[neg_order]
    neg_cum = np.cumsum(np.concatenate(negative_w)[neg_order])
    for q in percentiles:
        q = float(q)
        if not 0.0 < q <= 100.0:
            raise AnalysisError(f"percentile {q} outside (0, 100]")
        rank = min(max(int(math.ceil(q * total_events / 100.0)), 1), total_events)
        if len(neg_cum) and rank <= neg_cum[-1]:
            pct[q] = float(neg_si[int(np.searchsorted(neg_cum, rank, side="left"))])
            continue
        if rank <= zero_events:
            pct[q] = 0.0
            continue
        r = rank - zero_events
        b = int(np.searchsorted(cum, r, side="left"))
        before = int(cum[b - 1]) if b > 0 else 0
        targets.setdefault(b, []).append((q, r - before))
    if targets:
        wanted = np.array(sorted(targets), dtype=np.int64)
        vals, wts = [], []
        for start in range(0, n_rows, block_rows):
            stop = min(start + block_rows, n_rows)
            work, coll, _ = read_block(start, stop)
            si, weights, _ = _block_pairs(work, coll, mass, source)
            pos = si > 0
            si, weights = si[pos], weights[pos]
            sel = np.isin(_class_index(si, fine), wanted)
            vals.append(si[sel])
            wts.append(weights[sel])
        vals, wts = np.concatenate(vals), np.concatenate(wts)
        idx = _class_index(vals, fine)
        for b, items in targets.items():
            m = idx == b
            order = np.argsort(vals[m], kind="stable")
            v, c = vals[m][order], np.cumsum(wts[m][order])
            for q, r in items:
                pct[q] = float(v[int(np.searchsorted(c, r, side="left"))])

    occupied = np.nonzero(coarse)[0]
    if len(occupied):
        lo, hi = occupied[0], occupied[-1] + 1
    else:
        lo = hi = 0
    j = np.arange(lo, hi + 1) + LOG10_SI_MIN * bpd
    edges = 10.0 ** (j / bpd)
    dist = SISFDistribution(bins_per_decade=bpd, edges=edges, events=coarse[lo:hi].copy(),
                            zero_events=zero_events, duration=duration,
                            particle_to_total_mass=particle_to_total_mass)
    return StressStatistics(
        n_intervals=n_rows, duration=duration, events=total_events,
        wall_events=wall_events if wall_logged else -1, zero_si_events=zero_events,
        si_cg=si_cg, si_cg_sem=si_sem, sf_cg=sf_cg, sf_cg_sem=sf_sem, collided_specific_rate_sem=rate_sem,
        percentiles={float(q): pct[float(q)] for q in percentiles}, si_max=si_max,
        work_total=float(rows["work"].sum()), work_without_collision=float(rows["work_no_coll"].sum()),
        collided_specific_work=float(collided_k.sum()), distribution=dist, n_batches=n_b,
        events_per_interval=events_k, duration_per_interval=durations, work_per_interval=rows["work"])


def stress_statistics_from_arrays(work, collisions, mass, durations, collisions_wall=None,
                                  **kwargs) -> StressStatistics:
    """:func:`stress_statistics` for in-memory arrays: ``work`` (K, N) J, ``collisions`` (K, N), ``mass`` (N,)
    kg, ``durations`` (K,) s."""
    work = np.atleast_2d(np.asarray(work, dtype=float))
    collisions = np.atleast_2d(np.asarray(collisions))

    def read(start, stop):
        wall = None if collisions_wall is None else np.atleast_2d(collisions_wall)[start:stop]
        return work[start:stop], collisions[start:stop], wall

    return stress_statistics(read, work.shape[0], mass, durations, **kwargs)
