"""The notebook entry points hang off the package: ``mfdem.make_config``, ``mfdem.MixerRun``, ...; ``import mfdem``
itself stays light (no Taichi)."""

import subprocess
import sys

import pytest

import mfdem


def test_the_entry_points_resolve_and_the_import_stays_light():
    for name in mfdem.__all__:
        assert getattr(mfdem, name) is not None, name
    assert mfdem.make_config is mfdem.config.make_config and mfdem.MixerRun.__name__ == "MixerRun"
    assert set(mfdem.__all__) <= set(dir(mfdem))
    with pytest.raises(AttributeError, match="no attribute 'simulate'"):
        mfdem.simulate  # noqa: B018
    r = subprocess.run([sys.executable, "-c", "import sys, mfdem; print('taichi' in sys.modules)"],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "False", r.stderr[-2000:]
