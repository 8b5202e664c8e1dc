"""Monte Carlo outputs: peak distributions, P(industry peaks by 2030), fan charts, target odds.

Everything works on a Results with draws (runs 1..n; run 0 is the central case and is reported
beside the draws, never mixed into them) and is vectorized over draws: no Python loop over
draws or years. Emissions are Mt CO2/yr. Scope `direct_plus_indirect` adds the CO2 of the
electricity and heat industry buys; CEADs leaves chemical feedstock/process CO2 and indirect
emissions out, the model adds them, so totals exceed CEADs' industrial figures.

The probability of a yes/no event (for example "industry peaks by 2030") is the share p of
draws where it holds; its Monte Carlo standard error is sqrt(p (1 - p) / n) and the 95% Wilson
score interval is reported too, because it stays inside [0, 1] when p is 0 or 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from model.analysis.peaks import INDUSTRY, SCOPES, peak, scope_variable, sector_names, target_passes
from model.analysis.peaks import target_values as _target_values
from model.engine.results import Results
from model.errors import ModelError
from model.inputs.data import BaseData, load_data
from model.inputs.scenario import default_assumptions_dir

PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
PEAK_BY_YEAR = 2030
Z_95 = 1.959963984540054  # two-sided 95% normal quantile, for the Wilson interval
COLUMNS = ["scenario", "table", "sector", "scope", "target", "statistic", "year", "value"]


def _require_draws(results: Results) -> None:
    if results.n_draws < 1 or results.runs < 2:
        raise ModelError(
            f"{results.scenario}: results have no Monte Carlo draws (n_draws="
            f"{results.n_draws}): run with draws >= 1, e.g. run(scenario, draws=1000, seed=1)"
        )


def _data(data: BaseData | None) -> BaseData:
    return data if data is not None else load_data(default_assumptions_dir())


def _sectors(data: BaseData) -> list[str]:
    return [INDUSTRY, *sector_names(data)]


def _scopes(scopes: tuple[str, ...] | None) -> tuple[str, ...]:
    chosen = tuple(scopes) if scopes else tuple(SCOPES)
    bad = [s for s in chosen if s not in SCOPES]
    if bad:
        raise ModelError(f"scope: {bad}: one of {sorted(SCOPES)}")
    return chosen


def headline_scope(results: Results) -> str:
    return results.meta.get("settings", {}).get("headline_scope", "direct_plus_indirect")


def _stack(results: Results, sectors: list[str], scopes: tuple[str, ...]) -> np.ndarray:
    """(runs, sectors x scopes, years) emissions, central run first; scope-major, then sector."""
    return results.stack([scope_variable(sc, se) for sc in scopes for se in sectors])


def wilson_interval(p: np.ndarray | float, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion p observed over n trials."""
    p = float(p)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def peak_distribution(
    results: Results, data: BaseData | None = None, scopes: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """One row per (scope, sector, draw): peak_year and peak_value (Mt CO2), searched 2020-2060.

    Draws only (run 0, the central case, is left out). Columns: scenario, scope, sector, draw,
    peak_year, peak_value.
    """
    _require_draws(results)
    sectors, scopes = _sectors(_data(data)), _scopes(scopes)
    arr = _stack(results, sectors, scopes)[1:]  # (draws, m, years)
    n, m, ny = arr.shape
    flat = np.moveaxis(arr, 1, 0).reshape(m * n, ny)
    years, values = peak(flat, results.years)
    return pd.DataFrame(
        {
            "scenario": results.scenario,
            "scope": np.repeat(np.repeat(np.array(scopes, dtype=object), len(sectors)), n),
            "sector": np.repeat(np.tile(np.array(sectors, dtype=object), len(scopes)), n),
            "draw": np.tile(np.arange(1, n + 1), m),
            "peak_year": years.astype(int),
            "peak_value": values,
        }
    )


def _share_of_draws(hit: np.ndarray) -> dict[str, float]:
    """Share of the draws (row 0, the central case, excluded) where ``hit`` holds: n,
    probability, its Monte Carlo standard error and 95% Wilson interval."""
    n = len(hit) - 1
    p = float(hit[1:].mean())
    low, high = wilson_interval(p, n)
    return {
        "n": n,
        "probability": p,
        "se": float(np.sqrt(p * (1 - p) / n)),
        "wilson_low": low,
        "wilson_high": high,
    }


def probability_peak_by(
    results: Results,
    year: int = PEAK_BY_YEAR,
    scopes: tuple[str, ...] | None = None,
    sector: str = INDUSTRY,
) -> pd.DataFrame:
    """P(peak year <= `year`) over the draws, with its standard error and 95% Wilson interval.

    One row per scope: scope, sector, year, n_draws, probability, se, wilson_low, wilson_high,
    central (1.0 when the central case peaks by `year`, else 0.0).
    """
    _require_draws(results)
    rows = []
    for scope in _scopes(scopes):
        peak_years = peak(results.get(scope_variable(scope, sector)), results.years)[0]
        hit = peak_years <= year
        share = _share_of_draws(hit)
        rows.append(
            {"scope": scope, "sector": sector, "year": year, "n_draws": share.pop("n")}
            | share
            | {"central": float(hit[0])}
        )
    return pd.DataFrame(rows)


def fan_chart(
    results: Results,
    data: BaseData | None = None,
    scopes: tuple[str, ...] | None = None,
    percentiles: tuple[int, ...] = PERCENTILES,
) -> pd.DataFrame:
    """Percentile bands of emissions (Mt CO2/yr) over the draws by year, 2020-2060.

    Long table: scope, sector, year, statistic (p5 ... p95, and `central`), value. Percentiles
    are taken per year independently (a band, not the path of one draw).
    """
    _require_draws(results)
    sectors, scopes = _sectors(_data(data)), _scopes(scopes)
    keep = results.years >= 2020
    every = _stack(results, sectors, scopes)
    bands = np.percentile(every[1:, :, keep], percentiles, axis=0)  # (p, m, years)
    central = every[:1, :, keep]  # (1, m, years)
    stats_ = np.concatenate([bands, central])
    names = [*(f"p{q}" for q in percentiles), "central"]
    years = results.years[keep]
    m, ny = every.shape[1], len(years)
    pairs = [(sc, se) for sc in scopes for se in sectors]
    return pd.DataFrame(
        {
            "scope": np.tile(np.repeat([p[0] for p in pairs], ny), len(names)),
            "sector": np.tile(np.repeat([p[1] for p in pairs], ny), len(names)),
            "year": np.tile(years, m * len(names)),
            "statistic": np.repeat(names, m * ny),
            "value": stats_.ravel(),
        }
    )


def target_probabilities(
    results: Results, data: BaseData | None = None, scope: str | None = None
) -> pd.DataFrame:
    """Probability of meeting each target (assumptions/data/targets.csv) over the draws.

    Columns: target, scope, target_value, central_value, central_pass, probability, se,
    wilson_low, wilson_high, median_margin (positive = beaten by that much).
    """
    _require_draws(results)
    data = _data(data)
    scope = scope or headline_scope(results)
    _scopes((scope,))
    rows = []
    for name, measure in _target_values(results, data, scope).items():
        target = data.target(name)
        passed, margin = target_passes(measure, target, name)
        share = _share_of_draws(passed)
        del share["n"]
        rows.append(
            {
                "target": name,
                "scope": scope,
                "target_value": target,
                "central_value": float(measure[0]),
                "central_pass": bool(passed[0]),
                **share,
                "median_margin": float(np.median(margin[1:])),
            }
        )
    return pd.DataFrame(rows)


def _peak_rows(dist: pd.DataFrame, results: Results) -> pd.DataFrame:
    """Peak-year shares by year and percentiles of peak year and value, per scope and sector."""
    q = np.array(PERCENTILES)
    moments = [*(f"p{p}" for p in q), "mean", "sd"]
    cols: dict[str, list] = {k: [] for k in ("sector", "scope", "table", "statistic", "year")}
    values: list[np.ndarray] = []

    def add(sector: str, scope: str, table: str, statistic: list, year: list, value: Any) -> None:
        n = len(statistic)
        for key, item in (("sector", sector), ("scope", scope), ("table", table)):
            cols[key] += [item] * n
        cols["statistic"] += statistic
        cols["year"] += year
        values.append(np.asarray(value, dtype=float))

    # One frame built from columns: a frame per group and a concat cost ~0.1 s a summary.
    for (scope, sector), g in dist.groupby(["scope", "sector"], sort=False):
        years, counts = np.unique(g["peak_year"].to_numpy(), return_counts=True)
        add(sector, scope, "peak_year", ["share"] * len(years), list(years), counts / len(g))
        for column in ("peak_year", "peak_value"):
            vals = g[column].to_numpy(dtype=float)
            stats_ = [*np.percentile(vals, q), vals.mean(), vals.std(ddof=1)]
            add(sector, scope, column, moments, [pd.NA] * len(moments), stats_)
    n = len(cols["table"])
    return pd.DataFrame(
        {
            "scenario": [results.scenario] * n,
            "sector": cols["sector"],
            "scope": cols["scope"],
            "target": [""] * n,
            "table": cols["table"],
            "statistic": cols["statistic"],
            "year": pd.array(cols["year"], dtype="Int64"),
            "value": np.concatenate(values) if values else np.empty(0),
        }
    )


def uncertainty_summary(results: Results, data: BaseData | None = None) -> tuple[pd.DataFrame, str]:
    """All Monte Carlo outputs in one tidy table, plus a short text for the terminal.

    Columns: scenario, table, sector, scope, target, statistic, year, value. Tables:
    `peak_year` (statistic `share` per candidate year; p5..p95, mean, sd of the peak year),
    `peak_value` (p5..p95, mean, sd, Mt CO2), `peak_by_2030` (probability, se, wilson_low,
    wilson_high, n_draws, central), `fan` (p5..p95 and central by year, Mt CO2/yr) and
    `targets` (same statistics as peak_by_2030 per target, headline scope). Rows are in a fixed
    order, so the same results give a byte-identical file.
    """
    _require_draws(results)
    data = _data(data)
    scen = results.scenario
    frames = [_peak_rows(peak_distribution(results, data), results)]

    prob = probability_peak_by(results, PEAK_BY_YEAR)
    stats_ = ["probability", "se", "wilson_low", "wilson_high", "n_draws", "central"]
    for _, row in prob.iterrows():
        frames.append(
            pd.DataFrame(
                {
                    "scenario": scen,
                    "table": "peak_by_2030",
                    "sector": INDUSTRY,
                    "scope": row["scope"],
                    "target": "",
                    "statistic": stats_,
                    "year": PEAK_BY_YEAR,
                    "value": [float(row[s]) for s in stats_],
                }
            )
        )

    fan = fan_chart(results, data)
    frames.append(fan.assign(scenario=scen, table="fan", target=""))

    targets = target_probabilities(results, data)
    t_stats = ["probability", "se", "wilson_low", "wilson_high", "central_value", "median_margin"]
    for _, row in targets.iterrows():
        frames.append(
            pd.DataFrame(
                {
                    "scenario": scen,
                    "table": "targets",
                    "sector": INDUSTRY,
                    "scope": row["scope"],
                    "target": row["target"],
                    "statistic": t_stats,
                    # Typed, not a bare pd.NA: an all-NA object column makes concat guess
                    # the dtype (pandas' FutureWarning about empty or all-NA entries).
                    "year": pd.array([pd.NA] * len(t_stats), dtype="Int64"),
                    "value": [float(row[s]) for s in t_stats],
                }
            )
        )
    table = pd.concat([f.reindex(columns=COLUMNS) for f in frames], ignore_index=True)
    table["year"] = table["year"].astype("Int64")
    table["value"] = table["value"].astype(float)
    return table, _text(results, prob, targets, table)


def _text(results: Results, prob: pd.DataFrame, targets: pd.DataFrame, table: pd.DataFrame) -> str:
    n = results.n_draws
    head = headline_scope(results)
    method = results.meta.get("method") or "random"
    lines = [f"{results.scenario}: {n} Monte Carlo draws (seed {results.seed}, {method})"]
    for _, row in prob.iterrows():
        tag = " (headline)" if row["scope"] == head else ""
        lines.append(
            f"  P(industry peaks by {PEAK_BY_YEAR}) {row['scope']}{tag}: "
            f"{row['probability']:.3f} ± {row['se']:.3f} (SE); 95% Wilson "
            f"[{row['wilson_low']:.3f}, {row['wilson_high']:.3f}]"
        )
    sel = table[(table["sector"] == INDUSTRY) & (table["scope"] == head)]
    for column, unit in (("peak_year", ""), ("peak_value", " Mt CO2")):
        d = sel[sel["table"] == column].set_index("statistic")["value"]
        lines.append(
            f"  industry {column.replace('_', ' ')} ({head}): median {d['p50']:.0f}{unit}, "
            f"90% range {d['p5']:.0f}-{d['p95']:.0f}{unit}"
        )
    for _, row in targets.iterrows():
        lines.append(
            f"  P({row['target']}) = {row['probability']:.3f} ± {row['se']:.3f}"
            f" (central {'PASS' if row['central_pass'] else 'FAIL'})"
        )
    lines.append(
        "  Scope note: CEADs omits chemical feedstock/process CO2 and indirect emissions; "
        "the model adds them."
    )
    return "\n".join(lines)
