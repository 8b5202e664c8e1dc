"""Scenario explorer (headless): widgets drive overrides, outputs follow, saving makes a scenario.

Every test works on a private copy of assumptions/ so that saving never writes into the repo.
The same explorer in a real JupyterLab and Chromium: test_feature_explorer_browser.py.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml

from benchmarks.bench_explorer import simulate_drag
from model.analysis.peaks import KEY_SECTORS, peak, peak_table, scope_variable, target_table
from model.analysis.standing import observed_through
from model.apps.cli import main
from model.apps.explorer import (
    CHART_MIN_PX,
    CHART_WIDTH,
    MIN_FONT,
    Explorer,
    SaveError,
    default_controls,
    stacked_area_svg,
)
from model.apps.explorer_text import TEXT, Touched, problem_text
from model.engine.runner import run
from model.errors import AssumptionError, ModelError
from model.inputs.data import BASE_YEAR, load_data
from model.inputs.scenario import expand_parameter, list_scenarios, load_scenario
from model.inputs.schema import load_schema
from model.report.style import sector_labels

REPO = Path(__file__).resolve().parents[1]
SECTOR_IAMC = sector_labels("iamc")  # sector id -> IAMC name, from sectors.csv
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def assumptions(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("explorer") / "assumptions"
    shutil.copytree(REPO / "assumptions", target)
    return target


@pytest.fixture
def explorer(assumptions) -> Explorer:
    return Explorer("plan", lang="en", assumptions=assumptions)


@pytest.fixture
def zh(assumptions) -> Explorer:
    return Explorer("plan", lang="zh", assumptions=assumptions)


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def expected_outputs(assumptions: Path, overrides: dict, scope: str):
    scenario = load_scenario("plan", overrides, assumptions=assumptions)
    results = run(scenario)
    data = load_data(assumptions)
    return results, peak_table(results, data, scope, 0.02), target_table(results, data, scope)


def loads(assumptions: Path, overrides: dict) -> bool:
    try:
        load_scenario("plan", overrides, assumptions=assumptions)
    except AssumptionError:
        return False
    return True


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
        "chemicals.ammonia_gas_share.2060",
        "chemicals.ammonia_green_h2_share.2060",
        "chemicals.methanol_gas_share.2060",
        "chemicals.methanol_green_h2_share.2060",
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
    for key, box in explorer.boxes.items():  # every slider has a box to type its value
        assert box.value == pytest.approx(explorer.controls[key].value), key
    assert explorer.overrides() == {}
    assert explorer.problems == []
    assert not explorer.scenario.overrides


def test_moving_a_slider_updates_peak_table_targets_and_chart(explorer, assumptions):
    before = explorer.peak_table.set_index("sector")["value_2030"].copy()
    explorer.scope.value = "direct"
    explorer.controls["steel.eaf_share.2030"].value = 0.4
    assert explorer.overrides() == {"steel.eaf_share.2030": 0.4}
    assert explorer.boxes["steel.eaf_share.2030"].value == 0.4
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
    assert "EAF share 2030 = 0.40" in explorer.status.value


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
    updates = explorer.n_updates
    assert explorer.set_values(change)
    assert explorer.n_updates == updates + 1  # three changes, one update
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


# ------------------------------------------------------------------------------ sector selector


def test_sector_selector_has_every_sector_by_full_name_and_switches_the_panel(zh):
    labels = sector_labels("zh", zh.assumptions / "data" / "sectors.csv")
    names = [label for label, _ in zh.sector.options]
    assert names == [*[labels[g] for g in zh.groups if g in labels], TEXT["zh"]["cross"]]
    assert zh.sector.style.button_width == "auto"  # sized to the label, never cut
    assert len(zh.sector.tooltips) == len(names) and all(zh.sector.tooltips)
    for i, group in enumerate(zh.groups):
        zh.sector.value = group
        assert zh.panels.selected_index == i
        shown = {
            w.children[0].model_id
            for w in zh.panels.children[i].children
            if hasattr(w, "children") and w.children
        }
        mine = {zh.controls[c.key].model_id for c in zh.specs if c.group == group}
        assert shown == mine, group


# ------------------------------------------------------------------------------ live dragging


def test_sliders_follow_the_drag_and_boxes_wait_for_enter(explorer):
    assert all(w.continuous_update for w in explorer.controls.values())
    assert not any(w.readout for w in explorer.controls.values())  # the box shows the value
    assert not any(b.continuous_update for b in explorer.boxes.values())


def test_the_browser_putting_a_value_on_the_slider_grid_is_not_a_move(explorer):
    key = "grid.emission_factor.2030"
    slider = explorer.controls[key]
    exact = explorer.value(key)
    updates = explorer.n_updates
    slider.value = exact + slider.step * 0.3  # what noUiSlider sends when it draws the slider
    assert explorer.n_updates == updates and explorer.overrides() == {}
    assert explorer.boxes[key].value == pytest.approx(exact)
    slider.value = exact + slider.step * 1.3  # one notch: a move
    assert explorer.n_updates == updates + 1 and key in explorer.overrides()


def test_changes_made_while_an_update_runs_fold_into_one_more_pass(explorer, assumptions):
    real_update = explorer.update
    calls = []

    def update() -> bool:
        calls.append(explorer.overrides())
        if len(calls) == 1:  # two values arrive while the first update runs
            explorer.controls["grid.emission_factor.2060"].value = 0.2
            explorer.controls["grid.emission_factor.2060"].value = 0.1
        return real_update()

    explorer.update = update
    explorer.controls["steel.eaf_share.2030"].value = 0.3
    assert len(calls) == 2  # not 3: the intermediate 0.2 was never computed
    assert calls[1] == {"steel.eaf_share.2030": 0.3, "grid.emission_factor.2060": 0.1}
    _, peaks, _ = expected_outputs(assumptions, calls[1], explorer.scope.value)
    np.testing.assert_allclose(explorer.peak_table["peak_value"], peaks["peak_value"])


class FakeClock:
    """Time that moves only when a drag event is waited for or an update 'costs' time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize(("cost_s", "rate"), [(0.030, 120.0), (0.030, 20.0), (0.005, 60.0)])
