"""The nowcast: every scenario follows the observations in the years they cover.

Applied to a scenario's yearly values when it is loaded (``settings.nowcast``, on by default;
the hindcast turns it off):

- **Drivers** with an observed series (crude steel, cement, flat glass, the grid factor) take
  the observed value in each observed year, and their projection starts from the latest one: a
  growth path compounds from it, milestones are interpolated from it, a constant holds after it.
  An output cap does not bind in a year whose output is observed (the output is history).
- **Pig iron** sets the EAF share of its observed years: 1 - pig iron / (hot-metal ratio x crude
  steel), the hot-metal ratio (t pig iron per t BF-BOF steel) calibrated in the base year, so
  the BF-BOF route follows the hot metal actually made.
- **The ten nonferrous metals** bound primary aluminium in their observed years: it cannot exceed
  the ten metals less refined copper.
- **Levers act only after the nowcast year** (the last year any driving series observes): up to
  it every lever keeps the baseline path (parameters.yaml defaults, the policies in force), after
  it the scenario's path starts from there. Milestones in observed years are dropped.

Industrial value added and electricity are calibrated to their observations inside the engine
(they are totals over sectors): see model.engine.accounting.

Every scenario milestone that contradicts an observation, and every lever milestone in the
observed period that differs from the baseline, is reported as a :class:`Notice` (file, key,
year, scenario value, observed or used value); the observation wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.inputs.observations import BASE_YEAR, Observations
from model.inputs.schema import LEVER_FAMILIES, Schema
from model.inputs.trajectory import YEARS, TrajectorySpec, expand, normalise

FIRST = int(YEARS[0])


@dataclass(frozen=True)
class Notice:
    """A scenario value that the observations (or the observed period) overrule."""

    file: str
    key: str
    year: int
    scenario_value: float
    used_value: float
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}.{self.year}: {self.scenario_value:g}: {self.message} "
            f"({self.used_value:g} is used)"
        )


@dataclass(frozen=True)
class Nowcast:
    """What the observations did to a scenario's values."""

    through: int
    values: dict[str, np.ndarray]
    anchors: dict[str, int]  # parameter -> the last year its path is fixed by evidence
    observed: dict[str, tuple[int, ...]] = field(default_factory=dict)  # parameter -> years
    notices: tuple[Notice, ...] = ()
    hot_metal_ratio: float | None = None


def _idx(year: int) -> int:
    return int(year - FIRST)


def _parse(raw: Any) -> TrajectorySpec | None:
    try:
        return TrajectorySpec.model_validate(normalise(raw))
    except (ValueError, TypeError):
        return None


def _written_milestones(raw: Any) -> dict[int, float]:
    spec = _parse(raw)
    return dict(spec.milestones) if spec is not None and spec.milestones else {}


def reanchor(
    path: np.ndarray, raw: Any, pins: Mapping[int, float], anchor_value: float | None = None
) -> np.ndarray:
    """The path with `pins` (year -> value) fixed and its projection starting after them.

    `path` is the scenario's own expanded path, `raw` its written spec. Growth paths compound
    from the last pinned value, milestones after the last pinned year are interpolated from it
    (with the spec's method), a constant holds after it. `anchor_value` overrides the last
    pin's value as the starting point (used for levers, whose pins are the baseline path).
    """
    out = np.array(path, dtype=float)
    last = max(pins)
    start = pins[last] if anchor_value is None else anchor_value
    spec = _parse(raw)
    after = YEARS > last
    if spec is not None and spec.growth is not None:
        denominator = path[_idx(last)]
        if denominator != 0 and np.isfinite(denominator):
            out[after] = start * path[after] / denominator
    elif spec is not None and spec.milestones is not None:
        later = {y: v for y, v in spec.milestones.items() if y > last}
        if later:
            points = dict(later)
            if np.isfinite(start):
                points[last] = start
            anchored = spec.model_copy(update={"milestones": dict(sorted(points.items()))})
            out[after] = expand(anchored)[after]
        else:
            out[after] = start if np.isfinite(start) else path[after]
    for year, value in pins.items():
        out[_idx(year)] = value
    # A year missing between two observations lies on the (log-)line between them.
    years = sorted(pins)
    gaps = [y for y in range(years[0], years[-1]) if y not in pins]
    if gaps:
        values = np.array([pins[y] for y in years])
        if (values > 0).all():
            out[[_idx(y) for y in gaps]] = np.exp(np.interp(gaps, years, np.log(values)))
        else:
            out[[_idx(y) for y in gaps]] = np.interp(gaps, years, values)
    return out


