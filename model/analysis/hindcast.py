"""Hindcast: how well does the model project the years that have since been observed?

The scenario is run twice: with the observations (the nowcast, as every result is) and with
them switched off (``settings.nowcast=false``: projected from the base year 2020 as if nothing
after it were known). Each observed series is compared with its model counterpart year by year.
It measures the projections; it is never used to fit them.

Counterparts (observed_series.csv `variable`, plus three derived ones):
- outputs: ``Production|<product>`` (crude steel, pig iron, cement, flat glass);
- the ten nonferrous metals: primary aluminium + refined copper + the other metals' 2020 share
  (held), an upper bound in the nowcast;
- industrial electricity: the model's industrial electricity against the top-down estimate
  (whole-society consumption x industrial share);
- the grid factor: the scenario's path against the MEE/NBS factor;
- industrial value added: the model's real index (2020 = 1) against the observed one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.engine.results import Results
from model.engine.runner import run
from model.inputs.data import BASE_YEAR, load_data
from model.inputs.scenario import Scenario, load_scenario

COLUMNS = [
    "series",
    "name_en",
    "name_zh",
    "unit",
    "year",
    "observed",
    "low",
    "high",
    "hindcast",
    "nowcast",
    "hindcast_error",
    "hindcast_error_pct",
    "nowcast_error_pct",
    "hindcast_p5",
    "hindcast_p95",
    "within_hindcast_band",
]


@dataclass(frozen=True)
class Hindcast:
    """Year-by-year comparison (`table`), per-series errors (`summary`) and the two runs."""

    table: pd.DataFrame
    summary: pd.DataFrame
    nowcast: Results
    hindcast: Results

    def text(self) -> str:
        s = self.summary
        lines = [
            f"{self.hindcast.scenario}: hindcast from {BASE_YEAR} (observations off) against "
            f"{len(s)} observed series; error = model - observed"
        ]
        for row in s.itertuples():
            lines.append(
                f"  {row.series:<22} {row.years:<10} hindcast MAPE {row.hindcast_mape_pct:5.1f}% "
                f"(bias {row.hindcast_bias_pct:+5.1f}%, last year {row.hindcast_last_pct:+5.1f}%)"
                f"   nowcast MAPE {row.nowcast_mape_pct:4.1f}%"
            )
        return "\n".join(lines)


def hindcast(
    scenario: str | Scenario = "baseline",
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    draws: int = 0,
    seed: int | None = None,
) -> Hindcast:
    """Compare the nowcast and the hindcast of a scenario with every observed series."""
    name = scenario if isinstance(scenario, str) else scenario.name
    root = None if isinstance(scenario, str) else scenario.assumptions_dir
    given = list(scenario.overrides) if isinstance(scenario, Scenario) else _as_list(overrides)
    on = load_scenario(name, given, root)
    off = load_scenario(name, [*given, "settings.nowcast=false"], root)
    now, back = run(on), run(off, draws=draws, seed=seed)
    table = comparison(now, back, on, off)
    return Hindcast(table=table, summary=summarise(table), nowcast=now, hindcast=back)


def _as_list(overrides: Iterable[str] | Mapping[str, Any] | None) -> list[str]:
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{k}={v}" for k, v in overrides.items()]
    return [overrides] if isinstance(overrides, str) else list(overrides)


def _model_series(
    results: Results, scenario: Scenario, series: str, ten_metals_other: float
) -> np.ndarray | None:
    """(runs, years) model counterpart of an observed series, in the table's units."""
    data = load_data(scenario.assumptions_dir)
    decl = data.observations.series[series]
    if decl.role == "driver" or decl.role == "pig_iron":
        return results.get(decl.variable) / decl.to_model
    if decl.role == "aluminium_bound":
        metals = results.get("Production|Primary Aluminium") + results.get("Production|Copper")
        return metals + ten_metals_other
    if decl.role == "electricity_total":
        return results.get("Electricity Demand|Industry")
    if decl.role == "grid_factor":
        return np.broadcast_to(scenario.values["grid.emission_factor"], (results.runs, 51))
    if decl.role == "value_added_growth":
        va = results.get("Value Added|Industry")
        return va / va[:, results.years == BASE_YEAR]
    return None