def test_a_drag_computes_only_the_latest_value_after_each_update(explorer, cost_s, rate):
    clock = FakeClock()
    values = [round(0.40 - 0.01 * i, 2) for i in range(1, 31)]
    seen = []

    def apply(value: float) -> None:
        explorer.controls["steel.eaf_share.2060"].value = value
        seen.append(explorer.value("steel.eaf_share.2060"))
        clock.now += cost_s

    out = simulate_drag(apply, values, rate, clock=clock, sleep=clock.sleep)
    assert out["events"] == 30 and out["updates"] + out["coalesced"] == 30
    assert out["applied"][0] == 0 and out["applied"][-1] == 29  # the drag ends where it ended
    assert out["applied"] == sorted(set(out["applied"]))  # never an older value
    assert seen == [values[i] for i in out["applied"]]
    # After each update the browser sends the latest value produced by then (or, when none
    # is new, the next one as soon as it is produced).
    interval, t, expected = 1 / rate, 0.0, [0]
    while expected[-1] < 29:
        t += cost_s
        latest = min(29, int(t / interval + 1e-9))
        if latest <= expected[-1]:
            latest, t = expected[-1] + 1, (expected[-1] + 1) * interval
        expected.append(latest)
    assert out["applied"] == expected
    if cost_s > interval:
        assert out["coalesced"] > 0 and out["lag_s"] <= cost_s * 2 + 1e-9
    else:
        assert out["coalesced"] == 0
    assert explorer.overrides() == {"steel.eaf_share.2060": values[-1]}


# ------------------------------------------------------------------------------ messages


def test_invalid_input_is_rejected_and_shown_not_used(explorer):
    good = explorer.peak_table.copy()
    explorer.extra.value = "steel.eaf_share.2040=1.5"
    assert explorer.problems == [
        "EAF share 2040 (steel.eaf_share.2040): 1.5: a share between 0 and 1"
    ]
    assert "EAF share 2040" in explorer.status.value
    np.testing.assert_allclose(explorer.peak_table["peak_value"], good["peak_value"])
    assert all("1.5" not in o for o in explorer.scenario.overrides)
    with pytest.raises(ModelError, match="invalid"):
        explorer.save_scenario("bad_case", "x")
    assert not (explorer.assumptions / "scenarios" / "bad_case.yaml").exists()
    explorer.extra.value = "not an override"
    assert any("KEY=VALUE" in p for p in explorer.problems)
    explorer.extra.value = ""
    assert explorer.problems == []