def apply_nowcast(
    values: Mapping[str, np.ndarray],
    specs: Mapping[str, Any],
    origin: Mapping[str, str],
    schema: Schema,
    observations: Observations,
    defaults: Mapping[str, np.ndarray],
) -> Nowcast:
    """The scenario's values with the observations applied (see the module docstring)."""
    obs = observations
    through = obs.through
    out = {k: np.array(v, dtype=float) for k, v in values.items()}
    specs = dict(specs)  # levers dropped entirely fall back to their default spec below
    notices: list[Notice] = []
    observed: dict[str, tuple[int, ...]] = {}
    anchors = dict.fromkeys(values, BASE_YEAR)

    def pin(param: str, bounds: pd.DataFrame, what: str) -> None:
        bounds = bounds[(bounds.index >= BASE_YEAR) & (bounds.index <= YEARS[-1])]
        if bounds.empty or param not in out:
            return
        pins = {int(y): float(v) for y, v in bounds["value"].items()}
        for year, written in _written_milestones(specs[param]).items():
            if year in pins and year > BASE_YEAR:
                low, high = bounds.loc[year, ["low", "high"]]
                if not low <= written <= high:
                    notices.append(
                        Notice(origin[param], param, year, written, pins[year], f"observed {what}")
                    )
        out[param] = reanchor(out[param], specs[param], pins)
        observed[param] = tuple(sorted(pins))
        anchors[param] = max(pins)

    pinned = {d.parameter for d in obs.series.values() if d.role in ("driver", "grid_factor")}
    # Levers: the baseline path through the nowcast year, the scenario's after it.
    for key, decl in schema.parameters.items():
        if decl.family not in LEVER_FAMILIES or key in pinned or key not in out:
            continue
        # The anchor stays at the base year: in the observed years the baseline path is an
        # estimate (levers are not observed), uncertain like the future; every scenario shares
        # it there, so the same draw moves it the same way in all of them.
        if np.array_equal(out[key], defaults[key]):
            continue
        base = defaults[key]
        for year, written in _written_milestones(specs[key]).items():
            if BASE_YEAR < year <= through and not np.isclose(written, base[_idx(year)]):
                notices.append(
                    Notice(
                        origin[key],
                        key,
                        year,
                        written,
                        float(base[_idx(year)]),
                        f"levers act from {through + 1}: the observed years keep the baseline",
                    )
                )
        if through > BASE_YEAR:
            written = _written_milestones(specs[key])
            if written and max(written) <= through:
                # Nothing is left after the observed years: the scenario sets nothing here.
                out[key] = np.array(base, dtype=float)
                specs[key] = schema.parameters[key].default
                continue
            kept = {y: float(base[_idx(y)]) for y in range(BASE_YEAR, through + 1)}
            out[key] = reanchor(out[key], specs[key], kept)

    # Drivers and the grid factor.
    for series, decl in obs.series.items():
        if decl.role == "driver":
            bounds = obs.bounds(series, model_units=True)
            pin(decl.parameter, bounds, decl.name_en.lower())
            if decl.cap and decl.cap in out:
                _lift_cap(decl.cap, bounds, out, specs, origin, notices, decl.name_en.lower())
        elif decl.role == "grid_factor" and decl.parameter in out:
            pin(decl.parameter, obs.grid_factor, "grid factor (MEE/NBS basis)")

    # Value added is calibrated in the engine: its drivers' paths are fixed up to the last
    # observed year of the industrial index (Monte Carlo deviations start after it).
    va_last = max((obs.last_year(s) or 0 for s in obs.by_role("value_added_growth")), default=0)
    for key in out:
        if key.endswith(".value_added_index") or key == "industry.value_added_growth":
            anchors[key] = max(va_last, BASE_YEAR)

    # Pig iron: the EAF share of its observed years (after the levers: it overrules them).
    hot_metal = _pig_iron(obs, out, specs, observed, anchors)
    # Ten nonferrous metals: an upper bound on primary aluminium in their observed years.
    _aluminium_bound(obs, out, observed)

    for arr in out.values():
        arr.setflags(write=False)
    # One notice per key and year: a cap below an observed output outranks "lever in the past".
    unique = {(n.key, n.year): n for n in notices}
    return Nowcast(
        through=through,
        values=out,
        anchors=anchors,
        observed=observed,
        notices=tuple(unique.values()),
        hot_metal_ratio=hot_metal,
    )


