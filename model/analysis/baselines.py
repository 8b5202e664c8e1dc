"""Statistical baseline proposals from history, and the STIRPAT cross-check's data check.

Proposals. model.methods.trends.fit_trend fits candidate trend models (log-linear, logistic
saturation,
damped ETS, ARIMA) to a sector's history and picks one by hold-out error. The longest series in
assumptions/data/history.csv are the CEADs-derived ones, 2000-2019 (20 points): fossil final
energy (Mtce, recovered from CEADs CO2) and combustion CO2 (Mt) per sector. The 2020 rows are a
modelling estimate (kind `assumption`), not an observation, so they are left out of the fits.
A series whose year-on-year change exceeds a factor of 2 has a break (CEADs' chemicals energy
drops by four fifths in 2013 in the source itself): it is fitted from the last break on, and
the note says so. Physical outputs have only 1-4 points (crude steel 2018-2020, cement 2010,
2015, 2019, 2020): too few for any trend model (fit_trend needs 5); they are summarised, not
fitted. The proposals are a cross-check and a starting point for an activity path; the
scenario files remain the modeller's choice.

STIRPAT (model.methods.stirpat.fit_stirpat) is fitted on annual population and GDP (data/macro.csv:
NBS yearbook figures as tabulated by JGCRI gcamdata, 2000-2013) against CEADs industrial CO2 and
a technology proxy, over the years before CEADs' 2013 chemicals break (2000-2012). It is a
sanity comparison, not the model: stirpat_comparison() sets its historical affluence elasticity
beside the one each scenario implies.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from model.engine.results import Results
from model.errors import ModelError
from model.inputs.data import BASE_YEAR, FOSSIL, BaseData, load_data, load_macro
from model.inputs.scenario import default_assumptions_dir
from model.methods.stirpat import StirpatResult, fit_stirpat
from model.methods.trends import CANDIDATES, MIN_POINTS, TrendFit, fit_trend

SERIES: dict[str, tuple[str, str]] = {
    "fossil_energy": ("energy", "Mtce"),
    "combustion_co2": ("co2_combustion", "Mt CO2"),
}
MILESTONE_YEARS: tuple[int, ...] = (2025, 2030, 2035, 2040, 2050, 2060)
BREAK_FACTOR = 2.0  # a year-on-year ratio beyond x2 or /2 is a break in the source series
OBSERVED_KINDS = ("quoted", "derived")
STIRPAT_MIN_YEARS = 6  # fit_stirpat needs p + 3 rows for p = 3 regressors
# The CEADs chemicals series (Raw Chemical Materials) breaks in 2013 in the source itself
# (shared/reference-data README); its model sector's CO2 falls to 0.56x that year.
CEADS_BREAK_YEAR = 2013
FAST_GROWTH = 0.05  # |annual growth| beyond which a decades-long trend path gets a warning


def _data(assumptions: Path | str | None) -> BaseData:
    return load_data(Path(assumptions) if assumptions is not None else default_assumptions_dir())


def history_series(data: BaseData, sector: str, series: str) -> pd.Series:
    """Observed annual history (no `assumption` rows) of a sector's fossil energy or CO2."""
    if series not in SERIES:
        raise ModelError(f"baselines: series: {series!r}: one of {sorted(SERIES)}")
    if sector not in data.sectors:
        raise ModelError(f"baselines: sector: {sector!r}: one of {data.sectors}")
    prefix = SERIES[series][0]
    h = data.history.reset_index()
    rows = h[
        (h["sector"] == sector)
        & h["item"].isin([f"{prefix}|{c}" for c in FOSSIL])
        & h["kind"].isin(OBSERVED_KINDS)
    ]
    out = rows.groupby("year")["value"].sum().sort_index()
    out.index = out.index.astype(int)
    out.name = f"{sector}.{series}"
    return out


def last_break(series: pd.Series, factor: float = BREAK_FACTOR) -> int | None:
    """First year after the last year-on-year jump beyond `factor` (None when there is none)."""
    ratio = series / series.shift(1)
    jumps = series.index[(ratio > factor) | (ratio < 1 / factor)]
    return int(jumps.max()) if len(jumps) else None