def test_chinese_messages_name_the_control_not_the_cli_key(zh):
    zh.extra.value = "steel.eaf_share.2040=1.5"
    assert zh.problems == ["电炉钢比例 2040年（steel.eaf_share.2040）：1.5，应为 0 到 1 之间的比例"]
    assert "电炉钢比例 2040年" in zh.status.value and "--set" not in zh.status.value
    # A share group over budget in a year nobody wrote: named by the controls touched.
    zh.extra.value = ""
    zh.controls["steel.eaf_share.2060"].value = 0.6
    zh.extra.value = "steel.h2_dri_share.2045=0.7"
    (msg,) = zh.problems
    assert msg.startswith("电炉钢比例 2060年、氢冶金比例 2045年（steel.h2_dri_share.2045）：")
    assert "炼钢工艺路线中电炉钢比例 + 氢冶金比例合计不能超过 1（其余为高炉-转炉长流程）" in msg
    assert "steel.routes" not in msg and "interpolated" not in msg and "--set" not in msg


# Every form of loader message a modeller can provoke from the explorer: (overrides, words the
# Chinese message must contain).
LOADER_CASES = [
    ({"steel.eaf_share.2040": 1.5}, "应为 0 到 1 之间的比例"),
    ({"steel.eaf_share": -0.1}, "应为 0 到 1 之间的比例"),
    ({"grid.emission_factor.2030": -0.1}, "不小于 0"),
    ({"steel.ccus_start_year": 2000}, "2010 到 2100 之间的年份"),
    ({"steel.efficiency_rate": 0.9}, "年变化率"),
    ({"steel.eaf_share.2040": "abc"}, "应为数值"),
    ({"steel.eaf_shar.2040": 0.3}, "未知参数；是否指 steel.eaf_share"),
    ({"steel.eaf_share.2070": 0.3}, "里程碑年份应在 2010–2060 之间"),
    ({"steel.eaf_share.2020": 0.3}, "2020 年是基准年"),
    ({"steel.eaf_share.foo": 0.3}, "参数名之后应为年份"),
    ({"settings.electricity_method": "x"}, "应为'calorific' 或 'coal_equivalent'"),
    ({"settings.plateau_tolerance": 0.5}, "不大于 0.2"),
    ({"steel.crude_steel_demand.2030": 50}, "按增长率给出"),
    ({"steel.crude_steel_demand.growth": -1.5}, "年增长率应不小于 -1"),
    ({"steel.eaf_share.2060": 0.8}, "由 2040 年与 2060 年里程碑插值得到"),
    ({"chemicals.ammonia_gas_share.2060": 0.6}, "天然气制氨比例由 2030 年与 2060 年里程碑"),
    (["not an override"], "每行应写成 键=值"),
    (["steel.eaf_share.2040=[1"], "无法解析"),
]


@pytest.mark.parametrize(("overrides", "words"), LOADER_CASES)
def test_every_loader_message_reads_in_chinese(assumptions, overrides, words):
    data = load_data(assumptions)
    schema = load_schema(assumptions / "parameters.yaml", data.sectors)
    with pytest.raises(AssumptionError) as info:
        load_scenario("plan", overrides, assumptions=assumptions)
    typed = tuple(overrides)  # the keys (or lines) the modeller typed
    for problem in info.value.problems:
        text = problem_text(problem, schema, "zh", Touched(typed=typed))
        assert words in text, (text, str(problem))
        assert problem.allowed not in text, text  # translated, not passed through
        english = text
        for written in [
            *typed,
            *map(str, overrides.values() if isinstance(overrides, dict) else []),
        ]:
            english = english.replace(written, "")  # the modeller's own words may stay
        assert "--set" not in text and not re.search(r"\b(a|an|the|must|should)\b", english), text


def test_values_the_observations_overrule_are_said(zh):
    zh.extra.value = "steel.eaf_share.2022=0.5"
    assert zh.problems == []
    (msg,) = zh.overruled
    assert msg.startswith("电炉钢比例 2022年（steel.eaf_share.2022）：0.5 未采用")
    assert "措施自 2024 年起生效" in msg and msg in zh.status.value


