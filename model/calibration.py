"""Calibration report: how the base year (2020) is reproduced, sector by sector.

For each sector and carrier: the sourced 2020 value (CEADs-derived energy, assumed electricity
and heat), the modelled value, the relative error, the share explained bottom-up by explicit
process routes (outputs x technology intensities), and the scale factor applied to those routes
where they alone would exceed the sourced total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.data import FOSSIL, load_data
from model.runner import run, scenario_params
from model.scenario import Scenario
from model.sectors import SECTOR_PHYSICS
from model.trajectory import BASE_YEAR, base_index


def calibration_report(scenario: Scenario) -> pd.DataFrame:
    """One row per sector and carrier (plus process CO2) for the base year."""
    data = load_data(scenario.assumptions_dir)
    results = run(scenario)
    col = base_index(BASE_YEAR)
    params = {k: v[:, col:] for k, v in scenario_params(scenario).items()}
    rows = []
    for sector in data.sectors:
        name = data.sector_info.at[sector, "iamc_name"]
        physical = SECTOR_PHYSICS[sector](params, data.tech)
        for carrier in (*FOSSIL, "Electricity", "Heat"):
            sourced = data.history_2020(sector, f"energy|{carrier}")
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
