"""Costs: annuity arithmetic, vintage stock, incremental costs, Shapley cost attribution, MAC
curves, the carbon market, cost data validation, reproducibility (issue 16)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model.inputs.costs as cost_inputs
from model.analysis.costs import (
    ABATEMENT_FLOOR,
    CNY_PER_T,
    LeverCosts,
    cost_runs,
    cost_table,
    family_table,
    investment_between,
    lever_costs,
    mac_curve,
)
from model.analysis.peaks import scope_variable
from model.analysis.sensitivity import centre_quantile, factors
from model.analysis.wedges import lever_wedges
from model.engine.costs import crf, levelised_cost, vintage_costs
from model.engine.runner import engine_inputs, evaluate_params, run, scenario_params
from model.engine.sampling import DrawPlan, draw_plan
from model.errors import AssumptionError, ModelError
from model.inputs.costs import TECHNOLOGIES, shandong_deflator
from model.inputs.data import load_data
from model.inputs.scenario import load_scenario
from model.report.style import sector_labels

REPO = Path(__file__).resolve().parent.parent
COVERED = ("Steel", "Nonferrous Metals", "Building Materials")
SECTORS = tuple(sector_labels("iamc").values())


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def plan():
    return load_scenario("plan")


@pytest.fixture(scope="module")
def plan_levers(plan, baseline):
    return lever_costs(plan, baseline, (2030, 2035), draws=8, seed=5)


# ---------------------------------------------------------------------------------------------
# Arithmetic


def test_capital_recovery_factor_matches_the_textbook_tables():
    # Capital recovery (A/P) factors as tabulated in interest-factor tables, e.g. Blank &
    # Tarquin, Engineering Economy (7th ed.), tables for i = 8% and 10%: (A/P, 10%, 10) =
    # 0.16275, (A/P, 8%, 20) = 0.10185, (A/P, 8%, 25) = 0.09368; with no interest the
    # annuity is straight-line, 1/n.
    assert crf(0.10, 10) == pytest.approx(0.16275, abs=5e-6)
    assert crf(0.08, 20) == pytest.approx(0.10185, abs=5e-6)
    assert crf(0.08, 25) == pytest.approx(0.09368, abs=5e-6)
    assert crf(0.0, 20) == pytest.approx(1 / 20)


def test_levelised_cost_matches_the_worked_example():
    # The simple levelised cost of NREL's "Simple Levelized Cost of Energy (LCOE) Calculator
    # Documentation" (after Short, Packey & Holt 1995, NREL/TP-462-5173): sLCOE = (overnight
    # capital x CRF + fixed O&M) / (8760 x capacity factor) + variable cost. Worked by hand:
    # 1000 per kW at 10% over 10 years -> 162.745 per kW-yr; + 20 fixed = 182.745; a 50%
    # capacity factor gives 4380 kWh per kW-yr -> 0.041723 per kWh; + 0.01 variable.
    value = levelised_cost(1000.0, 20.0, 0.01, 0.10, 10, 8760 * 0.5)
    assert value == pytest.approx(0.051723, abs=1e-6)


def test_a_constant_stock_is_replaced_evenly_and_pays_its_annuities():
    # Capacity 10 with a 5-year life: the base-year stock retires 2 a year, each vintage
    # after 5 years, so 2 units are bought every year; each pays capex x CRF for 5 years.
    n_years, life, capex, rate = 12, 5, 100.0, 0.08
    capacity = np.full((n_years, 1, 1), 10.0)
    inv, cap, fixed = vintage_costs(
        capacity.copy(),
        np.array([life]),
        np.array([[capex]]),
        np.full((1, n_years), rate),
        np.array([0]),
        1,
        fixed_rate=np.array([[3.0]]),
    )
    np.testing.assert_allclose(inv[0, 0], [0.0] + [2 * capex] * (n_years - 1))
    annual = 2 * capex * crf(rate, life)
    expected = [annual * min(k, life) for k in range(n_years)]
    np.testing.assert_allclose(cap[0, 0], expected)
    np.testing.assert_allclose(fixed[0, 0], 30.0)


def test_growth_is_bought_on_top_of_replacement_and_shrinking_buys_nothing():
    capacity = np.array([10.0, 10.0, 14.0, 14.0, 6.0, 6.0])[:, None, None]
    inv, _, _ = vintage_costs(
        capacity.copy(),
        np.array([4]),
        np.array([[1.0]]),
        np.zeros((1, 6)),
        np.array([0]),
        1,
    )
    # Year 1: 2.5 retires; year 2: 2.5 more plus 4 of growth; year 4: demand falls below the
    # surviving stock (nothing bought).
    np.testing.assert_allclose(inv[0, 0, :4], [0.0, 2.5, 6.5, 2.5])
    assert inv[0, 0, 4] == 0.0


# ---------------------------------------------------------------------------------------------
# The engine's cost variables


def test_cost_variables_sum_like_the_emission_variables(plan):
    r = run(plan)
    for total, parts in (
        ("Investment|Industry", [f"Investment|Industry|{s}" for s in SECTORS]),
        ("Cost|Industry", [f"Cost|Industry|{s}" for s in SECTORS]),
        ("Cost|Carbon Market", [f"Cost|Carbon Market|{s}" for s in SECTORS]),
        (
            "Carbon Market|Covered Emissions",
            [f"Carbon Market|Covered Emissions|{s}" for s in COVERED],
        ),
    ):
        np.testing.assert_allclose(r.get(total), sum(r.get(v) for v in parts), rtol=1e-12)
    for s in SECTORS:
        lines = [f"Cost|Industry|{s}|{part}" for part in ("Capital", "Operation", "Energy")]
        np.testing.assert_allclose(
            r.get(f"Cost|Industry|{s}"), sum(r.get(v) for v in lines), rtol=1e-12
        )
        cm = [f"Cost|Carbon Market|{s}|{p}" for p in ("Compliance", "Electricity Pass-through")]
        np.testing.assert_allclose(r.get(f"Cost|Carbon Market|{s}"), sum(r.get(v) for v in cm))
    iamc = r.to_iamc().set_index("variable")
    assert iamc.at["Investment|Industry|Steel", "unit"] == "billion CNY2020/yr"
    assert iamc.at["Cost|Industry|Steel|Energy", "unit"] == "billion CNY2020/yr"
    assert iamc.at["Cost|Carbon Market|Steel", "unit"] == "billion CNY2020/yr"
    assert iamc.at["Price|Carbon|National ETS", "unit"] == "CNY2020/t CO2"
    # Costs are projections: no history before the base year.
    assert np.isnan(r.series("Cost|Industry").loc[2019])


def test_carbon_price_path_is_the_deflated_cea_history(plan):
    data = load_data(plan.assumptions_dir)
    money = data.costs.money.set_index(["currency", "year"])["value"]
    price = run(plan).series("Price|Carbon|National ETS")
    # CEA annual average prices (cost_parameters.csv ets_cea_*), nominal -> 2020 CNY.
    for year, nominal in ((2021, 42.85), (2022, 55.30), (2023, 68.15)):
        assert price.loc[year] == pytest.approx(nominal * money[("CNY", year)], abs=0.01)
    assert price.loc[2020] == 0.0


def test_shandong_deflator_comes_from_the_observed_gdp(plan):
    data = load_data(plan.assumptions_dir)
    obs = data.observations
    gdp, growth = obs.values("gdp"), obs.values("gdp_real_growth") / 100
    deflator = shandong_deflator(obs)
    expected_2022 = gdp[2022] / gdp[2020] / ((1 + growth[2021]) * (1 + growth[2022]))
    assert deflator[2022] == pytest.approx(expected_2022)
    money = data.costs.money.set_index(["currency", "year"])["value"]
    for year in (2021, 2022, 2023):
        assert money[("CNY", year)] == pytest.approx(1 / deflator[year])


def test_cost_rows_are_converted_to_2020_cny(plan):
    data = load_data(plan.assumptions_dir)
    t = data.costs.table.set_index(["technology", "parameter"])
    money = data.costs.money.set_index(["currency", "year"])["value"]
    row = t.loc[("steel.scrap_eaf", "capex")]
    assert row["model_value"] == pytest.approx(
        float(row["value"]) * money[(row["currency"], int(row["money_year"]))]
    )
    cement = t.loc[("ccus.capture_cement", "capex")]  # per tCO2/h -> per tCO2/yr
    assert cement["model_value"] == pytest.approx(
        float(cement["value"]) * money[("EUR", 2020)] / 8760
    )
    coal = t.loc[("price", "coal")]  # per t of 5500 kcal coal -> per tce
    assert coal["model_value"] == pytest.approx(
        float(coal["value"]) * money[("CNY", 2022)] * 7000 / 5500
    )
    # Every declared technology and parameter has its row.
    assert {(a, b) for a, b in data.costs.entries()} == {
        (tech, param) for tech, params in TECHNOLOGIES.items() for param in params
    }


# ---------------------------------------------------------------------------------------------
# Incremental costs, attribution, curves


def test_a_scenario_equal_to_its_reference_costs_exactly_zero(baseline):
    table = cost_table(cost_runs(baseline, load_scenario("baseline"), draws=4, seed=2))
    assert (table["incremental"] == 0).all()
    assert (table["incremental_p05"] == 0).all() and (table["incremental_p95"] == 0).all()
    lever = lever_costs(baseline, load_scenario("baseline"), (2030,))
    assert (lever.table[["abatement", "cost", "lost_value_added"]] == 0).all().all()


def test_family_costs_sum_to_the_scenario_total_in_every_sector_and_year(
    plan_levers, plan, baseline
):
    t = plan_levers.table
    parts = t[t["family"] != "total"].groupby(["year", "sector"])[["cost", "abatement"]].sum()
    total = t[t["family"] == "total"].set_index(["year", "sector"])[["cost", "abatement"]]
    np.testing.assert_allclose(parts["cost"], total.loc[parts.index, "cost"], atol=1e-9)
    np.testing.assert_allclose(parts["abatement"], total.loc[parts.index, "abatement"], atol=1e-9)
    # ...and the total is the cost table's increment of the technology cost.
    table = cost_table(cost_runs(plan, baseline))
    inc = table[table["item"] == "technology_cost"].set_index(["sector", "year"])["incremental"]
    for (year, sector), row in total.iterrows():
        assert row["cost"] == pytest.approx(inc[(sector, year)], abs=1e-9)


def test_family_abatement_is_the_wedge(plan_levers, plan, baseline):
    wedges, _ = lever_wedges(plan, baseline, text=False)
    scope = plan.settings.headline_scope
    w = wedges[(wedges["scope"] == scope) & wedges["differs"]]
    w = w.set_index(["year", "sector", "family"])["wedge"]
    t = plan_levers.table[plan_levers.table["family"] != "total"]
    for _, row in t.iterrows():
        assert row["abatement"] == pytest.approx(w[(row["year"], row["sector"], row["family"])])


def test_mac_areas_sum_to_the_total_incremental_cost(plan_levers):
    for year in (2030, 2035):
        mac = mac_curve(plan_levers, year)
        total = family_table(plan_levers, year).set_index("family").at["total", "cost"]
        assert mac["area"].sum() == pytest.approx(total, abs=1e-9)
        on = mac[mac["on_curve"]]
        assert (on["abatement"] > ABATEMENT_FLOOR).all()
        np.testing.assert_allclose(on["abatement"] * on["cost_per_t"] / CNY_PER_T, on["area"])
        assert on["cost_per_t"].is_monotonic_increasing
        np.testing.assert_allclose(on["x1"] - on["x0"], on["abatement"])
        np.testing.assert_allclose(on["x0"].iloc[1:], on["x1"].iloc[:-1])


def test_a_saved_attribution_gives_the_same_tables(plan_levers, tmp_path):
    # The batch's briefings reuse the uncertainty job's saved attribution: identical numbers.
    from model.report.briefing import read_saved_table
    from model.report.exports import write_table

    write_table(plan_levers.table, tmp_path / "lever_costs.csv")
    saved = LeverCosts.from_table(read_saved_table(tmp_path, "lever_costs.csv"))
    assert (saved.scenario, saved.against, saved.years) == ("plan", "baseline", (2030, 2035))
    for year in (2030, 2035):
        pd.testing.assert_frame_equal(family_table(saved, year), family_table(plan_levers, year))
        pd.testing.assert_frame_equal(mac_curve(saved, year), mac_curve(plan_levers, year))
    with pytest.raises(ModelError, match="on_curve"):
        LeverCosts.from_table(plan_levers.table.drop(columns="on_curve"))


def test_monte_carlo_ranges_bracket_the_draws(plan_levers):
    fam = family_table(plan_levers, 2030)
    ranged = fam.dropna(subset=["cost_p05"])
    assert len(ranged) and (ranged["cost_p05"] <= ranged["cost_p95"]).all()
    assert plan_levers.runs.values.shape[1] == 9  # central + 8 draws, every coalition


def test_capacity_control_reports_lost_value_added_apart(plan_levers):
    fam = family_table(plan_levers, 2030).set_index("family")
    cap = fam.loc["capacity_control"]
    assert cap["lost_value_added"] > 0  # output caps cut value added...
    assert cap["cost"] < 0  # ...and the technology cost (less output) is reported on its own
    assert (
        "lost_value_added" in fam.columns and cap["cost"] != cap["cost"] + cap["lost_value_added"]
    )


def test_investment_between_sums_the_years_per_draw(plan, baseline):
    runs = cost_runs(plan, baseline, draws=6, seed=9)
    inv = investment_between(runs, 2026, 2030)
    s = runs.results.series("Investment|Industry").loc[2026:2030].sum()
    r = runs.reference.series("Investment|Industry").loc[2026:2030].sum()
    assert inv["scenario"] == pytest.approx(s) and inv["incremental"] == pytest.approx(s - r)
    assert inv["incremental_p05"] <= inv["incremental_p95"]


# ---------------------------------------------------------------------------------------------
# The carbon market


@cache
def _plan():
    return load_scenario("plan")


def _ets_rows(changes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Compliance cost of the covered sectors, 2020-2060, for rows of modified ETS inputs (one
    engine call)."""
    plan = _plan()
    params = dict(scenario_params(plan))
    params.update(changes)
    r = evaluate_params(params, plan)
    keep = r.years >= 2020
    return {s: r.get(f"Cost|Carbon Market|{s}|Compliance")[:, keep] for s in COVERED}


