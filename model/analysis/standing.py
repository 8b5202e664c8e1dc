"""Where Shandong stands: which numbers are observed, estimated from observed activity, projected.

Every year of a result belongs to one period:
- ``inventory``: before the base year, the CEADs inventory (2010-2019);
- ``estimated``: the base year through the nowcast year (the last observed year): emissions
  estimated from observed output, electricity, grid factor and value added with the base-year
  intensities (no emissions inventory exists yet for these years);
- ``projected``: after the nowcast year.

Pure functions over results and the data tables; the briefing and the calibration notebook
show them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.analysis.peaks import SCOPES, intensity_change, scope_variable
from model.engine.results import Results
from model.inputs.data import BASE_YEAR, BaseData
from model.inputs.observations import NOWCAST_ROLES
from model.inputs.trajectory import FIRST_YEAR, LAST_YEAR

PERIODS = ("inventory", "estimated", "projected")
# The series shown as "the latest observed year of each input" are the ones that bound the
# nowcast, in that order.
INPUT_ROLES = NOWCAST_ROLES


def observed_through(results: Results) -> int:
    """The nowcast year a result was made with (the base year when the nowcast was off)."""
    return int(results.meta.get("observed_through", BASE_YEAR))


def period_spans(through: int) -> list[tuple[str, int, int]]:
    """(period, first year, last year) of the inventory, estimated and projected years of a
    result whose nowcast runs through `through` (the base year itself when it is off)."""
    through = max(int(through), BASE_YEAR)
    return [
        (PERIODS[0], FIRST_YEAR, BASE_YEAR - 1),
        (PERIODS[1], BASE_YEAR, through),
        (PERIODS[2], through + 1, LAST_YEAR),
    ]


def latest_inputs(data: BaseData) -> pd.DataFrame:
    """One row per driving series: its latest observed year, value, unit, kind and source."""
    obs = data.observations
    rows = []
    for series, decl in obs.series.items():
        if decl.role not in INPUT_ROLES:
            continue
        table = obs.rows(series)
        if table.empty:
            continue
        year = int(table.index.max())
        row = table.loc[year]
        rows.append(
            {
                "series": series,
                "name_zh": decl.name_zh,
                "name_en": decl.name_en,
                "year": year,
                "value": float(row["value"]),
                "unit": decl.unit,
                "kind": row["kind"],
                "source": row["source"],
            }
        )
    order = {r: i for i, r in enumerate(INPUT_ROLES)}
    frame = pd.DataFrame(rows)
    roles = frame["series"].map(lambda s: order[obs.series[s].role])
    return frame.assign(_o=roles).sort_values("_o", kind="stable").drop(columns="_o")


def estimated_emissions(results: Results) -> pd.DataFrame:
    """Industry CO2 per year from the base year through the nowcast year, both scopes:
    the central estimate and, with draws, the 5-95% range."""
    through = observed_through(results)
    keep = (results.years >= BASE_YEAR) & (results.years <= through)
    rows = []
    for scope in SCOPES:
        arr = results.get(scope_variable(scope))[:, keep]
        for j, year in enumerate(results.years[keep]):
            draws = arr[1:, j]
            rows.append(
                {
                    "year": int(year),
                    "scope": scope,
                    "value": float(arr[0, j]),
                    "p5": float(np.percentile(draws, 5)) if len(draws) else np.nan,
                    "p95": float(np.percentile(draws, 95)) if len(draws) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def highest_so_far(results: Results, scope: str, since: int = BASE_YEAR) -> tuple[int, float]:
    """(year, value) of the highest central emissions from `since` through the nowcast year."""
    through = observed_through(results)
    keep = (results.years >= since) & (results.years <= through)
    arr = results.get(scope_variable(scope))[0, keep]
    i = int(np.nanargmax(arr))
    return int(results.years[keep][i]), float(arr[i])


def targets_so_far(results: Results, data: BaseData, scope: str) -> pd.DataFrame:
    """The 2025 intensity targets as far as the observed years decide them.

    Per target: the change 2020 -> nowcast year (estimated from observed activity), the target,
    the further change still needed in the remaining years, and the projected 2025 change.
    """
    through = observed_through(results)
    rows = []
    for name, numerator in (
        ("energy_intensity_2025", "Final Energy|Industry"),
        ("co2_intensity_2025", scope_variable(scope)),
    ):
        target = data.target(name)
        year = min(through, int(data.targets.loc[name, "year"]))
        so_far = float(intensity_change(results, numerator, year)[0])
        projected = float(intensity_change(results, numerator, 2025)[0])
        needed = (1 + target) / (1 + so_far) - 1
        rows.append(
            {
                "target": name,
                "target_value": target,
                "through": year,
                "change_so_far": so_far,
                "still_needed": needed,
                "projected_2025": projected,
                "decided_by_observed_years": year >= 2025,
            }
        )
    return pd.DataFrame(rows)
