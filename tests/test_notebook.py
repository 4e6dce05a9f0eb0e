"""The example notebook (examples/quickstart.ipynb) runs end to end in a fresh Jupyter kernel: the quick case
with a shorter run (its parameters cell is the only change), then the DataFrames, figures, xarray and VTK."""

from pathlib import Path

import nbclient
import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"
# 0.2 g (309 particles) filled in 2 ms, 4 ms of rotor: the quick case's set-up in a minute instead of three
SHORT = {"run": {"charge_mass": 2e-4, "fill_time": 0.002, "duration": 0.004, "rotor_ramp_time": 0.001},
         "inlets": {"insert_interval": 0.0005}}


def _result(cell) -> str:
    return "".join(o["data"]["text/plain"] for o in cell.outputs if o.get("output_type") == "execute_result")


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def test_the_example_notebook_runs_the_quick_case(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = nb.cells[1].source
    assert "overrides = {}" in params and "steady_from = 0.015" in params
    nb.cells[1].source = params.replace("overrides = {}", f"overrides = {SHORT!r}").replace(
        "steady_from = 0.015", "steady_from = 0.004")
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(o.get("output_type") != "error" for c in code for o in c.outputs)
    by_source = {c.source.splitlines()[0]: c for c in code}
    cfg_cell = by_source["cfg = mfdem.make_config(preset=\"quick\", overrides=overrides)"]
    assert "309 particles of 0.8 mm" in _text(cfg_cell)
    run = by_source["job = mfdem.MixerRun.create(cfg, run_file, overwrite=True)"]
    assert _result(run) == "'complete'"
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in run.outputs)  # the bar
    assert "SI_CG_J_per_kg" in _text(by_source["result = mfdem.analyze_run(run_file, steady_from=steady_from)"])
    figures = [c for c in code if c.source.startswith(("from mfdem.analysis.plots", "plot_power_vs_time"))]
    assert len(figures) == 2 and all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in figures)
    xr_text = _text(by_source["import xarray as xr"])
    assert xr_text.startswith("W ") and "phony_dim" not in xr_text
    assert (tmp_path / "quick.h5").exists() and (tmp_path / "vtk" / "run.pvd").exists()
