"""Observed statistics after the base year: the table the nowcast starts from.

Two files under assumptions/data/:
- ``observed_series.csv`` declares every series once (role, unit, domain, the parameter it
  drives, the model variable it is compared with, its default measurement range, names);
- ``observations.csv`` holds the rows (series, year, value, low, high, unit, kind, source,
  note). A modeller adds the 2024 statistical communique's rows and re-runs; nothing else.

Loading checks both and reports every problem as ``file: key: value: what is allowed``.
Derived series are computed here, from the rows, each time the table is loaded:
- the grid factor on the MEE/NBS basis in years MEE has not published, from the nearest
  published year x (thermal generation / whole-society consumption) of each year;
- industrial electricity (top-down): whole-society consumption x the national
  secondary-industry share of that year (Shandong's own share relative to it is a base-year
  assumption with a range, drawn by the Monte Carlo); the 2019 -> 2020 break of the provincial
  series is never read as growth: years before 2020 are not used;
- the real industrial value-added index (2020 = 1) from the yearly growth rates.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.errors import AssumptionError, Problem

BASE_YEAR = 2020
SERIES_FILE = "observed_series.csv"
TABLE_FILE = "observations.csv"
TABLE_COLUMNS = ("series", "year", "value", "low", "high", "unit", "kind", "source", "note")
KINDS = ("quoted", "derived", "assumption")
Role = Literal[
    "driver",
    "pig_iron",
    "aluminium_bound",
    "electricity_total",
    "national_electricity_total",
    "national_electricity_secondary",
    "grid_factor",
    "thermal_generation",
    "value_added_growth",
    "context",
]
# Roles whose years bound the nowcast: levers act only after the last of their observed years.
NOWCAST_ROLES = (
    "driver",
    "pig_iron",
    "aluminium_bound",
    "electricity_total",
    "grid_factor",
    "value_added_growth",
)
DOMAINS = {
    "nonneg": (0.0, np.inf, "a number >= 0"),
    "percent": (-50.0, 50.0, "a growth rate in % between -50 and 50"),
}
YEAR_RANGE = (2000, 2060)
# The provincial whole-society series breaks between 2019 and 2020 (reference note).
ELECTRICITY_FIRST_COMPARABLE_YEAR = 2020


class SeriesDecl(BaseModel):
    """One row of observed_series.csv."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    series: str = Field(pattern=r"^[a-z0-9_]+$")
    role: Role
    unit: str = Field(min_length=1)
    domain: Literal["nonneg", "percent"]
    to_model: float = Field(gt=0)
    model_unit: str = Field(min_length=1)
    parameter: str = ""
    cap: str = ""
    variable: str = ""
    range: float = Field(ge=0)
    range_scale: Literal["relative", "absolute"]
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    source: str = Field(min_length=1)


