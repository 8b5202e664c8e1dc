"""Global sensitivity of a scenario: every uncertain parameter ranked, zero-effect parameters
have zero swing, Sobol' is reproducible by seed, the sample means what the Monte Carlo means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.analysis.peaks import scope_variable
from model.analysis.sensitivity import (
    OUTPUTS,
    centre_quantile,
    factors,
    scenario_model,
    scenario_sensitivity,
    tornado_data,
    uncertain_inputs,
)
from model.engine.runner import run
from model.engine.sampling import ppf
from model.errors import ModelError
from model.inputs.scenario import load_scenario

# In the baseline no capacity carries CCUS, so the capture rate multiplies zero.
ZERO_EFFECT = "steel.ccus_capture_rate"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def oat(baseline):
    return scenario_sensitivity(baseline, "oat")


def test_zero_effect_parameter_is_demonstrably_inert(baseline):
    doubled = load_scenario("baseline", {f"{ZERO_EFFECT}.value": 0.45})
    a, b = run(baseline), run(doubled)
    emissions = [v for v in a.variables if v.startswith("Emissions")]
    np.testing.assert_array_equal(a.frame(emissions).to_numpy(), b.frame(emissions).to_numpy())


def test_oat_ranks_every_parameter_and_zero_effect_has_zero_swing(baseline, oat):
    table, text = oat
    for output in OUTPUTS:
        d = table[table["output"] == output]
        assert sorted(d["parameter"]) == sorted(factors(baseline))
        assert set(baseline.uncertainty) < set(d["parameter"])  # plus base-year and measurement
        assert sorted(d["rank"]) == list(range(1, len(factors(baseline)) + 1))
    row = table[(table["parameter"] == ZERO_EFFECT) & (table["output"] == "emissions_2030")]
    assert row["swing"].item() == 0.0
    top = table[table["output"] == "emissions_2030"].iloc[0]
    assert top["swing"] > 1.0
    assert table["label_en"].notna().all() and table["label_zh"].notna().all()
    assert "OAT" in text


def test_oat_base_is_the_deterministic_run(baseline, oat):
    table, _ = oat
    e2030 = run(baseline).series(scope_variable(baseline.settings.headline_scope)).loc[2030]
    base = table.loc[table["output"] == "emissions_2030", "base"].unique()
    np.testing.assert_allclose(base, e2030, rtol=1e-12)


def test_centre_quantile_maps_back_to_the_central_value(baseline):
    for unc in [i.uncertainty for i in uncertain_inputs(baseline)]:
        assert ppf(np.array([centre_quantile(unc)]), unc)[0] == pytest.approx(unc.centre)


def test_model_of_quantiles_matches_a_monte_carlo_draw(baseline):
    # u = centre quantiles for every factor reproduces the central run's outputs.
    u = np.array([[centre_quantile(i.uncertainty) for i in uncertain_inputs(baseline)]])
    y = scenario_model(baseline)(u)
    central = run(baseline).series(scope_variable(baseline.settings.headline_scope))
    assert y[0, 1] == pytest.approx(central.loc[2030])
    assert y[0, 0] == pytest.approx(central.loc[2020:].max())


def test_the_model_in_slices_gives_the_rows_it_gives_whole(baseline, monkeypatch):
    # Large samples go through the engine a slice at a time (memory): rows are independent.
    import model.analysis.sensitivity as sensitivity

    u = np.random.default_rng(3).random((23, len(uncertain_inputs(baseline))))
    whole = scenario_model(baseline)(u)
    monkeypatch.setattr(sensitivity, "SENSITIVITY_ROWS", 5)
    np.testing.assert_array_equal(scenario_model(baseline)(u), whole)


def test_sobol_small_n_runs_and_is_reproducible(baseline):
    a, text = scenario_sensitivity(baseline, "sobol", n=8, seed=11)
    b, _ = scenario_sensitivity(baseline, "sobol", n=8, seed=11)
    c, _ = scenario_sensitivity(baseline, "sobol", n=8, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a[["S1", "ST"]].equals(c[["S1", "ST"]])
    assert {"S1", "S1_conf", "ST", "ST_conf", "rank"} <= set(a.columns)
    assert a.attrs["n_runs"] == 8 * (len(factors(baseline)) + 2)
    assert set(a["parameter"]) == set(factors(baseline))
    assert "model runs" in text


def test_morris_runs(baseline):
    table, text = scenario_sensitivity(baseline, "morris", n=4, seed=1)
    assert {"mu_star", "sigma"} <= set(table.columns)
    assert (table["mu_star"] >= 0).all()
    assert "Morris" in text


@pytest.mark.parametrize(("method", "n"), [("sobol", 100), ("morris", 1), ("fast", 8)])
def test_bad_method_or_sample_size_is_a_model_error(baseline, method, n):
    with pytest.raises(ModelError):
        scenario_sensitivity(baseline, method, n=n)


def test_tornado_data_gives_one_output_and_labels(baseline):
    df, labels = tornado_data(baseline, "emissions_2030", lang="zh")
    assert set(df["output"]) == {"emissions_2030"}
    assert set(labels) == set(factors(baseline))
    assert df["swing"].is_monotonic_decreasing
    with pytest.raises(ModelError):
        tornado_data(baseline, "peak_month")
