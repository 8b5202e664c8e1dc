"""Statistical baseline proposals from history, and the STIRPAT cross-check's data check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.baselines import (
    available_macro_series,
    fit_sector_trend,
    history_series,
    last_break,
    output_history,
    propose_baselines,
    stirpat_crosscheck,
)
from model.data import load_data
from model.errors import ModelError
from model.scenario import default_assumptions_dir

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


def test_stirpat_refuses_without_population_and_gdp_series():
    found = available_macro_series()
    assert len(found["population"]) < 6 or len(found["affluence"]) < 6
    with pytest.raises(ModelError, match="population") as err:
        stirpat_crosscheck()
    assert "affluence" in str(err.value)


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