def _non_decreasing(values: np.ndarray) -> bool:
    return bool((np.diff(values, axis=0) >= -1e-12).all())


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.0, 5.0), min_size=2, max_size=6))
def test_a_higher_allowance_price_never_lowers_exposure(price_factors):
    factors_ = np.sort(np.asarray(price_factors))
    base = scenario_params(_plan())["ets.allowance_price"]
    exposure = _ets_rows({"ets.allowance_price": base * factors_[:, None]})
    assert all(_non_decreasing(v) for v in exposure.values())


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(-0.05, 0.2), min_size=2, max_size=6),
    st.lists(st.floats(0.5, 1.5), min_size=2, max_size=6),
)
def test_a_stricter_benchmark_never_lowers_exposure(rates, levels):
    rates_ = np.sort(np.asarray(rates))  # faster tightening = stricter
    years = scenario_params(_plan())["ets.benchmark_tightening"].shape[1]
    exposure = _ets_rows({"ets.benchmark_tightening": np.repeat(rates_[:, None], years, 1)})
    assert all(_non_decreasing(v) for v in exposure.values())
    levels_ = np.sort(np.asarray(levels))[::-1]  # a lower benchmark level = stricter
    changes = {
        f"{s}.ets_benchmark_level": levels_[:, None]
        for s in ("steel", "nonferrous", "building_materials")
    }
    assert all(_non_decreasing(v) for v in _ets_rows(changes).values())


