"""Scenario diff (`python -m model diff A B`): parameters that differ and their effect on peaks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.diff import diff_scenarios, first_difference_year, spec_text
from model.analysis.peaks import peak_table
from model.apps.cli import main
from model.engine.runner import run
from model.inputs.data import load_data
from model.inputs.scenario import list_scenarios, load_scenario
from model.inputs.trajectory import YEARS

MEASURES = ("peak_year", "peak_value", "value_2030")


def differing_keys(a, b) -> set[str]:
    """Independent reference: keys whose values differ anywhere from 2020 on."""
    used = YEARS >= 2020
    return {
        k
        for k in a.values
        if not np.allclose(a.values[k][used], b.values[k][used], rtol=1e-9, atol=1e-12)
    }


def test_diff_of_a_scenario_with_itself_is_empty_and_effects_zero():
    plan = load_scenario("plan")
    params, effects = diff_scenarios(plan, plan)
    assert params.empty
    assert list(params.columns[:5]) == ["key", "family", "unit", "a", "b"]
    for m in MEASURES:
        assert (effects[f"{m}_change"] == 0).all()
        assert (effects[f"{m}_a"] == effects[f"{m}_b"]).all()


def test_plan_vs_baseline_lists_the_plan_levers_with_specs_and_first_year():
    base, plan = load_scenario("baseline"), load_scenario("plan")
    params, _ = diff_scenarios(base, plan)
    listed = set(params["key"])
    for key in (
        "steel.eaf_share",
        "steel.output_cap",
        "hydrogen.green_share",
        "steel.h2_dri_share",
    ):
        assert key in listed
    # Complete and exact: listed if and only if the yearly values differ.
    assert listed == differing_keys(base, plan)
    row = params.set_index("key").loc["steel.eaf_share"]
    assert row["family"] == "materials" and row["unit"] == "share"
    for year, value in plan.specs["steel.eaf_share"].items():
        assert f"{year}: {value:g}" in row["b"]
    used = YEARS >= 2020
    diff_at = ~np.isclose(
        base.values["steel.eaf_share"][used], plan.values["steel.eaf_share"][used]
    )
    assert row["first_year"] == YEARS[used][np.argmax(diff_at)]


def test_an_override_changes_exactly_the_overridden_key():
    plan = load_scenario("plan")
    changed = load_scenario("plan", ["steel.eaf_share.2040=0.33"])
    params, effects = diff_scenarios(plan, changed)
    assert params["key"].tolist() == ["steel.eaf_share"]
    # 2030 keeps its milestone, so the path moves from 2031 on (linear towards 2040).
    assert params.loc[0, "first_year"] == 2031
    assert "2040: 0.33" in params.loc[0, "b"] and "2040: 0.28" in params.loc[0, "a"]
    steel = effects[(effects["sector"] == "Steel") & (effects["scope"] == "direct")]
    assert (steel["value_2030_change"] == 0).all()  # nothing changes before 2031


def test_settings_and_uncertainty_differences_are_listed(assumptions_copy: Path):
    (assumptions_copy / "scenarios" / "wider.yaml").write_text(
        "description: {zh: 测试, en: test}\nextends: plan\nsteel:\n"
        "  eaf_share: {milestones: {2025: 0.12, 2030: 0.18, 2040: 0.28, 2060: 0.4},"
        " uncertainty: {dist: uniform, low: 0.5, high: 1.5}}\n",
        encoding="utf-8",
    )
    plan = load_scenario("plan", assumptions=assumptions_copy)
    wider = load_scenario("wider", assumptions=assumptions_copy)
    params, _ = diff_scenarios(plan, wider)
    assert params["key"].tolist() == ["steel.eaf_share"]
    assert params.loc[0, "differs"] == "uncertainty" and pd.isna(params.loc[0, "first_year"])
    coal = load_scenario("plan", ["settings.electricity_method=coal_equivalent"])
    params, _ = diff_scenarios(plan, coal)
    row = params.set_index("key").loc["settings.electricity_method"]
    assert (row["a"], row["b"], row["differs"]) == ("calorific", "coal_equivalent", "setting")


def test_effects_equal_model_peaks_numbers():
    base, plan = load_scenario("baseline"), load_scenario("plan")
    _, effects = diff_scenarios(base, plan)
    data = load_data(base.assumptions_dir)
    assert list(dict.fromkeys(effects["scope"])) == ["direct_plus_indirect", "direct"]
    for scope in ("direct_plus_indirect", "direct"):
        ta = peak_table(run(base), data, scope, 0.02).set_index("sector")
        tb = peak_table(run(plan), data, scope, 0.02).set_index("sector")
        got = effects[effects["scope"] == scope].set_index("sector")
        assert list(got.index) == list(ta.index)  # Industry and the 8 sectors
        for m in MEASURES:
            np.testing.assert_allclose(got[f"{m}_a"], ta[m])
            np.testing.assert_allclose(got[f"{m}_b"], tb[m])
            np.testing.assert_allclose(got[f"{m}_change"], tb[m] - ta[m])


def test_every_shipped_scenario_against_baseline():
    base = load_scenario("baseline")
    for name in list_scenarios():
        other = load_scenario(name)
        params, effects = diff_scenarios(base, other)
        assert set(params["key"]) == differing_keys(base, other), name
        assert (name == "baseline") == params.empty, name
        assert len(effects) == 18 and effects.notna().all().all(), name


def test_first_difference_year_and_spec_text_helpers():
    a = np.zeros(len(YEARS))
    b = a.copy()
    b[YEARS >= 2045] = 1.0
    assert first_difference_year(a, a) is None
    assert first_difference_year(a, b) == 2045
    # History years (before 2020) are not compared: the engine does not read them.
    assert first_difference_year(a, a + np.where(YEARS < 2020, 1.0, 0.0)) is None
    assert spec_text(float("inf")) == "inf"
    assert spec_text({2030: 0.5, 2060: 1.0}) == "{2030: 0.5, 2060: 1}"
    assert spec_text({"growth": {2021: -0.02}, "start": 80.0}) == "growth {2021: -0.02} start 80"


def test_cli_diff_prints_and_writes_both_tables(tmp_path: Path, capsys):
    out = tmp_path / "diff.csv"
    assert main(["diff", "baseline", "plan", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "steel.eaf_share" in printed and "peak_year_change" in printed
    table = pd.read_csv(out)
    assert set(table["table"]) == {"parameters", "effects"}
    bad = tmp_path / "diff.txt"
    assert main(["diff", "baseline", "plan", "--out", str(bad)]) == 2
    assert not bad.exists()