def _observed(scenario: Scenario, series: str) -> pd.DataFrame | None:
    """Year -> value, low, high of the observed quantity the counterpart is compared with."""
    data = load_data(scenario.assumptions_dir)
    obs = data.observations
    role = obs.series[series].role
    if role == "electricity_total":
        factor = data.base_value("industry.electricity_share_factor")
        return obs.industrial_electricity * factor
    if role == "grid_factor":
        return obs.grid_factor[["value", "low", "high"]]
    if role == "value_added_growth":
        return obs.value_added_index
    if role in ("driver", "pig_iron", "aluminium_bound"):
        return obs.bounds(series)
    return None


SERIES_UNITS = {
    "electricity_total": ("TWh", "industrial electricity (top-down)", "工业用电量（自上而下估算）"),
    "industrial_va_growth": ("2020 = 1", "industrial value added index", "工业增加值指数"),
    "grid_factor": ("tCO2/MWh", None, None),
}


def comparison(now: Results, back: Results, on: Scenario, off: Scenario) -> pd.DataFrame:
    """One row per observed series and year after the base year (see COLUMNS)."""
    data = load_data(on.assumptions_dir)
    obs = data.observations
    years = now.years
    rows = []
    for series, decl in obs.series.items():
        observed = _observed(on, series)
        if observed is None or observed.empty:
            continue
        other = 0.0
        if decl.role == "aluminium_bound":
            at = years == BASE_YEAR
            metals = obs.values(series)
            modelled = (now.get("Production|Primary Aluminium") + now.get("Production|Copper"))[
                0, at
            ][0]
            other = float(metals.get(BASE_YEAR, modelled)) - modelled
        model_now = _model_series(now, on, series, other)
        model_back = _model_series(back, off, series, other)
        unit, name_en, name_zh = SERIES_UNITS.get(series, (decl.unit, None, None))
        for year, o in observed.iterrows():
            if year <= BASE_YEAR or year > years[-1]:
                continue
            col = int(np.flatnonzero(years == year)[0])
            h, n = float(model_back[0, col]), float(model_now[0, col])
            draws = model_back[1:, col]
            p5, p95 = np.percentile(draws, [5, 95]) if len(draws) else (np.nan, np.nan)
            rows.append(
                {
                    "series": series,
                    "name_en": name_en or decl.name_en,
                    "name_zh": name_zh or decl.name_zh,
                    "unit": unit,
                    "year": int(year),
                    "observed": float(o["value"]),
                    "low": float(o["low"]),
                    "high": float(o["high"]),
                    "hindcast": h,
                    "nowcast": n,
                    "hindcast_error": h - o["value"],
                    "hindcast_error_pct": 100 * (h / o["value"] - 1),
                    "nowcast_error_pct": 100 * (n / o["value"] - 1),
                    "hindcast_p5": p5,
                    "hindcast_p95": p95,
                    "within_hindcast_band": bool(p5 <= o["value"] <= p95) if len(draws) else None,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Per series: years, mean absolute and mean % error of hindcast and nowcast, last year's."""
    out = []
    for series, grp in table.groupby("series", sort=False):
        grp = grp.sort_values("year")
        out.append(
            {
                "series": series,
                "name_en": grp["name_en"].iloc[0],
                "name_zh": grp["name_zh"].iloc[0],
                "years": f"{grp['year'].min()}-{grp['year'].max()}",
                "n": len(grp),
                "hindcast_mape_pct": float(grp["hindcast_error_pct"].abs().mean()),
                "hindcast_bias_pct": float(grp["hindcast_error_pct"].mean()),
                "hindcast_last_pct": float(grp["hindcast_error_pct"].iloc[-1]),
                "nowcast_mape_pct": float(grp["nowcast_error_pct"].abs().mean()),
                "share_within_hindcast_band": (
                    float(grp["within_hindcast_band"].mean())
                    if grp["within_hindcast_band"].notna().all()
                    else np.nan
                ),
            }
        )
    return pd.DataFrame(out)