# ------------------------------------------------------------------------------ share budgets


def test_route_share_sliders_stay_within_their_group(zh, assumptions):
    for key in ("steel.eaf_share.2030", "steel.eaf_share.2060", "steel.h2_dri_share.2060"):
        slider = zh.controls[key]
        others = zh.overrides()
        assert slider.max < 1.0, key  # the other routes take part of the budget
        assert loads(assumptions, {**others, key: slider.max}), key
        assert not loads(assumptions, {**others, key: round(slider.max + slider.step, 10)}), key
    # More H2-DRI in 2060 leaves less for EAF, and the other way round.
    eaf, h2 = zh.controls["steel.eaf_share.2060"], zh.controls["steel.h2_dri_share.2060"]
    eaf_max = eaf.max
    h2.value = h2.value + 0.2
    assert eaf.max == pytest.approx(eaf_max - 0.2)
    eaf.value = eaf.max  # all the budget: BF-BOF gets nothing in 2060
    assert zh.problems == []
    assert "2060年 0.00" in zh.budget_html["steel.routes"].value
    assert h2.max == pytest.approx(h2.value)
    for gname, box in zh.budget_html.items():  # BF-BOF's / coal's share is shown
        group = zh.schema.share_groups[gname]
        for year in (2030, 2060):
            rest = 1 - sum(zh.scenario.value(m, year) for m in group.members)
            assert f"{year}年 {rest:.2f}" in box.value, gname
    assert "高炉-转炉长流程" in zh.budget_html["steel.routes"].value
    assert "煤制" in zh.budget_html["chemicals.ammonia_feedstock"].value


def test_feedstock_shares_have_budgets_too(explorer, assumptions):
    gas = explorer.controls["chemicals.ammonia_gas_share.2060"]
    green = explorer.controls["chemicals.ammonia_green_h2_share.2060"]
    assert gas.max + green.value == pytest.approx(1.0, abs=gas.step)
    assert loads(assumptions, {"chemicals.ammonia_gas_share.2060": gas.max})
    assert not loads(assumptions, {"chemicals.ammonia_gas_share.2060": gas.max + gas.step})


def test_set_values_beyond_the_budget_are_clamped_and_said(explorer, assumptions):
    assert explorer.set_values({"steel.eaf_share.2060": 0.7, "steel.h2_dri_share.2060": 0.6})
    assert explorer.problems == []
    assert explorer.value("steel.eaf_share.2060") == 0.7  # the first key keeps its value
    h2 = explorer.value("steel.h2_dri_share.2060")
    assert h2 < 0.6 and loads(assumptions, explorer.overrides())
    (msg,) = explorer.messages
    assert msg.startswith("H2-DRI share 2060: 0.6 is outside 0.00-")
    assert f"set to {h2:.2f}" in msg and "BF-BOF takes the rest" in msg


def test_expand_parameter_is_what_the_loader_checks(assumptions):
    plan = load_scenario("plan", assumptions=assumptions)
    data = load_data(assumptions)
    schema = load_schema(assumptions / "parameters.yaml", data.sectors)
    change = {"steel.eaf_share.2030": 0.3, "steel.eaf_share.2050": 0.5}
    loaded = load_scenario("plan", {**change, "settings.nowcast": False}, assumptions=assumptions)
    got = expand_parameter("steel.eaf_share", plan.specs["steel.eaf_share"], schema, data, change)
    np.testing.assert_array_equal(got, loaded.values["steel.eaf_share"])
    with pytest.raises(AssumptionError, match="share between 0 and 1"):
        expand_parameter(
            "steel.eaf_share", plan.specs["steel.eaf_share"], schema, data,
            {"steel.eaf_share.2040": 1.2},
        )  # fmt: skip


# ------------------------------------------------------------------------------ typed values