def _lift_cap(
    cap: str,
    bounds: pd.DataFrame,
    out: dict[str, np.ndarray],
    specs: Mapping[str, Any],
    origin: Mapping[str, str],
    notices: list[Notice],
    what: str,
) -> None:
    """A cap cannot cut an observed output: no cap in the output's observed years."""
    years = [int(y) for y in bounds.index if BASE_YEAR < y <= YEARS[-1]]
    for year, written in _written_milestones(specs[cap]).items():
        if year in years and written < bounds.at[year, "low"]:
            notices.append(
                Notice(
                    origin[cap],
                    cap,
                    year,
                    written,
                    float(bounds.at[year, "value"]),
                    f"the observed {what} exceeds this cap",
                )
            )
    for year in years:
        out[cap][_idx(year)] = np.inf


def hot_metal_ratio(obs: Observations, eaf_2020: float, h2_2020: float = 0.0) -> float | None:
    """t pig iron per t of BF-BOF crude steel in the base year (None without both series)."""
    pig, crude = obs.values("pig_iron"), obs.values("crude_steel", model_units=True)
    if BASE_YEAR not in pig.index or BASE_YEAR not in crude.index:
        return None
    return float(pig[BASE_YEAR] / (crude[BASE_YEAR] * (1 - eaf_2020 - h2_2020)))


def _pig_iron(
    obs: Observations,
    out: dict[str, np.ndarray],
    specs: Mapping[str, Any],
    observed: dict[str, tuple[int, ...]],
    anchors: dict[str, int],
) -> float | None:
    decl = next((d for d in obs.series.values() if d.role == "pig_iron"), None)
    if decl is None or decl.parameter not in out:
        return None
    eaf, h2 = out[decl.parameter], out.get("steel.h2_dri_share", np.zeros_like(YEARS, float))
    ratio = hot_metal_ratio(obs, float(eaf[_idx(BASE_YEAR)]), float(h2[_idx(BASE_YEAR)]))
    if ratio is None:
        return None
    pig = obs.values("pig_iron", model_units=True)
    crude = obs.values("crude_steel", model_units=True)
    years = [int(y) for y in pig.index.intersection(crude.index) if BASE_YEAR < y <= YEARS[-1]]
    if not years:
        return ratio
    pins = {
        y: float(np.clip(1 - pig[y] / (ratio * crude[y]) - h2[_idx(y)], 0.0, 1.0)) for y in years
    }
    pins[BASE_YEAR] = float(eaf[_idx(BASE_YEAR)])
    out[decl.parameter] = reanchor(out[decl.parameter], specs[decl.parameter], pins)
    observed[decl.parameter] = tuple(sorted(pins))
    anchors[decl.parameter] = max(max(pins), anchors[decl.parameter])
    return ratio


def _aluminium_bound(
    obs: Observations, out: dict[str, np.ndarray], observed: dict[str, tuple[int, ...]]
) -> None:
    decl = next((d for d in obs.series.values() if d.role == "aluminium_bound"), None)
    if decl is None or decl.parameter not in out or "nonferrous.copper_demand" not in out:
        return
    metals = obs.values(decl.series, model_units=True)
    copper = out["nonferrous.copper_demand"]
    cap = out[decl.parameter]
    years = [int(y) for y in metals.index if BASE_YEAR < y <= YEARS[-1]]
    for year in years:
        cap[_idx(year)] = min(cap[_idx(year)], metals[year] - copper[_idx(year)])
    if years:
        observed[decl.parameter] = tuple(years)