@dataclass(frozen=True)
class Observations:
    """The validated table. Values in the table's units unless a method says model units."""

    series: dict[str, SeriesDecl]
    table: pd.DataFrame  # one row per (series, year), sorted

    # -- plain look-ups ---------------------------------------------------------------------
    @cached_property
    def _frames(self) -> dict[str, pd.DataFrame]:
        """Series -> its rows indexed by year (split once: look-ups run in every model run)."""
        return {s: g.set_index("year") for s, g in self.table.groupby("series", sort=False)}

    def rows(self, series: str) -> pd.DataFrame:
        frame = self._frames.get(series)
        return frame if frame is not None else self.table.iloc[:0].set_index("year")

    @cached_property
    def history_points(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Model variable -> (years, values in model units) of the series that declare one."""
        out = {}
        for series, decl in self.series.items():
            if decl.variable:
                values = self.values(series, model_units=True)
                out[decl.variable] = (values.index.to_numpy(int), values.to_numpy(float))
        return out

    def values(self, series: str, model_units: bool = False) -> pd.Series:
        """Year -> value (table units, or the model's when asked)."""
        s = self.rows(series)["value"]
        return s * self.series[series].to_model if model_units else s

    def bounds(self, series: str, model_units: bool = False) -> pd.DataFrame:
        """Year -> low, value, high."""
        return self._bounds[(series, model_units)]

    @cached_property
    def _bounds(self) -> dict[tuple[str, bool], pd.DataFrame]:
        out = {}
        for series, decl in self.series.items():
            df = self.rows(series)[["low", "value", "high"]]
            out[(series, False)] = df
            out[(series, True)] = df * decl.to_model
        return out

    def last_year(self, series: str) -> int | None:
        years = self.rows(series).index
        return int(years.max()) if len(years) else None

    def by_role(self, role: str) -> list[str]:
        return [s for s, d in self.series.items() if d.role == role]

    @cached_property
    def through(self) -> int:
        """The nowcast year: the last year any driving series observes (levers act after it)."""
        years = [
            self.last_year(s)
            for s, d in self.series.items()
            if d.role in NOWCAST_ROLES and self.last_year(s) is not None
        ]
        return max([BASE_YEAR, *years])

    def latest(self) -> pd.DataFrame:
        """One row per series with rows: latest year, value, unit, kind, source."""
        last = self.table.sort_values("year").groupby("series", sort=False).tail(1)
        order = {s: i for i, s in enumerate(self.series)}
        return last.sort_values("series", key=lambda c: c.map(order)).reset_index(drop=True)

    # -- derived series ---------------------------------------------------------------------
    @cached_property
    def grid_factor(self) -> pd.DataFrame:
        """Year -> value, low, high (tCO2/MWh) and kind, 2020 through the nowcast year.

        Published years as published; other years from the nearest published year scaled by
        that year's thermal generation / whole-society consumption ratio (both NBS). The rule
        reproduces the published 2022 factor from the 2021 one within 0.5% (test). Derived
        years carry twice the series' range.
        """
        decl = self.series["grid_factor"]
        published = self.bounds("grid_factor", model_units=True)
        kinds = self.rows("grid_factor")["kind"]
        ratio = self.thermal_ratio
        rows = []
        for year in range(ELECTRICITY_FIRST_COMPARABLE_YEAR, self.through + 1):
            if year in published.index:
                low, value, high = published.loc[year, ["low", "value", "high"]]
                rows.append((year, value, low, high, kinds.loc[year]))
                continue
            if year not in ratio.index or published.empty:
                continue
            near = min(
                (y for y in published.index if y in ratio.index),
                key=lambda y: (abs(y - year), -y),
                default=None,
            )
            if near is None:
                continue
            value = published.at[near, "value"] * ratio[year] / ratio[near]
            half = 2 * decl.range * value
            rows.append((year, value, value - half, value + half, "derived"))
        return pd.DataFrame(rows, columns=["year", "value", "low", "high", "kind"]).set_index(
            "year"
        )

    @cached_property
    def thermal_ratio(self) -> pd.Series:
        """Thermal generation / whole-society consumption, on the post-2020 basis only."""
        thermal = self.values("thermal_generation")
        total = self.values("electricity_total")
        both = thermal.index.intersection(total.index)
        both = both[both >= ELECTRICITY_FIRST_COMPARABLE_YEAR]
        return (thermal[both] / total[both]).sort_index()

    @cached_property
    def industrial_share(self) -> pd.Series:
        """National secondary-industry share of electricity, by year (the Shandong proxy)."""
        total = self.values("cn_electricity_total")
        secondary = self.values("cn_electricity_secondary")
        both = total.index.intersection(secondary.index)
        return (secondary[both] / total[both]).sort_index()

    @cached_property
    def industrial_electricity(self) -> pd.DataFrame:
        """Year -> top-down industrial electricity (TWh) before the Shandong share factor.

        Whole-society consumption x the national secondary-industry share of the same year
        (the latest share when a year has none), from 2020 on (the series breaks before).
        Columns value, low, high (the consumption's measurement range).
        """
        total = self.bounds("electricity_total")
        total = total[total.index >= ELECTRICITY_FIRST_COMPARABLE_YEAR]
        share = self.industrial_share
        if share.empty or total.empty:
            return pd.DataFrame(columns=["value", "low", "high"])
        per_year = share.reindex(total.index).ffill().bfill()
        return total.mul(per_year, axis=0)

    @cached_property
    def value_added_index(self) -> pd.DataFrame:
        """Year -> real industrial value added index (2020 = 1), low, high: cumulated growth.

        Only contiguous years from 2021 on; a missing year ends the series (its level would be
        unknown). Low/high cumulate the yearly ranges (all low, all high).
        """
        growth = self.bounds("industrial_va_growth") / 100.0
        rows, level = [], np.ones(3)
        year = BASE_YEAR + 1
        while year in growth.index:
            level = level * (1 + growth.loc[year, ["value", "low", "high"]].to_numpy(float))
            rows.append((year, *level))
            year += 1
        return pd.DataFrame(rows, columns=["year", "value", "low", "high"]).set_index("year")


# ---------------------------------------------------------------------------------------------
# Loading and checks


def load_observations(data_dir: Path) -> Observations:
    """Read and check observed_series.csv and observations.csv (every problem together)."""
    problems: list[Problem] = []
    series = _read_series(data_dir / SERIES_FILE, problems)
    table = _read_table(data_dir / TABLE_FILE, series, problems)
    if problems:
        raise AssumptionError(problems)
    return Observations(series=series, table=table)


def _read_csv(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    name = f"data/{path.name}"
    if not path.is_file():
        problems.append(Problem(name, "<file>", None, "the file must exist"))
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, "<file>", None, f"well-formed UTF-8 CSV ({exc})"))
        return None


def _read_series(path: Path, problems: list[Problem]) -> dict[str, SeriesDecl]:
    df = _read_csv(path, problems)
    if df is None:
        return {}
    name = f"data/{path.name}"
    out: dict[str, SeriesDecl] = {}
    for i, row in df.iterrows():
        key = row.get("series") or f"row {i + 2}"
        try:
            decl = SeriesDecl.model_validate(row.to_dict())
        except ValidationError as exc:
            for e in exc.errors():
                col = ".".join(str(x) for x in e["loc"])
                problems.append(Problem(name, f"{key}.{col}", e.get("input"), e["msg"]))
            continue
        if decl.series in out:
            problems.append(Problem(name, decl.series, decl.series, "one row per series"))
        out[decl.series] = decl
    return out


def _read_table(path: Path, series: dict[str, SeriesDecl], problems: list[Problem]) -> pd.DataFrame:
    empty = pd.DataFrame(columns=list(TABLE_COLUMNS))
    df = _read_csv(path, problems)
    if df is None:
        return empty
    name = f"data/{path.name}"
    missing = [c for c in TABLE_COLUMNS if c not in df.columns and c != "note"]
    if missing:
        problems.append(Problem(name, "<columns>", list(df.columns), f"must include {missing}"))
        return empty
    if "note" not in df.columns:
        df["note"] = ""
    good = []
    for i, row in df.iterrows():
        row_problems = _row_problems(name, i, row, series)
        problems += row_problems
        if not row_problems:
            good.append(i)
    table = df.loc[good, list(TABLE_COLUMNS)].copy()
    table["year"] = table["year"].astype(int)
    for col in ("value", "low", "high"):
        table[col] = pd.to_numeric(table[col].replace("", np.nan))
    table = _fill_ranges(table, series)
    dup = table.duplicated(["series", "year"], keep=False)
    for (s, y), grp in table[dup].groupby(["series", "year"]):
        values = ", ".join(f"{v:g}" for v in grp["value"])
        problems.append(Problem(name, f"{s}.{y}", values, "one row per series and year"))
    for _, row in table.iterrows():
        if not row["low"] <= row["value"] <= row["high"]:
            key = f"{row['series']}.{row['year']}.low/high"
            value = f"{row['low']:g}/{row['high']:g}"
            problems.append(Problem(name, key, value, f"low <= value ({row['value']:g}) <= high"))
    return table.sort_values(["series", "year"]).reset_index(drop=True)


def _row_problems(name: str, i: int, row: pd.Series, series: dict) -> list[Problem]:
    s = row["series"].strip()
    if s not in series:
        close = difflib.get_close_matches(s, list(series), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        return [
            Problem(name, f"row {i + 2}.series", s, f"a series declared in {SERIES_FILE}{hint}")
        ]
    decl = series[s]
    out = []
    try:
        year = int(row["year"])
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise ValueError
    except ValueError:
        return [Problem(name, f"{s}.{row['year']}", row["year"], "a year between 2000 and 2060")]
    key = f"{s}.{year}"
    lo, hi, text = DOMAINS[decl.domain]
    try:
        value = float(row["value"])
        if not (lo <= value <= hi) or np.isnan(value):
            out.append(Problem(name, f"{key}.value", row["value"], text))
    except ValueError:
        out.append(Problem(name, f"{key}.value", row["value"], text))
    for col in ("low", "high"):
        if row[col].strip():
            try:
                float(row[col])
            except ValueError:
                out.append(Problem(name, f"{key}.{col}", row[col], "a number or empty"))
    if row["unit"].strip() != decl.unit:
        out.append(Problem(name, f"{key}.unit", row["unit"], f"{decl.unit} (the series' unit)"))
    if not row["source"].strip():
        out.append(Problem(name, f"{key}.source", "", "a non-empty source"))
    if row["kind"].strip() not in KINDS:
        out.append(Problem(name, f"{key}.kind", row["kind"], f"one of {list(KINDS)}"))
    return out


def _fill_ranges(table: pd.DataFrame, series: dict[str, SeriesDecl]) -> pd.DataFrame:
    """Empty low/high take the series' declared measurement range."""
    if table.empty:
        return table
    half = table["series"].map(lambda s: series[s].range).astype(float)
    relative = table["series"].map(lambda s: series[s].range_scale == "relative")
    width = np.where(relative, table["value"].abs() * half, half)
    table["low"] = table["low"].fillna(table["value"] - width)
    table["high"] = table["high"].fillna(table["value"] + width)
    return table