def test_a_typed_value_outside_the_range_is_clamped_with_a_message(zh):
    box, slider = zh.boxes["steel.eaf_share.2030"], zh.controls["steel.eaf_share.2030"]
    box.value = 1.7
    assert slider.value == slider.max < 1 and box.value == slider.max
    (msg,) = zh.messages
    assert msg.startswith(f"电炉钢比例 2030年：输入的 1.7 超出可设范围 0.00–{slider.max:.2f}")
    assert f"已改为 {slider.max:.2f}" in msg and "其余为高炉-转炉长流程" in msg
    assert msg in zh.status.value
    zh.boxes["grid.emission_factor.2060"].value = -3
    (msg,) = zh.messages  # a new change, a new message
    assert msg == "电网排放因子 2060年：输入的 -3 超出可设范围 0.00–1.00，已改为 0.00"
    zh.boxes["steel.output_cap.2030"].value = 120
    assert "（最右端 = 不设上限）" in zh.messages[0]
    assert math.isinf(zh.overrides()["steel.output_cap.2030"])


def test_a_typed_value_inside_the_range_is_used_exactly(explorer):
    key = "steel.eaf_share.2030"
    explorer.boxes[key].value = 0.183
    assert explorer.messages == [] and explorer.overrides() == {key: 0.183}
    explorer.controls[key].value = 0.18  # the browser puts the slider on its grid
    assert explorer.overrides() == {key: 0.183} and explorer.boxes[key].value == 0.183
    explorer.controls[key].value = 0.25  # then the modeller drags it
    assert explorer.overrides() == {key: 0.25}


# ------------------------------------------------------------------------------ the chart


def test_chart_marks_the_three_periods_and_where_peaks_are_searched(zh):
    svg = zh.chart_svg
    through = observed_through(zh.results)
    assert through == zh.scenario.observed_through > BASE_YEAR
    total = zh.results.get(scope_variable(zh.scope.value))[:1]
    year, value = peak(total, zh.results.years)
    assert f"2020年起峰值 {year[0]}：{value[0]:.0f}" in svg
    assert "峰值（2020年起检索）" in svg
    assert "历史（CEADs清单）" in svg and f"统计估算 2020–{through}" in svg and "预测" in svg

    def x_of(cls: str) -> tuple[float, float]:
        m = re.search(rf"class='{cls}' x='([\d.]+)' y='[\d.]+' width='([\d.]+)'", svg)
        assert m, cls
        return float(m.group(1)), float(m.group(1)) + float(m.group(2))

    inventory, estimated = x_of("period-inventory"), x_of("period-estimated")
    assert inventory[1] == pytest.approx(estimated[0])  # the bands meet at 2020
    line = re.search(r"class='projection-start' x1='([\d.]+)'", svg)
    assert line and float(line.group(1)) == pytest.approx(estimated[1])
    per_year = (inventory[1] - inventory[0]) / (BASE_YEAR - 2010)
    width = estimated[1] - estimated[0]
    assert width == pytest.approx(per_year * (through - BASE_YEAR), abs=0.1)
    assert "url(#peakpath-estimated)" in svg  # hatched, as the briefing's charts


def test_chart_text_stays_readable_at_its_smallest_size(zh):
    svg = zh.chart_svg
    assert f"viewBox='0 0 {CHART_WIDTH} " in svg and "width='100%'" in svg
    assert f"min-width:{CHART_MIN_PX}px" in svg
    sizes = [float(s) for s in re.findall(r"font-size='([\d.]+)(?:px)?'", svg)]
    assert sizes and min(sizes) >= MIN_FONT
    assert MIN_FONT * CHART_MIN_PX / CHART_WIDTH >= 10  # px on screen at the smallest
    # A long legend label is wrapped, not cut by the edge of the drawing.
    years = np.arange(2010, 2061)
    long = "Petrochemicals and chemicals and more"
    svg = stacked_area_svg(years, [(long, "red", np.ones(len(years)))], "t", "y", peak=(2030, 1))
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert long not in texts and "Petrochemicals and" in texts


# ------------------------------------------------------------------------------ tables


def test_target_table_defines_key_sectors(zh):
    names = zh.key_sectors()
    assert len(names) == len(KEY_SECTORS) and all(CJK.search(n) for n in names)
    assert names == ["钢铁", "有色金属", "建材", "石化化工"]
    note = "重点行业：钢铁、有色金属、建材、石化化工"
    assert note in zh.targets_html.value
    assert zh.targets_html.value.count(note) == 2  # the note and the tooltip of its row
    assert "峰值自 2020 年起检索" in zh.peaks_html.value


