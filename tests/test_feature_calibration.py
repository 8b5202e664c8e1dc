"""Calibration (issue 4): the base year reproduces the sourced totals; history matches CEADs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.engine.runner import run
from model.inputs.data import FOSSIL, load_data
from model.inputs.scenario import default_assumptions_dir

DATA = load_data(default_assumptions_dir())
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference-data"
CEADS = REFERENCE / "ceads_shandong_co2_by_sector_fuel_2000_2019.csv"


def iamc(sector: str) -> str:
    return DATA.sector_info.at[sector, "iamc_name"]


@pytest.mark.parametrize("scenario", ["baseline", "plan", "accelerated"])
@pytest.mark.parametrize("sector", DATA.sectors)
def test_base_year_reproduces_ceads_scope_energy_and_co2(scenario, sector):
    r = run(scenario)
    col = int(np.flatnonzero(r.years == 2020)[0])
    name = iamc(sector)
    for c in FOSSIL:
        modelled = r.get(f"Final Energy|Industry|{name}|{c}")[0, col]
        sourced = DATA.history_2020(sector, f"energy|{c}")
        assert modelled == pytest.approx(sourced, rel=0.02, abs=1e-6)
        co2 = r.get(f"Emissions|CO2|Industry|{name}|Combustion|{c}")[0, col]
        assert co2 == pytest.approx(
            DATA.history_2020(sector, f"co2_combustion|{c}"), rel=0.02, abs=1e-6
        )
    # Electricity: the bottom-up estimate reconciled to the top-down total, inside its range.
    elec = r.get(f"Electricity Demand|Industry|{name}")[0, col]
    row = DATA.base_year.loc[(sector, "energy|Electricity")]
    assert row["low"] <= elec <= row["high"]
    assert elec >= DATA.history_2020(sector, "energy|Electricity")  # the gap is positive


def test_industrial_electricity_2020_is_the_top_down_anchor():
    """Sectors sum to whole-society consumption x national secondary share x Shandong factor."""
    obs = DATA.observations
    share = obs.values("cn_electricity_secondary")[2020] / obs.values("cn_electricity_total")[2020]
    anchor = (
        obs.values("electricity_total")[2020]
        * share
        * DATA.base_value("industry.electricity_share_factor")
    )
    for scenario in ("baseline", "plan"):
        r = run(scenario)
        col = int(np.flatnonzero(r.years == 2020)[0])
        assert r.get("Electricity Demand|Industry")[0, col] == pytest.approx(anchor, rel=1e-12)


def test_reconciliation_gives_the_gap_to_the_widest_ranges():
    from model.analysis.calibration import electricity_reconciliation
    from model.inputs.scenario import load_scenario

    table = electricity_reconciliation(load_scenario("baseline"))
    sectors = table[table["sector"] != "industry"].set_index("sector")
    width = sectors["bottom_up_high"] - sectors["bottom_up_low"]
    gap = sectors["difference_twh"]
    # Least squares under a fixed total: each sector's share of the gap is its share of the
    # variance ((range / 4)^2), so the ratio gap / width^2 is one number for every sector.
    ratio = gap / width**2
    np.testing.assert_allclose(ratio, ratio.iloc[0], rtol=1e-9)
    total = table[(table["sector"] == "industry") & (table["year"] == 2020)].iloc[0]
    assert gap.sum() == pytest.approx(total["top_down_twh"] - total["bottom_up_twh"], rel=1e-9)
    later = table[(table["sector"] == "industry") & (table["year"] > 2020)]
    np.testing.assert_allclose(later["reconciled_twh"], later["top_down_twh"], rtol=1e-9)


def test_cement_process_co2_is_calibrated_to_ceads():
    r = run("plan")
    col = int(np.flatnonzero(r.years == 2020)[0])
    process = r.get("Emissions|CO2|Industry|Building Materials|Process")[0, col]
    ceads = DATA.history_2020("building_materials", "co2_process")
    glass = DATA.base_value("building_materials.flat_glass") * DATA.tech(
        "building_materials.flat_glass", "process_co2"
    )
    assert process == pytest.approx(ceads + glass, rel=1e-9)


def test_history_years_are_the_data():
    r = run("baseline")
    for sector in DATA.sectors:
        name = iamc(sector)
        for c in FOSSIL:
            hist = DATA.history_array(sector, f"co2_combustion|{c}")[:10]
            got = r.get(f"Emissions|CO2|Industry|{name}|Combustion|{c}")[0, :10]
            np.testing.assert_allclose(got, hist, rtol=1e-12)


@pytest.mark.skipif(not CEADS.is_file(), reason="../shared/reference-data is not beside the repo")
def test_history_matches_ceads_industry_totals():
    """Industry combustion + process in the results equals CEADs summed over mapped sectors."""
    ceads = pd.read_csv(CEADS)
    mapping = pd.read_csv(default_assumptions_dir() / "data" / "ceads_sector_map.csv")
    industry = set(mapping.loc[mapping["sector"].isin(DATA.sectors), "ceads_sector"])
    scope1 = ceads[(ceads["fuel"] == "Scope_1_Total") & ceads["ceads_sector"].isin(industry)]
    by_year = scope1.groupby("year")["mt_co2"].sum()
    r = run("baseline")
    modelled = r.get("Emissions|CO2|Industry")[0, :10]
    process_extra = sum(
        r.get(f"Emissions|CO2|Industry|{iamc(s)}|Process")[0, :10]
        - DATA.history_array(s, "co2_process")[:10]
        for s in DATA.sectors
    )
    np.testing.assert_allclose(
        modelled - process_extra, by_year.loc[2010:2019].to_numpy(), rtol=2e-3
    )


def test_calibration_report_covers_every_sector_within_two_percent():
    from model.analysis.calibration import calibration_report
    from model.inputs.scenario import load_scenario

    report = calibration_report(load_scenario("plan"))
    assert set(report["sector"]) == set(DATA.sectors)
    assert report["relative_error"].abs().max() < 0.02
    scale = report["route_scale_factor"].dropna()
    assert ((scale > 0) & (scale <= 1)).all()
