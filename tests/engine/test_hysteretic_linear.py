"""The hysteretic linear spring (Walton–Braun, physics.md §3.1, V9), added as one file to the contact registry:
restitution equal to its input, exact dissipated work, its load–unload–reload path, and the law selected end
to end from the impact command, the config and a mixer run."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from mfdem.cli import main
from mfdem.config import make_config
from mfdem.engine.contact.probe import normal_force_path
from mfdem.io import open_run
from mfdem.mixer.runner import MixerRun
from mfdem.scenarios.impact import simulate_impact
from tests.small_mixer import small_config

PARTICLE = dict(radius=1e-3, density=2500.0, youngs_modulus=1e9, poisson_ratio=0.3)


@pytest.mark.parametrize("target", ["wall", "sphere"])
@pytest.mark.parametrize("e", [0.3, 0.7, 0.95])
def test_impact_restitution_is_the_input_and_the_dissipated_work_is_exact(e, target):
    r = simulate_impact(velocity=2.0, target=target, normal_model="hysteretic_linear", coefficients={"restitution": e},
                        **PARTICLE)
    assert r.ended and not r.pass_through
    assert r.restitution == pytest.approx(e, abs=1e-3) and r.restitution_theory == e
    # all the kinetic energy lost went into the dissipated work, to round-off (trapezoid bookkeeping)
    assert r.dissipated_work == pytest.approx((1 - r.restitution**2) * r.impact_energy, rel=1e-9)
    # V9: loading on K_nl = 2 E* R*, t_c = π/2 √(m*/K_nl) (1 + e), δ_max = v √(m*/K_nl)
    m = PARTICLE["density"] * 4 / 3 * math.pi * PARTICLE["radius"] ** 3
    m_star, r_star = (m, PARTICLE["radius"]) if target == "wall" else (m / 2, PARTICLE["radius"] / 2)
    nu = PARTICLE["poisson_ratio"]
    e_star = 1 / (2 * (1 - nu**2) / PARTICLE["youngs_modulus"])       # the wall defaults to the particle material
    k_load = 2 * e_star * r_star
    assert r.max_overlap == pytest.approx(2.0 * math.sqrt(m_star / k_load), rel=1e-3)
    assert r.max_force == pytest.approx(k_load * r.max_overlap, rel=1e-3)
    assert r.contact_time == pytest.approx(0.5 * math.pi * math.sqrt(m_star / k_load) * (1 + e), rel=1e-2)


def test_load_unload_reload_path():
    e, e_star, r_star = 0.6, 1e9, 1e-3
    k_load = 2 * e_star * r_star
    k_unload = k_load / e**2
    d1, d_min = 1e-6, 1e-7          # unloaded past the residual overlap d1 (1 − e²) to d_min > 0: still in contact
    up = np.linspace(0, d1, 101)[1:]
    down = np.linspace(d1, d_min, 91)[1:]
    again = np.linspace(d_min, 1.5 * d1, 141)[1:]
    f, u, diss = normal_force_path(np.concatenate([up, down, again]), e_star=e_star, r_star=r_star,
                                   normal_model="hysteretic_linear", coefficients={"restitution": e})
    n1, n2 = len(up), len(up) + len(down)
    np.testing.assert_allclose(f[:n1], k_load * up, rtol=1e-12)                         # loading on K_nl
    np.testing.assert_allclose(f[n1:n2], np.maximum(k_load * d1 - k_unload * (d1 - down), 0), rtol=1e-9,
                               atol=1e-12 * k_load * d1)                                 # unloading on K_nu
    assert np.all(f[n1:n2][down <= d1 * (1 - e**2) * (1 - 1e-9)] == 0)                  # force-free below δ_res
    np.testing.assert_allclose(u[:n1], (k_load * up) ** 2 / (2 * k_unload), rtol=1e-12)  # what unloading returns
    # one full cycle dissipates the area of the hysteresis loop, ½ K_nl δ1² (1 − e²)
    assert diss[n2 - 1] == pytest.approx(0.5 * k_load * d1**2 * (1 - e**2), rel=1e-9)
    # reloading from the smallest overlap follows K_nu up to the loading line, then K_nl again
    np.testing.assert_allclose(f[n2:], np.minimum(k_unload * (again - d_min), k_load * again), rtol=1e-9,
                               atol=1e-12 * k_load * d1)
    assert diss[-1] >= diss[n2 - 1]                                                      # work is never returned


def test_impact_command_selects_the_law_and_its_restitution():
    res = CliRunner().invoke(main, ["impact", "--normal-model", "hysteretic_linear", "--restitution", "0.6",
                                    "--velocity", "2", "--radius", "1e-3", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output.splitlines()[-1])
    assert out["normal_model"] == "hysteretic_linear" and out["restitution"] == pytest.approx(0.6, abs=1e-3)
    bad = CliRunner().invoke(main, ["impact", "--normal-model", "thornton_ning", "--restitution", "0.6",
                                    "--velocity", "2"])
    assert bad.exit_code == 2 and "--restitution" in bad.output and "thornton_ning" in bad.output
    bad = CliRunner().invoke(main, ["impact", "--normal-model", "hysteretic_linear", "--restitution", "1.5",
                                    "--velocity", "2"])
    assert bad.exit_code == 2 and "restitution" in bad.output and "(0, 1]" in bad.output


def test_config_selects_the_law_for_a_mixer_run(tmp_path):
    cfg = small_config(contact={"normal_model": "hysteretic_linear", "restitution_particle": 0.5,
                                "restitution_wall": 0.7},
                       run={"duration": 0.003})
    path = tmp_path / "hls.h5"
    job = MixerRun.create(cfg, path)
    assert job.sim.normal_model == "hysteretic_linear"
    assert job.run(progress=False) == "complete"
    audit = job.sim.energy()
    assert audit.dissipated > 0 and abs(audit.balance) < 1e-2 * audit.wall_work
    with open_run(path) as rf:
        stored = make_config(toml_text=rf.config_text, stored=True)        # round-trips through the run file
        assert rf.timeseries("rotor_work_total")[-1] > 0
    assert stored.contact.normal_model == "hysteretic_linear" and stored.contact.restitution_wall == 0.7
    with pytest.raises(Exception, match="contact.normal_model"):
        small_config(contact={"normal_model": "no_such_law"})
    with pytest.raises(Exception, match="contact.restitution_particle"):
        small_config(contact={"normal_model": "hysteretic_linear", "restitution_particle": 0.0})
