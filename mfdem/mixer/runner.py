"""The main job: fill the mixer, spin the rotor, log everything to the HDF5 run file (docs/hdf5.md).

    from mfdem.config import make_config
    from mfdem.mixer.runner import MixerRun
    MixerRun.create(make_config(overrides={"run": {"rpm": 5000}}), "run.h5").run()
    MixerRun.resume("run.h5").run()          # continue a killed or interrupted run
    MixerRun.resume("run.h5", {"overlap_action": "warn"}).run()   # ... or one an overlap guard stopped

The time step is set so that output intervals end exactly on steps: the fill's intervals at the fill's step
(mixer.fill_time_step, the rotor at rest), the rest at the mixing step (mixer.time_step, at the tip speed);
a run whose fill does not end on an interval boundary takes the shorter of the two throughout. Insertion
batches, time-series rows and interval ends are the events between which the engine steps freely. After
every interval the file receives the interval's per-particle work and collisions, its time-series rows, a
snapshot (every ``snapshot_every`` intervals) and a checkpoint, and is flushed: a kill loses at most the
interval in progress. Ctrl-C and SIGTERM stop at the next event and close the file cleanly.

One module, past the usual size: creating, resuming and stepping a run, and what each event writes, share the
run's state and its file; the set-up of the mixer is mixer/scenario.py.
"""

import json
import math
import os
import signal
import threading
import time as wallclock
import tomllib
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from mfdem import theory
from mfdem.config import Config, make_config
from mfdem.engine.checkpoint import get_state, set_state, state_spec
from mfdem.engine.materials import effective_modulus
from mfdem.io.lock import WriterLock, WriterLockError
from mfdem.io.paths import check_output
from mfdem.io.runlog import (FORMAT_VERSION, INTERVAL_FIELDS, SNAPSHOT_FIELDS, TIMESERIES_FIELDS, RunFileError,
                             RunWriter, open_run, reopen_for_append)
from mfdem.mixer import scenario as mixer
from mfdem.progress import Progress
from mfdem.validation import InputError, RunFailure

ROTOR = 0      # mesh body index of the rotor in the mixer simulation (the vessel is 1)
_RUNNER = "runner/"       # checkpoint entries of the run loop itself
_BODIES = {"mesh 0": "the rotor", "mesh 1": "the vessel"}
SPEED_LIMIT_FACTOR = 5.0   # a particle faster than this × the fastest wall or inlet speed means a blow-up
GUARD_SETTINGS = ("overlap_limit", "overlap_action")   # run settings a resumed run may change (MixerRun.resume)


class RunStopped(RunFailure):
    """A guard stopped the run: the model left its range (overlap limit) or a particle left the mixer."""


class RunWarning(UserWarning):
    """A problem that does not stop the run (dropped mesh contacts, overlaps with overlap_action = "warn")."""


