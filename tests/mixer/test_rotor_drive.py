"""The rotor drives the charge and its work is audited (issue: rotor torque, power and energy)."""

import numpy as np
import pytest

from mfdem.io import open_run


def test_rotor_spins_up_the_charge_and_its_work_closes_the_energy_audit(sector_run):
    path, job = sector_run
    sim = job.sim
    # angular momentum of the charge about the rotor axis (+z) follows the rotor's sense of rotation
    x, v, m = sim.positions, sim.velocities, sim.masses
    l_z = np.sum(m * (x[:, 0] * v[:, 1] - x[:, 1] * v[:, 0]))
    assert l_z > 0
    with open_run(path) as run:
        t = run.timeseries("time")
        power = run.timeseries("rotor_power")
        work = run.timeseries("rotor_work_total")
        before = t <= run.attrs["rotor_start_time"]
        assert np.all(power[before] == 0.0)                      # a standing rotor does no work
        assert power[~before].mean() > 0
        # ∫P dt of the logged window means is the rotor's work
        t0 = np.concatenate([[0.0], t[:-1]])
        assert np.sum(power * (t - t0)) == pytest.approx(work[-1], rel=1e-9)
        assert run.interval("rotor_work").sum() == pytest.approx(work[-1], rel=1e-9)
        ke, el = run.timeseries("kinetic_energy"), run.timeseries("elastic_energy")
        pe, diss = run.timeseries("potential_energy"), run.timeseries("dissipated_work_total")
    audit = sim.energy()
    assert audit.wall_work == pytest.approx(work[-1], rel=1e-12)
    assert abs(audit.balance) < 1e-2 * audit.wall_work         # closes within 1 % of the rotor work
    assert abs(audit.balance) < 1e-2 * audit.dissipated
    # the logged energies tell the same story at the end of the run
    gained = ke[-1] + el[-1] + pe[-1] + diss[-1] - work[-1]
    assert gained == pytest.approx(audit.initial, abs=1e-2 * work[-1])
