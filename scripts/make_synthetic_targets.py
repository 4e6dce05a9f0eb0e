"""Make the example's synthetic "measured" targets with mfdem itself, from a known parameter set.

    python scripts/make_synthetic_targets.py [--plots]   # rewrites mfdem/data/calibration/ of this checkout

No measured data comes with the paper, so the example fit (example_fit.toml) reproduces numbers that the twins
produced from the parameters in synthetic_truth.toml (yield ratio 0.1, particle-particle friction 0.1): a fit
that works recovers them. Outputs (small text files, committed):

* synthetic_compaction.csv — force-displacement curve, loading and unloading (columns displacement_m,force_n,
  ...); the '#' header names the known parameters;
* synthetic_targets.json — flowing angle (mean of two drum runs with different initial lattices), poured bulk
  density, the known parameters and the twin set-ups used;
* with ``--plots``: synthetic_drum.png, synthetic_compaction.png — pictures of the two runs.

The set-up is a scaled-down demonstration (2 mm particles, a 20 mm die, a 40 mm drum slice at 114.6 rpm = 12 rad/s)
that runs in about a minute per evaluation on two cores; for real measurements use the GranuDrum geometry and
your die (docs/calibration.md).
"""

import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "mfdem" / "data" / "calibration"
KNOWN = {"yield_ratio": 0.1, "friction_particle": 0.1}


def main(outdir: Path = HERE, plots: bool = False) -> None:
    from mfdem.calibration import CompactionSetup, DrumSetup  # noqa: PLC0415
    from mfdem.calibration.common import setup_from_dict  # noqa: PLC0415
    from mfdem.calibration.fitting import load_fit_file, synthetic_targets  # noqa: PLC0415
    from mfdem.config import load_config  # noqa: PLC0415
    from mfdem.engine import backend  # noqa: PLC0415

    backend.init("cpu", "f64")
    cfg = load_config(HERE / "synthetic_truth.toml")
    for name, value in KNOWN.items():
        section = cfg.particles if hasattr(cfg.particles, name) else cfg.contact
        assert getattr(section, name) == value, f"synthetic_truth.toml must have {name} = {value}"
    spec = load_fit_file(HERE / "example_fit.toml")
    comp = setup_from_dict(CompactionSetup, spec["compaction"], "[compaction]")
    drum = setup_from_dict(DrumSetup, spec["drum"], "[drum]")
    t = synthetic_targets(cfg, compaction=comp, drum=drum, drum_duration_factor=1.0)
    t2 = synthetic_targets(cfg, drum=replace(drum, seed=drum.seed + 1), drum_duration_factor=1.0)
    angle = 0.5 * (t["flowing_angle_deg"] + t2["flowing_angle_deg"])
    r = t["compaction"]
    header = ["SYNTHETIC data made by mfdem (scripts/make_synthetic_targets.py), not a measurement",
              "known parameters: " + ", ".join(f"{k} = {v}" for k, v in KNOWN.items())
              + "; all other settings in synthetic_truth.toml",
              f"compaction set-up: {json.dumps(asdict(comp))}",
              "displacement from the 1 % preload (m), forces on the particles (N)"]
    (outdir / "synthetic_compaction.csv").write_text(r.to_csv(header), encoding="utf-8")
    if plots:
        r.plot(outdir / "synthetic_compaction.png", title="synthetic compaction curve (yield ratio 0.1)")
        t["drum"].plot(outdir / "synthetic_drum.png")
    data = {"synthetic": True,
            "note": "made by mfdem from known parameters; replace with your measurements (docs/calibration.md)",
            "known_parameters": KNOWN, "flowing_angle_deg": angle,
            "flowing_angle_runs_deg": [t["flowing_angle_deg"], t2["flowing_angle_deg"]],
            "cohesive_index": t["drum"].cohesive_index, "bulk_density_kg_m3": t["bulk_density"],
            "displacement_at_target_m": r.displacement_at_target, "final_porosity": r.final_porosity,
            "max_force_n": float(r.force.max()), "compaction_setup": asdict(comp), "drum_setup": asdict(drum)}
    (outdir / "synthetic_targets.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: data[k] for k in ("flowing_angle_deg", "bulk_density_kg_m3", "displacement_at_target_m")}))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--plots"]
    main(Path(args[0]) if args else HERE, plots="--plots" in sys.argv)
