"""Velocity-Verlet time integration of translation and rotation (spheres: isotropic inertia).

One step: half kick and drift (this kernel), forces and the closing half kick (``forces.forces_and_kick``).
The tangential and rolling increments of the contact laws use the mid-step velocities, i.e. exactly the
step's relative displacement, which is what makes the contact-work bookkeeping close with the kinetic energy.
"""

import taichi as ti



@ti.kernel
def kick_drift(s: ti.template(), space: ti.template(), n: ti.i32, half_dt: float, dt: ti.f64) -> ti.f64:
    """v += f/m·Δt/2, ω += t/I·Δt/2, x += v Δt (wrapped into periodic boxes); returns the largest squared
    displacement since the last neighbour-list build (m²)."""
    max_d2 = 0.0
    for i in range(n):
        v = s.v[i] + s.f[i] * (half_dt / s.mass[i])
        s.v[i] = v
        s.w[i] += s.t[i] * (half_dt / s.inertia[i])
        step = ti.cast(v, ti.f64) * dt
        s.x[i] = space.wrap(s.x[i] + step)
        dsp = s.disp[i] + step
        s.disp[i] = dsp
        ti.atomic_max(max_d2, dsp.dot(dsp))
    return max_d2