def test_exposure_grows_with_the_price_in_the_shipped_plan():
    base = scenario_params(_plan())["ets.allowance_price"]
    exposure = _ets_rows({"ets.allowance_price": base * np.array([[1.0], [2.0]])})
    total = sum(v[:, -1] for v in exposure.values())
    assert total[1] >= total[0] and total[1] > 0


def test_pass_through_is_its_own_line(plan):
    r0 = run(plan)
    assert (r0.series("Cost|Carbon Market|Electricity Pass-through").loc[2020:] == 0).all()
    r = run(load_scenario("plan", ["ets.electricity_pass_through=0.5"]))
    line = r.series("Cost|Carbon Market|Steel|Electricity Pass-through")
    expected = (
        0.5
        * r.series("Price|Carbon|National ETS")
        * r.series("Emissions|CO2|Industry Indirect|Steel|Electricity")
        * 1e-3
    )
    np.testing.assert_allclose(line.loc[2021:], expected.loc[2021:])
    assert line.loc[2020] == 0
    # Compliance is unchanged: the pass-through is never netted into it.
    np.testing.assert_allclose(
        r.get("Cost|Carbon Market|Steel|Compliance"), r0.get("Cost|Carbon Market|Steel|Compliance")
    )


def test_first_covered_year_costs_nothing_and_benchmarks_start_later(plan):
    r = run(plan)
    for s in COVERED:
        covered = r.series(f"Carbon Market|Covered Emissions|{s}")
        free = r.series(f"Carbon Market|Free Allocation|{s}")
        assert covered.loc[2023] == 0 and covered.loc[2024] > 0
        assert free.loc[2024] == pytest.approx(covered.loc[2024])  # allocation = verified
        assert r.series(f"Cost|Carbon Market|{s}|Compliance").loc[2024] == 0