class MixerRun:
    """A mixer run bound to its HDF5 file. Use ``create`` for a new run and ``resume`` to continue one."""

    def __init__(self, cfg: Config, path: Path, geometry, sim, inlets, dt: float, fill_dt: float):
        """``dt``: the mixing step (s); ``fill_dt``: the step of the fill's intervals (s)."""
        self.cfg, self.path, self.geometry, self.sim, self.inlets = cfg, path, geometry, sim, inlets
        self.dt, self.fill_dt = dt, fill_dt
        run = cfg.run
        self.steps_per_interval = int(round(run.output_interval / dt))
        self.fill_steps_per_interval = round(run.output_interval / fill_dt)
        self.n_intervals = int(round((run.fill_time + run.duration) / run.output_interval))
        self.fill_intervals = fill_intervals(cfg)
        self.total_steps = self.end_step(self.n_intervals)
        self.insert_every = max(1, round(cfg.inlets.insert_interval / fill_dt))
        self.interval = 0
        self.writer = None
        self._stop = False
        self.lost = 0   # particles that left the mixer through a wall (overlap beyond what the walls hold)
        self.dropped_mesh_contacts = 0
        self._warned = set()
        self.lock = None   # the run file's writer lock (mfdem.io.lock), held until run() closes the file
        self._speed_bound = SPEED_LIMIT_FACTOR * max(mixer.tip_speed(cfg, geometry), cfg.inlets.speed, 1.0)

    # ------------------------------------------------------------------------------------------ set-up

    @classmethod
    def _build(cls, cfg: Config, path, steps: tuple | None = None):
        """The run's parts; ``steps``: its (mixing, fill) time steps, s, when a run file recorded them."""
        geometry = mixer.build_geometry(cfg)
        mixer.check_fill(cfg, geometry)
        mixer.check_resolution(cfg, geometry)
        mixer.check_tip_impact(cfg, geometry)
        if steps is None:
            dt, fill_dt = mixer.time_step(cfg, geometry), mixer.fill_time_step(cfg, geometry)
            if fill_intervals(cfg) is None:
                dt = fill_dt = min(dt, fill_dt)
            # whole steps per output interval, never longer than the advised step
            dt, fill_dt = (cfg.run.output_interval / math.ceil(cfg.run.output_interval / d) for d in (dt, fill_dt))
        else:
            dt, fill_dt = steps
        rng = np.random.default_rng(cfg.run.seed)
        inlets = mixer.Inlets(cfg, geometry, rng)
        sim = mixer.build_simulation(cfg, geometry, fill_dt)
        return cls(cfg, Path(path), geometry, sim, inlets, dt, fill_dt)

    def close(self) -> None:
        """Close the run file if ``run`` has not (status "interrupted": a resume continues it from its last
        completed interval; with none, the run is started again) and give the simulation's arrays and compiled
        kernels back (engine/engine_pool.py): a later run of the same layout in this process, such as a resume of
        this one, starts without compiling. This object cannot run afterwards. ``with MixerRun.create(...) as
        job:`` closes it at the end of the block."""
        if self.lock is not None and self.lock.held:
            self.run(progress=False, stop_after_intervals=0)
        self.sim.close()

    def __enter__(self) -> "MixerRun":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def end_step(self, k: int) -> int:
        """The step count at the end of the first ``k`` intervals."""
        fill = min(k, self.fill_intervals or 0)
        return fill * self.fill_steps_per_interval + (k - fill) * self.steps_per_interval

    def interval_dt(self, k: int) -> float:
        """The time step of interval ``k`` (s)."""
        return self.fill_dt if k < (self.fill_intervals or 0) else self.dt

    @classmethod
    def create(cls, cfg: Config, path, *, overwrite: bool = False, from_fill=None) -> "MixerRun":
        """Validate everything, then create the run file (nothing is written if the input is bad). Refuses
        (RunFileError) a file that another process is writing, even with ``overwrite``.

        ``from_fill``: another run file whose filled charge this run starts from (``mfdem run --from-fill``):
        its fill intervals are copied and the rotor phase runs with ``cfg``, which must have the same
        particles, walls, geometry, fill and output interval (``config_from_fill`` builds such a config)."""
        path = check_output(path, "run file")
        cores = os.cpu_count() or 1
        if cfg.run.threads > cores:   # checked here, not in the config: a run file may move to a smaller machine
            raise InputError(f"run.threads = {cfg.run.threads}: must be in [0, {cores}] (0 = all cores; this "
                             f"machine has {cores})")
        lock = _writer_lock(path)
        try:
            if path.exists() and not overwrite:
                raise InputError(f"{path} exists; choose another --out, --resume it, or pass --overwrite")
            source = _FillSource(from_fill, cfg) if from_fill is not None else None
            self = cls._build(cfg, path)
            self._create_file(cfg, path, {} if source is None else {"filled_from": str(source.path)})
            if source is not None:
                self._start_from_fill(source)
        except BaseException:
            lock.release()
            raise
        self.lock = lock
        return self

    def _start_from_fill(self, source: "_FillSource") -> None:
        """Copy the source's fill intervals, time series and snapshots, then load its filled state (at this
        run's time step) and checkpoint it, so the new file is complete, resumable and itself a fill source."""
        w, k0 = self.writer, source.n_intervals
        with open_run(source.path) as rf:
            for k in range(k0):
                w.append_interval(**{name: rf.interval(name, k, k + 1)[0] for name in INTERVAL_FIELDS})
            t_end = float(rf.interval("t_end", k0 - 1, k0)[0])
            keep = rf.timeseries("time") <= t_end * (1 + 1e-12)
            w.append_timeseries({name: rf.timeseries(name)[keep] for name in TIMESERIES_FIELDS})
            for j in np.flatnonzero(rf.snapshot_interval_index < k0):
                snap = rf.snapshot(int(j))
                w.append_snapshot(**{name: getattr(snap, name) for name in SNAPSHOT_FIELDS})
            self._insert_times = np.asarray(rf.insert_time, float)
        state = dict(source.state)
        n, _, _, e0, d0 = state["scalars"]
        state["scalars"] = np.array([n, self.end_step(k0), t_end, e0, d0])   # the same instant on this run's clock
        set_state(self.sim, {k: v for k, v in state.items() if not k.startswith(_RUNNER)})
        self.interval = k0
        self.inlets.inserted = self.sim.n
        state = self._checkpoint_state()
        w.write_insert_times(self._insert_times)
        w.write_fill_state(state, k0)
        w.write_checkpoint(state, k0)

    def _checkpoint_state(self) -> dict:
        state = get_state(self.sim)
        state[_RUNNER + "scalars"] = np.array([self.interval, self.inlets.inserted, 0.0])
        state[_RUNNER + "rng"] = np.frombuffer(json.dumps(self.inlets.rng.bit_generator.state).encode(), np.uint8)
        return state

    def _create_file(self, cfg: Config, path: Path, extra_attrs: dict = None) -> None:
        spec = state_spec(self.sim)
        spec[_RUNNER + "scalars"] = ((3,), "<f8")
        spec[_RUNNER + "rng"] = ((None,), "u1")
        omega = theory.angular_speed(cfg.run.rpm)
        g = self.geometry
        attrs = dict(config=cfg.to_toml(), rpm=cfg.run.rpm, omega=omega, dt=self.dt, fill_dt=self.fill_dt,
                     sector_angle_deg=g.sector_angle_deg, rotor_axis=[0.0, 0.0, 1.0], rotor_origin=[0.0, 0.0, 0.0],
                     gravity=list(mixer.GRAVITY), output_interval=cfg.run.output_interval,
                     fill_end_time=cfg.run.fill_time, rotor_start_time=cfg.run.fill_time,
                     end_time=self.n_intervals * cfg.run.output_interval, n_particles=cfg.n_particles,
                     **material_attrs(cfg, self.geometry), **cg_attrs(cfg), **(extra_attrs or {}))
        n = cfg.n_particles
        self.writer = RunWriter(path, attrs=attrs, mass=np.full(n, cfg.particle_mass),
                                radius=np.full(n, cfg.particles.diameter / 2), material=np.zeros(n, int),
                                insert_time=np.full(n, np.nan),
                                rotor_mesh=(g.display_rotor.vertices, g.display_rotor.faces),
                                vessel_mesh=(g.display_vessel.vertices, g.display_vessel.faces),
                                checkpoint_spec=spec)
        self._insert_times = np.full(n, np.nan)

    @classmethod
    def resume(cls, path, guard: dict | None = None) -> "MixerRun":
        """Continue a run file from its last checkpoint (a killed run is repaired first). Refuses
        (RunFileError) a file that another process is writing.

        ``guard``: new values of the settings in ``GUARD_SETTINGS`` (``{"overlap_action": "warn"}``), the only
        ones a resumed run may change: they decide when the run stops, not what it computes. Use it to carry a
        run that an overlap guard stopped past that point. The file's stored config takes the new values and
        its ``guard_changes`` attribute says from which time on they held."""
        path = Path(path)
        lock = _writer_lock(path)
        try:
            self = cls._resume(path, guard or {})
        except BaseException:
            lock.release()
            raise
        self.lock = lock
        return self

    @classmethod
    def _resume(cls, path: Path, guard: dict) -> "MixerRun":
        unknown = sorted(set(guard) - set(GUARD_SETTINGS))
        if unknown:
            raise InputError(f"run.{unknown[0]}: a resumed run may change only run.{' and run.'.join(GUARD_SETTINGS)}")
        with open_run(path) as rf:
            if int(rf.attrs["format_version"]) != FORMAT_VERSION:
                raise RunFileError(f"{path}: written by mfdem {rf.attrs.get('mfdem_version', '?')} in run-file "
                                   f"format {rf.attrs['format_version']}; this mfdem resumes format {FORMAT_VERSION} "
                                   "only (its analysis still reads the file)")
            text = rf.config_text
            found = rf.checkpoint()
            insert_time = rf.insert_time
            # the steps the run was started with (files from before the fill had its own step: one step)
            steps = (rf.dt, float(rf.attrs.get("fill_dt", rf.dt)))
        if found is None:
            raise RunFileError(f"{path}: no checkpoint yet (the run stopped before its first interval); start it again")
        state, n_done = found
        cfg = make_config(toml_text=text, origin=f"{path} (stored config)", stored=True)
        before = {name: getattr(cfg.run, name) for name in guard}
        if guard:
            cfg = make_config(toml_text=text, origin=f"{path} (stored config)", overrides={"run": guard}, stored=True)
        self = cls._build(cfg, path, steps)
        set_state(self.sim, {k: v for k, v in state.items() if not k.startswith(_RUNNER)})
        interval, inserted, _ = state[_RUNNER + "scalars"]
        self.interval = int(interval)
        self.inlets.inserted = int(inserted)
        self.inlets.rng.bit_generator.state = json.loads(bytes(state[_RUNNER + "rng"]).decode())
        self._insert_times = insert_time
        changed = [f"run.{name} = {getattr(cfg.run, name)!r} (was {was!r})" for name, was in before.items()
                   if getattr(cfg.run, name) != was]
        change = (cfg.to_toml(), f"from t = {self.sim.time:.6g} s: {', '.join(changed)}") if changed else None
        self.writer = reopen_for_append(path, list(state_spec(self.sim)) + [_RUNNER + "scalars", _RUNNER + "rng"],
                                        n_intervals=self.interval, config_change=change)
        return self

    # ------------------------------------------------------------------------------------------ the loop

    @contextmanager
    def _signals(self):
        """Ctrl-C / SIGTERM end the run at the next event (only the main thread can take signals: a run in a
        worker thread, e.g. a Dask sweep, is stopped by its scheduler instead)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum, frame):  # noqa: ARG001
            self._stop = True
        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, h in previous.items():
                signal.signal(s, h)

    def _insert(self) -> None:
        sim = self.sim
        pos = self.inlets.batch(sim.time, sim.positions)
        if len(pos):
            sl = sim.add_particles(pos, self.cfg.particles.diameter / 2, velocities=self.inlets.velocities(pos))
            self._insert_times[sl] = sim.time
            self.inlets.inserted = sim.n

    def _fill_failed(self) -> None:
        n, total = self.inlets.inserted, self.inlets.n_total
        raise RunStopped(f"the fill ended at t = {self.cfg.run.fill_time:g} s with only {n} of {total} particles "
                         f"inserted ({n / total:.0%} of run.charge_mass = {self.cfg.run.charge_mass:g} kg): the "
                         "inlets found no free site for the rest. Lengthen run.fill_time, add or widen inlets "
                         "(inlets.count, inner_radius, outer_radius) or lower run.charge_mass")

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message, RunWarning, stacklevel=3)

    def _guard(self, message: str, key: str) -> None:
        """Stop the run (RunStopped) or, with run.overlap_action = "warn", report the problem once."""
        if self.cfg.run.overlap_action != "warn":
            raise RunStopped(message)
        self._warn_once(key, message + " (run.overlap_action = \"warn\": the run goes on)")

    def _check_state(self) -> None:
        """The guards run after every stretch of steps between events (module docstring)."""
        sim = self.sim
        speed = np.linalg.norm(sim.velocities, axis=1)
        bound = self._speed_bound
        if not np.all(np.isfinite(speed)) or speed.max() > bound:
            i = int(np.argmax(np.where(np.isfinite(speed), speed, np.inf)))
            raise RunStopped(f"t = {sim.time:.6g} s: particle {i} moves at {speed[i]:.3g} m/s (allowed: "
                             f"{bound:.3g} m/s, {SPEED_LIMIT_FACTOR:g} × the fastest wall or inlet): the simulation "
                             f"blew up; run.dt = {sim.dt:.3g} s may be too long for this particle (0 = the advised "
                             "step)")
        limit = self.cfg.run.overlap_limit
        if sim.max_overlap_ratio() <= limit:
            return
        c = sim.deepest_contact()
        partner = c["partner"]
        partner = f"particle {partner}" if isinstance(partner, int) else _BODIES.get(partner, partner)
        self._guard(f"t = {sim.time:.6g} s: particle {c['particle']} at {np.round(c['position'], 5).tolist()} m "
                    f"overlaps {partner} by {c['ratio']:.3g} R (relative speed {c['speed']:.3g} m/s), beyond "
                    f"run.overlap_limit = {limit:g} R: the particle is too soft for this rotor speed, or jammed in a "
                    "gap too narrow for it (docs/default_material.md)", "overlap")

    def _check_energy(self, audit) -> None:
        """Stop (RunStopped) when the audit's residual exceeds run.energy_tolerance of the energy turned over
        (kinetic, elastic, dissipated and wall work): the integration has lost the energy books."""
        turnover = audit.kinetic + audit.elastic + audit.dissipated + abs(audit.wall_work)
        residual = abs(audit.balance) / max(turnover, 1e-300)
        if not residual <= self.cfg.run.energy_tolerance:
            raise RunStopped(f"t = {self.sim.time:.6g} s: the energy audit is off by {residual:.3g} of the energy "
                             f"turned over ({abs(audit.balance):.3g} J of {turnover:.3g} J; allowed: "
                             f"run.energy_tolerance = {self.cfg.run.energy_tolerance:g}): the simulation lost its "
                             f"energy books; run.dt = {self.sim.dt:.3g} s may be too long (0 = the advised step)")

    def _timeseries_row(self, rows: dict, window_start: dict) -> None:
        sim = self.sim
        audit = sim.energy()
        self._check_energy(audit)
        span = sim.time - window_start["time"]
        rotor_work = sim.mesh_work(ROTOR)
        torque_int = float(sim.meshes.axial_torque_integral[ROTOR])
        ovl = sim.max_overlap_ratio(reset=True)
        dropped = sim.dropped_mesh_contacts(reset=True)
        self.dropped_mesh_contacts += dropped
        values = dict(time=sim.time, rotor_angle=sim.mesh_angle(ROTOR),
                      rotor_torque=(torque_int - window_start["torque"]) / span,
                      rotor_power=(rotor_work - window_start["work"]) / span,
                      kinetic_energy=audit.kinetic, elastic_energy=audit.elastic,
                      dissipated_work_total=audit.dissipated, rotor_work_total=rotor_work,
                      potential_energy=audit.potential, n_inserted=sim.n, max_overlap_ratio=ovl,
                      dropped_mesh_contacts=dropped)
        for k in TIMESERIES_FIELDS:
            rows[k].append(values[k])
        window_start.update(time=sim.time, work=rotor_work, torque=torque_int)

    def _padded(self, a: np.ndarray, fill) -> np.ndarray:
        out = np.full((self.cfg.n_particles,) + a.shape[1:], fill, dtype=np.result_type(a.dtype, type(fill)))
        out[: len(a)] = a
        return out

    def _end_interval(self, rows: dict, t_start: float, rotor_work_start: float) -> None:
        sim, w, k = self.sim, self.writer, self.interval
        self._check_lost()
        acc = sim.reset_accumulators()
        collisions = acc["events_particle"] + acc["events_wall"]
        work = self._padded(acc["dissipated_work"], 0.0)
        w.append_timeseries({name: np.asarray(v) for name, v in rows.items()})
        w.append_interval(t_start=t_start, t_end=sim.time, dissipated_work=work,
                          collisions=self._padded(collisions, 0), collisions_wall=self._padded(acc["events_wall"], 0),
                          contact_starts=self._padded(acc["contacts_particle"] + acc["contacts_wall"], 0),
                          contact_starts_wall=self._padded(acc["contacts_wall"], 0),
                          rotor_work=sim.mesh_work(ROTOR) - rotor_work_start, n_inserted=sim.n)
        if self.dropped_mesh_contacts:
            self._warn_once("dropped", f"{self.dropped_mesh_contacts} mesh contact-steps were dropped by t = "
                                       f"{sim.time:.4g} s (a particle touched more triangles or surfaces than "
                                       "the engine holds); see timeseries/dropped_mesh_contacts")
        if (k + 1) % self.cfg.run.snapshot_every == 0:
            span = sim.time - t_start
            w.append_snapshot(time=sim.time, rotor_angle=sim.mesh_angle(ROTOR), interval_index=k,
                              position=self._padded(sim.positions, np.nan),
                              velocity=self._padded(sim.velocities, np.nan),
                              angular_velocity=self._padded(sim.angular_velocities, np.nan),
                              dissipated_power=work / span, collisions=self._padded(collisions, 0))
        self.interval = k + 1
        state = self._checkpoint_state()
        w.write_insert_times(self._insert_times)
        if self.interval == self.fill_intervals and self.inlets.inserted == self.inlets.n_total:
            w.write_fill_state(state, self.interval)
        w.write_checkpoint(state, self.interval)

    def _check_lost(self) -> None:
        x = self.sim.positions
        r = np.linalg.norm(x[:, :2], axis=1)
        length = self.geometry.length
        outside = int(np.count_nonzero((r > self.geometry.vessel_radius * 1.01) | (x[:, 2] < -0.01 * length)
                                       | (x[:, 2] > 1.01 * length)))
        if outside > self.lost:
            self.lost = outside
            self._guard(f"t = {self.sim.time:.6g} s: {outside} particles have left the mixer through a wall "
                        "(overlaps beyond what a wall holds): the particle is too soft for this rotor speed "
                        "(docs/default_material.md)", "lost")

    def run(self, *, progress: bool = True, stop_after_intervals: int = None) -> str:
        """Run to the end (or ``stop_after_intervals`` more intervals); returns the final file status. The run
        file is closed when it returns: ``MixerRun.resume(path)`` continues an interrupted run."""
        if self.writer.closed:
            raise RuntimeError(f"{self.path}: this run has already ended and closed its file; "
                               "MixerRun.resume(path) continues it (after job.close(), without compiling again)")
        sim, run_cfg = self.sim, self.cfg.run
        last = self.n_intervals if stop_after_intervals is None else min(self.n_intervals,
                                                                         self.interval + stop_after_intervals)
        bar = _progress(progress, self)
        status = "interrupted"
        failure = None
        try:
            with self._signals():
                while self.interval < last and not self._stop:
                    rows = {k: [] for k in TIMESERIES_FIELDS}
                    t_start = sim.time
                    start = {"time": sim.time, "work": sim.mesh_work(ROTOR),
                             "torque": float(sim.meshes.axial_torque_integral[ROTOR])}
                    rotor_work_start = start["work"]
                    end_step = self.end_step(self.interval + 1)
                    if sim.dt != self.interval_dt(self.interval):
                        sim.change_time_step(self.interval_dt(self.interval))
                    while sim.step_count < end_step and not self._stop:
                        step = sim.step_count
                        filling = self.inlets.inserted < self.inlets.n_total
                        if filling and sim.time > run_cfg.fill_time + 0.5 * sim.dt:
                            self._fill_failed()
                        if filling and step % self.insert_every == 0:
                            self._insert()
                        nxt = min(end_step, _next_multiple(step, self.insert_every) if filling else end_step,
                                  _next_multiple(step, run_cfg.timeseries_every))
                        if sim.n:
                            sim.step(nxt - step)
                            self._check_state()
                        else:   # nothing inserted yet: only the clock runs
                            sim.set_clock(nxt, sim.time + (nxt - step) * sim.dt)
                        if sim.step_count % run_cfg.timeseries_every == 0 or sim.step_count == end_step:
                            if sim.n:
                                self._timeseries_row(rows, start)
                        bar.update(sim.step_count - step, sim)
                    if sim.step_count == end_step:
                        self._end_interval(rows, t_start, rotor_work_start)
            status = "complete" if self.interval >= self.n_intervals else "interrupted"
        except OSError as exc:   # a full disk, a lost or read-only output: stop at once, keep what is written
            status, failure = "failed", f"writing the run file failed: {exc}"
            raise RunStopped(f"t = {sim.time:.6g} s: writing {self.path} failed ({exc.strerror or exc}); its "
                             f"{self.interval} completed intervals and the last checkpoint are safe, and "
                             f"`mfdem run --resume {self.path}` continues them once the disk can be written "
                             "again") from None
        except BaseException as exc:
            status = "failed"
            failure = str(exc) if isinstance(exc, RunStopped) else f"{type(exc).__name__}: {exc}"
            raise
        finally:
            bar.close()
            try:
                self.writer.close(status, failure=failure)
            except OSError as exc:
                warnings.warn(f"could not record status {status!r} in {self.path} ({exc}); its completed "
                              "intervals are safe, `mfdem repair` or `--resume` reopens it", RunWarning, stacklevel=2)
            if self.lock is not None:
                self.lock.release()
        return status


def fill_intervals(cfg: Config) -> int | None:
    """Output intervals that end with the fill, or None when the fill does not end on an interval boundary
    (such a run keeps no filled state for ``--from-fill``)."""
    k = cfg.run.fill_time / cfg.run.output_interval
    return int(round(k)) if abs(k - round(k)) < 1e-9 * max(k, 1.0) and round(k) >= 1 else None


# What must agree between a run and the run whose filled charge it starts from (other settings may differ)
FILL_KEYS = {"particles": None, "wall": None, "geometry": None, "inlets": None,
             "run": ("charge_mass", "fill_time", "full_mixer", "output_interval", "seed")}


class _FillSource:
    """The filled state of another run file, checked against the config that will continue it."""

    def __init__(self, path, cfg: Config):
        self.path = Path(path)
        try:
            with open_run(self.path) as rf:
                found = rf.fill_state()
                text = rf.config_text
        except RunFileError as exc:
            raise InputError(f"--from-fill {exc}") from None
        if found is None:
            raise InputError(f"--from-fill {self.path}: the file holds no filled state (its run stopped before the "
                             "fill ended, its fill did not end on an output interval, or an older mfdem wrote it)")
        self.state, self.n_intervals = found
        source_cfg = make_config(toml_text=text, origin=f"{self.path} (stored config)", stored=True)
        differ = [f"{sec}.{key} = {getattr(getattr(cfg, sec), key)!r} (the fill has "
                  f"{getattr(getattr(source_cfg, sec), key)!r})"
                  for sec, keys in FILL_KEYS.items() for key in (keys or vars(getattr(cfg, sec)))
                  if getattr(getattr(cfg, sec), key) != getattr(getattr(source_cfg, sec), key)]
        if differ:
            raise InputError(f"--from-fill {self.path}: a run continues a fill only with the same particles, "
                             f"walls, geometry, inlets, fill and output interval; these differ: {'; '.join(differ)}")


def config_from_fill(path, *, toml_text: str = None, overrides: dict = None) -> Config:
    """The settings stored in run file ``path``, changed by ``toml_text`` and then ``overrides`` ({section:
    {key: value}}): the config of a run started with ``MixerRun.create(..., from_fill=path)``."""
    try:
        with open_run(path) as rf:
            stored = rf.config_text
    except RunFileError as exc:
        raise InputError(f"--from-fill {exc}") from None
    changes = {}
    if toml_text is not None:
        try:
            changes = tomllib.loads(toml_text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"config: not valid TOML ({exc})") from None
    for section, values in (overrides or {}).items():
        changes.setdefault(section, {}).update(values)
    return make_config(toml_text=stored, origin=f"{path} (stored config)", overrides=changes, stored=True)


def cg_attrs(cfg: Config) -> dict:
    """Root attributes of the coarse graining (docs/coarse_graining.md): the real particle size, the CG factor
    l = d_CG / d_real and the scaling rules of physics.md §5.1 as JSON ({quantity: power of l})."""
    return {"real_diameter": cfg.particles.real_diameter, "cg_factor": cfg.cg_factor,
            "cg_scaling": json.dumps(CG_SCALING)}


# physics.md §5.1: how a CG quantity relates to the real particles' (CG = real × l^power); material
# properties, V_y, e(V) and δ/R are kept (power 0); SF and SN_p per particle lie between l^0 (dense shear)
# and l^-1 (collisional flow) and are measured by the CG study (docs/coarse_graining.md)
CG_SCALING = {"diameter": 1, "overlap": 1, "mass": 3, "energy_per_event": 3, "contact_force": 2,
              "contact_time": 1, "time_step": 1, "particle_number": -3, "density": 0, "youngs_modulus": 0,
              "poisson_ratio": 0, "yield_pressure": 0, "friction": 0, "restitution": 0, "yield_velocity": 0,
              "overlap_ratio": 0, "SI_CG": 0, "SF_per_particle": [-1, 0], "SN_p": [-1, 0]}


def _writer_lock(path: Path) -> WriterLock:
    try:
        return WriterLock(path).acquire()
    except WriterLockError as exc:
        raise RunFileError(str(exc)) from None


def material_attrs(cfg: Config, geometry) -> dict:
    """Root attributes that say which particle the run used (docs/hdf5.md): the p_y actually used and the
    yield velocities (particle–particle and particle–wall; NaN for an elastic particle), the pass-through speed
    √(3 p_y/ρ), the stress-event speed and the δ/R of a head-on rotor-tip hit."""
    cs = mixer.contact_set(cfg)
    r, m = cfg.particles.diameter / 2, cfg.particle_mass
    out = {"stress_event_speed": cs.event_speed,
           "tip_impact_overlap_ratio": mixer.tip_impact_overlap(cfg, mixer.tip_speed(cfg, geometry))}
    for pair, (e_star, r_star, m_star) in (("particle_particle", (effective_modulus(cs.particle, cs.particle),
                                                                  r / 2, m / 2)),
                                           ("particle_wall", (effective_modulus(cs.particle, cs.wall), r, m))):
        p_y = cs.yield_pressures()[pair]
        out[f"yield_pressure_{pair}"] = math.nan if p_y is None else p_y
        out[f"yield_velocity_{pair}"] = math.nan if p_y is None else theory.yield_velocity(p_y, e_star, r_star,
                                                                                           m_star)
    p_y = out["yield_pressure_particle_wall"]
    out["pass_through_speed"] = math.sqrt(3 * p_y / cfg.particles.density) if math.isfinite(p_y) else math.inf
    return out


def _next_multiple(step: int, every: int) -> int:
    return (step // every + 1) * every


class _progress:
    """The run's progress (mfdem/progress.py): simulated time, particle-steps per second and the ETA, as a bar
    on a terminal or in a notebook, else a plain line every ``log_every`` seconds. Silent when disabled."""

    def __init__(self, enabled: bool, run: MixerRun, stream=None, log_every: float = 60.0):
        self.start = run.sim.step_count
        self.t0 = wallclock.perf_counter()
        self.progress = Progress(run.total_steps, desc=f"{run.cfg.n_particles} particles, dt {run.dt:.2e} s",
                                 enabled=enabled, stream=stream, log_every=log_every, initial=run.sim.step_count)

    def update(self, steps: int, sim) -> None:  # noqa: ARG002 - the step count is read from sim
        if self.progress.enabled:
            rate = sim.n * (sim.step_count - self.start) / max(wallclock.perf_counter() - self.t0, 1e-9)
            self.progress.update_to(sim.step_count, f"t = {sim.time:.4f} s, {rate:.2e} particle-steps/s")

    def close(self) -> None:
        self.progress.close()
