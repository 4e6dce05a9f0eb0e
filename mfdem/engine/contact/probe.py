"""Drive one contact law along a prescribed overlap path, outside any simulation.

Quasi-static load–unload–reload cycles (physics.md V6, V7), force–overlap curves for a parameter set and
the checks of the energy bookkeeping use this; it runs the same ``law.evaluate`` as the engine.
"""

import numpy as np
import taichi as ti

from mfdem.engine import backend
from mfdem.engine.contact import law, registry
from mfdem.engine.contact.law import HIST_SIZE, PAIR_SIZE
from mfdem.validation import InputError


@ti.kernel
def _run_path(normal_model: ti.template(), deltas: ti.types.ndarray(), pp: ti.types.ndarray(), r_star: ti.f64,
              yield_scale: ti.f64, out: ti.types.ndarray()):
    ti.loop_config(serialize=True)
    for _ in range(1):
        h = ti.Vector([0.0] * HIST_SIZE)
        zero = ti.Vector([0.0, 0.0, 0.0])
        nrm = ti.Vector([0.0, 0.0, 1.0])
        par = ti.Vector([pp[c] for c in ti.static(range(PAIR_SIZE))])
        diss = 0.0
        for k in range(deltas.shape[0]):
            F, M, h_new, dD, U, started, event = law.evaluate(normal_model, 0, deltas[k], nrm, zero, zero, h, par,
                                                              r_star, yield_scale, 1.0, 0.0)
            h = h_new
            diss += dD
            out[k, 0] = F.dot(nrm)
            out[k, 1] = U
            out[k, 2] = diss


def normal_force_path(deltas, *, e_star: float, r_star: float, yield_pressure: float = None,
                      yield_ratio: float = None, yield_scale: float = 1.0, normal_model: str = "thornton_ning",
                      coefficients: dict = None):
    """Force (N), stored elastic energy (J) and cumulative dissipated work (J) at each overlap of ``deltas``
    (m), visited in order by one contact (history kept while δ > 0). ``yield_scale`` = R_i/R* for the yield
    ratio (1: sphere–wall, 2: equal spheres); ``coefficients``: the normal law's own (registry.py) by name."""
    if (yield_pressure is None) == (yield_ratio is None) and normal_model == "thornton_ning":
        raise InputError("give exactly one of yield_pressure or yield_ratio")
    model = registry.model_id("normal", normal_model)
    backend.init("auto", backend.current().get("precision", "f64"))
    pp = np.zeros(PAIR_SIZE)
    for name, v in registry.resolved_coefficients(normal_model, coefficients).items():
        pp[registry.PAIR[name]] = v
    pp[registry.PAIR["e_star"]] = e_star
    if yield_ratio is not None:
        pp[registry.PAIR["yield_ratio"]] = yield_ratio
    else:
        pp[registry.PAIR["yield_pressure"]] = np.inf if yield_pressure is None else yield_pressure
    d = np.ascontiguousarray(deltas, dtype=float)
    out = np.zeros((d.size, 3))
    _run_path(model, d, pp, float(r_star), float(yield_scale), out)
    return out[:, 0], out[:, 1], out[:, 2]
