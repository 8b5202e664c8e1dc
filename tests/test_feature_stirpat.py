"""STIRPAT cross-check: elasticity recovery, VIF flags collinearity, ridge fit, R² range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.methods.stirpat import fit_stirpat

TRUE = {"const": 0.5, "ln_pop": 1.0, "ln_gdp_pc": 0.6, "ln_intensity": 0.3}


def _data(n: int = 40, seed: int = 0, collinear: bool = False, noise: float = 0.02):
    rng = np.random.default_rng(seed)
    lp = rng.normal(0, 0.3, n)
    la = 0.9 * lp + rng.normal(0, 0.01, n) if collinear else rng.normal(0, 0.5, n)
    lt = rng.normal(0, 0.4, n)
    li = (
        TRUE["const"]
        + TRUE["ln_pop"] * lp
        + TRUE["ln_gdp_pc"] * la
        + TRUE["ln_intensity"] * lt
        + rng.normal(0, noise, n)
    )
    return pd.DataFrame(
        {"co2": np.exp(li), "pop": np.exp(lp), "gdp_pc": np.exp(la), "intensity": np.exp(lt)}
    )


def test_recovers_elasticities_of_synthetic_data():
    res = fit_stirpat(_data(), "co2", "pop", "gdp_pc", "intensity")
    for term, value in TRUE.items():
        assert res.coefficients[term] == pytest.approx(value, abs=0.03), term
    assert 0.99 < res.r2 <= 1.0
    assert res.adj_r2 <= res.r2
    assert res.vif.max() < 10
    assert not res.collinear and res.ridge_coefficients is None
    table = res.summary_table()
    assert list(table.index) == list(TRUE)
    assert {"ols", "std_error", "pvalue", "vif", "ridge"} <= set(table.columns)
    assert table["ridge"].isna().all()


def test_vif_flags_collinearity_and_triggers_ridge():
    df = _data(collinear=True)
    res = fit_stirpat(df, "co2", "pop", "gdp_pc", "intensity")
    assert res.vif["ln_pop"] > 10 and res.vif["ln_gdp_pc"] > 10
    assert res.vif["ln_intensity"] < 10  # the independent regressor is not flagged
    assert res.collinear and res.ridge_alpha is not None
    ridge = res.ridge_coefficients
    assert list(ridge.index) == list(TRUE)
    # Check the ridge against an independent closed form on standardized regressors.
    logs = np.log(df)
    z = logs[["pop", "gdp_pc", "intensity"]].to_numpy()
    mu, sd = z.mean(axis=0), z.std(axis=0)
    zs, yc = (z - mu) / sd, logs["co2"].to_numpy() - logs["co2"].mean()
    n = len(df)
    b_std = np.linalg.solve(zs.T @ zs + n * res.ridge_alpha * np.eye(3), zs.T @ yc)
    np.testing.assert_allclose(ridge.iloc[1:].to_numpy(), b_std / sd, rtol=1e-6)
    # Ridge shrinks (standardized) coefficients relative to OLS.
    ols_std = res.coefficients.iloc[1:].to_numpy() * sd
    assert np.linalg.norm(b_std) <= np.linalg.norm(ols_std) + 1e-12
    # The combined effect of the collinear pair is still identified: 1.0 + 0.9 * 0.6 per ln P.
    combined = ridge["ln_pop"] + 0.9 * ridge["ln_gdp_pc"]
    assert combined == pytest.approx(1.0 + 0.9 * 0.6, abs=0.05)
    assert not np.isnan(res.summary_table()["ridge"]).any()


@pytest.mark.parametrize("seed", range(5))
def test_r2_in_unit_interval_even_for_unrelated_data(seed):
    df = _data(n=15, seed=seed)
    df["co2"] = np.exp(np.random.default_rng(100 + seed).normal(0, 1, len(df)))
    res = fit_stirpat(df, "co2", "pop", "gdp_pc", "intensity")
    assert 0.0 <= res.r2 <= 1.0


def test_three_term_model_without_technology():
    res = fit_stirpat(_data(), "co2", "pop", "gdp_pc")
    assert list(res.coefficients.index) == ["const", "ln_pop", "ln_gdp_pc"]


def test_bad_input_raises():
    df = _data(n=10)
    with pytest.raises(ValueError, match="missing columns"):
        fit_stirpat(df, "co2", "pop", "nope")
    with pytest.raises(ValueError, match="> 0"):
        fit_stirpat(df.assign(pop=-df["pop"]), "co2", "pop", "gdp_pc")
    with pytest.raises(ValueError, match="at least"):
        fit_stirpat(df.head(5), "co2", "pop", "gdp_pc", "intensity")
    with pytest.raises(ValueError, match="exactly collinear"):
        fit_stirpat(df.assign(gdp_pc=df["pop"] ** 2), "co2", "pop", "gdp_pc")
