"""Triangle-mesh walls behave like the analytic surfaces they approximate."""

import numpy as np
import pytest

from mfdem.engine.materials import Material
from mfdem.engine.simulation import Domain, Simulation
from mfdem.engine.walls import PlaneWall
from mfdem.engine.walls.mesh import MeshBody
from mfdem.validation import InputError
from tests.engine.helpers import NU, RHO, E, G, R, resting_overlap, resting_period


def plate(n: int, size: float):
    """A square plate in z = 0 of n × n cells, each split into two triangles along a diagonal."""
    g = np.linspace(-size / 2, size / 2, n + 1)
    x, y = np.meshgrid(g, g, indexing="ij")
    vertices = np.stack([x.ravel(), y.ravel(), np.zeros(x.size)], axis=1)
    idx = np.arange((n + 1) ** 2).reshape(n + 1, n + 1)
    a, b, c, d = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel(), idx[:-1, 1:].ravel()
    faces = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)])
    return vertices, faces


_SYSTEMS = {}


def _system(kind, gravity, dt, friction=0.3, yield_ratio=0.02):
    """One compiled system per kind (plane / mesh), reset for every use."""
    mat = Material(E, NU, RHO, yield_ratio=yield_ratio)
    if kind not in _SYSTEMS:
        meshes = [MeshBody(*plate(32, 0.064))] if kind == "mesh" else []
        _SYSTEMS[kind] = Simulation(materials=[mat], domain=Domain((-0.04, -0.04, -0.01), (0.04, 0.04, 0.01)),
                                    capacity=1, max_radius=R, dt=dt, meshes=meshes, max_walls=1, arch="auto")
    sim = _SYSTEMS[kind]
    sim.reset(dt=dt, gravity=gravity, materials=[mat], friction=friction)
    if kind == "plane":
        sim.add_wall(PlaneWall(point=(0, 0, 0), normal=(0, 0, 1)))
    return sim


@pytest.mark.parametrize("where, xy", [("face", (0.7e-3, 0.3e-3)), ("edge", (1e-3, 0.3e-3)), ("vertex", (0.0, 0.0))])
def test_impact_on_a_face_an_edge_and_a_vertex_rebounds_as_from_a_plane(where, xy):
    out = {}
    for kind in ("plane", "mesh"):
        sim = _system(kind, (0, 0, 0), 1e-6)                      # ~300 steps per contact
        sim.add_particles([[xy[0], xy[1], R + 1e-6]], R, velocities=[[0.1, 0.0, -0.5]])
        sim.step(700)
        out[kind] = (sim.velocities[0], sim.accumulators(), sim.energy())
    (v_p, acc_p, _), (v_m, acc_m, audit_m) = out["plane"], out["mesh"]
    assert v_p[2] > 0                                           # the sphere has rebounded
    assert v_m[2] / 0.5 == pytest.approx(v_p[2] / 0.5, rel=1e-2)  # normal restitution within 1 %
    assert v_m[0] == pytest.approx(v_p[0], rel=1e-2)
    assert acc_m["contacts_wall"].sum() == 1                    # one contact, counted once
    assert acc_m["dissipated_work"].sum() == pytest.approx(acc_p["dissipated_work"].sum(), rel=1e-2)
    assert audit_m.relative_error() < 1e-3


def test_sphere_rolling_across_many_edges_keeps_its_speed():
    v0 = np.array([0.5, 0.15, 0.0])
    dt = resting_period() / 30
    speeds = {}
    for kind in ("plane", "mesh"):
        sim = _system(kind, (0, 0, -G), dt, friction=0.5, yield_ratio=None)
        sim.add_particles([[-0.02, -0.006, R - resting_overlap()]], R, velocities=[v0],
                          angular_velocities=[np.cross([0, 0, 1], v0) / R])
        sim.step(int(0.064 / dt))                               # 33 mm: across ~16 cells and ~50 edges
        speeds[kind] = np.linalg.norm(sim.velocities[0, :2])
        assert sim.positions[0, 0] > 0.01
    v = np.linalg.norm(v0)
    assert speeds["plane"] == pytest.approx(v, rel=1e-2)
    assert speeds["mesh"] == pytest.approx(v, rel=1e-2)
    assert speeds["mesh"] == pytest.approx(speeds["plane"], rel=1e-3)


