"""Trajectories: a value over the years 2010-2060, given as a constant, milestones or a growth rate.

Accepted YAML forms (see assumptions/README.md):
- a number: constant, e.g. ``0.3``
- milestones: ``{2020: 0.07, 2030: 0.15}`` (linear between, flat outside)
- a full spec: ``{milestones: {...}, method: linear|step|smooth}``, ``{value: 0.3}``, or
  ``{growth: 0.02 | {2021: 0.03, 2031: 0.01}, start: 80.0, from: 2020}``; any of them may add
  ``uncertainty: {dist: triangular|uniform|truncnorm, low, high, mode, sd, scale, phase_in}``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

FIRST_YEAR = 2010
LAST_YEAR = 2060
BASE_YEAR = 2020
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
SPEC_FIELDS = {"value", "milestones", "method", "growth", "start", "from", "uncertainty"}


class Uncertainty(BaseModel):
    """A distribution for the Monte Carlo (model.engine.sampling).

    `relative` multiplies the path and `absolute` adds to it, phased in linearly over
    `phase_in` years after the parameter's anchor year (the last year evidence fixes it);
    `growth` shifts the path's annual growth rate by the draw from the first year after the
    anchor (low/high are rates, e.g. -0.015 and 0.01), so the deviation compounds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dist: Literal["triangular", "uniform", "truncnorm"]
    low: float
    high: float
    mode: float | None = None
    sd: float | None = None
    scale: Literal["relative", "absolute", "growth"] = "relative"
    phase_in: int = Field(default=10, ge=0, le=50)

    @model_validator(mode="after")
    def _check_bounds(self) -> Uncertainty:
        centre = self.centre
        if not (self.low <= centre <= self.high) or self.low == self.high:
            raise ValueError(
                f"needs low < high and low <= mode <= high (mode defaults to {centre})"
            )
        if self.scale == "relative" and self.low < 0:
            raise ValueError("a relative factor cannot be negative")
        if self.scale == "growth" and self.low <= -1:
            raise ValueError("a growth shift must be above -1")
        if self.dist == "truncnorm" and not (self.sd and self.sd > 0):
            raise ValueError("truncnorm needs sd > 0")
        return self

    @property
    def centre(self) -> float:
        """The value that leaves the path unchanged: the mode, or 1 (relative) / 0 (absolute)."""
        if self.mode is not None:
            return self.mode
        return 1.0 if self.scale == "relative" else 0.0


class TrajectorySpec(BaseModel):
    """The parsed form of any trajectory; exactly one of value / milestones / growth."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    value: float | None = None
    milestones: dict[int, float] | None = None
    method: Literal["linear", "step", "smooth"] = "linear"
    growth: float | dict[int, float] | None = None
    start: float | None = None
    from_year: int = Field(default=BASE_YEAR, alias="from")
    uncertainty: Uncertainty | None = None

    @model_validator(mode="after")
    def _one_form(self) -> TrajectorySpec:
        given = [f for f in ("value", "milestones", "growth") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of value, milestones or growth")
        if self.milestones is not None and not self.milestones:
            raise ValueError("milestones need at least one year")
        return self


def normalise(raw: Any) -> dict[str, Any]:
    """Turn the short YAML forms into the full-spec mapping (numbers and year maps)."""
    if isinstance(raw, bool):
        raise ValueError("a number or a trajectory mapping is required, not true/false")
    if isinstance(raw, int | float):
        return {"value": raw}
    if isinstance(raw, dict):
        if raw and all(_is_year_key(k) for k in raw):
            return {"milestones": {int(k): v for k, v in raw.items()}}
        out = dict(raw)
        if isinstance(out.get("milestones"), dict):
            out["milestones"] = {_year_or_raise(k): v for k, v in out["milestones"].items()}
        if isinstance(out.get("growth"), dict):
            out["growth"] = {_year_or_raise(k): v for k, v in out["growth"].items()}
        return out
    raise ValueError("a number or a trajectory mapping is required")


def _is_year_key(key: Any) -> bool:
    if isinstance(key, bool):
        return False
    if isinstance(key, int):
        return True
    return isinstance(key, str) and key.isdigit()


def _year_or_raise(key: Any) -> int:
    if not _is_year_key(key):
        raise ValueError(f"year keys must be integers, got {key!r}")
    return int(key)


def milestone_problems(years: list[int]) -> list[str]:
    """Years must be inside 2010-2060 and written in increasing order."""
    out = []
    bad = [y for y in years if not FIRST_YEAR <= y <= LAST_YEAR]
    if bad:
        out.append(f"milestone years must lie within {FIRST_YEAR}-{LAST_YEAR}, got {bad}")
    if years != sorted(set(years)):
        out.append(f"milestone years must be in increasing order without repeats, got {years}")
    return out


def expand(spec: TrajectorySpec, base_value: float | None = None) -> np.ndarray:
    """Yearly values over YEARS (float64, shape (51,))."""
    if spec.value is not None:
        return np.full(YEARS.shape, float(spec.value))
    if spec.milestones is not None:
        return _interpolate(spec.milestones, spec.method)
    start = spec.start if spec.start is not None else base_value
    if start is None:
        raise ValueError("a growth trajectory needs `start:` (no base-year value is declared)")
    return _grow(float(start), spec.growth, spec.from_year)


def _interpolate(milestones: dict[int, float], method: str) -> np.ndarray:
    xs = np.array(sorted(milestones), dtype=float)
    ys = np.array([milestones[int(x)] for x in xs], dtype=float)
    if method == "step" or len(xs) == 1:
        idx = np.searchsorted(xs, YEARS, side="right") - 1
        return ys[np.clip(idx, 0, len(xs) - 1)]
    if method == "smooth" and len(xs) >= 3:
        # PCHIP keeps monotone milestones monotone: no overshoot beyond the stated values.
        # Imported here: scipy.interpolate costs about a second at import, rarely needed.
        from scipy.interpolate import PchipInterpolator

        inside = PchipInterpolator(xs, ys, extrapolate=False)(YEARS)
        return np.where(YEARS < xs[0], ys[0], np.where(YEARS > xs[-1], ys[-1], inside))
    return np.interp(YEARS, xs, ys)


def _grow(start: float, growth: float | dict[int, float] | None, from_year: int) -> np.ndarray:
    rates = growth_rates(growth)
    # Years up to `from` hold the start value; each later year compounds its own rate.
    return start * np.cumprod(np.where(YEARS > from_year, 1.0 + rates, 1.0))


def growth_rates(growth: float | dict[int, float] | None) -> np.ndarray:
    """Annual rates per year: a constant, or steps that hold from each given year onward."""
    if growth is None:
        return np.zeros(YEARS.shape)
    if isinstance(growth, int | float):
        return np.full(YEARS.shape, float(growth))
    return _interpolate(growth, "step")


def base_index(year: int = BASE_YEAR) -> int:
    """Position of a year on the YEARS axis."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} outside {FIRST_YEAR}-{LAST_YEAR}")
    return int(year - FIRST_YEAR)


def is_finite_number(x: Any) -> bool:
    """True for real numbers that are not NaN (inf is allowed: it means 'no cap')."""
    return isinstance(x, int | float) and not isinstance(x, bool) and not math.isnan(x)
