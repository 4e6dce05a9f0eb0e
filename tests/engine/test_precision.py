"""f32 contact arithmetic (positions stay f64) passes the Thornton–Ning impact test at 1e-3."""

import json
import subprocess
import sys
import textwrap


def test_thornton_ning_restitution_in_f32():
    code = textwrap.dedent("""
        import json
        from mfdem.engine import backend
        backend.init("cpu", "f32", threads=2)
        from mfdem import theory
        from mfdem.scenarios.impact import simulate_impact
        p = dict(radius=150e-6, density=2417.0, youngs_modulus=50e6, poisson_ratio=0.3, yield_ratio=0.01)
        out = []
        for target in ("wall", "sphere"):
            v_y = simulate_impact(velocity=1.0, target=target, precision="f32", **p).yield_velocity
            for ratio in (0.5, 2, 5, 10, 50):
                r = simulate_impact(velocity=ratio * v_y, target=target, precision="f32", **p)
                out.append([ratio, r.restitution, theory.thornton_restitution(ratio),
                            r.dissipated_work, r.impact_energy])
        print(json.dumps(out))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    for _ratio, e, e_theory, work, energy in json.loads(res.stdout.strip().splitlines()[-1]):
        assert abs(e - e_theory) < 1e-3
        assert abs(work - (1 - e_theory**2) * energy) < 5e-3 * energy
