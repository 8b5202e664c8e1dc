"""Exact Shapley wedges: the four axioms, closed-form games, one batched evaluate call."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model.methods.shapley import coalition_masks, shapley_analysis, shapley_wedges


def _table_game(table: np.ndarray):
    """A game given by its value on every coalition, looked up by the coalition's bit index."""

    def evaluate(masks: np.ndarray) -> np.ndarray:
        idx = (masks * (1 << np.arange(masks.shape[1]))).sum(axis=1)
        return table[idx]

    return evaluate


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 7).flatmap(
        lambda k: st.tuples(
            st.just(k),
            hnp.arrays(float, (2**k, 3), elements=st.floats(-1e6, 1e6, allow_nan=False, width=64)),
        )
    )
)
def test_efficiency_on_random_games(game):
    k, table = game
    phi = shapley_wedges(_table_game(table), [f"f{j}" for j in range(k)])
    assert phi.shape == (k, 3)
    gap = table[-1] - table[0]
    scale = np.abs(table).max() + 1.0
    np.testing.assert_allclose(phi.sum(axis=0), gap, rtol=0, atol=1e-9 * scale)


def test_evaluate_is_called_once_with_every_coalition():
    calls = []

    def evaluate(masks):
        calls.append(masks.copy())
        return masks.astype(float) @ np.array([1.0, 2.0, 4.0, 8.0])

    shapley_wedges(evaluate, ["a", "b", "c", "d"])
    assert len(calls) == 1
    rows = {tuple(r) for r in calls[0]}
    assert len(rows) == 16 and calls[0].shape == (16, 4)
    assert not calls[0][0].any() and calls[0][-1].all()


def test_symmetry_identical_levers_get_identical_values():
    # v depends on a and b only through a + b (they are interchangeable); c interacts with both.
    def evaluate(m):
        a, b, c = m[:, 0], m[:, 1], m[:, 2]
        years = np.arange(5)
        return ((a + b) * 3.0 + (a + b) * c * 2.0 - c * 1.5)[:, None] * (1 + 0.1 * years)

    phi = shapley_wedges(evaluate, ["a", "b", "c"])
    np.testing.assert_allclose(phi[0], phi[1], rtol=1e-14)
    assert not np.allclose(phi[0], phi[2])


def test_dummy_lever_gets_zero():
    def evaluate(m):
        return 10.0 * m[:, 0] * m[:, 2] - 4.0 * m[:, 2] + 3.0 * m[:, 0]  # m[:, 1] never used

    phi = shapley_wedges(evaluate, ["x", "dummy", "z"])
    assert phi[1] == pytest.approx(0.0, abs=1e-12)
    assert phi.sum() == pytest.approx(9.0)


def test_additive_game_equals_one_at_a_time_and_last_in():
    effects = np.array([[-3.0, -5.0], [1.0, 0.5], [-0.25, -8.0], [2.0, 2.0]])

    def evaluate(m):
        return 100.0 + m.astype(float) @ effects

    res = shapley_analysis(evaluate, ["ccs", "eff", "h2", "mat"])
    np.testing.assert_allclose(res.values, effects, atol=1e-12)
    np.testing.assert_allclose(res.one_at_a_time, effects, atol=1e-12)
    np.testing.assert_allclose(res.last_in, effects, atol=1e-12)
    np.testing.assert_allclose(res.interaction, 0.0, atol=1e-12)


def test_glove_game_closed_form():
    # Player 0 holds a left glove, players 1 and 2 a right glove each; a pair is worth 1.
    # Textbook Shapley value (e.g. Osborne & Rubinstein 1994, ch. 14): (2/3, 1/6, 1/6).
    def evaluate(m):
        return (m[:, 0] & (m[:, 1] | m[:, 2])).astype(float)

    phi = shapley_wedges(evaluate, ["left", "right1", "right2"])
    np.testing.assert_allclose(phi, [2 / 3, 1 / 6, 1 / 6], atol=1e-15)


def test_airport_game_closed_form():
    # Littlechild & Owen (1973): runway cost v(S) = max_{i in S} c_i; players share each
    # segment equally among those who need it.
    c = np.array([6.0, 10.0, 19.0])

    def evaluate(m):
        return np.where(m, c, 0.0).max(axis=1)

    phi = shapley_wedges(evaluate, ["small", "medium", "large"])
    expected = [6 / 3, 6 / 3 + 4 / 2, 6 / 3 + 4 / 2 + 9]
    np.testing.assert_allclose(phi, expected, atol=1e-13)


def test_interaction_summary_shows_overlap():
    # Two levers that each cut 10, but together only 15 (they overlap by 5).
    def evaluate(m):
        a, b = m[:, 0].astype(float), m[:, 1].astype(float)
        return 100 - 10 * a - 10 * b + 5 * a * b

    res = shapley_analysis(evaluate, ["efficiency", "electrification"])
    table = res.summary()
    np.testing.assert_allclose(table["shapley"], [-7.5, -7.5])
    np.testing.assert_allclose(table["one_at_a_time"], [-10.0, -10.0])
    np.testing.assert_allclose(table["last_in"], [-5.0, -5.0])
    np.testing.assert_allclose(table["interaction"], [2.5, 2.5])
    assert res.gap == pytest.approx(-15.0)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="unique"):
        shapley_wedges(lambda m: m.sum(axis=1), ["a", "a"])
    with pytest.raises(ValueError, match="one row per coalition"):
        shapley_wedges(lambda m: np.zeros(3), ["a", "b"])
    with pytest.raises(ValueError, match="families"):
        coalition_masks(0)
