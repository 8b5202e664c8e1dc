"""STIRPAT cross-check: ``ln I = a + b ln P + c ln A + d ln T + e`` (Dietz & Rosa 1994;
York, Rosa & Dietz 2003).

This is an independent sanity comparison, NOT the model: the engine projects emissions
bottom-up from activity, efficiency and fuel switching. STIRPAT asks a different question:
do the historical elasticities of emissions to population, affluence and technology (e.g.
industry share or energy intensity) look like what the bottom-up scenarios imply? Large
disagreements deserve a look; agreement proves little. Time series of P, A and T move together,
so collinearity is the rule: the VIF of each regressor is reported, and when the largest VIF
exceeds the threshold (10, the usual rule of thumb) a ridge fit is added.

Ridge. Regressors are standardized and ``ln I`` centred so the intercept is not penalized; the
fit is ``statsmodels`` ``OLS.fit_regularized(L1_wt=0, alpha)``, which minimizes
``RSS/(2n) + alpha/2 |b|^2``. ``alpha`` is chosen on a log grid (1e-6..1e2) by generalized
cross-validation, GCV(alpha) = n RSS / (n - df)^2 with df = trace of the hat matrix (Golub,
Heath & Wahba 1979), a closed-form stand-in for leave-one-out. Coefficients are mapped back to
elasticities on the original ``ln`` scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

VIF_THRESHOLD = 10.0
ALPHA_GRID = np.logspace(-6, 2, 81)


@dataclass(frozen=True)
class StirpatResult:
    """OLS elasticities with diagnostics, plus a ridge fit when regressors are collinear."""

    coefficients: pd.Series  # const and one elasticity per regressor
    std_errors: pd.Series
    pvalues: pd.Series
    r2: float
    adj_r2: float
    nobs: int
    vif: pd.Series
    ridge_coefficients: pd.Series | None = None
    ridge_alpha: float | None = None
    ridge_r2: float | None = None

    @property
    def collinear(self) -> bool:
        """True when the largest VIF exceeds the threshold (and a ridge fit was made)."""
        return self.ridge_coefficients is not None

    def predict(self, frame: pd.DataFrame, ridge: bool = False) -> pd.Series:
        """Fitted impact (levels) for the rows of ``frame`` (same columns as the fit)."""
        coef = self.ridge_coefficients if ridge else self.coefficients
        if coef is None:
            raise ValueError("predict: no ridge fit (the regressors were not collinear)")
        log_fit = coef["const"] + sum(
            coef[term] * np.log(frame[term.removeprefix("ln_")].astype(float))
            for term in coef.index
            if term != "const"
        )
        return pd.Series(np.exp(log_fit), index=frame.index, name="ridge" if ridge else "ols")

    def summary_table(self) -> pd.DataFrame:
        """One row per term: ols, std_error, pvalue, vif, ridge (NaN where not applicable)."""
        table = pd.DataFrame(
            {
                "ols": self.coefficients,
                "std_error": self.std_errors,
                "pvalue": self.pvalues,
                "vif": self.vif.reindex(self.coefficients.index),
            }
        )
        ridge = self.ridge_coefficients
        table["ridge"] = ridge.reindex(table.index) if ridge is not None else np.nan
        table.index.name = "term"
        table.attrs.update(
            r2=self.r2,
            adj_r2=self.adj_r2,
            nobs=self.nobs,
            ridge_alpha=self.ridge_alpha,
            ridge_r2=self.ridge_r2,
        )
        return table


def _ridge_gcv(z: np.ndarray, yc: np.ndarray, alphas: np.ndarray) -> tuple[float, np.ndarray]:
    """GCV score per alpha for centred y and standardized X (no intercept column)."""
    n = z.shape[0]
    u, s, _ = np.linalg.svd(z, full_matrices=False)
    uy = u.T @ yc
    shrink = s[None, :] ** 2 / (s[None, :] ** 2 + n * alphas[:, None])  # (alphas, p)
    resid_ss = ((1 - shrink) ** 2 * uy[None, :] ** 2).sum(axis=1) + (yc @ yc - uy @ uy)
    df = shrink.sum(axis=1) + 1  # +1 for the (unpenalized) intercept
    return float(alphas[np.argmin(n * resid_ss / (n - df) ** 2)]), n * resid_ss / (n - df) ** 2


def fit_stirpat(
    df: pd.DataFrame,
    impact: str,
    population: str,
    affluence: str,
    technology: str | None = None,
    *,
    vif_threshold: float = VIF_THRESHOLD,
    alphas: np.ndarray = ALPHA_GRID,
) -> StirpatResult:
    """Fit ``ln impact`` on ``ln population``, ``ln affluence`` (and ``ln technology``) by OLS.

    Columns hold levels (all > 0); logs are taken here. Returns elasticities, R², adjusted R²,
    the VIF per regressor and, when ``max VIF > vif_threshold``, a GCV-tuned ridge fit.
    """
    from statsmodels.regression.linear_model import OLS
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    cols = [c for c in (impact, population, affluence, technology) if c is not None]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"fit_stirpat: missing columns {missing}")
    data = df[cols].astype(float)
    if data.isna().to_numpy().any():
        raise ValueError("fit_stirpat: NaN values; drop or fill those rows first")
    if (data <= 0).to_numpy().any():
        raise ValueError("fit_stirpat: all values must be > 0 (the model is in logs)")
    regs = cols[1:]
    n, p = len(data), len(regs)
    if n < p + 3:
        raise ValueError(f"fit_stirpat: need at least {p + 3} rows for {p} regressors, got {n}")
    logs = np.log(data)
    names = ["const", *(f"ln_{c}" for c in regs)]
    x = np.column_stack([np.ones(n), logs[regs].to_numpy()])
    y = logs[impact].to_numpy()
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("fit_stirpat: regressors are exactly collinear; drop one")
    res = OLS(y, x).fit()
    vif = pd.Series(
        [variance_inflation_factor(x, j) for j in range(1, p + 1)], index=names[1:], name="vif"
    )
    ridge, alpha, ridge_r2 = None, None, None
    if vif.max() > vif_threshold:
        mu, sd = x[:, 1:].mean(axis=0), x[:, 1:].std(axis=0)
        z = (x[:, 1:] - mu) / sd
        yc = y - y.mean()
        alpha, _ = _ridge_gcv(z, yc, np.asarray(alphas, dtype=float))
        b_std = OLS(yc, z).fit_regularized(method="elastic_net", alpha=alpha, L1_wt=0.0).params
        b = np.asarray(b_std) / sd
        ridge = pd.Series([y.mean() - mu @ b, *b], index=names, name="ridge")
        resid = y - x @ ridge.to_numpy()
        ridge_r2 = float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))
    return StirpatResult(
        coefficients=pd.Series(res.params, index=names, name="ols"),
        std_errors=pd.Series(res.bse, index=names, name="std_error"),
        pvalues=pd.Series(res.pvalues, index=names, name="pvalue"),
        r2=float(res.rsquared),
        adj_r2=float(res.rsquared_adj),
        nobs=n,
        vif=vif,
        ridge_coefficients=ridge,
        ridge_alpha=alpha,
        ridge_r2=ridge_r2,
    )
