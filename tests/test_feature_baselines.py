"""Statistical baseline proposals from history, and the STIRPAT cross-check on shipped data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.analysis.baselines import (
    CEADS_BREAK_YEAR,
    fit_sector_trend,
    history_series,
    implied_affluence_elasticity,
    last_break,
    output_history,
    propose_baselines,
    scenario_path,
    stirpat_comparison,
    stirpat_crosscheck,
    stirpat_frame,
)
from model.errors import AssumptionError, ModelError
from model.inputs.data import load_data, load_macro
from model.inputs.scenario import default_assumptions_dir

FAST = ("loglinear", "logistic_saturation")  # the two quick fitters; selection still runs
YEARS = (2025, 2030, 2045, 2060)


@pytest.fixture(scope="module")
def data():
    return load_data(default_assumptions_dir())


@pytest.fixture(scope="module")
def proposals():
    return propose_baselines(series=["combustion_co2"], milestone_years=YEARS, candidates=FAST)


def test_a_proposal_for_every_sector(proposals, data):
    assert sorted(proposals["sector"]) == sorted(data.sectors)
    assert set(proposals["method"]) <= set(FAST)
    assert (proposals["n_points"] >= 5).all()
    assert proposals["note"].str.contains("observed years").all()


def test_milestones_have_the_requested_years_and_lie_in_the_band(proposals):
    for _, row in proposals.iterrows():
        assert list(row["milestones"]) == list(YEARS)
        assert list(row["lower"]) == list(YEARS) and list(row["upper"]) == list(YEARS)
        for y in YEARS:
            # Values are rounded to 4 significant figures; allow that rounding.
            assert row["lower"][y] <= row["milestones"][y] * (1 + 1e-3)
            assert row["milestones"][y] <= row["upper"][y] * (1 + 1e-3)
            assert row["milestones"][y] > 0


def test_band_contains_the_central_path_every_year(data):
    fit, _ = fit_sector_trend(data, "steel", "fossil_energy", candidates=FAST)
    p = fit.projection
    assert p["year"].min() == fit.history.index.max() + 1 and p["year"].max() == 2060
    assert (p["lower"] <= p["mean"]).all() and (p["mean"] <= p["upper"]).all()


def test_history_leaves_out_the_2020_estimate(data):
    s = history_series(data, "chemicals", "combustion_co2")
    assert s.index.min() == 2000 and s.index.max() == 2019
    assert (s > 0).all()


def test_last_break_finds_a_jump():
    s = pd.Series([10.0, 11, 12, 3, 3.2, 3.4], index=range(2000, 2006))
    assert last_break(s) == 2003
    assert last_break(s.iloc[3:]) is None


def test_physical_outputs_are_reported_as_too_short(data):
    out = output_history().set_index("item")
    assert out.loc["output|crude_steel", "n_points"] < 5
    assert out["fit"].str.startswith("none").all()


def test_bad_inputs_are_model_errors():
    with pytest.raises(ModelError, match="2070"):
        propose_baselines(series=["combustion_co2"], sectors=["steel"], milestone_years=[2070])
    with pytest.raises(ModelError, match="series"):
        propose_baselines(series=["gdp"], sectors=["steel"])


def test_stirpat_frame_reads_shipped_series_before_the_ceads_break(data):
    frame = stirpat_frame()
    assert frame.index.min() == 2000 and frame.index.max() == CEADS_BREAK_YEAR - 1
    assert (frame.to_numpy() > 0).all() and not frame.isna().to_numpy().any()
    # The impact is the CEADs scope-1 CO2 of the 8 industrial sectors, as in history.csv.
    scope1 = sum(data.history.loc[(s, "co2_scope1")]["value"] for s in data.sectors).loc[
        frame.index
    ]
    np.testing.assert_allclose(frame["co2"], scope1, rtol=1e-5)
    macro = load_macro(default_assumptions_dir())
    np.testing.assert_allclose(
        frame["affluence"] * frame["population"], macro.loc[frame.index, "gdp"], rtol=1e-12
    )
    assert frame["technology"].between(0, 1).all()  # a share


def test_stirpat_on_shipped_data_flags_collinearity_and_adds_ridge():
    res = stirpat_crosscheck()
    assert res.nobs == CEADS_BREAK_YEAR - 2000
    # Population and income both trend: the VIF rule must fire and bring a ridge fit.
    assert res.vif[["ln_population", "ln_affluence"]].min() > 10
    assert res.collinear and res.ridge_alpha is not None
    assert 0 < res.ridge_r2 <= res.r2 <= 1  # ridge trades fit for stability, never gains R²
    table = res.summary_table()
    assert list(table.index) == ["const", "ln_population", "ln_affluence", "ln_technology"]


def test_stirpat_energy_intensity_proxy_is_close_to_the_kaya_identity():
    # CO2 = P x (GDP/P) x (E/GDP) x (CO2/E): with T = E/GDP the elasticity of T is ~1 by
    # construction (what the docstring warns about), unlike the fuel-mix proxy.
    res = stirpat_crosscheck(technology="energy_intensity")
    assert res.coefficients["ln_technology"] == pytest.approx(1.0, abs=0.1)
    assert res.r2 > 0.99


def test_stirpat_comparison_sets_history_beside_scenarios():
    from model import load_scenario, run

    results = {name: run(load_scenario(name)) for name in ("baseline", "plan")}
    table = stirpat_comparison(results)
    assert table["source"].tolist()[:2] == ["STIRPAT OLS (history)", "STIRPAT ridge (history)"]
    base = results["baseline"]
    co2 = base.series("Emissions|CO2|Industry")
    va = base.series("Value Added|Industry")
    expected = np.log(co2[2030] / co2[2020]) / np.log(va[2030] / va[2020])
    assert implied_affluence_elasticity(base) == pytest.approx(expected)
    row = table.set_index("source").loc["baseline 2020-2030", "affluence_elasticity"]
    assert row == pytest.approx(expected)


def test_stirpat_refuses_unknown_proxy_and_short_series():
    with pytest.raises(ModelError, match="technology: 'gdp'"):
        stirpat_frame(technology="gdp")
    with pytest.raises(ModelError, match="at least 6"):
        stirpat_crosscheck(stirpat_frame().head(4))


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("unit", "persons", "row 2.unit: persons: million persons"),
        ("value", "-1", "row 2.value: -1.0: a number > 0"),
        ("item", "gnp", "row 2.item: gnp: one of ['gdp', 'population']"),
        ("kind", "guess", "row 2.kind: guess: one of"),
        ("source", "", "row 2.source: : a non-empty source"),
    ],
)
def test_macro_table_bad_input_names_file_key_and_value(assumptions_copy, column, bad, message):
    path = assumptions_copy / "data" / "macro.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[0, column] = bad
    table.to_csv(path, index=False)
    with pytest.raises(AssumptionError) as err:
        load_macro(assumptions_copy)
    assert f"data/macro.csv: {message}" in str(err.value)


def test_macro_table_refuses_duplicate_years(assumptions_copy):
    path = assumptions_copy / "data" / "macro.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([table, table.head(1)]).to_csv(path, index=False)
    with pytest.raises(AssumptionError, match="one row per item and year"):
        load_macro(assumptions_copy)


def test_stirpat_runs_on_series_given_by_the_caller():
    # Synthetic series with known elasticities: the wiring passes them to fit_stirpat.
    rng = np.random.default_rng(0)
    n = 20
    pop = np.exp(np.linspace(9.1, 9.2, n) + rng.normal(0, 0.002, n))
    aff = np.exp(np.linspace(1.0, 2.0, n) + rng.normal(0, 0.05, n))
    tech = np.exp(np.linspace(0.5, 0.1, n) + rng.normal(0, 0.05, n))
    co2 = np.exp(1.0 + 1.0 * np.log(pop) + 0.6 * np.log(aff) + 0.9 * np.log(tech))
    frame = pd.DataFrame({"co2": co2, "population": pop, "affluence": aff, "technology": tech})
    res = stirpat_crosscheck(frame)
    assert res.coefficients["ln_affluence"] == pytest.approx(0.6, abs=1e-6)
    assert res.coefficients["ln_technology"] == pytest.approx(0.9, abs=1e-6)


def test_scenario_path_is_the_quantity_the_proposal_extrapolates():
    from model import run

    plan = run("plan")
    co2 = scenario_path(plan, "steel", "combustion_co2")
    assert co2.index.min() == 2020
    np.testing.assert_allclose(
        co2, plan.series("Emissions|CO2|Industry|Steel|Combustion").loc[2020:]
    )
    energy = scenario_path(plan, "chemicals", "fossil_energy", start=2030)
    carriers = ("Coal", "Coke", "Oil", "Gas")
    expected = sum(
        plan.series(f"Final Energy|Industry|Petrochemicals and Chemicals|{c}") for c in carriers
    )
    np.testing.assert_allclose(energy, expected.loc[2030:])
    with pytest.raises(ModelError, match="series"):
        scenario_path(plan, "steel", "gdp")
    with pytest.raises(ModelError, match="sector"):
        scenario_path(plan, "mining", "combustion_co2")
