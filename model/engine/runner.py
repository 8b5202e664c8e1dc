"""`run()`: a scenario (and optionally its Monte Carlo draws) through the engine, with history.

The engine's inputs are the scenario's parameters plus three kinds the data tables give:
`base.<sector>.<item>` (base-year quantities whose ranges the Monte Carlo draws), `obs.*`
(observed totals the engine calibrates to: industrial electricity and value added) and
`cost.<technology>.<parameter>` (costs.csv in 2020 CNY, model.inputs.costs).
:func:`engine_inputs` assembles them, with every uncertain input (model.engine.sampling).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from model.engine.accounting import evaluate
from model.engine.history import history_values
from model.engine.results import Block, Results
from model.engine.sampling import ECONOMIC_STREAM, DrawPlan, Method, UncertainInput, draw_plan
from model.inputs.costs import engine_key
from model.inputs.data import BaseData, load_data
from model.inputs.nowcast import hot_metal_ratio
from model.inputs.scenario import Scenario, load_scenario
from model.inputs.schema import load_schema
from model.inputs.trajectory import BASE_YEAR, YEARS, Uncertainty, base_index

CHUNK_ROWS = 1024  # rows per engine block: large enough to vectorize, small enough for cache


def run(
    scenario: Scenario | str,
    draws: int = 0,
    seed: int | None = None,
    method: Method = "random",
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
) -> Results:
    """Evaluate the central case and `draws` Monte Carlo draws at once (row 0 = central)."""
    if isinstance(scenario, str):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raise ValueError("pass overrides to load_scenario() when giving a Scenario object")
    if draws < 0:
        raise ValueError(f"draws must be >= 0, got {draws}")
    if draws and seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**32))  # recorded, so reproducible
    params, inputs = engine_inputs(scenario)
    draws_of: DrawPlan | None = None
    if draws:
        central = {k: v[0] for k, v in params.items()}
        draws_of = draw_plan(central, inputs, draws, seed, method)
    meta = {
        "description": dict(scenario.description),
        "label": dict(scenario.label),
        "chain": list(scenario.chain),
        "overrides": list(scenario.overrides),
        "settings": scenario.settings.model_dump(),
        "method": method if draws else None,
        "assumptions_dir": str(scenario.assumptions_dir),
        "uncertain_parameters": sorted(i.name for i in inputs) if draws else [],
        "observed_through": scenario.observed_through,
    }
    return evaluate_params(params, scenario, draws=draws, seed=seed, meta=meta, sampled=draws_of)


def scenario_params(scenario: Scenario) -> dict[str, np.ndarray]:
    """Every engine input's central value: key -> (1, years) or (1, 1) for base-year scalars."""
    return engine_inputs(scenario)[0]


# Base-year quantities (model.inputs.derivation's base-year table) drawn for every sector.
BASE_ITEMS = ("energy|Electricity", "energy|Heat", "value_added", "co2_2020_vs_2019")


