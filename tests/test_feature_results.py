"""Results: the engine's blocks assembled per variable on first use give the same numbers as
the whole (variables, runs, years) cube, whatever the block size and access order."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pytest

from model.engine import runner
from model.engine.runner import run
from model.inputs.scenario import load_scenario

DRAWS, SEED = 24, 7


@pytest.fixture(scope="module")
def plan():
    return load_scenario("plan")


@pytest.fixture(scope="module")
def one_block(plan):
    return run(plan, draws=DRAWS, seed=SEED)


def run_in_blocks_of_7(plan):
    with pytest.MonkeyPatch.context() as mp:  # 25 runs in 4 blocks
        mp.setattr(runner, "evaluate_params", functools.partial(runner.evaluate_params, chunk=7))
        return run(plan, draws=DRAWS, seed=SEED)


@pytest.fixture(scope="module")
def many_blocks(plan):
    return run_in_blocks_of_7(plan)


def test_blocks_are_what_the_chunk_size_says(one_block, many_blocks) -> None:
    assert [(b.start, b.stop) for b in one_block.blocks] == [(0, DRAWS + 1)]
    assert [(b.start, b.stop) for b in many_blocks.blocks] == [(0, 7), (7, 14), (14, 21), (21, 25)]


def test_every_variable_is_the_same_lazily_and_in_the_cube(one_block, many_blocks) -> None:
    lazy = {v: many_blocks.get(v).copy() for v in many_blocks.variables[::5]}  # before the cube
    cube = one_block.by_variable
    assert cube.shape == (len(one_block.variables), DRAWS + 1, len(one_block.years))
    assert one_block.variables == many_blocks.variables
    for i, variable in enumerate(one_block.variables):
        np.testing.assert_array_equal(many_blocks.get(variable), cube[i])  # NaN == NaN here
        assert np.shares_memory(one_block.get(variable), cube)  # views once the cube exists
    for variable, values in lazy.items():
        np.testing.assert_array_equal(values, cube[one_block.index(variable)])
    np.testing.assert_array_equal(many_blocks.values, one_block.values)


def test_exports_read_the_same_numbers_without_the_cube(plan) -> None:
    fresh = run_in_blocks_of_7(plan)
    iamc, long = fresh.to_iamc(run=17), fresh.to_long()  # run 17: the third block
    frame = fresh.frame(list(fresh.variables[:4]), run=9)
    assert "_cube" not in fresh.__dict__  # none of these built it
    built = run(plan, draws=DRAWS, seed=SEED)
    built.by_variable  # noqa: B018  the cube first, then the same exports from it
    pd.testing.assert_frame_equal(iamc, built.to_iamc(run=17))
    pd.testing.assert_frame_equal(long, built.to_long())
    pd.testing.assert_frame_equal(frame, built.frame(list(built.variables[:4]), run=9))


def test_unknown_variable_is_named(one_block) -> None:
    with pytest.raises(KeyError, match=re.escape("Emissions|CO2|Nowhere")):
        one_block.get("Emissions|CO2|Nowhere")
