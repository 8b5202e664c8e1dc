"""Calibration report: how the base year (2020) is reproduced, sector by sector.

For each sector and carrier: the sourced 2020 value (CEADs-derived energy, electricity
reconciled to the top-down total, assumed heat), the modelled value, the relative error, the
share explained bottom-up by explicit process routes (outputs x technology intensities), and the
scale factor applied to those routes where they alone would exceed the sourced total.

:func:`electricity_reconciliation` shows how industrial electricity is anchored: the top-down
total (whole-society consumption x the national secondary-industry share x Shandong's factor)
against the sum of the sectors' bottom-up estimates, the difference, and where it went; and in
the later observed years the top-down total against what the model would project without it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.engine.accounting import base_electricity
from model.engine.runner import projection_years, run, scenario_params
from model.engine.sectors import SECTOR_PHYSICS
from model.inputs.data import FOSSIL, load_data
from model.inputs.scenario import Scenario
from model.inputs.trajectory import BASE_YEAR, base_index


def calibration_report(scenario: Scenario) -> pd.DataFrame:
    """One row per sector and carrier (plus process CO2) for the base year."""
    data = load_data(scenario.assumptions_dir)
    results = run(scenario)
    col = base_index(BASE_YEAR)
    params = {k: projection_years(v, col) for k, v in scenario_params(scenario).items()}
    reconciled = {
        s: float(np.asarray(v).ravel()[0]) for s, v in base_electricity(params, data).items()
    }
    rows = []
    for sector in data.sectors:
        name = data.sector_info.at[sector, "iamc_name"]
        physical = SECTOR_PHYSICS[sector](params, data.tech)
        for carrier in (*FOSSIL, "Electricity", "Heat"):
            sourced = data.history_2020(sector, f"energy|{carrier}")
            if carrier == "Electricity":  # the bottom-up estimate reconciled to the top-down total
                sourced = reconciled[sector]
            explicit = sum(
                float(np.asarray(q)[0, 0]) * data.tech(route, carrier)
                for route, q in physical.routes.items()
            )
            if carrier == "Electricity":
                modelled = results.get(f"Electricity Demand|Industry|{name}")[0, col]
            else:
                modelled = results.get(f"Final Energy|Industry|{name}|{carrier}")[0, col]
            rows.append(
                {
                    "sector": sector,
                    "item": f"energy|{carrier}",
                    "unit": "TWh" if carrier == "Electricity" else "Mtce",
                    "sourced_2020": sourced,
                    "modelled_2020": modelled,
                    "relative_error": (modelled / sourced - 1) if sourced else 0.0,
                    "bottom_up_share": min(explicit / sourced, 1.0) if sourced else np.nan,
                    "route_scale_factor": min(sourced / explicit, 1.0) if explicit else np.nan,
                }
            )
        sourced = sum(data.history_2020(sector, f"co2_combustion|{c}") for c in FOSSIL)
        modelled = results.get(f"Emissions|CO2|Industry|{name}|Combustion")[0, col]
        rows.append(
            {
                "sector": sector,
                "item": "co2_combustion",
                "unit": "Mt CO2",
                "sourced_2020": sourced,
                "modelled_2020": modelled,
                "relative_error": modelled / sourced - 1 if sourced else 0.0,
                "bottom_up_share": np.nan,
                "route_scale_factor": np.nan,
            }
        )
    return pd.DataFrame(rows)


def electricity_reconciliation(scenario: Scenario) -> pd.DataFrame:
    """Industrial electricity (TWh): top-down anchor against the bottom-up estimates.

    Rows for 2020 per sector (bottom-up estimate with its range, reconciled value, difference)
    and one `industry` row per observed year: the top-down total, the model without the
    observed-year calibration (the bottom-up projection) and their difference.
    """
    from model.inputs.scenario import load_scenario

    data = load_data(scenario.assumptions_dir)
    col = base_index(BASE_YEAR)
    params = {k: projection_years(v, col) for k, v in scenario_params(scenario).items()}
    reconciled = base_electricity(params, data)
    rows = []
    for sector in data.sectors:
        row = data.base_year.loc[(sector, "energy|Electricity")]
        value = float(np.asarray(reconciled[sector]).ravel()[0])
        rows.append(
            {
                "year": BASE_YEAR,
                "sector": sector,
                "bottom_up_twh": float(row["value"]),
                "bottom_up_low": float(row["low"]),
                "bottom_up_high": float(row["high"]),
                "top_down_twh": np.nan,
                "reconciled_twh": value,
                "difference_twh": value - float(row["value"]),
                "difference_pct": 100 * (value / float(row["value"]) - 1),
            }
        )
    share = data.base_value("industry.electricity_share_factor")
    top_down = data.observations.industrial_electricity["value"] * share
    off = run(
        load_scenario(
            scenario.name, [*scenario.overrides, "settings.nowcast=false"], scenario.assumptions_dir
        )
    )
    on = run(scenario)
    for year, total in top_down.items():
        if year > on.years[-1]:
            continue
        at = on.years == year
        bottom_up = (
            sum(r["bottom_up_twh"] for r in rows)
            if year == BASE_YEAR
            else float(off.get("Electricity Demand|Industry")[0, at][0])
        )
        rows.append(
            {
                "year": int(year),
                "sector": "industry",
                "bottom_up_twh": bottom_up,
                "bottom_up_low": np.nan,
                "bottom_up_high": np.nan,
                "top_down_twh": float(total),
                "reconciled_twh": float(on.get("Electricity Demand|Industry")[0, at][0]),
                "difference_twh": float(total) - bottom_up,
                "difference_pct": 100 * (float(total) / bottom_up - 1),
            }
        )
    return pd.DataFrame(rows)