# ---------------------------------------------------------------------------------------------
# Monte Carlo, Sobol inputs, reproducibility


def test_zero_variance_monte_carlo_equals_the_deterministic_costs(plan):
    params, inputs = engine_inputs(plan)
    central = {k: v[0] for k, v in params.items()}
    ordered = draw_plan(central, inputs, 1, 0).inputs
    centre = np.array([[centre_quantile(i.uncertainty) for i in ordered]] * 6)
    sampled = DrawPlan(central, ordered, centre)
    mc = evaluate_params(params, plan, draws=6, seed=0, sampled=sampled)
    det = run(plan)
    for variable in (
        "Investment|Industry",
        "Cost|Industry",
        "Cost|Carbon Market",
        "Cost|Industry|Steel|Capital",
    ):
        np.testing.assert_allclose(
            mc.get(variable), np.repeat(det.get(variable)[:1], 7, 0), rtol=1e-9, atol=1e-9
        )


def test_cost_inputs_are_monte_carlo_and_sobol_factors_but_never_move_emissions(plan, monkeypatch):
    names = factors(plan)
    assert "cost:price.coal" in names and "ets.allowance_price" in names
    assert not any(n.startswith("cost:") and n.endswith(".lifetime") for n in names)
    with_costs = run(plan, draws=30, seed=11)
    # The same run without any cost input drawn: every emission draw is the same.
    monkeypatch.setattr(cost_inputs.CostData, "drawn", lambda self, t, p: False)
    without = run(plan, draws=30, seed=11)
    for variable in ("Emissions|CO2|Industry", scope_variable(plan.settings.headline_scope)):
        np.testing.assert_array_equal(with_costs.get(variable), without.get(variable))
    assert not np.array_equal(with_costs.get("Cost|Industry"), without.get("Cost|Industry"))


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "model", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_costs_command_writes_the_table_and_the_same_seed_gives_the_same_bytes(tmp_path):
    outs = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        proc = _cli(
            "costs",
            "plan",
            "--against",
            "baseline",
            "--year",
            "2035",
            "--draws",
            "4",
            "--seed",
            "7",
            "--out",
            str(out),
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    df = pd.read_csv(tmp_path / "a.csv")
    assert set(df["table"]) == {"costs", "families", "mac"}
    assert set(df.loc[df["table"] == "mac", "year"]) == {2035}
    assert (tmp_path / "a.provenance.json").is_file()
    assert "investment 2026-2030" in proc.stdout


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("steel.bf_bof", "lifetime", "value", "-20"),
            "steel.bf_bof.lifetime: -20: a number of years > 0",
        ),
        (
            ("steel.scrap_eaf", "capex", "technology", "steel.arc_furnace"),
            "row 8.technology: steel.arc_furnace: one of",
        ),
        (
            ("heat.heat_pump", "capex", "money_year", ""),
            "heat.heat_pump.capex.money_year: : the year the money is of",
        ),
        (
            ("heat.heat_pump", "capex", "currency", "GBP"),
            "heat.heat_pump.capex.currency: GBP: one of CNY, EUR, USD",
        ),
        (
            ("price", "coal", "money_year", "1999"),
            "price.coal.money_year: 1999: a year money.csv converts for CNY",
        ),
        (("price", "coal", "parameter", "lignite"), "price.parameter: lignite: one of coal, coke"),
    ],
)
def test_bad_cost_input_is_a_clear_error_exit_2_and_nothing_written(
    assumptions_copy, tmp_path, edit, message
):
    path = assumptions_copy / "data" / "costs.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    tech, param, column, value = edit
    row = (df["technology"] == tech) & (df["parameter"] == param)
    assert row.sum() == 1
    df.loc[row, column] = value
    df.to_csv(path, index=False)
    out = tmp_path / "costs.csv"
    proc = _cli(
        "--assumptions", str(assumptions_copy), "costs", "plan", "--out", str(out), cwd=tmp_path
    )
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr
    assert "data/costs.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob("*.provenance.json"))
    with pytest.raises(AssumptionError):
        load_data(assumptions_copy)


