"""The nowcast (issue 13): every shipped scenario reproduces the observed years, projections
start from the latest observation, levers cannot change the past, contradictions are reported."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from model.analysis.hindcast import hindcast
from model.apps.cli import main
from model.engine.runner import run
from model.inputs.data import load_data
from model.inputs.scenario import default_assumptions_dir, list_scenarios, load_scenario

DATA = load_data(default_assumptions_dir())
OBS = DATA.observations
THROUGH = OBS.through
SHIPPED = list_scenarios()
NAMES = list(DATA.sector_info["iamc_name"])
DESCRIPTION = "description: {zh: 测试, en: test}\n"


def _col(results, year: int) -> int:
    return int(np.flatnonzero(results.years == year)[0])


@pytest.fixture(scope="module")
def shipped_runs():
    return {name: run(name) for name in SHIPPED}


def test_the_nowcast_year_is_the_latest_observation():
    assert THROUGH == max(OBS.last_year(s) for s in ("crude_steel", "cement", "electricity_total"))
    assert THROUGH >= 2023
    for name in SHIPPED:
        assert load_scenario(name).observed_through == THROUGH


@pytest.mark.parametrize(
    ("series", "variable"),
    [
        ("crude_steel", "Production|Crude Steel"),
        ("pig_iron", "Production|Pig Iron"),
        ("cement", "Production|Cement"),
        ("flat_glass", "Production|Flat Glass"),
    ],
)
def test_observed_outputs_are_reproduced_in_every_shipped_scenario(shipped_runs, series, variable):
    bounds = OBS.bounds(series, model_units=True)
    for name, r in shipped_runs.items():
        for year, row in bounds.iterrows():
            value = r.get(variable)[0, _col(r, year)]
            assert row["low"] <= value <= row["high"], (name, year, value, row["value"])
            if year >= 2020:
                assert value == pytest.approx(row["value"], rel=1e-9), (name, year)


def test_primary_aluminium_stays_under_the_ten_metals(shipped_runs):
    metals = OBS.values("ten_nonferrous")
    for name, r in shipped_runs.items():
        for year in metals.index[metals.index >= 2020]:
            c = _col(r, year)
            al_cu = r.get("Production|Primary Aluminium")[0, c] + r.get("Production|Copper")[0, c]
            assert al_cu <= metals[year] + 1e-9, (name, year)


def test_grid_factor_implied_by_indirect_co2_is_the_mee_value(shipped_runs):
    """Indirect electricity CO2 / grid electricity = the MEE/NBS factor in observed years."""
    grid = OBS.grid_factor
    for name, r in shipped_runs.items():
        scenario = load_scenario(name)
        for year in grid.index:
            c = _col(r, year)
            indirect = sum(
                r.get(f"Emissions|CO2|Industry Indirect|{n}|Electricity")[0, c] for n in NAMES
            )
            grid_twh = sum(
                r.get(f"Electricity Demand|Industry|{n}")[0, c]
                * (1 - scenario.value(f"{s}.onsite_renewable_share", year))
                for s, n in zip(DATA.sectors, NAMES, strict=True)
            )
            assert indirect / grid_twh == pytest.approx(grid.loc[year, "value"], rel=1e-9)
            if grid.loc[year, "kind"] == "quoted":
                assert indirect / grid_twh == pytest.approx(OBS.values("grid_factor")[year])


def test_industrial_electricity_and_value_added_follow_their_totals(shipped_runs):
    share = DATA.base_value("industry.electricity_share_factor")
    electricity = OBS.industrial_electricity["value"] * share
    va_index = OBS.value_added_index["value"]
    for name, r in shipped_runs.items():
        elec = r.get("Electricity Demand|Industry")[0]
        va = r.get("Value Added|Industry")[0]
        for year, value in electricity.items():
            assert elec[_col(r, year)] == pytest.approx(value, rel=1e-9), (name, year)
        for year, value in va_index.items():
            assert va[_col(r, year)] / va[_col(r, 2020)] == pytest.approx(value, rel=1e-9)


def test_levers_cannot_change_the_past(shipped_runs):
    base = shipped_runs["baseline"]
    years = (base.years >= 2020) & (base.years <= THROUGH)
    for name, r in shipped_runs.items():
        for variable in ("Emissions|CO2|Industry", "Emissions|CO2|Industry incl. Indirect"):
            np.testing.assert_allclose(
                r.get(variable)[0, years], base.get(variable)[0, years], rtol=1e-12, err_msg=name
            )
    later = base.years == THROUGH + 7
    plan = shipped_runs["plan"]
    assert (
        plan.get("Emissions|CO2|Industry")[0, later] < base.get("Emissions|CO2|Industry")[0, later]
    )


def test_a_scenario_whose_lever_milestones_all_fall_in_observed_years_equals_baseline(
    assumptions_copy,
):
    text = (
        DESCRIPTION
        + "extends: baseline\n"
        + "steel: {eaf_share: {2021: 0.3, 2022: 0.35}, efficiency_rate: {2021: 0.05}}\n"
        + "building_materials: {cement_cap: {2022: 100.0}}\n"
        + f"chemicals: {{electrified_heat_share: {{{THROUGH}: 0.4}}}}\n"
    )
    (assumptions_copy / "scenarios" / "past.yaml").write_text(text, encoding="utf-8")
    past = load_scenario("past", assumptions=assumptions_copy)
    base = load_scenario("baseline", assumptions=assumptions_copy)
    a, b = run(past), run(base)
    for variable in a.variables:
        np.testing.assert_array_equal(
            np.nan_to_num(a.get(variable)), np.nan_to_num(b.get(variable)), err_msg=variable
        )
    keys = {(n.key, n.year) for n in past.notices}
    assert ("steel.eaf_share", 2021) in keys and ("building_materials.cement_cap", 2022) in keys


def test_a_milestone_contradicting_an_observation_is_reported_and_the_observation_wins(
    assumptions_copy, capsys
):
    text = (
        DESCRIPTION
        + "extends: baseline\n"
        + "building_materials: {cement_demand: {2022: 150.0, 2030: 100.0}}\n"
    )
    (assumptions_copy / "scenarios" / "wrong.yaml").write_text(text, encoding="utf-8")
    s = load_scenario("wrong", assumptions=assumptions_copy)
    observed = OBS.values("cement")[2022]
    notice = next(n for n in s.notices if n.key == "building_materials.cement_demand")
    assert (notice.year, notice.scenario_value, notice.used_value) == (2022, 150.0, observed)
    assert s.value("building_materials.cement_demand", 2022) == pytest.approx(observed)
    # The projection starts from the last observation and reaches the milestone.
    last = OBS.values("cement")[THROUGH]
    assert s.value("building_materials.cement_demand", THROUGH) == pytest.approx(last)
    assert s.value("building_materials.cement_demand", 2030) == pytest.approx(100.0)
    assert main(["--assumptions", str(assumptions_copy), "validate", "wrong"]) == 0
    err = capsys.readouterr().err
    assert "note: wrong.yaml: building_materials.cement_demand.2022: 150:" in err


def test_a_cap_below_an_observed_output_is_reported_and_does_not_bind(assumptions_copy):
    text = DESCRIPTION + "extends: baseline\nsteel: {output_cap: {2021: 60.0, 2030: 60.0}}\n"
    (assumptions_copy / "scenarios" / "lowcap.yaml").write_text(text, encoding="utf-8")
    s = load_scenario("lowcap", assumptions=assumptions_copy)
    r = run(s)
    crude = r.get("Production|Crude Steel")[0]
    assert crude[_col(r, 2021)] == pytest.approx(OBS.values("crude_steel")[2021])
    assert crude[_col(r, 2030)] == pytest.approx(60.0)
    assert any(n.key == "steel.output_cap" and n.year == 2021 for n in s.notices)


def _add_rows(assumptions: Path, rows: list[dict]) -> None:
    path = assumptions / "data" / "observations.csv"
    with open(path, encoding="utf-8") as f:
        existing = list(csv.DictReader(f))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(existing[0]))
        writer.writeheader()
        writer.writerows([*existing, *rows])


def test_a_2024_row_moves_that_series_projection_start_with_no_code_change(assumptions_copy):
    before = load_scenario("baseline", assumptions=assumptions_copy)
    growth_2025 = before.value("steel.crude_steel_demand", THROUGH + 2) / before.value(
        "steel.crude_steel_demand", THROUGH + 1
    )
    row = {
        "series": "crude_steel",
        "year": str(THROUGH + 1),
        "value": "70.0",
        "low": "",
        "high": "",
        "unit": "Mt",
        "kind": "quoted",
        "source": "test: a communique",
        "note": "",
    }
    _add_rows(assumptions_copy, [row])
    after = load_scenario("baseline", assumptions=assumptions_copy)
    assert after.observed_through == THROUGH + 1  # levers now start a year later
    assert after.value("steel.crude_steel_demand", THROUGH + 1) == pytest.approx(70.0)
    assert after.value("steel.crude_steel_demand", THROUGH + 2) == pytest.approx(70.0 * growth_2025)
    assert after.anchors["steel.crude_steel_demand"] == THROUGH + 1
    # Other series still start from their own latest year.
    cement = after.values["building_materials.cement_demand"]
    assert cement[THROUGH - 2010] == pytest.approx(OBS.values("cement")[THROUGH])
    r = run(after)
    assert r.get("Production|Crude Steel")[0, _col(r, THROUGH + 1)] == pytest.approx(70.0)


def test_hindcast_switches_the_observations_off_and_reports_every_series():
    result = hindcast("baseline")
    driving = {
        s
        for s, d in OBS.series.items()
        if d.role
        in (
            "driver",
            "pig_iron",
            "aluminium_bound",
            "electricity_total",
            "grid_factor",
            "value_added_growth",
        )
    }
    assert set(result.summary["series"]) == driving
    table = result.table
    assert (table["year"] > 2020).all()
    moved = table[table["hindcast_error_pct"].abs() > 1]
    assert {"cement", "electricity_total", "industrial_va_growth"} <= set(moved["series"])
    pinned = table[table["series"].isin(["crude_steel", "cement", "flat_glass", "grid_factor"])]
    np.testing.assert_allclose(pinned["nowcast"], pinned["observed"], rtol=1e-9)
    assert result.hindcast.get("Production|Cement")[0, _col(result.hindcast, 2023)] != (
        pytest.approx(OBS.values("cement")[2023])
    )


def test_hindcast_cli_writes_the_table(tmp_path, capsys):
    out = tmp_path / "hindcast.csv"
    assert main(["hindcast", "plan", "--out", str(out)]) == 0
    assert out.is_file() and "hindcast MAPE" in capsys.readouterr().out


def test_a_year_missing_between_observations_lies_between_them(assumptions_copy):
    path = assumptions_copy / "data" / "observations.csv"
    with open(path, encoding="utf-8") as f:
        rows = [
            r for r in csv.DictReader(f) if not (r["series"] == "cement" and r["year"] == "2022")
        ]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    s = load_scenario("baseline", assumptions=assumptions_copy)
    c21, c23 = OBS.values("cement")[2021], OBS.values("cement")[2023]
    assert s.value("building_materials.cement_demand", 2022) == pytest.approx((c21 * c23) ** 0.5)


def test_route_shares_are_checked_again_once_paths_start_from_the_observations(assumptions_copy):
    """Valid as written; but a (synthetic) low pig-iron year puts the observed EAF share high,
    and from there the EAF + H2-DRI sum goes over 1: the modeller is told so."""
    from model.errors import AssumptionError

    path = assumptions_copy / "data" / "observations.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["series"] == "pig_iron" and r["year"] == str(THROUGH))
    row.update(value="30.0", low="", high="")
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    text = DESCRIPTION + f"extends: baseline\nsteel: {{h2_dri_share: {{{THROUGH + 1}: 0.5}}}}\n"
    (assumptions_copy / "scenarios" / "routes.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(AssumptionError) as info:
        load_scenario("routes", assumptions=assumptions_copy)
    (problem,) = info.value.problems
    assert problem.key == f"steel.routes.{THROUGH + 1}"
    assert f"once the paths start from the observed {THROUGH}" in problem.allowed
    assert load_scenario("routes", ["settings.nowcast=false"], assumptions_copy)  # valid as written