def engine_inputs(scenario: Scenario) -> tuple[dict[str, np.ndarray], list[UncertainInput]]:
    """The central engine inputs and every uncertain input of a scenario.

    Uncertain inputs: each parameter's own uncertainty after its anchor year; the ranges of the
    base year (the base-year table's low/high: every sector's electricity, heat, value added
    and 2020 level, the industrial electricity share, and the base-year level of each activity
    driver without observations); the measurement range of each observed series (one systematic
    draw per series, the range of its latest year); and the range of every cost row
    (costs.csv, `cost:<technology>.<parameter>`). Inputs that move only costs (cost rows and
    the `economics` parameters: prices, the carbon market, the discount rate) are drawn from
    their own random stream (model.engine.sampling), so they never change an emission draw.
    """
    data = load_data(scenario.assumptions_dir)
    schema = load_schema(scenario.assumptions_dir / "parameters.yaml", data.sectors)
    obs = data.observations
    params: dict[str, np.ndarray] = {k: v[None, :] for k, v in scenario.values.items()}
    inputs: list[UncertainInput] = []
    for key, unc in scenario.uncertainty.items():
        decl = schema.parameters[key]
        anchor = max(scenario.anchors.get(key, BASE_YEAR), decl.anchor or BASE_YEAR)
        stream = ECONOMIC_STREAM if decl.family == "economics" else 0
        inputs.append(UncertainInput(key, key, unc, "path", anchor, decl.domain, stream))

    def level(
        name: str,
        target: str,
        low: float,
        value: float,
        high: float,
        domain: str,
        stream: int = 0,
    ):
        if value > 0 and low < high and low <= value <= high:
            unc = Uncertainty(
                dist="triangular", low=low / value, high=high / value, mode=1.0, phase_in=0
            )
            inputs.append(UncertainInput(name, target, unc, "level", BASE_YEAR, domain, stream))

    base_keys = [f"{s}.{item}" for s in data.sectors for item in BASE_ITEMS]
    for key in [*base_keys, "industry.electricity_share_factor"]:
        ranged = data.base_range(key)
        if ranged is None:
            continue
        low, value, high = ranged
        params[f"base.{key}"] = np.array([[value]])
        level(f"base:{key}", f"base.{key}", low, value, high, "nonneg")
    # Activity drivers with a base-year row and no observation: their base-year range.
    for key, decl in schema.parameters.items():
        if decl.family != "activity" or decl.base is None or key in scenario.observed:
            continue
        ranges = [data.base_range(i.strip()) for i in decl.base.split("+")]
        if any(r is None for r in ranges):
            continue
        low, value, high = (sum(r[i] for r in ranges) for i in range(3))
        level(f"base:{key}", key, low, value, high, decl.domain)
    # Observed drivers: their measurement range (the latest observed year's, systematic).
    for series, decl in obs.series.items():
        if decl.parameter not in scenario.observed or decl.role not in ("driver", "grid_factor"):
            continue
        bounds = obs.grid_factor if decl.role == "grid_factor" else obs.bounds(series, True)
        last = bounds.loc[bounds.index.max()]
        level(
            f"obs:{series}",
            decl.parameter,
            last["low"],
            last["value"],
            last["high"],
            schema.parameters[decl.parameter].domain,
        )
    _observed_totals(scenario, params, inputs, level)
    _cost_inputs(scenario, data, params, level)
    eaf = scenario.values["steel.eaf_share"][base_index(BASE_YEAR)]
    h2 = scenario.values["steel.h2_dri_share"][base_index(BASE_YEAR)]
    ratio = scenario.hot_metal_ratio or hot_metal_ratio(obs, float(eaf), float(h2))
    if ratio is not None:
        params["base.steel.hot_metal_ratio"] = np.array([[ratio]])
    return params, inputs


def _cost_inputs(scenario: Scenario, data: BaseData, params: dict, level) -> None:
    """`cost.<technology>.<parameter>` (1, 1) for every cost row (model units, 2020 CNY), each
    row's range drawn as a level factor on the economic stream; `cost.reference_year`, the last
    observed year (the carbon market's benchmarks start from the intensity of that year, the
    same in every scenario)."""
    from model.inputs.costs import DIMENSIONS, TECHNOLOGIES

    costs = data.costs
    for tech, param in costs.entries():
        low, value, high = costs.bounds(tech, param)
        key = engine_key(tech, param)
        params[key] = np.array([[value]])
        if costs.drawn(tech, param):
            domain = "share" if DIMENSIONS[TECHNOLOGIES[tech][param]][0] == "share" else "nonneg"
            level(f"cost:{tech}.{param}", key, low, value, high, domain, ECONOMIC_STREAM)
    params["cost.reference_year"] = np.array([[float(scenario.observed_through)]])


