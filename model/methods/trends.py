"""Statistical baselines for activity demand: fit a few trend models to history, pick one, and
turn its projection into scenario milestones.

All candidates are fitted to ``ln y`` so projections stay positive and errors are relative:

* ``loglinear``: OLS ``ln y = a + b (t - t_mean)``; constant growth ``exp(b) - 1`` a year;
  prediction intervals from ``OLSResults.get_prediction`` (observation intervals).
* ``logistic_saturation``: ``y = K / (1 + exp(-r (t - t0)))`` by ``scipy.optimize.curve_fit``
  on ``ln y``; K is bounded to ``(max(y), 50 max(y))`` (``params["at_upper_bound"]`` = 1 says the
  history shows no saturation); the band is the delta method (curve_fit covariance plus
  residual variance, Student t), or a seeded residual bootstrap with ``n_boot > 0``.
* ``ets_damped``: ``ETSModel(error="add", trend="add", damped_trend=True)`` on ``ln y``
  (Gardner & McKenzie damped trend), analytic prediction intervals.
* ``arima``: ``ARIMA(1,1,0)`` with drift (``trend="t"``) on ``ln y``.

Selection. AIC/AICc are only comparable between models fitted by likelihood to the same data;
ARIMA with d=1 is a likelihood of the differences, and the logistic and OLS fits use the
Gaussian likelihood of ``ln y`` residuals while ETS uses its own state-space likelihood. So the
model is chosen by out-of-sample error, which is comparable across all of them: the last
``h = max(2, round(n/5))`` points are held out, each candidate is refitted on the rest and
forecasts them, and the smallest RMSE of ``ln y`` wins (Hyndman & Athanasopoulos, FPP3 5.8 and
13.3). AICc, in-sample RMSE and the Ljung-Box p-value are reported per candidate to inform
judgement. If no candidate can be held out (very short series), the smallest AICc among the
non-differenced ones (loglinear, logistic) decides.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit
from scipy.special import expit
from scipy.stats import t as student_t

CANDIDATES: tuple[str, ...] = ("loglinear", "logistic_saturation", "ets_damped", "arima")
MIN_POINTS = 5
_MIN_POINTS_MODEL = {"loglinear": 5, "logistic_saturation": 6, "ets_damped": 8, "arima": 6}


@dataclass
class _Fit:
    params: dict[str, float]
    fitted: np.ndarray  # in-sample ln y
    resid: np.ndarray  # residuals used for Ljung-Box (ln scale)
    mean: np.ndarray  # future ln y
    lower: np.ndarray
    upper: np.ndarray
    aic: float
    aicc: float


def _aicc(aic: float, n: int, k: int) -> float:
    return aic + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.inf


def _gaussian_aic(resid: np.ndarray, k: int) -> float:
    n = resid.size
    sigma2 = max(float(resid @ resid) / n, 1e-300)
    llf = -0.5 * n * (np.log(2 * np.pi * sigma2) + 1)
    return -2 * llf + 2 * k


def _fit_loglinear(t, ly, steps, alpha, rng, n_boot) -> _Fit:
    from statsmodels.regression.linear_model import OLS

    tc = t.mean()
    res = OLS(ly, np.column_stack([np.ones_like(t), t - tc])).fit()
    tf = t[-1] + np.arange(1, steps + 1)
    pred = res.get_prediction(np.column_stack([np.ones_like(tf), tf - tc])).summary_frame(
        alpha=alpha
    )
    b = float(res.params[1])
    params = {"intercept": float(res.params[0]), "log_slope": b, "growth_rate": float(np.expm1(b))}
    k = 2
    return _Fit(
        params,
        res.fittedvalues,
        res.resid,
        pred["mean"].to_numpy(),
        pred["obs_ci_lower"].to_numpy(),
        pred["obs_ci_upper"].to_numpy(),
        float(res.aic),
        _aicc(float(res.aic), t.size, k),
    )


def _log_logistic(t, log_k, r, t0):
    return log_k - np.logaddexp(0.0, -r * (t - t0))


def _logistic_curve_fit(t, ly, p0):
    ymax = ly.max()
    lo = [ymax + 1e-3, 1e-4, t.min() - 100]
    hi = [ymax + np.log(50.0), 2.0, t.max() + 100]
    p0 = np.clip(p0, np.add(lo, 1e-9), np.subtract(hi, 1e-9))
    return curve_fit(_log_logistic, t, ly, p0=p0, bounds=(lo, hi), method="trf", max_nfev=2000)


def _log_logistic_grad(t, log_k, r, t0):
    """d ln y / d(log_k, r, t0), shape (len(t), 3), for the delta method."""
    sig = expit(-r * (t - t0))
    return np.column_stack([np.ones_like(t), sig * (t - t0), -r * sig])


def _fit_logistic(t, ly, steps, alpha, rng, n_boot) -> _Fit:
    # Start: K a bit above the last value, rate from the average log growth, midpoint mid-sample.
    g = max((ly[-1] - ly[0]) / (t[-1] - t[0]), 0.01)
    p0 = np.array([ly.max() + np.log(1.5), 2 * g, t.mean()])
    popt, pcov = _logistic_curve_fit(t, ly, p0)
    fitted = _log_logistic(t, *popt)
    resid = ly - fitted
    tf = t[-1] + np.arange(1, steps + 1)
    mean = _log_logistic(tf, *popt)
    n, k = t.size, 3
    s2 = float(resid @ resid) / max(n - k, 1)
    if n_boot > 0:
        # Residual bootstrap with the degrees-of-freedom inflation sqrt(n/(n-k)).
        r = (resid - resid.mean()) * np.sqrt(n / max(n - k, 1))
        paths = np.empty((n_boot, steps))
        idx = rng.integers(0, n, size=(n_boot, n))
        noise = r[rng.integers(0, n, size=(n_boot, steps))]
        for b in range(n_boot):  # curve_fit is not vectorizable; opt-in because it is slow
            try:
                pb = _logistic_curve_fit(t, fitted + r[idx[b]], popt)[0]
            except RuntimeError:
                pb = popt
            paths[b] = _log_logistic(tf, *pb)
        paths += noise
        lower, upper = np.quantile(paths, [alpha / 2, 1 - alpha / 2], axis=0)
        lower, upper = np.minimum(lower, mean), np.maximum(upper, mean)
    else:
        # Delta method: parameter uncertainty (curve_fit's covariance) plus residual noise.
        jac = _log_logistic_grad(tf, *popt)
        pcov = np.where(np.isfinite(pcov), pcov, 0.0)
        var = np.einsum("ij,jk,ik->i", jac, pcov, jac) + s2
        half = student_t.ppf(1 - alpha / 2, max(n - k, 1)) * np.sqrt(var)
        lower, upper = mean - half, mean + half
    aic = _gaussian_aic(resid, k)
    params = {
        "saturation": float(np.exp(popt[0])),
        "rate": float(popt[1]),
        "midpoint": float(popt[2]),
        "at_upper_bound": float(popt[0] >= ly.max() + np.log(50.0) - 1e-6),
    }
    return _Fit(params, fitted, resid, mean, lower, upper, aic, _aicc(aic, n, k))


def _fit_ets(t, ly, steps, alpha, rng, n_boot) -> _Fit:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # A pandas input: with a bare ndarray get_prediction fails in statsmodels 0.15.
    endog = pd.Series(ly, index=pd.RangeIndex(ly.size))
    res = ETSModel(endog, error="add", trend="add", damped_trend=True).fit(disp=False)
    pred = res.get_prediction(start=t.size, end=t.size + steps - 1).summary_frame(alpha=alpha)
    params = {str(k): float(v) for k, v in zip(res.param_names, res.params, strict=True)}
    return _Fit(
        params,
        np.asarray(res.fittedvalues),
        np.asarray(res.resid),
        pred["mean"].to_numpy(),
        pred["pi_lower"].to_numpy(),
        pred["pi_upper"].to_numpy(),
        float(res.aic),
        float(res.aicc),
    )


def _fit_arima(t, ly, steps, alpha, rng, n_boot) -> _Fit:
    from statsmodels.tsa.arima.model import ARIMA

    res = ARIMA(ly, order=(1, 1, 0), trend="t").fit()
    fc = res.get_forecast(steps).summary_frame(alpha=alpha)
    params = {str(k): float(v) for k, v in zip(res.param_names, res.params, strict=True)}
    fitted = np.asarray(res.fittedvalues)
    fitted[0] = ly[0]  # the first one-step prediction of a d=1 model is meaningless
    return _Fit(
        params,
        fitted,
        np.asarray(res.resid)[1:],
        fc["mean"].to_numpy(),
        fc["mean_ci_lower"].to_numpy(),
        fc["mean_ci_upper"].to_numpy(),
        float(res.aic),
        float(res.aicc),
    )


_FITTERS = {
    "loglinear": _fit_loglinear,
    "logistic_saturation": _fit_logistic,
    "ets_damped": _fit_ets,
    "arima": _fit_arima,
}


def _fit_one(name, t, ly, steps, alpha, seed, n_boot) -> _Fit:
    if t.size < _MIN_POINTS_MODEL[name]:
        raise ValueError(f"needs at least {_MIN_POINTS_MODEL[name]} points, has {t.size}")
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        # Short series make statsmodels chatty (convergence, no date index); we judge fits by
        # their hold-out error and residual checks instead.
        warnings.simplefilter("ignore")
        fit = _FITTERS[name](t, ly, steps, alpha, rng, n_boot)
    if not np.all(np.isfinite(fit.mean)):
        raise ValueError("non-finite projection")
    return fit


def _ljung_box_p(resid: np.ndarray) -> float:
    from statsmodels.stats.diagnostic import acorr_ljungbox

    lags = max(1, min(4, resid.size // 4))
    if resid.size <= lags + 1 or np.allclose(resid, resid[0]):
        return np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(acorr_ljungbox(resid, lags=[lags], return_df=True)["lb_pvalue"].iloc[0])


def _validate(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(series, pd.Series):
        raise ValueError("fit_trend: series must be a pandas Series indexed by year")
    idx = series.index
    if isinstance(idx, pd.DatetimeIndex | pd.PeriodIndex):
        years = np.asarray(idx.year, dtype=float)
    else:
        try:
            years = np.asarray(idx, dtype=float)
        except (TypeError, ValueError):
            raise ValueError("fit_trend: index must be years (integers)") from None
    values = series.to_numpy(dtype=float)
    if len(values) < MIN_POINTS:
        raise ValueError(f"fit_trend: need at least {MIN_POINTS} points, got {len(values)}")
    if np.isnan(values).any() or not np.all(np.isfinite(values)):
        bad = list(series.index[~np.isfinite(values)])
        raise ValueError(f"fit_trend: NaN or inf values in years {bad}; fill or drop them first")
    if np.any(values <= 0):
        bad = list(series.index[values <= 0])
        raise ValueError(
            f"fit_trend: values must be > 0 (models are fitted to logs); not in years {bad}"
        )
    if np.any(years != np.round(years)) or np.any(np.diff(years) != 1):
        raise ValueError("fit_trend: years must be consecutive integers in increasing order")
    return years, values


@dataclass
class TrendFit:
    """A fitted baseline trend: chosen method, its parameters and projection, and how every
    candidate did. ``projection`` has columns ``year, mean, lower, upper`` (``mean`` is the
    back-transformed central path, i.e. the median of the log-normal forecast; the band is the
    ``interval`` prediction interval)."""

    method: str
    params: dict[str, float]
    projection: pd.DataFrame
    diagnostics: pd.DataFrame
    history: pd.Series
    interval: float = 0.90
    candidates: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def to_milestones(
        self,
        years: Sequence[int] = (2025, 2030, 2035, 2040, 2050, 2060),
        significant: int | None = 4,
    ) -> dict[int, float]:
        """``{year: value}`` for a scenario YAML trajectory; observed values for history years.

        Values are rounded to ``significant`` figures (the interval is far wider than that).
        """
        proj = self.projection.set_index("year")["mean"]
        hist = self.history.copy()
        hist.index = hist.index.astype(int)
        out: dict[int, float] = {}
        for y in years:
            y = int(y)
            if y in proj.index:
                v = float(proj.loc[y])
            elif y in hist.index:
                v = float(hist.loc[y])
            else:
                raise ValueError(
                    f"to_milestones: {y} is outside history {hist.index.min()}-{hist.index.max()} "
                    f"and projection to {proj.index.max()}"
                )
            out[y] = float(f"{v:.{significant}g}") if significant else v
        return out


def fit_trend(
    series: pd.Series,
    horizon_end: int = 2060,
    candidates: Sequence[str] = CANDIDATES,
    *,
    interval: float = 0.90,
    seed: int = 0,
    n_boot: int = 0,
) -> TrendFit:
    """Fit candidate trend models to annual history and project to ``horizon_end``.

    Raises ``ValueError`` for fewer than 5 points, NaN/inf, non-positive values, non-consecutive
    years, unknown candidates, or when no candidate can be fitted. The logistic band uses the
    delta method unless ``n_boot > 0`` asks for a residual bootstrap (seeded by ``seed``; about
    50 ms per refit). See the module docstring for the models and the selection rule.
    """
    years, values = _validate(series)
    if n_boot < 0:
        raise ValueError(f"fit_trend: n_boot must be >= 0, got {n_boot}")
    unknown = [c for c in candidates if c not in _FITTERS]
    if unknown or not candidates:
        raise ValueError(f"fit_trend: unknown candidates {unknown}; choose from {CANDIDATES}")
    if not 0 < interval < 1:
        raise ValueError(f"fit_trend: interval must be in (0, 1), got {interval}")
    last = int(years[-1])
    if horizon_end <= last:
        raise ValueError(f"fit_trend: horizon_end {horizon_end} must be after last year {last}")
    ly = np.log(values)
    n, steps, alpha = len(values), horizon_end - last, 1 - interval
    h = max(2, round(n / 5))
    future = np.arange(last + 1, horizon_end + 1)

    rows, fits, frames = [], {}, {}
    for name in candidates:
        row: dict[str, object] = {"method": name}
        try:
            fit = _fit_one(name, years, ly, steps, alpha, seed, n_boot)
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as err:
            row.update(error=str(err), holdout_rmse_log=np.inf)
            rows.append(row)
            continue
        try:
            ho = _fit_one(name, years[:-h], ly[:-h], h, alpha, seed, 0)
            holdout = float(np.sqrt(np.mean((ho.mean - ly[-h:]) ** 2)))
        except (ValueError, RuntimeError, np.linalg.LinAlgError):
            holdout = np.inf
        fits[name] = fit
        frames[name] = pd.DataFrame(
            {
                "year": future,
                "mean": np.exp(fit.mean),
                "lower": np.exp(fit.lower),
                "upper": np.exp(fit.upper),
            }
        )
        row.update(
            aic=fit.aic,
            aicc=fit.aicc,
            rmse_in_sample=float(np.sqrt(np.mean((values - np.exp(fit.fitted)) ** 2))),
            holdout_rmse_log=holdout,
            ljung_box_p=_ljung_box_p(np.asarray(fit.resid)),
            error="",
        )
        rows.append(row)
    if not fits:
        errors = "; ".join(f"{r['method']}: {r['error']}" for r in rows)
        raise ValueError(f"fit_trend: no candidate could be fitted ({errors})")

    diag = pd.DataFrame(rows).set_index("method")
    for col in ("aic", "aicc", "rmse_in_sample", "ljung_box_p"):
        if col not in diag:
            diag[col] = np.nan
    ok = diag.loc[list(fits)]
    if np.isfinite(ok["holdout_rmse_log"]).any():
        chosen = str(ok["holdout_rmse_log"].idxmin())
        rule = f"hold-out RMSE of ln y over the last {h} years"
    else:
        level = ok.loc[[m for m in ok.index if m != "arima"] or list(ok.index)]
        chosen = str(level["aicc"].idxmin()) if level["aicc"].notna().any() else level.index[0]
        rule = "AICc (series too short to hold out)"
    diag["selected"] = diag.index == chosen
    diag = diag[
        ["aic", "aicc", "rmse_in_sample", "holdout_rmse_log", "ljung_box_p", "selected", "error"]
    ]
    diag.attrs["rule"] = rule
    history = pd.Series(values, index=years.astype(int), name=series.name)
    return TrendFit(
        method=chosen,
        params=fits[chosen].params,
        projection=frames[chosen],
        diagnostics=diag,
        history=history,
        interval=interval,
        candidates=frames,
    )