def test_a_turning_paddle_strikes_a_particle_that_was_out_of_its_reach():
    """The near flags (walls/mesh.py, Reach): a particle out of reach skips the mesh pass, so the flags must be
    renewed as a body turns even when nothing triggers a list rebuild (here two particles at rest)."""
    g = plate(4, 1.0)[0]
    paddle = np.stack([(g[:, 0] + 0.5) * 0.03, np.zeros(len(g)), g[:, 1] * 0.008], axis=1)  # y = 0, 0 ≤ x ≤ 3 cm
    omega = 10.0                                                 # rad/s: 0.2 m/s at the first particle
    sim = Simulation(materials=[Material(E, NU, RHO, yield_ratio=0.02)],
                     domain=Domain((-0.04, -0.04, -0.01), (0.04, 0.04, 0.01)), capacity=2, max_radius=R, dt=1e-5,
                     meshes=[MeshBody(paddle, plate(4, 1.0)[1], omega=omega)], gravity=(0, 0, 0), arch="auto")
    # a quarter turn ahead of the paddle, and beside it on the side it turns away from
    sim.add_particles([[0.0, 0.02, 0.0], [0.015, -2 * R, 0.0]], R)
    sim.step(1)
    assert sim.meshes.near.to_numpy()[:2].tolist() == [0, 1]
    builds = sim.neighbors.n_builds
    sim.step(15_000)                                             # 0.15 s: the paddle reaches it at 0.152 s
    assert sim.neighbors.n_builds == builds                      # nothing has moved: no list rebuild
    assert not sim.velocities.any()
    sim.step(10_000)
    v = sim.velocities
    assert v[0, 0] < -0.1                                        # struck along the paddle's motion (−x there)
    assert np.linalg.norm(v[1]) == 0.0
    assert sim.energy().relative_error() < 1e-3


def _paddle(omega: float) -> Simulation:
    """The paddle above, turning at ``omega`` (rad/s), with a particle at rest 1 mm from each of its faces."""
    g, faces = plate(4, 1.0)
    paddle = np.stack([(g[:, 0] + 0.5) * 0.03, np.zeros(len(g)), g[:, 1] * 0.008], axis=1)
    sim = Simulation(materials=[Material(E, NU, RHO, yield_ratio=0.02)],
                     domain=Domain((-0.04, -0.04, -0.01), (0.04, 0.04, 0.01)), capacity=2, max_radius=R, dt=1e-5,
                     meshes=[MeshBody(paddle, faces, omega=omega)], gravity=(0, 0, 0), arch="auto")
    sim.add_particles([[0.015, R + 1e-3, 0.0], [0.015, -R - 1e-3, 0.0]], R)
    return sim


def test_an_engine_reused_at_another_speed_turns_its_mesh_at_that_speed():
    """A mesh's motion is not part of the engine's layout (engine_pool.py): a run at another rotor speed reuses
    the compiled engine (here the paddle test's, when it ran before in this process) at its own speed. Turning
    the other way, the paddle strikes the other particle: the mirror image of the first run."""
    first = _paddle(10.0)
    first.step(3_000)                                  # 0.03 s: the paddle sweeps 4.5 mm at the particles
    assert np.linalg.norm(first.velocities[1]) == 0.0
    assert first.velocities[0, 1] > 0.1                # struck towards +y
    x_first, work_first = first.positions, first.mesh_work(0)
    state = first.state
    first.close()
    second = _paddle(-10.0)
    assert second.state is state                       # the first one's engine
    second.step(3_000)
    mirror = np.array([1.0, -1.0, 1.0])
    np.testing.assert_allclose(second.positions[::-1] * mirror, x_first, rtol=1e-10, atol=1e-13)
    assert second.mesh_work(0) == pytest.approx(work_first, rel=1e-9)


def test_a_particle_falling_from_out_of_reach_lands_on_a_static_mesh():
    """A static plate never expires the near flags: they are renewed at each list rebuild as the particle falls."""
    sim = _system("mesh", (0, 0, -G), 1e-5)
    sim.add_particles([[0.7e-3, 0.3e-3, 8e-3]], R)               # 7 mm above the plate
    sim.step(1)
    assert sim.meshes.near.to_numpy()[0] == 0
    sim.step(6_000)                                              # lands at 0.038 s, at 0.37 m/s
    assert sim.positions[0, 2] > 0.5 * R
    assert sim.accumulators()["contacts_wall"].sum() >= 1


def test_reset_refuses_particles_larger_than_the_meshes_were_binned_for():
    sim = _system("mesh", (0, 0, -G), 1e-5)
    with pytest.raises(InputError, match="max_radius"):
        sim.reset(max_radius=2 * R)
