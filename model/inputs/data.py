"""The data tables under assumptions/data/: history, base year, technology, targets, costs.

Every table carries `source` on every row; loading checks columns, numbers, sources and that
every base-year (2020) quantity the engine needs is present, reporting all problems together.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import AssumptionError, Problem
from model.inputs.costs import CostData, load_costs
from model.inputs.observations import Observations, load_observations
from model.inputs.tables import read_csv

BASE_YEAR = 2020
HISTORY_FIRST = 2010
FOSSIL = ("Coal", "Coke", "Oil", "Gas")
CARRIERS = ("Coal", "Coke", "Oil", "Gas", "Electricity", "Heat", "Hydrogen")
REQUIRED_BASE_ITEMS = (
    *(f"co2_combustion|{c}" for c in FOSSIL),
    "co2_process",
    *(f"energy|{c}" for c in FOSSIL),
    "energy|Electricity",
    "energy|Heat",
    "value_added",
)
TABLES: dict[str, tuple[str, ...]] = {
    "sectors.csv": ("sector", "iamc_name", "name_zh", "name_en", "source"),
    "technology.csv": ("route", "carrier", "value", "low", "high", "unit", "source", "kind"),
    "targets.csv": ("target", "year", "value", "unit", "source"),
    # The inputs of model.inputs.derivation (history and base year are derived from them at load).
    "choices.csv": ("key", "value", "low", "high", "unit", "kind", "source"),
    "ceads_sector_map.csv": ("ceads_sector", "sector", "note", "source"),
    "ceads_fuel_map.csv": (
        "fuel",
        "carrier",
        "ncv",
        "ncv_unit",
        "carbon_content_tc_per_tj",
        "oxidation_rate",
        "source",
    ),
    "ceads_inventory.csv": ("year", "ceads_sector", "fuel", "mt_co2", "source"),
}
# Columns that may be empty (a choice without a range; a fuel not recovered to energy).
OPTIONAL_NUMBERS = {
    "choices.csv": {"low", "high"},
    "ceads_fuel_map.csv": {"ncv", "carbon_content_tc_per_tj", "oxidation_rate"},
}
NUMERIC_COLUMNS = {
    "value",
    "low",
    "high",
    "year",
    "mt_co2",
    "ncv",
    "carbon_content_tc_per_tj",
    "oxidation_rate",
}
DERIVED_CACHE = ".derived"  # assumptions/.derived/<content hash>.pkl (not committed)
NUMERIC = {"value", "low", "high", "year"}  # macro.csv
# Macro series for statistical cross-checks only (STIRPAT); the engine never reads them.
MACRO_TABLE = ("macro.csv", ("item", "year", "value", "unit", "source", "kind"))
MACRO_UNITS = {"population": "million persons", "gdp": "bn USD 2010"}
KINDS = ("quoted", "derived", "assumption")
HISTORY_YEARS = np.arange(HISTORY_FIRST, BASE_YEAR + 1)
_NAN_HISTORY = np.full(HISTORY_YEARS.shape, np.nan)
_NAN_HISTORY.setflags(write=False)


@dataclass(frozen=True)
class BaseData:
    """Read-only view of the data tables; arrays are float64."""

    folder: Path
    sectors: list[str]
    sector_info: pd.DataFrame
    history: pd.DataFrame
    base_year: pd.DataFrame
    technology: pd.DataFrame
    targets: pd.DataFrame
    observations: Observations
    costs: CostData  # costs.csv and money.csv in 2020 CNY (model.inputs.costs)
    # Plain dicts built once: the engine looks values up hundreds of times per run.
    _tech: dict[tuple[str, str], float]
    _history: dict[tuple[str, str], np.ndarray]
    _base: dict[tuple[str, str], float]
    _base_range: dict[tuple[str, str], tuple[float, float, float]]

    def base_range(self, key: str) -> tuple[float, float, float] | None:
        """`steel.crude_steel` -> (low, value, high) of the base-year table, None without a row."""
        sector, _, item = key.partition(".")
        return self._base_range.get((sector, item))

    def base_value(self, key: str) -> float:
        """`steel.crude_steel` -> the 2020 value of the base-year table
        (model.inputs.derivation)."""
        sector, _, item = key.partition(".")
        try:
            return self._base[(sector, item)]
        except KeyError:
            raise KeyError(f"the base-year table has no row {sector}, {item}") from None

    def tech(self, route: str, carrier: str) -> float:
        """Intensity per tonne (0 where the table lists nothing)."""
        return self._tech.get((route, carrier), 0.0)

    def history_array(self, sector: str, item: str) -> np.ndarray:
        """Values over 2010-2020 (NaN where absent)."""
        return self._history.get((sector, item), _NAN_HISTORY)

    def routes(self, prefix: str) -> list[str]:
        idx = self.technology.index.get_level_values("route").unique()
        return [r for r in idx if r.startswith(prefix)]

    def history_series(self, sector: str, item: str) -> pd.Series:
        """Values by year (history.csv), empty when absent."""
        try:
            return self.history.loc[(sector, item), "value"].sort_index()
        except KeyError:
            return pd.Series(dtype=float)

    def history_2020(self, sector: str, item: str) -> float:
        value = self.history_array(sector, item)[-1]
        if np.isnan(value):
            raise KeyError(f"history.csv has no {BASE_YEAR} value for {sector}, {item}")
        return float(value)

    def target(self, name: str) -> float:
        return float(self.targets.loc[name, "value"])


def load_data(folder: Path | str) -> BaseData:
    """Load and check assumptions/data (cached on the files' modification times)."""
    data_dir = Path(folder) / "data"
    stamp = tuple(
        (p.name, p.stat().st_mtime_ns) for p in sorted(data_dir.glob("*.csv")) if p.is_file()
    )
    return _load_cached(data_dir.resolve(), stamp)


@cache
def _load_cached(data_dir: Path, _stamp: tuple) -> BaseData:
    """The checked tables and the derived ones, from the disk cache when the inputs' content
    (and the code that reads and derives them) is unchanged: a notebook kernel then loads in a
    few ms instead of reading and deriving ~0.3 s."""
    import pickle

    cache = data_dir.parent / DERIVED_CACHE / f"{_content_hash(data_dir)}.pkl"
    try:
        with open(cache, "rb") as f:
            data = pickle.load(f)
        if isinstance(data, BaseData):
            return dataclasses.replace(data, folder=data_dir)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        pass
    data = _load_checked(data_dir)
    try:
        cache.parent.mkdir(exist_ok=True)
        for old in cache.parent.glob("*.pkl"):
            old.unlink(missing_ok=True)  # only the current inputs' tables are kept
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only folder derives every time
    return data


def _content_hash(data_dir: Path) -> str:
    """sha256 of every CSV the model reads and of the code that reads and derives them."""
    import hashlib

    from model.inputs import costs, derivation, observations, tables

    digest = hashlib.sha256()
    sources = (
        __file__,
        derivation.__file__,
        observations.__file__,
        costs.__file__,
        tables.__file__,
    )
    for source in sources:
        digest.update(Path(source).read_bytes())
    for path in sorted(data_dir.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _load_checked(data_dir: Path) -> BaseData:
    problems: list[Problem] = []
    frames = {
        name: _read_table(data_dir / name, cols, problems, OPTIONAL_NUMBERS.get(name, set()))
        for name, cols in TABLES.items()
    }
    try:
        observations = load_observations(data_dir)
    except AssumptionError as exc:
        problems += exc.problems
    else:
        try:
            costs = load_costs(data_dir, observations)
        except AssumptionError as exc:
            problems += exc.problems
    if not problems:
        problems += _choice_problems(frames["choices.csv"])
        problems += _map_problems(frames, data_dir)
    if problems:
        raise AssumptionError(problems)
    sectors = frames["sectors.csv"]["sector"].tolist()
    technology = frames["technology.csv"].set_index(["route", "carrier"]).sort_index()
    history, base_year = _derived_tables(frames, observations, technology)
    problems += _base_year_problems(history, sectors)
    if problems:
        raise AssumptionError(problems)
    base_year = base_year.set_index(["sector", "item"]).sort_index()
    history_arrays = _history_arrays(history)
    _grid_factor_on_mee_basis(history_arrays, base_year, observations)
    return BaseData(
        folder=data_dir,
        sectors=sectors,
        sector_info=frames["sectors.csv"].set_index("sector"),
        history=history.set_index(["sector", "item", "year"]).sort_index(),
        base_year=base_year,
        technology=technology,
        targets=frames["targets.csv"].set_index("target"),
        observations=observations,
        costs=costs,
        _tech={k: float(v) for k, v in technology["value"].items()},
        _history=history_arrays,
        _base={k: float(v) for k, v in base_year["value"].items()},
        _base_range={
            k: (float(lo), float(v), float(hi))
            for k, lo, v, hi in zip(
                base_year.index,
                base_year["low"],
                base_year["value"],
                base_year["high"],
                strict=True,
            )
        },
    )


def load_macro(folder: Path | str) -> pd.DataFrame:
    """assumptions/data/macro.csv as a (year x item) frame of values, checked.

    Every row needs a source, a known item with its unit, a kind and a positive value; all
    problems are reported together as an AssumptionError.
    """
    name, columns = MACRO_TABLE
    problems: list[Problem] = []
    df = _read_table(Path(folder) / "data" / name, columns, problems)
    if problems:
        raise AssumptionError(problems)
    where = f"data/{name}"
    for i, row in df.iterrows():
        key = f"row {i + 2}"
        if row["item"] not in MACRO_UNITS:
            problems.append(
                Problem(where, f"{key}.item", row["item"], f"one of {sorted(MACRO_UNITS)}")
            )
        elif row["unit"] != MACRO_UNITS[row["item"]]:
            problems.append(Problem(where, f"{key}.unit", row["unit"], MACRO_UNITS[row["item"]]))
        if row["kind"] not in KINDS:
            problems.append(Problem(where, f"{key}.kind", row["kind"], f"one of {list(KINDS)}"))
        if not row["value"] > 0:
            problems.append(Problem(where, f"{key}.value", row["value"], "a number > 0"))
    dup = df.duplicated(["item", "year"], keep=False)
    for i in df.index[dup]:
        problems.append(
            Problem(
                where,
                f"row {i + 2}",
                f"{df.at[i, 'item']} {df.at[i, 'year']}",
                "one row per item and year",
            )
        )
    if problems:
        raise AssumptionError(problems)
    wide = df.pivot(index="year", columns="item", values="value")
    wide.index = wide.index.astype(int)
    return wide.sort_index()


def _grid_factor_on_mee_basis(
    history: dict[tuple[str, str], np.ndarray], base_year: pd.DataFrame, obs: Observations
) -> None:
    """Put the grid-factor history on the basis of the MEE/NBS provincial factor.

    history.csv's grid factor is a bridge (thermal share x a fossil-only factor) whose level is
    not the MEE one; its shape is kept and its 2020 value set to the observations' 2020 factor
    (model.inputs.observations.grid_factor), and the base-year row follows, with that year's range.
    """
    mee = obs.grid_factor
    key = ("power", "grid_factor")
    if BASE_YEAR not in mee.index or key not in history:
        return
    low, value, high = mee.loc[BASE_YEAR, ["low", "value", "high"]]
    bridge = history[key]
    rebased = bridge * (value / bridge[-1])
    rebased.setflags(write=False)
    history[key] = rebased
    if key in base_year.index:
        base_year.loc[key, ["value", "low", "high"]] = [value, low, high]
        base_year.loc[key, "source"] = (
            "derived at load (model.inputs.observations.grid_factor): MEE/NBS provincial factor "
            f"basis, 2020 = {value:.4f}; was: " + str(base_year.loc[key, "source"])
        )


def _derived_tables(
    frames: dict[str, pd.DataFrame], obs: Observations, technology: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """history and base_year from model.inputs.derivation (cached with the rest: see
    _load_cached)."""
    from model.inputs import derivation

    tech = {k: float(v) for k, v in technology["value"].items()}
    choices = derivation.Choices(frames["choices.csv"].set_index("key"))
    return derivation.derive(
        frames["ceads_inventory.csv"].astype({"year": int}),
        frames["ceads_sector_map.csv"],
        frames["ceads_fuel_map.csv"],
        choices,
        obs,
        tech,
    )


def _choice_problems(choices: pd.DataFrame) -> list[Problem]:
    """choices.csv: one row per key, a kind, low <= value <= high when a range is given, every
    key the derivation reads, value-added shares summing to 1."""
    from model.inputs.derivation import REQUIRED_CHOICES

    name = "data/choices.csv"
    out = []
    for key in REQUIRED_CHOICES:
        if key not in set(choices["key"]):
            out.append(
                Problem(name, key, None, "a row is required (model.inputs.derivation reads it)")
            )
    va = choices[choices["key"].str.startswith("value_added.share.")]["value"]
    if len(va) and abs(va.sum() - 1) > 1e-9:
        out.append(
            Problem(
                name,
                "value_added.share.*",
                round(float(va.sum()), 6),
                "the central shares sum to 1",
            )
        )
    for i in choices.index[choices["key"].duplicated(keep=False)]:
        out.append(Problem(name, f"row {i + 2}.key", choices.at[i, "key"], "one row per key"))
    for _, row in choices.iterrows():
        key = row["key"]
        if row["kind"] not in KINDS:
            out.append(Problem(name, f"{key}.kind", row["kind"], f"one of {list(KINDS)}"))
        if pd.notna(row["low"]) != pd.notna(row["high"]):
            out.append(
                Problem(name, f"{key}.low/high", f"{row['low']}/{row['high']}", "both or neither")
            )
        elif pd.notna(row["low"]) and not row["low"] <= row["value"] <= row["high"]:
            out.append(
                Problem(
                    name,
                    f"{key}.value",
                    row["value"],
                    f"within its range {row['low']:g}-{row['high']:g}",
                )
            )
        if key.startswith(("electricity.share.", "heat.share.", "value_added.share.")) and not (
            0 <= row["value"] < 1
        ):
            out.append(Problem(name, f"{key}.value", row["value"], "a share in [0, 1)"))
    return out


def _map_problems(frames: dict[str, pd.DataFrame], data_dir: Path) -> list[Problem]:
    """The maps cover every CEADs sector and fuel once, and name known sectors and carriers."""
    out = []
    sectors = set(frames["sectors.csv"]["sector"]) | {"power", "non_industry", "total"}
    smap, fmap = frames["ceads_sector_map.csv"], frames["ceads_fuel_map.csv"]
    ceads = frames["ceads_inventory.csv"]
    for i, row in smap.iterrows():
        if row["sector"] not in sectors:
            out.append(
                Problem(
                    "data/ceads_sector_map.csv",
                    f"row {i + 2}.sector",
                    row["sector"],
                    f"one of {sorted(sectors)}",
                )
            )
    for missing in sorted(set(ceads["ceads_sector"]) - set(smap["ceads_sector"])):
        out.append(
            Problem(
                "data/ceads_sector_map.csv",
                "ceads_sector",
                missing,
                "every CEADs sector mapped once",
            )
        )
    carriers = {*FOSSIL, "process", "skip"}
    for i, row in fmap.iterrows():
        if row["carrier"] not in carriers:
            out.append(
                Problem(
                    "data/ceads_fuel_map.csv",
                    f"row {i + 2}.carrier",
                    row["carrier"],
                    f"one of {sorted(carriers)}",
                )
            )
        elif row["carrier"] in FOSSIL and not (
            row["carbon_content_tc_per_tj"] > 0 and 0 < row["oxidation_rate"] <= 1
        ):
            out.append(
                Problem(
                    "data/ceads_fuel_map.csv",
                    f"{row['fuel']}.carbon_content",
                    row["carbon_content_tc_per_tj"],
                    "carbon content > 0 and oxidation in (0, 1]",
                )
            )
    for missing in sorted(set(ceads["fuel"]) - set(fmap["fuel"])):
        out.append(Problem("data/ceads_fuel_map.csv", "fuel", missing, "every CEADs fuel mapped"))
    return out


def _history_arrays(history: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    wide = history.pivot_table(index=["sector", "item"], columns="year", values="value")
    wide = wide.reindex(columns=HISTORY_YEARS)
    out = {}
    for key, row in zip(wide.index, wide.to_numpy(dtype=float), strict=True):
        row.setflags(write=False)
        out[key] = row
    return out


def _read_table(
    path: Path, columns: tuple[str, ...], problems: list[Problem], optional: set[str] = frozenset()
) -> pd.DataFrame:
    name = f"data/{path.name}"
    df = read_csv(path, columns, problems)
    if df is None:
        return pd.DataFrame(columns=list(columns))
    # Vectorised (iterrows over history.csv cost ~0.4 s in every notebook of a batch).
    no_source = df["source"].astype(str).str.strip().eq("")
    for i in df.index[no_source.to_numpy()]:
        problems.append(Problem(name, f"row {i + 2}.source", "", "a non-empty source"))
    for col in NUMERIC_COLUMNS & set(columns):
        numbers = pd.to_numeric(df[col].replace("", np.nan), errors="coerce")
        bad = df[col].ne("") & numbers.isna()
        for i in df.index[bad]:
            problems.append(Problem(name, f"{_row_key(df, i)}.{col}", df.at[i, col], "a number"))
        df[col] = numbers
    required = [c for c in ("value", "mt_co2") if c in columns and c not in optional]
    for col in required:
        for i in df.index[df[col].isna()]:
            problems.append(Problem(name, f"{_row_key(df, i)}.{col}", "", "a number"))
    return df


def _row_key(df: pd.DataFrame, i: int) -> str:
    """A row's name in a message: its key column when the table has one, else its line."""
    for col in ("key", "fuel", "ceads_sector"):
        if col in df.columns and str(df.at[i, col]).strip():
            return str(df.at[i, col])
    return f"row {i + 2}"


def _base_year_problems(history: pd.DataFrame, sectors: list[str]) -> list[Problem]:
    have = set(zip(history["sector"], history["item"], history["year"], strict=True))
    out = []
    for sector in sectors:
        for item in REQUIRED_BASE_ITEMS:
            if (sector, item, BASE_YEAR) not in have:
                out.append(
                    Problem(
                        "data/history.csv",
                        f"{sector}.{item}.{BASE_YEAR}",
                        None,
                        "a base-year value is required",
                    )
                )
    if ("power", "grid_factor", BASE_YEAR) not in have:
        out.append(Problem("data/history.csv", "power.grid_factor.2020", None, "a value"))
    return out
