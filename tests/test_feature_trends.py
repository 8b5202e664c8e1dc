"""Statistical baselines: parameter recovery, widening intervals, milestones, input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.methods.trends import CANDIDATES, fit_trend

YEARS = np.arange(2005, 2024)  # 19 points, typical of provincial statistics


def _loglinear(seed: int = 1, growth: float = 0.05, noise: float = 0.03) -> pd.Series:
    rng = np.random.default_rng(seed)
    y = 100 * np.exp(np.log1p(growth) * (YEARS - 2005) + rng.normal(0, noise, YEARS.size))
    return pd.Series(y, index=YEARS, name="value_added")


def _logistic(seed: int = 2, k: float = 500.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    y = k / (1 + np.exp(-0.25 * (YEARS - 2010))) * np.exp(rng.normal(0, 0.02, YEARS.size))
    return pd.Series(y, index=YEARS, name="cement")


def _random_walk(seed: int = 3) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0.03, 0.04, YEARS.size))), index=YEARS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_loglinear_recovers_growth_rate(seed):
    fit = fit_trend(_loglinear(seed), candidates=("loglinear",))
    assert fit.method == "loglinear"
    # 19 points, 3% noise: standard error of the slope is ~0.0012, so 0.006 is ~5 sigma.
    assert fit.params["growth_rate"] == pytest.approx(0.05, abs=0.006)


def test_logistic_recovers_saturation_level():
    fit = fit_trend(_logistic(), candidates=("logistic_saturation",), seed=0)
    assert fit.params["saturation"] == pytest.approx(500.0, rel=0.05)
    assert fit.params["rate"] == pytest.approx(0.25, rel=0.2)
    # The projection flattens at the saturation level instead of growing on.
    tail = fit.projection.set_index("year")["mean"]
    assert tail[2060] == pytest.approx(fit.params["saturation"], rel=0.01)


def test_selection_prefers_saturation_for_saturating_history():
    fit = fit_trend(_logistic(), seed=0)
    assert fit.method == "logistic_saturation"
    diag = fit.diagnostics
    assert list(diag.index) == list(CANDIDATES)
    assert diag["selected"].sum() == 1 and diag.loc[fit.method, "selected"]
    assert {"aic", "aicc", "rmse_in_sample", "holdout_rmse_log", "ljung_box_p"} <= set(diag)
    # The log-linear model cannot bend, so it forecasts the held-out years worst.
    assert diag.loc["loglinear", "holdout_rmse_log"] > diag.loc[fit.method, "holdout_rmse_log"]


@pytest.mark.parametrize("method", ["loglinear", "ets_damped", "arima"])
def test_prediction_intervals_widen_with_horizon(method):
    fit = fit_trend(_random_walk(), candidates=(method,))
    p = fit.projection
    width = (p["upper"] - p["lower"]).to_numpy()
    assert np.all(np.diff(width) > 0)
    assert np.all(p["lower"] < p["mean"]) and np.all(p["mean"] < p["upper"])
    assert p["year"].iloc[0] == 2024 and p["year"].iloc[-1] == 2060


def test_logistic_band_is_seeded():
    a = fit_trend(_logistic(), candidates=("logistic_saturation",), seed=4, n_boot=30)
    b = fit_trend(_logistic(), candidates=("logistic_saturation",), seed=4, n_boot=30)
    pd.testing.assert_frame_equal(a.projection, b.projection)
    assert np.all(a.projection["upper"] >= a.projection["lower"])


def test_to_milestones_returns_requested_years():
    fit = fit_trend(_loglinear(), candidates=("loglinear",))
    years = (2020, 2025, 2030, 2035, 2040, 2050, 2060)
    ms = fit.to_milestones(years)
    assert list(ms) == list(years)
    assert all(isinstance(v, float) for v in ms.values())
    assert ms[2020] == pytest.approx(_loglinear()[2020], rel=1e-3)  # observed, not modelled
    proj = fit.projection.set_index("year")["mean"]
    assert ms[2050] == pytest.approx(proj[2050], rel=1e-3)
    assert ms[2030] < ms[2040] < ms[2060]
    with pytest.raises(ValueError, match="outside"):
        fit.to_milestones((2070,))


def test_short_series_is_handled():
    s = _loglinear()[:6]
    fit = fit_trend(s)
    assert fit.method in CANDIDATES
    assert "at least 8" in fit.diagnostics.loc["ets_damped", "error"]
    assert len(fit.to_milestones()) == 6


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (pd.Series([1.0, 2.0, 3.0, 4.0], index=range(2020, 2024)), "at least 5"),
        (pd.Series([1.0, 2.0, np.nan, 4.0, 5.0], index=range(2019, 2024)), "NaN"),
        (pd.Series([1.0, 2.0, -3.0, 4.0, 5.0], index=range(2019, 2024)), "> 0"),
        (pd.Series([1.0, 2.0, 0.0, 4.0, 5.0], index=range(2019, 2024)), "> 0"),
        (pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=[2010, 2011, 2013, 2014, 2015]), "consecutive"),
    ],
)
def test_bad_input_raises_clear_value_error(series, message):
    with pytest.raises(ValueError, match=message):
        fit_trend(series)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="unknown candidates"):
        fit_trend(_loglinear(), candidates=("spline",))
    with pytest.raises(ValueError, match="horizon_end"):
        fit_trend(_loglinear(), horizon_end=2020)