def fit_sector_trend(
    data: BaseData,
    sector: str,
    series: str,
    *,
    interval: float = 0.90,
    candidates: Sequence[str] = CANDIDATES,
    seed: int = 0,
) -> tuple[TrendFit, str]:
    """fit_trend on one sector's series (after its last break, if any); returns (fit, note)."""
    hist = history_series(data, sector, series)
    note = f"{len(hist)} observed years {hist.index.min()}-{hist.index.max()}"
    brk = last_break(hist)
    if brk is not None and (hist.index >= brk).sum() >= MIN_POINTS:
        hist = hist[hist.index >= brk]
        note += f"; break in {brk} (x{BREAK_FACTOR:g} jump in the source): fitted {brk} on"
    elif brk is not None:
        note += f"; break in {brk}, too few points after it: fitted the whole series"
    try:
        fit = fit_trend(hist, 2060, candidates, interval=interval, seed=seed)
    except ValueError as exc:
        raise ModelError(f"baselines: {sector}.{series}: {exc}") from None
    return fit, note


def _growth(proj: pd.Series, start: int, end: int, start_value: float | None = None) -> float:
    a = start_value if start_value is not None else float(proj.loc[start])
    return float((proj.loc[end] / a) ** (1 / (end - start)) - 1)


def trend_fits(
    assumptions: Path | str | None = None,
    series: str = "combustion_co2",
    sectors: Sequence[str] | None = None,
    *,
    interval: float = 0.90,
    candidates: Sequence[str] = CANDIDATES,
    seed: int = 0,
) -> dict[str, tuple[TrendFit, str]]:
    """``{sector: (fit, note)}`` of one series for each sector (all sectors by default)."""
    data = _data(assumptions)
    return {
        sector: fit_sector_trend(
            data, sector, series, interval=interval, candidates=candidates, seed=seed
        )
        for sector in sectors or data.sectors
    }


def scenario_path(
    results: Results,
    sector: str,
    series: str,
    assumptions: Path | str | None = None,
    start: int = BASE_YEAR,
) -> pd.Series:
    """A scenario's own path of a trend series (SERIES) for one sector, from ``start``: the
    quantity a proposal extrapolates (combustion CO2, or fossil final energy), to set beside it.
    """
    if series not in SERIES:
        raise ModelError(f"baselines: series: {series!r}: one of {sorted(SERIES)}")
    data = _data(assumptions)
    if sector not in data.sectors:
        raise ModelError(f"baselines: sector: {sector!r}: one of {data.sectors}")
    name = data.sector_info.at[sector, "iamc_name"]
    if series == "combustion_co2":
        path = results.series(f"Emissions|CO2|Industry|{name}|Combustion")
    else:
        path = sum(results.series(f"Final Energy|Industry|{name}|{c}") for c in FOSSIL)
    return path.loc[start:]


