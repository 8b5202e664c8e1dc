"""Lever wedges: exact closure on the gap, null and single-family cases, antisymmetry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import model.analysis.wedges as wedges_module
from model.analysis.peaks import scope_variable
from model.analysis.wedges import (
    FAMILIES,
    differing_parameters,
    lever_wedges,
    wedge_table_for_years,
)
from model.engine.runner import run
from model.errors import ModelError
from model.inputs.scenario import load_scenario

KEYS = ["sector", "scope", "year"]


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def plan_wedges(baseline):
    return lever_wedges(load_scenario("plan"), baseline)


def _closure(df):
    g = df.groupby(KEYS).agg(
        wedge=("wedge", "sum"), ref=("reference_value", "first"), scen=("scenario_value", "first")
    )
    return g


def test_wedges_sum_to_the_gap_in_every_year_scope_and_sector(plan_wedges):
    df, text = plan_wedges
    g = _closure(df)
    # wedge is a reduction: sum of wedges = reference - scenario = -(scenario - reference).
    np.testing.assert_allclose(g["wedge"], g["ref"] - g["scen"], rtol=0, atol=1e-9)
    assert set(df["year"]) == set(range(2020, 2061))
    assert set(df["scope"]) == {"direct", "direct_plus_indirect"}
    assert df["sector"].nunique() == 9
    assert "capacity_control" in text


def test_reference_and_scenario_levels_are_the_engine_runs(plan_wedges):
    df, _ = plan_wedges
    for scope in ("direct", "direct_plus_indirect"):
        d = df[(df["sector"] == "Industry") & (df["scope"] == scope)]
        d = d.groupby("year")[["reference_value", "scenario_value"]].first()
        ref = run("baseline").series(scope_variable(scope)).loc[2020:]
        scen = run("plan").series(scope_variable(scope)).loc[2020:]
        np.testing.assert_allclose(d["reference_value"], ref, rtol=1e-12)
        np.testing.assert_allclose(d["scenario_value"], scen, rtol=1e-12)


def test_every_family_is_listed_and_base_year_has_no_wedge(plan_wedges):
    df, _ = plan_wedges
    assert list(dict.fromkeys(df["family"])) == list(FAMILIES)
    np.testing.assert_allclose(df.loc[df["year"] == 2020, "wedge"], 0.0, atol=1e-9)
    # Families that do not differ are null players: exactly zero.
    assert (df.loc[~df["differs"], ["wedge", "one_at_a_time", "last_in"]] == 0).all().all()


def test_identical_scenario_has_zero_wedges(baseline):
    df, text = lever_wedges(load_scenario("baseline"), baseline)
    assert not df["differs"].any()
    assert (df["wedge"] == 0).all()
    np.testing.assert_array_equal(df["reference_value"], df["scenario_value"])
    assert "no parameter differs" in text


def test_single_family_gets_the_whole_gap(baseline):
    one = load_scenario(
        "baseline", {"steel.efficiency_rate": 0.03, "equipment.efficiency_rate": 0.05}
    )
    assert list(differing_parameters(one, baseline)) == ["efficiency"]
    df, _ = lever_wedges(one, baseline)
    eff = df[df["family"] == "efficiency"]
    gap = eff["reference_value"] - eff["scenario_value"]
    np.testing.assert_allclose(eff["wedge"], gap, rtol=0, atol=1e-9)
    np.testing.assert_allclose(eff["one_at_a_time"], gap, rtol=0, atol=1e-9)
    np.testing.assert_allclose(eff["last_in"], gap, rtol=0, atol=1e-9)
    assert gap.max() > 1.0  # the override does reduce emissions
    assert (df.loc[df["family"] != "efficiency", "wedge"] == 0).all()


def test_non_lever_parameters_form_the_other_family(baseline):
    s = load_scenario(
        "baseline", {"steel.crude_steel_demand.growth": -0.04, "steel.efficiency_rate": 0.03}
    )
    assert list(differing_parameters(s, baseline)) == ["efficiency", "other"]
    df, _ = lever_wedges(s, baseline)
    g = _closure(df)
    np.testing.assert_allclose(g["wedge"], g["ref"] - g["scen"], rtol=0, atol=1e-9)
    other = df[(df["family"] == "other") & (df["sector"] == "Steel") & (df["year"] == 2040)]
    assert (other["wedge"] > 0).all()  # less steel demand lowers steel emissions


def test_swapping_reference_and_scenario_negates_the_wedges(plan_wedges, baseline):
    df, _ = plan_wedges
    back, _ = lever_wedges(baseline, load_scenario("plan"))
    np.testing.assert_array_equal(df[[*KEYS, "family"]], back[[*KEYS, "family"]])
    np.testing.assert_allclose(back["wedge"], -df["wedge"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(back["one_at_a_time"], -df["last_in"], rtol=0, atol=1e-9)


def test_all_coalitions_go_through_one_engine_call(baseline, monkeypatch):
    calls = []
    real = wedges_module.evaluate_params

    def counting(params, scenario, **kw):
        calls.append(max(a.shape[0] for a in params.values()))
        return real(params, scenario, **kw)

    monkeypatch.setattr(wedges_module, "evaluate_params", counting)
    plan = load_scenario("plan")
    k = len(differing_parameters(plan, baseline))
    lever_wedges(plan, baseline)
    assert calls == [2**k]


def test_waterfall_steps_lead_from_reference_to_scenario(plan_wedges):
    df, _ = plan_wedges
    w = wedge_table_for_years(df, (2030, 2035))
    for _, g in w.groupby("year"):
        ref = g.loc[g["step"] == "reference", "value"].item()
        scen = g.loc[g["step"] == "scenario", "value"].item()
        steps = g.loc[g["kind"] == "step"]
        assert ref + steps["value"].sum() == pytest.approx(scen, abs=1e-9)
        np.testing.assert_allclose(steps["end"].iloc[-1], scen, atol=1e-9)
    with pytest.raises(ModelError, match="2070"):
        wedge_table_for_years(df, (2070,))


def test_text_is_optional_and_the_table_the_same(plan_wedges, baseline):
    table, text = plan_wedges
    quiet, none = lever_wedges(load_scenario("plan"), baseline, text=False)
    assert none == "" and text.startswith("plan vs baseline")
    pd.testing.assert_frame_equal(quiet, table)
    # Rows come sorted by scope, sector, year and family order (callers index by position).
    keys = list(zip(table["scope"], table["sector"], table["year"], strict=True))
    assert keys == sorted(keys)
    assert table["family"].iloc[: len(FAMILIES)].tolist() == list(FAMILIES)
