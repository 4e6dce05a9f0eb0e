"""No rolling resistance."""

import taichi as ti

NAME = "none"
KIND = "rolling"
DOC = "no rolling resistance"
COEFFICIENTS = ()
HISTORY = ()
NEEDS_INERTIA = False


@ti.func
def torque(m_old, n, w_r, dt, k_t, r_roll, coef, f_n, inertia):
    return ti.Vector([0.0, 0.0, 0.0]), 0.0
