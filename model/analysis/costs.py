"""What a scenario costs against a reference: incremental costs, cost per tonne by lever family,
marginal abatement cost (MAC) curves, and the carbon market's charge.

The costs come from the engine (model.engine.costs, IAMC `Investment|`, `Cost|`, `Revenue|`,
`Carbon Market|`, `Price|Carbon|` variables), in billion CNY of 2020 per year.

- :func:`cost_table`: per sector and year, the reference's and the scenario's investment,
  capital, operation, energy and technology cost (their sum), the carbon market lines, value
  added and emissions, and the increment (scenario - reference). With Monte Carlo draws, the
  5-95% range of the scenario's values and of the increment (paired draws: the same seed
  draws the same uniforms for both scenarios).
- :func:`lever_costs`: the increment attributed to lever families by the same exact Shapley
  coalitions as the wedges (model.analysis.wedges.coalition_runs), so a family's abatement is
  its wedge and family costs add up to the scenario's total increment in every sector and
  year. Per family and sector: abatement (Mt CO2/yr, headline scope), technology cost
  (billion CNY/yr), cost per tonne (CNY/t = 1000 x billion CNY / Mt), investment, the carbon
  market's change and, separately, the value added lost (capacity control lowers output: the
  lost value added is never netted into the technology cost). With draws, Shapley per draw
  gives each number's 5-95% range.
- :func:`mac_curve`: the bars of a MAC curve for one year, one per family x sector: width =
  abatement, height = cost per tonne, area = the cost, sorted by height. Bars that abate
  nothing (or raise emissions) are listed but not on the curve; all areas sum to the total
  incremental cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.analysis.peaks import INDUSTRY, scope_variable, sector_names
from model.analysis.wedges import FAMILIES, CoalitionRuns, coalition_runs
from model.engine.results import Results
from model.engine.runner import run
from model.errors import ModelError
from model.inputs.data import load_data
from model.inputs.scenario import Scenario
from model.inputs.trajectory import BASE_YEAR
from model.methods.shapley import shapley_from_values

CNY_PER_T = 1000.0  # billion CNY / Mt CO2 -> CNY / t CO2
ABATEMENT_FLOOR = 0.05  # Mt CO2/yr: a bar abating less is listed but not drawn on the curve
# A cost per tonne's Monte Carlo range is given only when this share of the draws abate more
# than the floor (a ratio over near-zero abatement has no meaningful range).
RANGE_MIN_SHARE = 0.9
PERCENTILES = (5, 50, 95)
# Items of the cost table: name -> variable pattern ({} = sector, or "" for industry).
ITEMS: dict[str, str] = {
    "investment": "Investment|Industry{}",
    "capital": "Cost|Industry{}|Capital",
    "operation": "Cost|Industry{}|Operation",
    "energy": "Cost|Industry{}|Energy",
    "technology_cost": "Cost|Industry{}",
    "carbon_market": "Cost|Carbon Market{}",
    "carbon_market_compliance": "Cost|Carbon Market{}|Compliance",
    "carbon_market_pass_through": "Cost|Carbon Market{}|Electricity Pass-through",
    "value_added": "Value Added|Industry{}",
}
ITEM_UNITS = {
    "investment": "billion CNY2020/yr",
    "capital": "billion CNY2020/yr",
    "operation": "billion CNY2020/yr",
    "energy": "billion CNY2020/yr",
    "technology_cost": "billion CNY2020/yr",
    "carbon_market": "billion CNY2020/yr",
    "carbon_market_compliance": "billion CNY2020/yr",
    "carbon_market_pass_through": "billion CNY2020/yr",
    "carbon_market_surplus": "billion CNY2020/yr",
    "covered_emissions": "Mt CO2/yr",
    "free_allocation": "Mt CO2/yr",
    "value_added": "billion CNY2020/yr",
    "emissions": "Mt CO2/yr",
}


def _suffix(sector: str) -> str:
    return "" if sector == INDUSTRY else f"|{sector}"


def covered_sectors(results: Results) -> list[str]:
    """The sectors (IAMC names) the national carbon market covers: those the engine gave
    covered emissions (model.engine.sectors: a sector with an ETS product)."""
    prefix = "Carbon Market|Covered Emissions|"
    return [v.removeprefix(prefix) for v in results.variables if v.startswith(prefix)]


def _item_variables(sector: str, scope: str, covered: Sequence[str]) -> dict[str, str]:
    out = {item: pattern.format(_suffix(sector)) for item, pattern in ITEMS.items()}
    if sector == INDUSTRY or sector in covered:
        out["carbon_market_surplus"] = f"Revenue|Carbon Market{_suffix(sector)}"
        out["covered_emissions"] = f"Carbon Market|Covered Emissions{_suffix(sector)}"
        out["free_allocation"] = f"Carbon Market|Free Allocation{_suffix(sector)}"
    out["emissions"] = scope_variable(scope, sector)
    return out


@dataclass(frozen=True)
class CostRuns:
    """A scenario and its reference run with the same Monte Carlo draws (row 0 central)."""

    scenario: Scenario
    against: Scenario
    results: Results
    reference: Results

    @property
    def draws(self) -> int:
        return self.results.n_draws

    @property
    def paired(self) -> bool:
        """Whether both runs drew the same uncertain inputs (so draw d pairs with draw d)."""
        return self.results.meta.get("uncertain_parameters") == self.reference.meta.get(
            "uncertain_parameters"
        )


def cost_runs(
    scenario: Scenario, against: Scenario, draws: int = 0, seed: int | None = None
) -> CostRuns:
    """Run both scenarios with the same draws (the same seed draws the same uniforms)."""
    if draws < 0:
        raise ModelError(f"costs: --draws: {draws}: a number >= 0")
    res_s = run(scenario, draws=draws, seed=seed)
    res_r = run(against, draws=draws, seed=res_s.seed)
    return CostRuns(scenario, against, res_s, res_r)


def cost_table(runs: CostRuns) -> pd.DataFrame:
    """Long table: scenario, against, sector, item, unit, year, reference, scenario_value,
    incremental (scenario - reference), and with draws the 5-95% range of both.

    Sectors are Industry and the eight sectors; items are :data:`ITEMS` plus, for the covered
    sectors and industry, the carbon market's surplus, covered emissions and free allocation,
    and the headline-scope emissions. Years 2020-2060.
    """
    scenario, against = runs.scenario, runs.against
    res_s, res_r = runs.results, runs.reference
    scope = scenario.settings.headline_scope
    data = load_data(scenario.assumptions_dir)
    keep = res_s.years >= BASE_YEAR
    years = res_s.years[keep]
    frames = []
    covered = covered_sectors(res_s)
    for sector in [INDUSTRY, *sector_names(data)]:
        for item, variable in _item_variables(sector, scope, covered).items():
            s_vals = res_s.get(variable)[:, keep]
            r_vals = res_r.get(variable)[:, keep]
            frame = pd.DataFrame(
                {
                    "scenario": scenario.name,
                    "against": against.name,
                    "sector": sector,
                    "item": item,
                    "unit": ITEM_UNITS[item],
                    "year": years,
                    "reference": r_vals[0],
                    "scenario_value": s_vals[0],
                    "incremental": s_vals[0] - r_vals[0],
                }
            )
            if runs.draws:
                lo, hi = np.percentile(s_vals[1:], [5, 95], axis=0)
                dlo, dhi = np.percentile(s_vals[1:] - r_vals[1:], [5, 95], axis=0)
                frame["scenario_p05"], frame["scenario_p95"] = lo, hi
                frame["incremental_p05"], frame["incremental_p95"] = dlo, dhi
            frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table.attrs.update(draws=runs.draws, seed=res_s.seed, paired=runs.paired)
    return table


def investment_between(runs: CostRuns, first: int, last: int) -> dict[str, float]:
    """Industry investment summed over the years first..last (billion CNY2020): reference,
    scenario, incremental, and with draws the 5-95% range of the scenario's sum and of the
    increment (each draw's sum over the years, paired draws)."""
    res_s, res_r = runs.results, runs.reference
    cols = (res_s.years >= first) & (res_s.years <= last)
    s = res_s.get("Investment|Industry")[:, cols].sum(axis=1)
    r = res_r.get("Investment|Industry")[:, cols].sum(axis=1)
    out = {
        "first": first,
        "last": last,
        "reference": float(r[0]),
        "scenario": float(s[0]),
        "incremental": float(s[0] - r[0]),
    }
    if runs.draws:
        out["scenario_p05"], out["scenario_p95"] = np.percentile(s[1:], [5, 95]).tolist()
        lo, hi = np.percentile(s[1:] - r[1:], [5, 95]).tolist()
        out["incremental_p05"], out["incremental_p95"] = lo, hi
    return out


@dataclass(frozen=True)
class LeverCosts:
    """Shapley attribution of a scenario's costs to lever families (see the module docstring).

    `table`: one row per year, family (incl. `total`) and sector (incl. Industry) with
    abatement, cost, cost_per_t, investment, carbon_market, lost_value_added, on_curve, and
    with draws p05/p50/p95 columns of abatement, cost and cost_per_t. `runs`: the coalition
    runs the numbers come from.
    """

    scenario: str
    against: str
    years: tuple[int, ...]
    table: pd.DataFrame
    runs: CoalitionRuns | None

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> LeverCosts:
        """The attribution as an upstream job saved it (its `table`; no coalition runs)."""
        missing = {"scenario", "against", "year", "family", "sector", "on_curve"} - set(table)
        if missing or table.empty:
            raise ModelError(f"lever costs table: missing columns {sorted(missing)} or no rows")
        years = tuple(sorted(int(y) for y in table["year"].unique()))
        first = table.iloc[0]
        return cls(str(first["scenario"]), str(first["against"]), years, table, None)


def _lever_variables(sectors: Sequence[str], scope: str) -> dict[str, list[str]]:
    """Quantity -> the variables per sector (same order as `sectors`)."""
    return {
        "emissions": [scope_variable(scope, s) for s in sectors],
        "cost": [f"Cost|Industry{_suffix(s)}" for s in sectors],
        "investment": [f"Investment|Industry{_suffix(s)}" for s in sectors],
        "carbon_market": [f"Cost|Carbon Market{_suffix(s)}" for s in sectors],
        "value_added": [f"Value Added|Industry{_suffix(s)}" for s in sectors],
    }


def lever_costs(
    scenario: Scenario,
    against: Scenario,
    years: Sequence[int] = (2030, 2035),
    draws: int = 0,
    seed: int | None = None,
) -> LeverCosts:
    """Abatement and cost per lever family and sector in `years`, exact Shapley (the wedges'
    coalitions), with a Monte Carlo range when `draws` > 0 (Shapley per draw)."""
    bad = [y for y in years if not BASE_YEAR < int(y) <= 2060]
    if bad:
        raise ModelError(f"costs: --year: {bad[0]}: a year after 2020 and up to 2060")
    scope = scenario.settings.headline_scope
    data = load_data(scenario.assumptions_dir)
    sectors = [INDUSTRY, *sector_names(data)]
    quantities = _lever_variables(sectors, scope)
    variables = [v for vs in quantities.values() for v in vs]
    runs = coalition_runs(scenario, against, variables, draws=draws, seed=seed)
    cols = [int(y) - BASE_YEAR for y in years]
    values = runs.values[..., cols]  # (2^k, runs, V, years)
    k = runs.k
    n_s = len(sectors)
    # (quantity, family or total, run, sector, year): the increment, scenario - reference.
    gap = values[-1] - values[0]  # (runs, V, years)
    phi = shapley_from_values(values, k) if k else np.zeros((0, *gap.shape))
    parts = np.concatenate([phi, gap[None]], axis=0)  # (k + 1, runs, V, years)
    names = [*runs.families, "total"]
    q_index = {q: slice(i * n_s, (i + 1) * n_s) for i, q in enumerate(quantities)}
    per = {q: parts[:, :, q_index[q], :] for q in quantities}  # (k+1, runs, sectors, years)
    abatement = -per["emissions"]
    cost = per["cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_t = np.where(abatement > ABATEMENT_FLOOR, cost / abatement * CNY_PER_T, np.nan)
    rows = []
    for fi, family in enumerate(names):
        for si, sector in enumerate(sectors):
            for yi, year in enumerate(years):
                row = {
                    "scenario": scenario.name,
                    "against": against.name,
                    "year": int(year),
                    "family": family,
                    "sector": sector,
                    "abatement": float(abatement[fi, 0, si, yi]),
                    "cost": float(cost[fi, 0, si, yi]),
                    "cost_per_t": float(per_t[fi, 0, si, yi]),
                    "investment": float(per["investment"][fi, 0, si, yi]),
                    "carbon_market": float(per["carbon_market"][fi, 0, si, yi]),
                    "lost_value_added": float(-per["value_added"][fi, 0, si, yi]),
                }
                if runs.draws:
                    for name, arr in (
                        ("abatement", abatement),
                        ("cost", cost),
                        ("cost_per_t", per_t),
                    ):
                        sample = arr[fi, 1:, si, yi]
                        finite = sample[np.isfinite(sample)]
                        enough = finite.size and finite.size >= RANGE_MIN_SHARE * sample.size
                        qs = np.percentile(finite, PERCENTILES) if enough else [np.nan] * 3
                        for p, q in zip(PERCENTILES, qs, strict=True):
                            row[f"{name}_p{p:02d}"] = float(q)
                rows.append(row)
    table = pd.DataFrame(rows)
    order = {f: i for i, f in enumerate([*FAMILIES, "total"])}
    table = table.sort_values(
        ["year", "family", "sector"],
        key=lambda c: c.map(order) if c.name == "family" else c,
        kind="stable",
    ).reset_index(drop=True)
    table["on_curve"] = (table["family"] != "total") & (table["abatement"] > ABATEMENT_FLOOR)
    table.attrs.update(draws=runs.draws, seed=runs.seed, scope=scope)
    return LeverCosts(scenario.name, against.name, tuple(int(y) for y in years), table, runs)


def family_table(lever: LeverCosts, year: int | None = None) -> pd.DataFrame:
    """Industry rows of :func:`lever_costs`: one per family (and the total) and year."""
    t = lever.table[lever.table["sector"] == INDUSTRY]
    return (t if year is None else t[t["year"] == year]).reset_index(drop=True)


def mac_curve(lever: LeverCosts, year: int) -> pd.DataFrame:
    """MAC curve bars for one year: every family x sector row with any cost or abatement,
    sorted by cost per tonne; `x0`/`x1` the bar's extent on the abatement axis (on-curve bars
    only), `area` = cost (billion CNY2020/yr). The areas of all rows sum to the scenario's
    total incremental technology cost."""
    t = lever.table
    if year not in set(t["year"]):
        raise ModelError(f"costs: --year: {year}: one of {sorted(set(t['year']))}")
    d = t[(t["year"] == year) & (t["sector"] != INDUSTRY) & (t["family"] != "total")]
    d = d[(d["abatement"].abs() > 1e-9) | (d["cost"].abs() > 1e-9)].copy()
    d["area"] = d["cost"]
    on = d[d["on_curve"]].sort_values("cost_per_t", kind="stable")
    off = d[~d["on_curve"]].sort_values("cost", kind="stable")
    on["x1"] = on["abatement"].cumsum()
    on["x0"] = on["x1"] - on["abatement"]
    off["x0"] = off["x1"] = np.nan
    return pd.concat([on, off], ignore_index=True)


def summary_text(
    runs: CostRuns,
    table: pd.DataFrame,
    lever: LeverCosts,
    year: int,
    invest_years: tuple[int, int] = (2026, 2030),
) -> str:
    """A few lines for the terminal: investment, cost per tonne by family, exposure."""
    scen, ref = lever.scenario, lever.against
    inv = investment_between(runs, *invest_years)
    span = (
        f", 90% {inv['incremental_p05']:+.1f} to {inv['incremental_p95']:+.1f}"
        if "incremental_p05" in inv
        else ""
    )
    lines = [
        f"{scen} vs {ref}: costs in billion CNY of 2020 (constant prices; model.engine.costs)",
        f"  investment {invest_years[0]}-{invest_years[1]}: {inv['scenario']:.1f} "
        f"(reference {inv['reference']:.1f}, extra {inv['incremental']:+.1f}{span})",
        f"  cost per tonne by lever family, {year} (exact Shapley, the wedges' tonnes; "
        "technology cost only, lost value added apart):",
    ]
    fam = family_table(lever, year)
    ranged = "cost_per_t_p05" in fam.columns
    for _, r in fam.iterrows():
        if r["family"] != "total" and abs(r["abatement"]) < 1e-9 and abs(r["cost"]) < 1e-9:
            continue
        per_t = "n/a" if not np.isfinite(r["cost_per_t"]) else f"{r['cost_per_t']:,.0f} CNY/t"
        span = (
            f" (90% {r['cost_per_t_p05']:,.0f} to {r['cost_per_t_p95']:,.0f})"
            if ranged and np.isfinite(r["cost_per_t_p05"])
            else ""
        )
        lost = (
            f"; lost value added {r['lost_value_added']:.1f}"
            if abs(r["lost_value_added"]) > 0.05
            else ""
        )
        lines.append(
            f"    {r['family']:<18} abates {r['abatement']:6.1f} Mt, costs {r['cost']:+7.1f} "
            f"bn/yr: {per_t}{span}{lost}"
        )
    ex = table[(table["year"] == year) & (table["item"] == "carbon_market_compliance")]
    ex = ex[ex["sector"].isin(covered_sectors(runs.results))]
    parts = []
    for _, r in ex.iterrows():
        span = (
            f" ({r['scenario_p05']:.2f}-{r['scenario_p95']:.2f})"
            if "scenario_p05" in ex.columns
            else ""
        )
        parts.append(f"{r['sector']} {r['scenario_value']:.2f}{span}")
    lines.append(f"  carbon-market compliance cost {year} (bn CNY): " + ", ".join(parts))
    lines.append(
        "  purchased electricity is priced through the power sector (pass-through share "
        "ets.electricity_pass_through; 0 by default)"
    )
    return "\n".join(lines)
