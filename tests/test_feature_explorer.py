"""Scenario explorer (headless): widgets drive overrides, outputs follow, saving makes a scenario.

Every test works on a private copy of assumptions/ so that saving never writes into the repo.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from model.analysis.peaks import peak_table, scope_variable, target_table
from model.apps.cli import main
from model.engine.runner import run
from model.errors import ModelError
from model.explorer import Explorer, default_controls
from model.inputs.data import load_data
from model.inputs.scenario import list_scenarios, load_scenario
from model.report.style import sector_labels

REPO = Path(__file__).resolve().parents[1]
SECTOR_IAMC = sector_labels("iamc")  # sector id -> IAMC name, from sectors.csv


@pytest.fixture(scope="module")
def assumptions(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("explorer") / "assumptions"
    shutil.copytree(REPO / "assumptions", target)
    return target


@pytest.fixture
def explorer(assumptions) -> Explorer:
    return Explorer("plan", lang="en", assumptions=assumptions)


def expected_outputs(assumptions: Path, overrides: dict, scope: str):
    scenario = load_scenario("plan", overrides, assumptions=assumptions)
    results = run(scenario)
    data = load_data(assumptions)
    return results, peak_table(results, data, scope, 0.02), target_table(results, data, scope)


def test_controls_cover_the_main_levers_and_start_at_the_base(explorer):
    keys = set(explorer.controls)
    for key in (
        "steel.output_cap.2030",
        "nonferrous.primary_aluminium_cap.2030",
        "building_materials.cement_cap.2030",
        "chemicals.coke_cap.2030",
        "steel.eaf_share.2030",
        "steel.eaf_share.2060",
        "steel.h2_dri_share.2060",
        "equipment.electrified_heat_share.2060",
        "hydrogen.green_share.2030",
        "chemicals.ccus_start_year",
        "building_materials.ccus_max_coverage",
        "electronics.efficiency_rate",
        "grid.emission_factor.2030",
        "grid.emission_factor.2060",
        "building_materials.clinker_ratio.2030",
    ):
        assert key in keys
    plan = load_scenario("plan", assumptions=explorer.assumptions)
    assert explorer.controls["steel.eaf_share.2030"].value == pytest.approx(
        plan.value("steel.eaf_share", 2030)
    )
    assert explorer.overrides() == {}
    assert explorer.problems == []
    assert not explorer.scenario.overrides


def test_moving_a_slider_updates_peak_table_targets_and_chart(explorer, assumptions):
    before = explorer.peak_table.set_index("sector")["value_2030"].copy()
    explorer.scope.value = "direct"
    explorer.controls["steel.eaf_share.2030"].value = 0.4
    assert explorer.overrides() == {"steel.eaf_share.2030": 0.4}
    results, peaks, targets = expected_outputs(assumptions, {"steel.eaf_share.2030": 0.4}, "direct")
    got = explorer.peak_table
    assert got["peak_year"].tolist() == peaks["peak_year"].tolist()
    np.testing.assert_allclose(got["peak_value"], peaks["peak_value"])
    np.testing.assert_allclose(got["value_2030"], peaks["value_2030"])
    np.testing.assert_allclose(explorer.target_table["value"], targets["value"])
    for sector, name in SECTOR_IAMC.items():
        np.testing.assert_array_equal(
            explorer.chart_data[sector].to_numpy(),
            results.get(scope_variable("direct", name))[0],
        )
    # More scrap-EAF steel cuts steel's direct CO2 in 2030 (the table was in headline scope).
    direct_before = peak_table(explorer.base_results, load_data(assumptions), "direct", 0.02)
    steel_before = direct_before.set_index("sector").loc["Steel", "value_2030"]
    assert got.set_index("sector").loc["Steel", "value_2030"] < steel_before
    assert before.index.tolist() == got["sector"].tolist()
    assert explorer.chart_svg.count("class='layer'") == 8
    assert explorer.chart.value == explorer.chart_svg


def test_scope_toggle_switches_table_and_chart(explorer):
    for scope in ("direct", "direct_plus_indirect"):
        explorer.scope.value = scope
        assert set(explorer.peak_table["scope"]) == {scope}
        total = explorer.results.get(scope_variable(scope))[0]
        np.testing.assert_allclose(explorer.chart_data.sum(axis=1).to_numpy(), total)


def test_several_controls_at_once_and_reset(explorer, assumptions):
    change = {
        "building_materials.cement_cap.2030": 90.0,
        "grid.emission_factor.2060": 0.05,
        "chemicals.ccus_start_year": 2040,
    }
    assert explorer.set_values(change)
    assert explorer.overrides() == change
    _, peaks, _ = expected_outputs(assumptions, change, explorer.scope.value)
    np.testing.assert_allclose(explorer.peak_table["value_2030"], peaks["value_2030"])
    explorer.reset()
    assert explorer.overrides() == {}
    np.testing.assert_allclose(
        explorer.peak_table["peak_value"], explorer.peak_table["base_peak_value"]
    )


def test_cap_at_the_right_end_means_no_cap(explorer):
    slider = explorer.controls["steel.output_cap.2030"]
    slider.value = slider.max
    assert math.isinf(explorer.overrides()["steel.output_cap.2030"])
    assert math.isinf(explorer.scenario.value("steel.output_cap", 2030))


def test_invalid_input_is_rejected_and_shown_not_used(explorer):
    good = explorer.peak_table.copy()
    explorer.extra.value = "steel.eaf_share.2040=1.5"
    assert explorer.problems and "steel.eaf_share" in explorer.problems[0]
    assert "steel.eaf_share" in explorer.status.value
    assert "between 0 and 1" in explorer.status.value
    np.testing.assert_allclose(explorer.peak_table["peak_value"], good["peak_value"])
    assert all("1.5" not in o for o in explorer.scenario.overrides)
    # Shares of a group above 1 are rejected too (EAF + H2-DRI in 2060).
    explorer.extra.value = ""
    assert explorer.problems == []
    explorer.set_values({"steel.eaf_share.2060": 0.7, "steel.h2_dri_share.2060": 0.6})
    assert any("steel.routes" in p for p in explorer.problems)
    with pytest.raises(ModelError, match="invalid"):
        explorer.save_scenario("bad_case", "x")
    assert not (explorer.assumptions / "scenarios" / "bad_case.yaml").exists()
    explorer.extra.value = "not an override"
    assert any("KEY=VALUE" in p for p in explorer.problems)


def test_save_writes_a_minimal_scenario_that_validates_and_runs_by_name(explorer, tmp_path):
    explorer.set_values({"steel.eaf_share.2030": 0.3, "building_materials.cement_cap.2030": 100})
    explorer.extra.value = "settings.electricity_method=coal_equivalent"
    path = explorer.save_scenario("my_case", {"zh": "测试情景", "en": "test case"})
    assert path == explorer.assumptions / "scenarios" / "my_case.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["extends"] == "plan"
    assert doc["description"] == {"zh": "测试情景", "en": "test case"}
    assert doc["settings"] == {"electricity_method": "coal_equivalent"}
    params = {f"{ns}.{p}" for ns, block in doc.items() if ns in ("steel", "building_materials")
              for p in block}  # fmt: skip
    assert params == {"steel.eaf_share", "building_materials.cement_cap"}
    assert set(doc) == {
        "description",
        "label",
        "extends",
        "settings",
        "steel",
        "building_materials",
    }
    assert doc["steel"]["eaf_share"][2030] == 0.3
    saved = load_scenario("my_case", assumptions=explorer.assumptions)
    assert saved.chain == ("baseline", "plan", "my_case")
    for key, values in explorer.scenario.values.items():
        np.testing.assert_allclose(saved.values[key], values, err_msg=key)
    np.testing.assert_allclose(
        run(saved).get("Emissions|CO2|Industry"), explorer.results.get("Emissions|CO2|Industry")
    )
    out = tmp_path / "my_case.csv"
    argv = ["--assumptions", str(explorer.assumptions), "run", "my_case", "--out", str(out)]
    assert main(argv) == 0
    assert out.exists()
    path.unlink()


def test_save_refuses_to_overwrite_without_confirmation(explorer):
    explorer.controls["hydrogen.green_share.2030"].value = 0.9
    path = explorer.save_scenario("keep_me", "first")
    first = path.read_text(encoding="utf-8")
    explorer.controls["hydrogen.green_share.2030"].value = 0.95
    with pytest.raises(ModelError, match="exists"):
        explorer.save_scenario("keep_me", "second")
    assert path.read_text(encoding="utf-8") == first
    explorer.save_scenario("keep_me", "second", overwrite=True)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["hydrogen"]["green_share"][2030] == 0.95
    for shipped in ("ccus", "plan", "baseline"):  # shipped files are never replaced silently
        before = (explorer.assumptions / "scenarios" / f"{shipped}.yaml").read_bytes()
        with pytest.raises(ModelError):
            explorer.save_scenario(shipped, "x")
        assert (explorer.assumptions / "scenarios" / f"{shipped}.yaml").read_bytes() == before
    path.unlink()


@pytest.mark.parametrize("name", ["My_Case", "my-case", "", "../evil", "a b", "case.yaml"])
def test_bad_names_and_descriptions_are_rejected(explorer, name):
    before = sorted(p.name for p in (explorer.assumptions / "scenarios").iterdir())
    with pytest.raises(ModelError, match="name"):
        explorer.save_scenario(name, "x")
    with pytest.raises(ModelError, match=r"description\.en"):
        explorer.save_scenario("fine_name", {"zh": "好", "en": " "})
    assert sorted(p.name for p in (explorer.assumptions / "scenarios").iterdir()) == before


def test_save_button_uses_the_text_inputs_and_checkbox(explorer):
    explorer.controls["steel.efficiency_rate"].value = 0.02
    explorer.save_name.value = "from_button"
    explorer.save_zh.value = "按钮保存"
    explorer.save_en.value = "saved by button"
    explorer.save_button.click()
    path = explorer.assumptions / "scenarios" / "from_button.yaml"
    assert path.exists() and "from_button" in explorer.save_status.value
    explorer.save_button.click()  # no confirmation ticked: refused and said so
    assert "exists" in explorer.save_status.value
    explorer.save_overwrite.value = True
    explorer.save_button.click()
    assert "Saved" in explorer.save_status.value and explorer.save_overwrite.value is False
    path.unlink()


def test_explorer_starts_from_every_shipped_scenario(assumptions):
    data = load_data(assumptions)
    for name in list_scenarios(assumptions):
        ex = Explorer(name, lang="zh", assumptions=assumptions)
        assert ex.problems == [] and ex.overrides() == {}, name
        expected = peak_table(run(load_scenario(name, assumptions=assumptions)), data,
                              ex.scope.value, 0.02)  # fmt: skip
        np.testing.assert_allclose(ex.peak_table["peak_value"], expected["peak_value"])
        slider = ex.controls["other_industry.electrified_heat_share.2060"]
        slider.value = min(slider.value + 0.05, 1.0)
        assert ex.problems == [], (name, ex.problems)
        assert ex.last_update_s > 0
    assert "钢铁" in ex.chart_svg


def test_language_and_controls_helpers(assumptions):
    with pytest.raises(ModelError, match="lang"):
        Explorer("plan", lang="fr", assumptions=assumptions)
    controls = default_controls(list(SECTOR_IAMC))
    assert len({c.key for c in controls}) == len(controls)
    assert all(c.lo < c.hi and c.step > 0 for c in controls)


def test_notebook_is_thin_with_plain_parameters():
    nb = json.loads((REPO / "notebooks" / "explorer.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    namespace: dict = {}
    exec("".join(params[0]["source"]), namespace)
    assert namespace["base"] in list_scenarios() and namespace["lang"] in ("zh", "en")
    body = "".join("".join(c["source"]) for c in code if c is not params[0])
    assert "Explorer(base" in body and ".show()" in body