# ------------------------------------------------------------------------------ saving


def test_save_writes_a_minimal_scenario_that_validates_and_runs_by_name(explorer, tmp_path):
    explorer.set_values({"steel.eaf_share.2030": 0.3, "building_materials.cement_cap.2030": 100})
    explorer.extra.value = "settings.electricity_method=coal_equivalent"
    with umask(0o022):
        path = explorer.save_scenario("my_case", {"zh": "测试情景", "en": "test case"})
    assert path == explorer.assumptions / "scenarios" / "my_case.yaml"
    shipped = explorer.assumptions / "scenarios" / "plan.yaml"
    assert oct(path.stat().st_mode & 0o777) == "0o644"  # like the shipped files
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
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
    assert shipped.exists()


def test_saved_file_mode_follows_the_umask_and_an_overwrite_keeps_it(explorer):
    explorer.controls["hydrogen.green_share.2030"].value = 0.9
    with umask(0o002):
        path = explorer.save_scenario("group_case", "x")
    assert path.stat().st_mode & 0o777 == 0o664
    path.chmod(0o600)
    with umask(0o022):
        explorer.save_scenario("group_case", "y", overwrite=True)
    assert path.stat().st_mode & 0o777 == 0o600
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


def test_save_confirmation_sits_beside_the_button(zh):
    rows = [
        w for w in zh.widget.children[-1].children if zh.save_button in getattr(w, "children", ())
    ]
    assert len(rows) == 1 and zh.save_status in rows[0].children


def test_save_errors_are_in_the_ui_language(zh):
    zh.controls["steel.efficiency_rate"].value = 0.02
    for name, desc, words in [
        ("Bad-Name", {"zh": "甲", "en": "a"}, "情景名 'Bad-Name' 无效"),
        ("plan", {"zh": "甲", "en": "a"}, "基础情景「工作方案」就是它或继承自它"),
        ("fine_name", {"zh": "甲", "en": ""}, "请填写英文说明"),
    ]:
        zh.save_name.value, zh.save_zh.value, zh.save_en.value = name, desc["zh"], desc["en"]
        zh.save_button.click()
        shown = html.unescape(re.sub(r"<[^>]+>", "", zh.save_status.value))
        assert words in shown, shown
        prose = shown.replace(name, "").replace("[a-z0-9_]+", "")
        assert not re.search(r"\b(a|an|the|name|description)\b", prose), shown
    zh.save_name.value, zh.save_en.value = "zh_case", "a"
    zh.save_button.click()
    zh.save_button.click()
    assert "已存在；勾选「允许覆盖同名文件」后才会覆盖" in zh.save_status.value
    (zh.assumptions / "scenarios" / "zh_case.yaml").unlink()
    zh.extra.value = "steel.eaf_share.2040=1.5"
    zh.save_button.click()
    assert "当前输入无效，未保存：电炉钢比例 2040年" in zh.save_status.value
    with pytest.raises(SaveError) as info:  # the API's message stays English
        zh.save_scenario("other_case", "x")
    assert "EAF share 2040 (steel.eaf_share.2040): 1.5: a share between 0 and 1" in str(info.value)


# ------------------------------------------------------------------------------ all scenarios


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
        for key in ex.group_of:  # every share slider's right end is a valid scenario
            assert loads_scenario(name, assumptions, {key: ex.controls[key].max}), (name, key)
    assert "钢铁" in ex.chart_svg


def loads_scenario(name: str, assumptions: Path, overrides: dict) -> bool:
    try:
        load_scenario(name, overrides, assumptions=assumptions)
    except AssumptionError:
        return False
    return True


def test_language_and_controls_helpers(assumptions):
    with pytest.raises(ModelError, match="lang"):
        Explorer("plan", lang="fr", assumptions=assumptions)
    controls = default_controls(list(SECTOR_IAMC))
    assert len({c.key for c in controls}) == len(controls)
    assert all(c.lo < c.hi and c.step > 0 for c in controls)
    eaf = next(c for c in controls if c.key == "steel.eaf_share.2040".replace("2040", "2030"))
    assert eaf.label("zh") == "电炉钢比例 2030年" and eaf.label("en") == "EAF share 2030"


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
