"""Coarse graining in the configuration: the real particle size, the CG factor and its scaling rules in the
run file, and the resolution checks against the blade-tip gap and the chamber length."""

import json
import warnings

import pytest

from mfdem.config import make_config
from mfdem.engine.materials import InputError
from mfdem.io import open_run
from mfdem.mixer import scenario as mixer
from mfdem.mixer.runner import CG_SCALING, MixerRun
from tests.small_mixer import small_config


def test_the_cg_factor_is_the_cg_over_the_real_diameter():
    cfg = make_config()
    assert cfg.particles.real_diameter == 3.3e-6               # the paper's NCM d50
    assert cfg.cg_factor == pytest.approx(300e-6 / 3.3e-6)     # "approximately 100 times larger"
    cfg = make_config(overrides={"particles": {"diameter": 0.8e-3, "real_diameter": 8e-6}})
    assert cfg.cg_factor == pytest.approx(100.0)


def test_a_real_particle_larger_than_the_cg_particle_is_refused():
    with pytest.raises(InputError, match=r"particles.real_diameter = 0.001 m: must be in \(0, 0.0003\] m"):
        make_config(overrides={"particles": {"real_diameter": 1e-3}})


def test_the_run_file_records_the_cg_factor_and_its_scaling_rules(sector_run):
    path, job = sector_run
    with open_run(path) as rf:
        assert rf.attrs["real_diameter"] == job.cfg.particles.real_diameter
        assert rf.attrs["cg_factor"] == pytest.approx(0.8e-3 / 3.3e-6)
        rules = json.loads(rf.attrs["cg_scaling"])
    assert rules == CG_SCALING
    # physics.md §5.1: mass ∝ l³, force ∝ l², material and SI_CG kept, SF per particle between l⁻¹ and l⁰
    assert (rules["mass"], rules["contact_force"], rules["youngs_modulus"], rules["SI_CG"]) == (3, 2, 0, 0)
    assert rules["SF_per_particle"] == [-1, 0]


def test_a_gap_of_fewer_than_three_diameters_warns_and_a_gap_narrower_than_one_is_refused(tmp_path):
    cfg = small_config()                       # 0.8 mm particles, 1 mm blade-tip gap: 1.25 diameters
    geometry = mixer.build_geometry(cfg)
    assert mixer.tip_gap(geometry) == pytest.approx(1e-3, rel=1e-9)
    with pytest.warns(UserWarning, match=r"blade-tip gap of 1 mm holds only 1.25 CG particle diameters"):
        notes = mixer.check_resolution(cfg, geometry)
    assert len(notes) == 1                     # the 13 mm chamber holds 16 diameters: no word about it

    wide = small_config(geometry={"tip_gap": 2.5e-3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mixer.check_resolution(wide, mixer.build_geometry(wide)) == []

    coarse = small_config(particles={"diameter": 1.2e-3}, run={"charge_mass": 5e-4})
    out = tmp_path / "coarse.h5"
    with pytest.raises(InputError, match=r"particles.diameter = 0.0012 m: the blade-tip gap of 1 mm holds 0.83 "
                                         r"particle diameters; must be ≥ 1\. Use smaller"):
        MixerRun.create(coarse, out)
    assert not out.exists()                    # refused before the file (and any kernel) was made


def test_a_chamber_of_fewer_than_ten_diameters_warns():
    cfg = small_config(particles={"diameter": 0.9e-3}, geometry={"tip_gap": 3e-3, "axial_length": 8e-3})
    with pytest.warns(UserWarning, match=r"chamber length of 8 mm holds only 8.89 CG particle diameters"):
        mixer.check_resolution(cfg, mixer.build_geometry(cfg))