def propose_baselines(
    assumptions: Path | str | None = None,
    series: Sequence[str] = tuple(SERIES),
    sectors: Sequence[str] | None = None,
    milestone_years: Sequence[int] = MILESTONE_YEARS,
    *,
    interval: float = 0.90,
    candidates: Sequence[str] = CANDIDATES,
    seed: int = 0,
    fits: dict[str, dict[str, tuple[TrendFit, str]]] | None = None,
) -> pd.DataFrame:
    """One proposal per sector and series from the statistical trend fits.

    ``fits`` (``{series: trend_fits(...)}``) reuses fits already made, e.g. for a chart.

    Columns: sector, series, unit, n_points (used in the fit), fitted_from, last_year, method,
    rule (how it was chosen), growth_to_2030 and growth_2030_2060 (mean annual rates of the
    central path), milestones ({year: level}, ready to paste into a scenario YAML), index
    ({year: level / last observed level}, for an index-type parameter), lower and upper
    ({year: bound} of the `interval` prediction band), note (length, breaks).
    """
    data = _data(assumptions)
    years = [int(y) for y in milestone_years]
    bad = [y for y in years if not 2020 <= y <= 2060]
    if bad:
        raise ModelError(f"baselines: milestone years {bad}: between 2020 and 2060")
    rows = []
    fits = fits or {
        name: trend_fits(
            assumptions, name, sectors, interval=interval, candidates=candidates, seed=seed
        )
        for name in series
    }
    for sector in sectors or data.sectors:
        for name in series:
            fit, note = fits[name][sector]
            proj = fit.projection.set_index("year")
            growth_late = _growth(proj["mean"], 2030, 2060)
            if abs(growth_late) > FAST_GROWTH:
                note += (
                    f"; warning: the central path changes {growth_late:+.1%}/yr 2030-2060, a "
                    "drift extrapolated for decades: judge before using it past 2030"
                )
            last = int(fit.history.index.max())
            last_value = float(fit.history.iloc[-1])
            rows.append(
                {
                    "sector": sector,
                    "series": name,
                    "unit": SERIES[name][1],
                    "n_points": len(fit.history),
                    "fitted_from": int(fit.history.index.min()),
                    "last_year": last,
                    "method": fit.method,
                    "rule": fit.diagnostics.attrs.get("rule", ""),
                    "growth_to_2030": _growth(proj["mean"], last, 2030, last_value),
                    "growth_2030_2060": growth_late,
                    "milestones": fit.to_milestones(years),
                    "index": {y: round(float(proj.loc[y, "mean"]) / last_value, 4) for y in years},
                    "lower": {y: float(f"{proj.loc[y, 'lower']:.4g}") for y in years},
                    "upper": {y: float(f"{proj.loc[y, 'upper']:.4g}") for y in years},
                    "interval": interval,
                    "note": note,
                }
            )
    return pd.DataFrame(rows)


def output_history(assumptions: Path | str | None = None) -> pd.DataFrame:
    """The physical-output history that exists (output|* items): too short to fit a trend.

    Columns: sector, item, n_points, years, first, last, cagr (between first and last point,
    NaN with one point), fit (why no trend model is fitted).
    """
    h = _data(assumptions).history.reset_index()
    rows = []
    for (sector, item), g in h[h["item"].str.startswith("output|")].groupby(["sector", "item"]):
        g = g.sort_values("year")
        years = g["year"].astype(int).tolist()
        span = years[-1] - years[0]
        first, last = float(g["value"].iloc[0]), float(g["value"].iloc[-1])
        rows.append(
            {
                "sector": sector,
                "item": item,
                "n_points": len(years),
                "years": years,
                "first": first,
                "last": last,
                "cagr": (last / first) ** (1 / span) - 1 if span > 0 and first > 0 else np.nan,
                "fit": f"none: {len(years)} point(s), fit_trend needs {MIN_POINTS}",
            }
        )
    return pd.DataFrame(rows)


TECHNOLOGY_PROXIES = {
    "coal_share": "coal and coke share of industrial fossil final energy (CEADs-derived)",
    "energy_intensity": "industrial fossil final energy per unit of GDP (tce per 1000 USD 2010)",
}


def stirpat_frame(
    assumptions: Path | str | None = None, technology: str = "coal_share"
) -> pd.DataFrame:
    """Annual STIRPAT inputs for Shandong industry, one row per year.

    Columns: co2 (CEADs scope-1 CO2 of the 8 industrial sectors, Mt), population (million),
    affluence (GDP per person, thousand USD 2010) and technology (see TECHNOLOGY_PROXIES).
    Years: where data/macro.csv and the CEADs history overlap, ending before CEADS_BREAK_YEAR
    (the chemicals series breaks in 2013 in the source), so the fit does not read a change of
    accounting as a change of emissions. The window and
    sources are in ``frame.attrs``. ``energy_intensity`` makes the regression close to the
    Kaya identity (its elasticity is ~1 by construction); ``coal_share`` (the fuel mix) does not.
    """
    if technology not in TECHNOLOGY_PROXIES:
        raise ModelError(
            f"stirpat: technology: {technology!r}: one of {sorted(TECHNOLOGY_PROXIES)}"
        )
    data = _data(assumptions)
    macro = load_macro(data.folder.parent)
    h = data.history.reset_index()
    ind = h[(h["sector"] == "industry") & h["kind"].isin(OBSERVED_KINDS)]
    co2 = ind[ind["item"] == "co2_scope1"].set_index("year")["value"]
    energy = ind[ind["item"].isin([f"energy|{c}" for c in FOSSIL])].pivot_table(
        index="year", columns="item", values="value"
    )
    fossil = energy.sum(axis=1)
    end = min(int(macro.index.max()), int(co2.index.max()), CEADS_BREAK_YEAR - 1)
    years = [y for y in macro.index if y <= end and y in co2.index and y in fossil.index]
    if technology == "coal_share":
        tech = (energy["energy|Coal"] + energy["energy|Coke"]) / fossil
    else:
        tech = fossil / macro["gdp"]  # Mtce per bn USD = tce per 1000 USD
    frame = pd.DataFrame(
        {
            "co2": co2.reindex(years),
            "population": macro["population"].reindex(years),
            "affluence": (macro["gdp"] / macro["population"]).reindex(years),
            "technology": tech.reindex(years),
        }
    )
    frame.index.name = "year"
    frame.attrs.update(
        window=f"{min(years)}-{max(years)}" if years else "none",
        technology=TECHNOLOGY_PROXIES[technology],
        sources=(
            "CO2: CEADs Shandong scope-1, 8 industrial sectors (history.csv co2_scope1); "
            "population and GDP: data/macro.csv (NBS yearbooks as tabulated by JGCRI gcamdata)"
        ),
    )
    return frame


