"""`run()`: a scenario (and optionally its Monte Carlo draws) through the engine, with history."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from model.data import BaseData, load_data
from model.engine import evaluate
from model.history import history_values
from model.results import Block, Results
from model.sampling import DrawPlan, Method, draw_plan
from model.scenario import Scenario, load_scenario
from model.schema import load_schema
from model.trajectory import BASE_YEAR, base_index

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
    params = scenario_params(scenario)
    draws_of: DrawPlan | None = None
    if draws:
        data = load_data(scenario.assumptions_dir)
        schema = load_schema(scenario.assumptions_dir / "parameters.yaml", data.sectors)
        domains = {k: d.domain for k, d in schema.parameters.items()}
        draws_of = draw_plan(scenario.values, scenario.uncertainty, domains, draws, seed, method)
    meta = {
        "description": dict(scenario.description),
        "label": dict(scenario.label),
        "chain": list(scenario.chain),
        "overrides": list(scenario.overrides),
        "settings": scenario.settings.model_dump(),
        "method": method if draws else None,
        "assumptions_dir": str(scenario.assumptions_dir),
        "uncertain_parameters": sorted(scenario.uncertainty) if draws else [],
    }
    return evaluate_params(params, scenario, draws=draws, seed=seed, meta=meta, sampled=draws_of)


def scenario_params(scenario: Scenario) -> dict[str, np.ndarray]:
    """Key -> (1, years) central values."""
    return {k: v[None, :] for k, v in scenario.values.items()}


def evaluate_params(
    params: Mapping[str, np.ndarray],
    scenario: Scenario,
    draws: int = 0,
    seed: int | None = None,
    meta: dict[str, Any] | None = None,
    chunk: int = CHUNK_ROWS,
    sampled: DrawPlan | None = None,
) -> Results:
    """Engine + history over 2010-2060 for parameter arrays shaped (n or 1, years).

    Rows go through the engine in blocks of `chunk` (each block fully vectorized): this bounds
    the engine's temporaries so that 10,000 draws stay well under 2 GB. Blocks after the first
    run on a thread per core: numpy releases the GIL in the array work, and each block keeps
    its own arrays. The Results hold the blocks as they are (see `Results`).
    """
    data: BaseData = load_data(scenario.assumptions_dir)
    method = scenario.settings.electricity_method
    first = base_index(BASE_YEAR)
    n = max(a.shape[0] for a in params.values())
    if sampled is not None:
        n = max(n, sampled.runs)

    def block(start: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        rows = {k: _rows(v, start, chunk)[:, first:] for k, v in params.items()}
        if sampled is not None:  # draws made here, per block: in cache and on this thread
            rows.update(sampled.rows(start, min(start + chunk, n), first))
        return _evaluate_block(rows, data, method)

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
