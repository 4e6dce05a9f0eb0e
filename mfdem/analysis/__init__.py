"""Stress-model and power analysis of mfdem run files (``mfdem analyze``).

Python API (no CLI needed)::

    from mfdem.analysis import analyze_run, MeasuredPower
    r = analyze_run("run_5000.h5", t_mix=(300, 3600),
                    measured=MeasuredPower.from_csv("power_5000.csv", idle_power=310.0, batch_mass=0.020))
    r.SI_CG, r.SF_CG, r.SN_p, r.E_m_sim, r.specific_power_sim, r.specific_power_exp, r.to_dict()
    r.to_dataframe("summary" | "classes" | "power")   # pandas; the tables of `mfdem analyze --csv`
    from mfdem.analysis.plots import plot_si_sf
    plot_si_sf([r])                                    # a matplotlib Figure (shown inline in Jupyter)

Modules: :mod:`~mfdem.analysis.stress_model` (paper eqs. 2, 4, 5, SI–SF distribution, percentiles, batch
means), :mod:`~mfdem.analysis.power` (simulated and measured specific power, eq. 3),
:mod:`~mfdem.analysis.steady_state` (plateau detection), :mod:`~mfdem.analysis.fit` (power laws over rpm),
:mod:`~mfdem.analysis.analyze` (per-run analysis), :mod:`~mfdem.analysis.report` (terminal tables, JSON),
:mod:`~mfdem.analysis.tables` (CSV files and DataFrames), :mod:`~mfdem.analysis.plots` (figures),
:mod:`~mfdem.analysis.cli` (``mfdem analyze``).
"""

from mfdem.analysis.analyze import (MultiRunAnalysis, RunAnalysis, StressNumberResult, analyze_run, analyze_runs,
                                    fit_rpm_exponents)
from mfdem.analysis.errors import AnalysisError, AnalysisWarning
from mfdem.analysis.fit import PowerLawFit, fit_power_law
from mfdem.analysis.power import (MeasuredPower, MeasuredPowerResult, SimulatedPower, evaluate_measured_power,
                                  measured_specific_energy, read_power_csv, savgol_smooth, simulated_specific_power)
from mfdem.analysis.steady_state import SteadyState, detect_steady_state
from mfdem.analysis.stress_model import (SISFDistribution, StressStatistics, batch_means, specific_energy,
                                         stress_intensity, stress_number, stress_statistics,
                                         stress_statistics_from_arrays)

__all__ = [
    "AnalysisError", "AnalysisWarning", "MeasuredPower", "MeasuredPowerResult", "MultiRunAnalysis",
    "PowerLawFit", "RunAnalysis", "SISFDistribution", "SimulatedPower", "SteadyState", "StressNumberResult",
    "StressStatistics", "analyze_run", "analyze_runs", "batch_means", "detect_steady_state",
    "evaluate_measured_power", "fit_power_law", "fit_rpm_exponents", "measured_specific_energy",
    "read_power_csv", "savgol_smooth", "simulated_specific_power", "specific_energy", "stress_intensity",
    "stress_number", "stress_statistics", "stress_statistics_from_arrays",
]