def test_a_missing_cost_row_and_a_bad_money_row_are_reported(assumptions_copy):
    path = assumptions_copy / "data" / "costs.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df[~((df["technology"] == "ccus.storage") & (df["parameter"] == "variable_opex"))]
    df.to_csv(path, index=False)
    money = assumptions_copy / "data" / "money.csv"
    text = money.read_text(encoding="utf-8").replace("USD,2020,6.8974", "USD,2020,-1")
    money.write_text(text, encoding="utf-8")
    with pytest.raises(AssumptionError) as err:
        load_data(assumptions_copy)
    text = str(err.value)
    assert "data/costs.csv: ccus.storage.variable_opex: None: a row is required" in text
    assert "data/money.csv: USD.2020.value: -1.0: a number > 0" in text


def test_the_costs_tables_are_part_of_the_cached_content(assumptions_copy, tmp_path):
    from model.inputs.data import _content_hash

    before = _content_hash(assumptions_copy / "data")
    path = assumptions_copy / "data" / "costs.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",670,570,770,", ",680,570,770,"), encoding="utf-8"
    )
    assert _content_hash(assumptions_copy / "data") != before
    data = load_data(assumptions_copy)
    assert data.costs.value("price", "coal") == pytest.approx(
        680
        * data.costs.money.set_index(["currency", "year"]).at[("CNY", 2022), "value"]
        * 7000
        / 5500
    )
    shutil.rmtree(assumptions_copy / ".derived", ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Report: workbook, briefing tables, MAC chart


def test_the_workbook_has_a_costs_sheet_and_the_cost_sources(plan, tmp_path):
    from model.report.exports import WORKBOOK_SHEETS, write_workbook

    results = run(plan)
    path = write_workbook([results], tmp_path / "book.xlsx", REPO / "assumptions")
    assert "costs" in WORKBOOK_SHEETS
    costs = pd.read_excel(path, sheet_name="costs")
    row = costs[costs["variable"] == "Investment|Industry"].iloc[0]
    assert row["unit"] == "billion CNY2020/yr"
    assert row[2030] == pytest.approx(results.series("Investment|Industry").loc[2030])
    assert {"Cost|Carbon Market|Steel|Compliance", "Price|Carbon|National ETS"} <= set(
        costs["variable"]
    )
    sources = pd.read_excel(path, sheet_name="sources")
    coal = sources[sources["key"] == "price.coal"].iloc[0]
    assert "NDRC" in coal["source"] and coal["family"] == "costs.csv"
    assert (sources["key"] == "USD.2020").any()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_cost_tables_show_the_analysis_numbers(plan, plan_levers, lang):
    from model.report import briefing as bc

    families = family_table(plan_levers, 2030)
    table = bc.family_cost_table(families, lang)
    assert len(table) == int((families["abatement"].abs() + families["cost"].abs() > 1e-9).sum())
    total = families.set_index("family").loc["total"]
    assert table.iloc[-1, 1] == f"{total['abatement']:,.1f}"
    results = run(plan, draws=8, seed=4)
    numbers = bc.exposure_numbers(results, 2030)
    steel = numbers.set_index("sector").loc["steel"]
    assert steel["compliance"] == pytest.approx(
        results.series("Cost|Carbon Market|Steel|Compliance").loc[2030]
    )
    assert steel["compliance_p05"] <= steel["compliance_p95"]
    assert len(bc.exposure_table(numbers, {"plan": "P"}, lang)) == 3
    sources = bc.cost_sources_table(load_data(plan.assumptions_dir).costs, lang)
    assert len(sources) >= 30 and sources.iloc[:, -1].str.len().gt(10).all()
    methods = bc.methods_html(lang, discount_rate=0.08)
    assert "6.8974" in methods and "8%" in methods
    assert bc.ui(lang)["pass_through"] and set(bc.UI["zh"]) == set(bc.UI["en"])


def test_mac_chart_draws_every_bar_on_the_curve(plan_levers):
    from model.report import charts

    curves = {y: mac_curve(plan_levers, y) for y in (2030, 2035)}
    fig = charts.mac_curve(curves, "en", scenario="Work Plan", prices={2030: 180.0})
    for ax, year in zip(fig.axes, (2030, 2035), strict=True):
        bars = [p for p in ax.patches if p.get_width() > 0]
        assert len(bars) == int(curves[year]["on_curve"].sum())
    assert set(charts.TEXT["zh"]) == set(charts.TEXT["en"])
    assert charts.to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
