"""LMDI decomposition of a scenario's emissions change: between two years, or against another
scenario in one year.

Additive LMDI-I (model.methods.lmdi.decompose_emissions_rows) over sector x carrier, with the
identity

    C = sum_{s,c} Q * (Q_s/Q) * (E_s/Q_s) * (E_sc/E_s) * (C_sc/E_sc) + P_s
        activity  structure  intensity   fuel_mix    emission_factor  process_ccus

Q_s is value added (Value Added|Industry|S, bn CNY 2020), E_sc final energy (Final Energy|
Industry|S|C, Mtce) and C_sc the CO2 charged to carrier c: combustion CO2 by fuel for Coal,
Coke, Oil and Gas; in the direct_plus_indirect scope also the indirect CO2 of bought electricity
(Electricity) and heat (Heat); zero for Hydrogen, whose supply CO2 (grey H2) is booked as
process CO2. P_s = process + captured (captured <= 0) enters additively as the process/CCUS
effect. The six effects add up to the engine's own change in Mt CO2; the residual is reported.

Sector rows hold each sector's contribution to the industry decomposition (they add up to the
industry row): the same identity with the other sectors' energy and CO2 set to zero, which
leaves total value added, and so the structure terms, unchanged.

Value added starts in 2020 (NaN before), so both years must lie in 2020-2060.
CEADs leaves chemical feedstock/process CO2 and indirect emissions out; the model adds them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.analysis.peaks import INDUSTRY, SCOPES, scope_variable, sector_names
from model.engine.results import Results
from model.engine.runner import run
from model.errors import ModelError
from model.inputs.data import CARRIERS, FOSSIL, load_data
from model.inputs.scenario import Scenario
from model.inputs.trajectory import BASE_YEAR, LAST_YEAR
from model.methods.lmdi import EFFECTS, decompose_emissions_rows

COLUMNS = [
    "scenario",
    "reference",
    "scope",
    "period_0",
    "period_T",
    "sector",
    "effect",
    "value",
    "level_0",
    "level_T",
]
ROW_EFFECTS: tuple[str, ...] = (*EFFECTS, "total", "residual")


def _check_year(name: str, year: int) -> None:
    if not isinstance(year, int | np.integer) or not BASE_YEAR <= year <= LAST_YEAR:
        raise ModelError(
            f"decompose: {name}: {year!r}: a year in {BASE_YEAR}-{LAST_YEAR} "
            f"(value added, which LMDI needs, is only modelled from {BASE_YEAR})"
        )


def carrier_frame(results: Results, year: int, scope: str, label: object | None = None):
    """Tidy sector x carrier frame of one year of the central run, as decompose_emissions wants.

    Columns: year (= `label` or the year), sector, carrier, value_added, energy (Mtce), co2,
    process, captured (the latter two on each sector's first carrier row).
    """
    if scope not in SCOPES:
        raise ModelError(f"decompose: scope: {scope!r}: one of {sorted(SCOPES)}")
    col = int(np.flatnonzero(results.years == year)[0])
    indirect = scope == "direct_plus_indirect"
    names = sorted(
        {v.split("|")[2] for v in results.variables if v.startswith("Value Added|Industry|")}
    )
    rows = []
    for s in names:

        def val(var: str, s: str = s) -> float:
            return float(results.get(var)[0, col])

        for i, c in enumerate(CARRIERS):
            if c in FOSSIL:
                co2 = val(f"Emissions|CO2|Industry|{s}|Combustion|{c}")
            elif c in ("Electricity", "Heat") and indirect:
                co2 = val(f"Emissions|CO2|Industry Indirect|{s}|{c}")
            else:
                co2 = 0.0
            rows.append(
                {
                    "year": year if label is None else label,
                    "sector": s,
                    "carrier": c,
                    "value_added": val(f"Value Added|Industry|{s}"),
                    "energy": val(f"Final Energy|Industry|{s}|{c}"),
                    "co2": co2,
                    "process": val(f"Emissions|CO2|Industry|{s}|Process") if i == 0 else 0.0,
                    "captured": val(f"Emissions|CO2|Industry|{s}|Captured") if i == 0 else 0.0,
                }
            )
    frame = pd.DataFrame(rows)
    # Float noise can leave -1e-15 where a quantity is zero; LMDI rejects negatives.
    for column in ("energy", "co2", "process"):
        frame[column] = frame[column].where(frame[column].abs() > 1e-12, 0.0)
    frame["captured"] = frame["captured"].clip(upper=0.0)
    return frame


def decompose_frames(frame_0: pd.DataFrame, frame_T: pd.DataFrame) -> pd.DataFrame:
    """Effects for industry and each sector's contribution; index = sector, columns = EFFECTS
    plus level_0 and level_T.

    One decomposition over sector x carrier rows: a sector's contribution is the sum of its
    rows, because LMDI-I is consistent in aggregation (the same as decomposing the frame with
    the other sectors' energy and CO2 set to zero, which leaves the structure terms unchanged).
    """
    label_0, label_T = frame_0["year"].iloc[0], frame_T["year"].iloc[0]
    both = pd.concat([frame_0, frame_T], ignore_index=True)
    rows = decompose_emissions_rows(both, label_0, label_T)
    by_sector = rows.groupby(level=0, sort=False).sum()
    order = [INDUSTRY, *frame_0["sector"].unique()]
    table = pd.concat([rows.sum().to_frame(INDUSTRY).T, by_sector]).reindex(order)
    return table.rename(columns={"total_0": "level_0", "total_T": "level_T"})


def decompose_scenario(
    scenario: Scenario,
    y_from: int,
    y_to: int,
    against: Scenario | None = None,
    scope: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """LMDI-I effects (Mt CO2) of the emissions change, for industry and per sector.

    Without `against`: change in `scenario` from `y_from` to `y_to`. With `against`: the
    difference scenario - against in `y_to` (`y_from` is only checked). `scope` defaults to the
    scenario's headline scope (settings.headline_scope). Rows: one per sector (Industry first)
    and effect (EFFECTS, then `total` = sum of effects and `residual` = engine change - total,
    which is float noise). Columns: COLUMNS; level_0/level_T are the engine's emissions.
    """
    _check_year("--from", y_from)
    _check_year("--to", y_to)
    scope = scope or scenario.settings.headline_scope
    if scope not in SCOPES:
        raise ModelError(f"decompose: scope: {scope!r}: one of {sorted(SCOPES)}")
    res_T = run(scenario)
    if against is None:
        res_0, year_0, reference = res_T, y_from, scenario.name
        p0, pT = f"{scenario.name} {y_from}", f"{scenario.name} {y_to}"
    else:
        res_0, year_0, reference = run(against), y_to, against.name
        p0, pT = f"{against.name} {y_to}", f"{scenario.name} {y_to}"
    frame_0 = carrier_frame(res_0, year_0, scope, label=0)
    frame_T = carrier_frame(res_T, y_to, scope, label=1)
    try:
        eff = decompose_frames(frame_0, frame_T)
    except ValueError as exc:  # a frame LMDI cannot take is a modelling inconsistency
        raise ModelError(f"decompose {scenario.name}: {exc}") from None
    data = load_data(scenario.assumptions_dir)
    sectors = [INDUSTRY, *sector_names(data)]
    eff = eff.reindex(sectors)
    col_0 = results_col(res_0, year_0)
    col_T = results_col(res_T, y_to)
    engine_0 = [float(res_0.get(scope_variable(scope, s))[0, col_0]) for s in sectors]
    engine_T = [float(res_T.get(scope_variable(scope, s))[0, col_T]) for s in sectors]
    eff["total"] = eff[list(EFFECTS)].sum(axis=1)
    eff["residual"] = np.subtract(engine_T, engine_0) - eff["total"]
    eff["level_0"], eff["level_T"] = engine_0, engine_T
    long = eff.reset_index(names="sector").melt(
        id_vars=["sector", "level_0", "level_T"],
        value_vars=list(ROW_EFFECTS),
        var_name="effect",
        value_name="value",
    )
    long["effect"] = pd.Categorical(long["effect"], ROW_EFFECTS, ordered=True)
    long["sector"] = pd.Categorical(long["sector"], sectors, ordered=True)
    long = long.sort_values(["sector", "effect"]).astype({"sector": str, "effect": str})
    long = long.assign(
        scenario=scenario.name, reference=reference, scope=scope, period_0=p0, period_T=pT
    )
    table = long[COLUMNS].reset_index(drop=True)
    return table, _text(table, scope)


def results_col(results: Results, year: int) -> int:
    return int(np.flatnonzero(results.years == year)[0])


def _text(table: pd.DataFrame, scope: str) -> str:
    ind = table[table["sector"] == INDUSTRY].set_index("effect")
    first = ind.iloc[0]
    lines = [
        f"LMDI-I, industry {scope}: {first['period_0']} -> {first['period_T']}: "
        f"{first['level_0']:.1f} -> {first['level_T']:.1f} Mt CO2 "
        f"({first['level_T'] - first['level_0']:+.1f})"
    ]
    for effect in EFFECTS:
        lines.append(f"  {effect:<16} {ind.loc[effect, 'value']:+10.2f} Mt CO2")
    lines.append(
        f"  {'sum of effects':<16} {ind.loc['total', 'value']:+10.2f}; residual "
        f"{ind.loc['residual', 'value']:+.2e} (closure)"
    )
    lines.append(
        "  (CEADs omits chemical feedstock/process and indirect CO2; the model adds them.)"
    )
    return "\n".join(lines)
