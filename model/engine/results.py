"""Results: every variable for every run (row 0 = the deterministic central case, then draws).

Tidy accessors and the IAMC export (model `peakpath`, region `Shandong`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.inputs.trajectory import YEARS

MODEL_NAME = "peakpath"
REGION = "Shandong"
UNITS = (
    ("Emissions|", "Mt CO2/yr"),
    ("Final Energy|", "Mtce/yr"),
    ("Electricity Demand|", "TWh/yr"),
    ("Hydrogen Demand|", "Mt H2/yr"),
    ("Value Added|", "billion CNY_2020/yr"),
    ("Production|", "Mt/yr"),
    ("Investment|", "billion CNY2020/yr"),
    ("Cost|", "billion CNY2020/yr"),
    ("Revenue|", "billion CNY2020/yr"),
    ("Carbon Market|", "Mt CO2/yr"),
    ("Price|Carbon|", "CNY2020/t CO2"),
)
IAMC_INDEX = ["model", "scenario", "region", "variable", "unit"]


def unit_of(variable: str) -> str:
    for prefix, unit in UNITS:
        if variable.startswith(prefix):
            return unit
    raise KeyError(f"no unit declared for {variable}")


@dataclass(frozen=True)
class Block:
    """The engine's output for runs start..stop-1: 2020-2060 and, separately, the history years.

    Arrays may be broadcast views ((1, years) repeated over the rows); history holds only the
    variables that have any, as (rows or 1, history years).
    """

    start: int
    stop: int
    projection: Mapping[str, np.ndarray]
    history: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Results:
    """Every variable for every run; run 0 is the central case, runs 1..n_draws the draws.

    Kept as the engine's blocks and assembled per variable on first use (`get`), so a Monte
    Carlo run pays only for the variables an analysis reads: the whole (variables, runs,
    years) cube is 86 MB for 1000 draws, and building it was half the time of a cold run.
    `by_variable[variable, run, year]` (and its view `values[run, variable, year]`) builds the
    cube when asked, once; `get` then returns views of it.
    """

    scenario: str
    variables: tuple[str, ...]
    blocks: tuple[Block, ...]
    n_draws: int = 0
    seed: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    years: np.ndarray = field(default_factory=lambda: YEARS.copy())

    @property
    def runs(self) -> int:
        return self.blocks[-1].stop

    @property
    def by_variable(self) -> np.ndarray:
        """(variables, runs, years), built from the blocks on first use."""
        cube = self.__dict__.get("_cube")
        if cube is None:
            cube = np.empty((len(self.variables), self.runs, len(self.years)))
            for i, variable in enumerate(self.variables):
                self._fill(cube[i], variable)
            object.__setattr__(self, "_cube", cube)
            object.__setattr__(self, "_columns", {})  # views of the cube from now on
        return cube

    @property
    def values(self) -> np.ndarray:
        """(runs, variables, years) view of `by_variable`."""
        return np.moveaxis(self.by_variable, 0, 1)

    def index(self, variable: str) -> int:
        try:
            return self._positions[variable]
        except KeyError:
            raise KeyError(f"unknown variable {variable!r}") from None

    @property
    def _positions(self) -> dict[str, int]:
        cached = self.__dict__.get("_pos")
        if cached is None:
            cached = {v: i for i, v in enumerate(self.variables)}
            object.__setattr__(self, "_pos", cached)
        return cached

    def _fill(
        self, out: np.ndarray, variable: str, start: int = 0, stop: int | None = None
    ) -> None:
        """Write runs start..stop-1 (default: all) of one variable into `out`, (runs, years)."""
        stop = self.runs if stop is None else stop
        for b in self.blocks:
            lo, hi = max(b.start, start), min(b.stop, stop)
            if lo >= hi:
                continue
            projection = b.projection[variable][lo - b.start : hi - b.start]
            history = b.history.get(variable)
            if history is None:
                history = np.nan
            elif history.shape[0] > 1:  # (1, years) histories are the same for every run
                history = history[lo - b.start : hi - b.start]
            first = out.shape[1] - projection.shape[1]
            out[lo - start : hi - start, first:] = projection
            out[lo - start : hi - start, :first] = history

    def get(self, variable: str) -> np.ndarray:
        """(runs, years) for one variable."""
        i = self.index(variable)
        cube = self.__dict__.get("_cube")
        if cube is not None:
            return cube[i]
        columns = self.__dict__.setdefault("_columns", {})
        column = columns.get(variable)
        if column is None:
            column = np.empty((self.runs, len(self.years)))
            self._fill(column, variable)
            columns[variable] = column
        return column

    def stack(self, variables: Sequence[str]) -> np.ndarray:
        """(runs, len(variables), years): a few variables side by side, as in `values`."""
        return np.stack([self.get(v) for v in variables], axis=1)

    def draws(self, variable: str) -> np.ndarray:
        """(n_draws, years): the Monte Carlo draws only (empty when draws=0)."""
        return self.get(variable)[1:]

    def series(self, variable: str, run: int = 0) -> pd.Series:
        return pd.Series(self.get(variable)[run], index=self.years, name=variable)

    def frame(self, variables: list[str], run: int = 0) -> pd.DataFrame:
        """Years x variables for the chosen run."""
        data = np.column_stack([self.get(v)[run] for v in variables])
        return pd.DataFrame(data, index=self.years, columns=variables)

    def to_iamc(self, run: int = 0) -> pd.DataFrame:
        """Wide IAMC table of one run (default: central); history years included."""
        data = self.values[run] if "_cube" in self.__dict__ else self._run_rows(run)
        df = pd.DataFrame(data, columns=[int(y) for y in self.years])
        df.insert(0, "unit", [unit_of(v) for v in self.variables])
        df.insert(0, "variable", list(self.variables))
        df.insert(0, "region", REGION)
        df.insert(0, "scenario", self.scenario)
        df.insert(0, "model", MODEL_NAME)
        keep = df[[int(y) for y in self.years]].notna().any(axis=1)
        return df[keep].reset_index(drop=True)

    def _run_rows(self, run: int) -> np.ndarray:
        """(variables, years) of one run, read from its block without building the cube."""
        rows = np.empty((len(self.variables), len(self.years)))
        for i, variable in enumerate(self.variables):
            self._fill(rows[i : i + 1], variable, run, run + 1)
        return rows

    def to_long(self, draws: bool = False) -> pd.DataFrame:
        """Tidy rows (scenario, run, variable, unit, year, value); draws included on request."""
        if draws or "_cube" in self.__dict__:
            runs = self.values if draws else self.values[:1]
        else:
            runs = self._run_rows(0)[None]
        r, v, y = np.meshgrid(
            np.arange(runs.shape[0]),
            np.arange(runs.shape[1]),
            np.arange(runs.shape[2]),
            indexing="ij",
        )
        df = pd.DataFrame(
            {
                "scenario": self.scenario,
                "run": r.ravel(),
                "variable": np.asarray(self.variables, dtype=object)[v.ravel()],
                "year": self.years[y.ravel()],
                "value": runs.ravel(),
            }
        )
        df.insert(3, "unit", df["variable"].map(unit_of))
        return df.dropna(subset=["value"]).reset_index(drop=True)
