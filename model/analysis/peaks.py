"""Peaks, plateaus and target checks, vectorized over runs (central case and draws).

Peak: the year of the maximum over the base year and the projection (2020-2060). A peak in
2020 means emissions fall from the base year on: "peaked by 2020". History before 2020 is shown
but not searched, because CEADs' series have breaks (the chemical sector's energy series drops
by four fifths in 2013 in the source itself) that would fake an early peak. Plateau: the
contiguous years around the peak within a tolerance of the peak value. Targets come from
assumptions/data/targets.csv.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.engine.results import Results
from model.inputs.data import BASE_YEAR, BaseData

SCOPES = {
    "direct": "Emissions|CO2|Industry",
    "direct_plus_indirect": "Emissions|CO2|Industry incl. Indirect",
}
KEY_SECTORS = ("Steel", "Nonferrous Metals", "Building Materials", "Petrochemicals and Chemicals")
INDUSTRY = "Industry"


def scope_variable(scope: str, sector: str = INDUSTRY) -> str:
    """IAMC variable of a scope for industry or one sector (IAMC sector name)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}, got {scope!r}")
    return SCOPES[scope] if sector == INDUSTRY else f"{SCOPES[scope]}|{sector}"


def _searchable(values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Values with history years and NaN masked out of the peak search."""
    return np.where(np.isnan(values) | (years < BASE_YEAR)[None, :], -np.inf, values)


def peak(values: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(peak year, peak value) per row of a (runs, years) array, searched from 2020 on."""
    filled = _searchable(values, years)
    idx = np.argmax(filled, axis=1)
    return years[idx], filled[np.arange(len(idx)), idx]


def plateau(
    values: np.ndarray, years: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray]:
    """First and last year of the contiguous run around the peak within `tolerance` of it."""
    filled = _searchable(values, years)
    idx = np.argmax(filled, axis=1)
    top = filled[np.arange(len(idx)), idx][:, None]
    near = filled >= top * (1 - tolerance) if tolerance else filled >= top
    pos = np.arange(values.shape[1])[None, :]
    # A year breaks the plateau when it is not near; find the nearest break on each side.
    left_break = np.where(~near & (pos < idx[:, None]), pos, -1).max(axis=1)
    right_break = np.where(~near & (pos > idx[:, None]), pos, values.shape[1]).min(axis=1)
    return years[left_break + 1], years[right_break - 1]


def sector_names(data: BaseData) -> list[str]:
    return [data.sector_info.at[s, "iamc_name"] for s in data.sectors]


def peak_table(results: Results, data: BaseData, scope: str, tolerance: float) -> pd.DataFrame:
    """One row per sector and for industry: peak, plateau, 2020 and 2030 levels (central run)."""
    rows = []
    for sector in [INDUSTRY, *sector_names(data)]:
        arr = results.get(scope_variable(scope, sector))
        year, value = peak(arr[:1], results.years)
        start, end = plateau(arr[:1], results.years, tolerance)
        v2020 = arr[0, results.years == 2020][0]
        v2030 = arr[0, results.years == 2030][0]
        rows.append(
            {
                "scenario": results.scenario,
                "sector": sector,
                "scope": scope,
                "peak_year": int(year[0]),
                "peak_value": float(value[0]),
                "plateau_start": int(start[0]),
                "plateau_end": int(end[0]),
                "plateau_tolerance": tolerance,
                "peaked_by_2030": bool(year[0] <= 2030),
                "value_2020": float(v2020),
                "value_2030": float(v2030),
                "change_2020_2030": float(v2030 / v2020 - 1) if v2020 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def intensity_change(results: Results, numerator: str, year: int, base: int = 2020) -> np.ndarray:
    """Change of numerator / industrial value added between `base` and `year`, per run."""
    num = results.get(numerator)
    va = results.get("Value Added|Industry")
    col = {y: int(np.flatnonzero(results.years == y)[0]) for y in (base, year)}
    return (num[:, col[year]] / va[:, col[year]]) / (num[:, col[base]] / va[:, col[base]]) - 1


def target_values(results: Results, data: BaseData, scope: str) -> dict[str, np.ndarray]:
    """Per-run value of every target's measure."""
    industry_peak = peak(results.get(scope_variable(scope)), results.years)[0]
    late = np.zeros_like(industry_peak)
    for sector in KEY_SECTORS:
        late = late + (
            peak(results.get(scope_variable(scope, sector)), results.years)[0] > industry_peak
        )
    return {
        "energy_intensity_2025": intensity_change(results, "Final Energy|Industry", 2025),
        "co2_intensity_2025": intensity_change(results, scope_variable(scope), 2025),
        "industry_peak_year": industry_peak.astype(float),
        "staggered_peaks": late.astype(float),
    }


def target_passes(measure: np.ndarray, target: float, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(pass, margin) per run; a positive margin means the target is beaten by that much.

    Every target is "at most"; the CO2-intensity one is strict ("falls by more than").
    """
    margin = target - measure
    return (margin > 0 if name == "co2_intensity_2025" else margin >= 0), margin


def target_table(results: Results, data: BaseData, scope: str) -> pd.DataFrame:
    """One row per target for the central run, with the Monte Carlo probability when drawn."""
    rows = []
    for name, measure in target_values(results, data, scope).items():
        target = data.target(name)
        passed, margin = target_passes(measure, target, name)
        row = {
            "scenario": results.scenario,
            "sector": INDUSTRY,
            "scope": scope,
            "target": name,
            "target_value": target,
            "value": float(measure[0]),
            "margin": float(margin[0]),
            "pass": bool(passed[0]),
            "probability": float(passed[1:].mean()) if results.n_draws else np.nan,
        }
        rows.append(row)
    return pd.DataFrame(rows)


def summary_table(results: Results, data: BaseData, tolerance: float = 0.02) -> pd.DataFrame:
    """DESIGN.md's small table: peaks for both scopes, then the targets (headline scope)."""
    scope = results.meta.get("settings", {}).get("headline_scope", "direct_plus_indirect")
    peaks = pd.concat([peak_table(results, data, s, tolerance) for s in SCOPES], ignore_index=True)
    peaks["target"] = "peak_by_2030"
    peaks["value"] = peaks["peak_year"].astype(float)
    peaks["margin"] = 2030 - peaks["peak_year"]
    peaks["pass"] = peaks["peaked_by_2030"]
    targets = target_table(results, data, scope)
    cols = [
        "scenario",
        "sector",
        "scope",
        "peak_year",
        "peak_value",
        "peaked_by_2030",
        "target",
        "value",
        "margin",
        "pass",
    ]
    return pd.concat(
        [peaks.reindex(columns=cols), targets.reindex(columns=cols)], ignore_index=True
    )