def stirpat_crosscheck(
    frame: pd.DataFrame | None = None,
    assumptions: Path | str | None = None,
    technology: str = "coal_share",
) -> StirpatResult:
    """Fit STIRPAT (ln CO2 on ln population, ln GDP per person, ln technology).

    ``frame`` (columns co2, population, affluence, technology; one row per year) runs the fit on
    series the caller has; without it the shipped series are used (``stirpat_frame``).
    """
    if frame is None:
        frame = stirpat_frame(assumptions, technology)
    if len(frame) < STIRPAT_MIN_YEARS:
        raise ModelError(
            f"stirpat_crosscheck: {len(frame)} year(s) of population, GDP and CO2 overlap; "
            f"needs at least {STIRPAT_MIN_YEARS} (data/macro.csv and history.csv)"
        )
    return fit_stirpat(frame, "co2", "population", "affluence", "technology")


def implied_affluence_elasticity(
    results: Results, start: int = BASE_YEAR, end: int = 2030, run: int = 0
) -> float:
    """The model's own emissions elasticity to industrial value added between two years.

    ``ln(CO2_end / CO2_start) / ln(VA_end / VA_start)`` for direct industrial CO2: what the
    bottom-up scenario implies, to set beside STIRPAT's historical affluence elasticity.
    """
    co2 = results.series("Emissions|CO2|Industry", run)
    va = results.series("Value Added|Industry", run)
    growth = np.log(va.loc[end] / va.loc[start])
    if abs(growth) < 1e-9:
        return float("nan")
    return float(np.log(co2.loc[end] / co2.loc[start]) / growth)


def stirpat_comparison(
    results_by_scenario: dict[str, Results],
    fit: StirpatResult | None = None,
    end: int = 2030,
) -> pd.DataFrame:
    """Historical STIRPAT affluence elasticity (OLS and ridge) beside each scenario's own.

    One row per source: ``STIRPAT ...`` rows (with the fit window) and one per scenario
    (elasticity of direct CO2 to industrial value added, base year to ``end``).
    """
    fit = fit if fit is not None else stirpat_crosscheck()
    rows = [
        {
            "source": "STIRPAT OLS (history)",
            "affluence_elasticity": float(fit.coefficients["ln_affluence"]),
            "r2": fit.r2,
        }
    ]
    if fit.ridge_coefficients is not None:
        rows.append(
            {
                "source": "STIRPAT ridge (history)",
                "affluence_elasticity": float(fit.ridge_coefficients["ln_affluence"]),
                "r2": fit.ridge_r2,
            }
        )
    for name, res in results_by_scenario.items():
        rows.append(
            {
                "source": f"{name} {BASE_YEAR}-{end}",
                "affluence_elasticity": implied_affluence_elasticity(res, BASE_YEAR, end),
                "r2": np.nan,
            }
        )
    return pd.DataFrame(rows)
