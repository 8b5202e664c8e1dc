"""LMDI decomposition of scenarios: exact closure, zero change, growth shows as activity."""

from __future__ import annotations

import numpy as np
import pytest

from model.analysis.decomposition import decompose_scenario
from model.analysis.peaks import scope_variable
from model.engine.runner import run
from model.errors import ModelError
from model.inputs.scenario import load_scenario
from model.methods.lmdi import EFFECTS

SECTORS = [
    "steel",
    "nonferrous",
    "building_materials",
    "chemicals",
    "consumer_goods",
    "equipment",
    "electronics",
    "other_industry",
]


@pytest.fixture(scope="module")
def plan():
    return load_scenario("plan")


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def _effects(df, sector="Industry"):
    return df[df["sector"] == sector].set_index("effect")["value"]


def _check_closure(df, level_0: dict, level_T: dict):
    for sector, g in df.groupby("sector"):
        e = g.set_index("effect")["value"]
        change = level_T[sector] - level_0[sector]
        assert e[list(EFFECTS)].sum() == pytest.approx(change, abs=1e-9)
        assert abs(e["residual"]) < 1e-9
    # Sector rows are contributions: they add up to the industry row, effect by effect.
    eff = df[df["effect"].isin(EFFECTS)]
    by_effect = eff[eff["sector"] != "Industry"].groupby("effect")["value"].sum()
    np.testing.assert_allclose(by_effect[list(EFFECTS)], _effects(df)[list(EFFECTS)], atol=1e-9)


def _levels(results, year, scope):
    col = int(np.flatnonzero(results.years == year)[0])
    names = {v.split("|")[2] for v in results.variables if v.startswith("Value Added|Industry|")}
    out = {s: results.get(scope_variable(scope, s))[0, col] for s in names}
    out["Industry"] = results.get(scope_variable(scope))[0, col]
    return out


@pytest.mark.parametrize(
    ("y0", "yT", "scope"),
    [(2020, 2030, "direct_plus_indirect"), (2025, 2060, "direct"), (2045, 2030, "direct")],
)
def test_closes_exactly_between_years(plan, y0, yT, scope):
    df, text = decompose_scenario(plan, y0, yT, scope=scope)
    r = run(plan)
    _check_closure(df, _levels(r, y0, scope), _levels(r, yT, scope))
    assert set(df["effect"]) == {*EFFECTS, "total", "residual"}
    assert "residual" in text


def test_closes_exactly_against_the_baseline(plan, baseline):
    df, _ = decompose_scenario(plan, 2020, 2035, against=baseline)
    scope = plan.settings.headline_scope
    _check_closure(df, _levels(run(baseline), 2035, scope), _levels(run(plan), 2035, scope))
    assert (df["reference"] == "baseline").all()
    # The plan's output caps also cut the capped products' value added: activity falls.
    e = _effects(df)
    assert e["activity"] < 0
    assert e["total"] < 0  # the plan lowers 2035 emissions


def test_zero_change_gives_zero_effects(plan, baseline):
    same_year, _ = decompose_scenario(plan, 2030, 2030)
    same_scenario, _ = decompose_scenario(load_scenario("baseline"), 2020, 2040, against=baseline)
    for df in (same_year, same_scenario):
        np.testing.assert_allclose(df["value"], 0.0, atol=1e-12)


def test_growth_only_change_shows_up_as_activity(baseline):
    # Every sector's value-added growth rate up by 3 points: the same change everywhere.
    overrides = {}
    for sector in SECTORS:
        spec = baseline.specs[f"{sector}.value_added_index"]["growth"]
        for year, rate in spec.items():
            overrides[f"{sector}.value_added_index.growth.{year}"] = rate + 0.03
    faster = load_scenario("baseline", overrides)
    df, _ = decompose_scenario(faster, 2020, 2030, against=baseline)
    e = _effects(df)[list(EFFECTS)]
    assert e["activity"] > 0
    assert e.abs().idxmax() == "activity"
    assert abs(e["structure"]) < 0.1 * e["activity"]
    assert e["emission_factor"] == pytest.approx(0, abs=1e-9)
    assert e["process_ccus"] == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize(("y0", "yT"), [(2015, 2030), (2020, 2061), (2019, 2020)])
def test_years_outside_the_value_added_range_are_rejected(plan, y0, yT):
    with pytest.raises(ModelError, match="2020-2060"):
        decompose_scenario(plan, y0, yT)


def test_unknown_scope_is_rejected(plan):
    with pytest.raises(ModelError, match="scope"):
        decompose_scenario(plan, 2020, 2030, scope="total")


@pytest.mark.parametrize("scope", ["direct", "direct_plus_indirect"])
def test_sector_contribution_equals_decomposing_that_sector_alone(scope):
    # Independent oracle for the rows-summed contributions: decompose the whole frame with the
    # other sectors' energy and CO2 zeroed (value added kept, so the structure terms hold).
    import pandas as pd

    from model.analysis.decomposition import carrier_frame, decompose_frames
    from model.methods.lmdi import decompose_emissions

    results = run("plan")
    f0, fT = carrier_frame(results, 2020, scope), carrier_frame(results, 2040, scope)
    table = decompose_frames(f0, fT)
    both = pd.concat([f0, fT], ignore_index=True)
    for sector in f0["sector"].unique():
        alone = both.copy()
        other = alone["sector"] != sector
        alone.loc[other, ["energy", "co2", "process", "captured"]] = 0.0
        expected = decompose_emissions(alone, 2020, 2040)
        np.testing.assert_allclose(
            table.loc[sector, list(EFFECTS)].to_numpy(float), expected.to_numpy(), atol=1e-10
        )
        assert table.loc[sector, "level_0"] == pytest.approx(expected.attrs["total_0"])
        assert table.loc[sector, "level_T"] == pytest.approx(expected.attrs["total_T"])