def _observed_totals(scenario: Scenario, params: dict, inputs: list, level) -> None:
    """`obs.industrial_electricity` (TWh, before the Shandong share factor) and
    `obs.industrial_va_index` over the years, NaN where unobserved. Without the nowcast only
    the base year's electricity stays (the base-year calibration, not an observation after it)."""
    obs = load_data(scenario.assumptions_dir).observations
    electricity = obs.industrial_electricity
    if not scenario.settings.nowcast:
        electricity = electricity[electricity.index == BASE_YEAR]
    totals = [("electricity_total", "obs.industrial_electricity", electricity)]
    if scenario.settings.nowcast:
        totals.append(("industrial_va_growth", "obs.industrial_va_index", obs.value_added_index))
    for series, key, bounds in totals:
        years = [y for y in bounds.index if YEARS[0] <= y <= YEARS[-1]]
        if not years:
            continue
        arr = np.full((1, len(YEARS)), np.nan)
        arr[0, [base_index(y) for y in years]] = bounds.loc[years, "value"]
        params[key] = arr
        last = bounds.loc[max(years)]  # one systematic draw: the latest year's range
        level(f"obs:{series}", key, last["low"], last["value"], last["high"], "nonneg")


def evaluate_params(
    params: Mapping[str, np.ndarray],
    scenario: Scenario,
    draws: int = 0,
    seed: int | None = None,
    meta: dict[str, Any] | None = None,
    chunk: int = CHUNK_ROWS,
    sampled: DrawPlan | None = None,
    keep: Sequence[str] | None = None,
) -> Results:
    """Engine + history over 2010-2060 for parameter arrays shaped (n or 1, years).

    Rows go through the engine in blocks of `chunk` (each block fully vectorized): this bounds
    the engine's temporaries so that 10,000 draws stay well under 2 GB. Blocks after the first
    run on a thread per core: numpy releases the GIL in the array work, and each block keeps
    its own arrays. The Results hold the blocks as they are (see `Results`). `keep` names the
    only variables the Results hold (an analysis of many rows reading a few outputs: the rest
    is dropped block by block instead of filling memory).
    """
    data: BaseData = load_data(scenario.assumptions_dir)
    method = scenario.settings.electricity_method
    first = base_index(BASE_YEAR)
    n = max(a.shape[0] for a in params.values())
    if sampled is not None:
        n = max(n, sampled.runs)

    def block(start: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        rows = {k: projection_years(_rows(v, start, chunk), first) for k, v in params.items()}
        if sampled is not None:  # draws made here, per block: in cache and on this thread
            rows.update(sampled.rows(start, min(start + chunk, n), first))
        projection, history = _evaluate_block(rows, data, method)
        if keep is not None:
            projection = {k: projection[k] for k in keep}
            history = {k: history[k] for k in keep if k in history}
        return projection, history

    def as_block(start: int, projection: dict, history: dict) -> Block:
        stop = start + next(iter(projection.values())).shape[0]
        return Block(start, stop, projection, history)

    blocks = [as_block(0, *block(0))]
    starts = range(chunk, n, chunk)
    if starts:
        with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, len(starts))) as pool:
            blocks += pool.map(lambda start: as_block(start, *block(start)), starts)
    return Results(
        scenario=scenario.name,
        variables=tuple(sorted(blocks[0].projection)),
        blocks=tuple(blocks),
        n_draws=draws,
        seed=seed,
        meta=meta or {},
    )


def projection_years(arr: np.ndarray, first: int = base_index(BASE_YEAR)) -> np.ndarray:
    """An input's columns from the base year on; base-year scalars (n, 1) stay as they are."""
    return arr if arr.shape[1] == 1 else arr[:, first:]


def _rows(arr: np.ndarray, start: int, size: int) -> np.ndarray:
    """Rows of a parameter for one block; (1, years) parameters broadcast unchanged."""
    return arr if arr.shape[0] == 1 else arr[start : start + size]


def _evaluate_block(
    projection_params: dict[str, np.ndarray], data: BaseData, method: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    projection = evaluate(projection_params, data, method)
    factor = data.tech(
        "global", "conv.elec_calorific" if method == "calorific" else "conv.elec_coal_equivalent"
    )
    return projection, history_values(data, projection, projection_params, factor)
