"""Results: every variable for every run (row 0 = the deterministic central case, then draws).

Tidy accessors and the IAMC export (model `peakpath`, region `Shandong`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.trajectory import YEARS

MODEL_NAME = "peakpath"
REGION = "Shandong"
UNITS = (
    ("Emissions|", "Mt CO2/yr"),
    ("Final Energy|", "Mtce/yr"),
    ("Electricity Demand|", "TWh/yr"),
    ("Hydrogen Demand|", "Mt H2/yr"),
    ("Value Added|", "billion CNY_2020/yr"),
    ("Production|", "Mt/yr"),
)
IAMC_INDEX = ["model", "scenario", "region", "variable", "unit"]


def unit_of(variable: str) -> str:
    for prefix, unit in UNITS:
        if variable.startswith(prefix):
            return unit
    raise KeyError(f"no unit declared for {variable}")


@dataclass(frozen=True)
class Results:
    """Every variable for every run; run 0 is the central case, runs 1..n_draws the draws.

    Stored variable-major, `by_variable[variable, run, year]`, so that one variable's runs are
    contiguous (fast to fill and to analyse); `values[run, variable, year]` is a view of it.
    """

    scenario: str
    variables: tuple[str, ...]
    by_variable: np.ndarray
    n_draws: int = 0
    seed: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    years: np.ndarray = field(default_factory=lambda: YEARS.copy())

    @property
    def values(self) -> np.ndarray:
        """(runs, variables, years) view."""
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

    def get(self, variable: str) -> np.ndarray:
        """(runs, years) for one variable."""
        return self.by_variable[self.index(variable)]

    def draws(self, variable: str) -> np.ndarray:
        """(n_draws, years): the Monte Carlo draws only (empty when draws=0)."""
        return self.get(variable)[1:]

    def series(self, variable: str, run: int = 0) -> pd.Series:
        return pd.Series(self.get(variable)[run], index=self.years, name=variable)

    def frame(self, variables: list[str], run: int = 0) -> pd.DataFrame:
        """Years x variables for the chosen run."""
        idx = [self.index(v) for v in variables]
        return pd.DataFrame(self.values[run, idx, :].T, index=self.years, columns=variables)

    def to_iamc(self, run: int = 0) -> pd.DataFrame:
        """Wide IAMC table of one run (default: central); history years included."""
        data = self.values[run]
        df = pd.DataFrame(data, columns=[int(y) for y in self.years])
        df.insert(0, "unit", [unit_of(v) for v in self.variables])
        df.insert(0, "variable", list(self.variables))
        df.insert(0, "region", REGION)
        df.insert(0, "scenario", self.scenario)
        df.insert(0, "model", MODEL_NAME)
        keep = df[[int(y) for y in self.years]].notna().any(axis=1)
        return df[keep].reset_index(drop=True)

    def to_long(self, draws: bool = False) -> pd.DataFrame:
        """Tidy rows (scenario, run, variable, unit, year, value); draws included on request."""
        runs = self.values if draws else self.values[:1]
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
