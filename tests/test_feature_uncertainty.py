"""Monte Carlo outputs: degenerate draws reproduce the central run, seeds reproduce files,
probabilities and percentiles obey their definitions."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from model.analysis.peaks import peak, scope_variable, target_table
from model.analysis.uncertainty import (
    PERCENTILES,
    fan_chart,
    peak_distribution,
    probability_peak_by,
    target_probabilities,
    uncertainty_summary,
    wilson_interval,
)
from model.apps.cli import main
from model.engine.runner import engine_inputs, evaluate_params, run, scenario_params
from model.engine.sampling import draw_plan
from model.errors import ModelError
from model.inputs.scenario import load_scenario
from model.inputs.trajectory import Uncertainty


@pytest.fixture(scope="module")
def plan():
    return load_scenario("plan")


@pytest.fixture(scope="module")
def baseline_draws():
    return run("baseline", draws=200, seed=7)


def _tight(unc: Uncertainty) -> Uncertainty:
    """The same kind of distribution squeezed to a width of 2e-12 around 'no change'."""
    centre = unc.centre
    return Uncertainty(
        dist="uniform", low=centre - 1e-12, high=centre + 1e-12, scale=unc.scale, phase_in=0
    )


def test_no_draws_is_a_model_error(plan):
    with pytest.raises(ModelError, match="no Monte Carlo draws"):
        uncertainty_summary(run(plan))


def test_zero_variance_draws_equal_the_deterministic_run(plan):
    # Every uncertain input (parameters, base-year ranges, measurement ranges) squeezed.
    params, inputs = engine_inputs(plan)
    tight = [dataclasses.replace(i, uncertainty=_tight(i.uncertainty)) for i in inputs]
    central_inputs = {k: v[0] for k, v in params.items()}
    plan_of_draws = draw_plan(central_inputs, tight, 40, 3)
    results = evaluate_params(params, plan, draws=40, seed=3, sampled=plan_of_draws)
    central = run(plan).values[0]
    draws = results.values[1:]
    central_row = np.broadcast_to(results.values[:1], draws.shape)
    np.testing.assert_allclose(draws, central_row, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(results.values[0], central, rtol=1e-12, atol=1e-12)


def test_identical_draws_give_degenerate_statistics(plan):
    # Every uncertain parameter repeated at its central path: exactly the deterministic model.
    params = scenario_params(plan)
    n = 25
    for key in plan.uncertainty:
        params[key] = np.repeat(params[key], n + 1, axis=0)
    results = evaluate_params(params, plan, draws=n, seed=0)
    assert np.array_equal(results.values[1:], np.repeat(results.values[:1], n, axis=0), True)
    table, text = uncertainty_summary(results)
    fan = table[table["table"] == "fan"].pivot_table(
        index=["scope", "sector", "year"], columns="statistic", values="value"
    )
    for q in PERCENTILES:
        np.testing.assert_allclose(fan[f"p{q}"], fan["central"], rtol=1e-12)
    prob = probability_peak_by(results)
    assert (prob["se"] == 0).all()
    assert (prob["probability"] == prob["central"]).all()
    assert "P(industry peaks by 2030)" in text


def test_probability_matches_its_definition_and_se_formula(baseline_draws):
    r = baseline_draws
    prob = probability_peak_by(r, year=2025).set_index("scope")
    for scope, row in prob.iterrows():
        arr = r.get(scope_variable(scope))[1:]
        # Independent peak search: argmax over 2020-2060 only.
        years = r.years[r.years >= 2020]
        own = years[np.argmax(arr[:, r.years >= 2020], axis=1)]
        p = float(np.mean(own <= 2025))
        assert row["probability"] == pytest.approx(p)
        assert 0.0 <= row["probability"] <= 1.0
        assert row["se"] == pytest.approx(np.sqrt(p * (1 - p) / r.n_draws))
        assert row["wilson_low"] <= p <= row["wilson_high"]
        assert row["n_draws"] == 200


def test_wilson_interval_known_values():
    low, high = wilson_interval(0.5, 100)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)
    low, high = wilson_interval(0.0, 50)
    assert low == pytest.approx(0.0, abs=1e-12) and 0.0 < high < 0.1
    low, high = wilson_interval(1.0, 50)
    assert high == pytest.approx(1.0, abs=1e-12) and 0.9 < low < 1.0


def test_percentiles_are_monotone(baseline_draws):
    fan = fan_chart(baseline_draws).pivot_table(
        index=["scope", "sector", "year"], columns="statistic", values="value"
    )
    cols = [f"p{q}" for q in PERCENTILES]
    assert np.all(np.diff(fan[cols].to_numpy(), axis=1) >= -1e-9)
    table, _ = uncertainty_summary(baseline_draws)
    pv = table[table["table"] == "peak_value"].pivot_table(
        index=["scope", "sector"], columns="statistic", values="value"
    )
    assert np.all(np.diff(pv[cols].to_numpy(), axis=1) >= -1e-9)


def test_peak_distribution_matches_peaks_module(baseline_draws):
    r = baseline_draws
    dist = peak_distribution(r)
    d = dist[(dist["sector"] == "Steel") & (dist["scope"] == "direct")]
    years, values = peak(r.draws(scope_variable("direct", "Steel")), r.years)
    assert d["peak_year"].tolist() == years.tolist()
    np.testing.assert_allclose(d["peak_value"], values)
    assert len(dist) == 2 * 9 * r.n_draws


def test_target_probabilities_agree_with_target_table(baseline_draws):
    from model.inputs.data import load_data

    r = baseline_draws
    data = load_data(load_scenario("baseline").assumptions_dir)
    ours = target_probabilities(r, data).set_index("target")
    theirs = target_table(r, data, "direct_plus_indirect").set_index("target")
    for name in theirs.index:
        assert ours.loc[name, "probability"] == pytest.approx(theirs.loc[name, "probability"])
        assert 0.0 <= ours.loc[name, "probability"] <= 1.0


def test_lhs_method_works_and_differs_from_random(plan):
    lhs = run(plan, draws=64, seed=5, method="lhs")
    rnd = run(plan, draws=64, seed=5, method="random")
    table, _ = uncertainty_summary(lhs)
    assert table["value"].notna().all()
    assert not np.array_equal(lhs.values, rnd.values)
    p = table[(table["table"] == "peak_by_2030") & (table["statistic"] == "probability")]
    assert p["value"].between(0, 1).all()


def test_cli_same_seed_same_bytes_different_seed_differs(tmp_path):
    outs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        path = tmp_path / f"{name}.csv"
        argv = ["uncertainty", "plan", "--draws", "200", "--seed", str(seed), "--out", str(path)]
        assert main(argv) == 0
        outs[name] = path.read_bytes()
    assert outs["a"] == outs["b"]
    assert outs["a"] != outs["c"]


def test_cli_prints_no_warning(tmp_path):
    """What a user runs, in a fresh interpreter with every warning shown: stderr stays empty
    (pandas' FutureWarning about concatenating all-NA columns was printed to every user)."""
    out = tmp_path / "u.csv"
    argv = ["uncertainty", "plan", "--draws", "20", "--seed", "1", "--out", str(out)]
    proc = subprocess.run(
        [sys.executable, "-W", "always", "-m", "model", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": ""},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert out.is_file()


def test_summary_columns_keep_their_types_without_warnings(baseline_draws):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, _ = uncertainty_summary(baseline_draws)
    assert str(table["year"].dtype) == "Int64"
    assert table.loc[table["table"] == "targets", "year"].isna().all()
    assert (table.loc[table["table"] == "peak_by_2030", "year"] == 2030).all()
