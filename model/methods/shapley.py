"""Order-independent attribution of a scenario-vs-baseline gap to lever families (Shapley).

A "game" is ``v(S)``: the model output when the lever families in coalition ``S`` take their
scenario values and all others keep baseline values. The Shapley value of family ``j``::

    phi_j = sum_{S not containing j} |S|! (k-|S|-1)! / k! * (v(S + j) - v(S))

is the only attribution that is efficient (``sum_j phi_j = v(all) - v(none)``), symmetric,
gives 0 to levers without effect, and is additive across games. Shapley (1953); in the
decomposition literature Ang, Liu & Chew (2003, Energy Policy 31:1561) and Ang, Huang & Mu
(2009, Energy Policy 37:4624) link it to index decomposition.

Rewritten per coalition, ``phi = C @ v`` with a fixed ``(k, 2^k)`` coefficient matrix
``C[j, S] = +w(|S|-1)`` if ``j in S`` else ``-w(|S|)``, ``w(s) = s!(k-s-1)!/k!``, so every
output cell (year, sector, draw...) is handled in one matrix product.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import factorial

import numpy as np
import pandas as pd

MAX_FAMILIES = 12  # 2^12 = 4096 coalitions; beyond that use sampling, not exact Shapley


def coalition_masks(k: int) -> np.ndarray:
    """All ``2^k`` coalitions as a boolean array ``(2^k, k)``; row ``c`` has bit ``j`` of ``c``.

    Row 0 is the baseline (no family switched), the last row the full scenario.
    """
    if not 1 <= k <= MAX_FAMILIES:
        raise ValueError(f"shapley: need 1..{MAX_FAMILIES} families, got {k}")
    c = np.arange(2**k)
    return ((c[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)


def shapley_matrix(k: int) -> np.ndarray:
    """Coefficients ``C`` (k, 2^k) with ``phi = C @ v``; each column except first/last sums to 0."""
    masks = coalition_masks(k)
    size = masks.sum(axis=1)
    w = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])
    with_j = w[np.clip(size - 1, 0, k - 1)][None, :]  # weight of the coalition before j joined
    without_j = w[np.clip(size, 0, k - 1)][None, :]
    return np.where(masks.T, with_j, -without_j)


def shapley_from_values(values: np.ndarray, k: int) -> np.ndarray:
    """Exact Shapley values ``(k, ...)`` from coalition outputs ``(2^k, ...)`` (row order as
    :func:`coalition_masks`)."""
    values = np.asarray(values, dtype=float)
    if values.shape[0] != 2**k:
        raise ValueError(f"shapley: expected {2**k} coalition rows, got {values.shape[0]}")
    flat = values.reshape(2**k, -1)
    return (shapley_matrix(k) @ flat).reshape((k, *values.shape[1:]))


@dataclass(frozen=True)
class ShapleyResult:
    """Shapley wedges plus the numbers that show how much the levers interact.

    ``values``, ``one_at_a_time`` and ``last_in`` have shape ``(k, ...)``; ``gap`` has the
    output shape. ``one_at_a_time[j] = v({j}) - v({})`` (lever alone against baseline) and
    ``last_in[j] = v(all) - v(all without j)`` (what dropping it from the full scenario costs).
    When the levers do not interact all three are equal; the spread between them is the
    interaction that Shapley shares out evenly.
    """

    families: tuple[str, ...]
    values: np.ndarray
    one_at_a_time: np.ndarray
    last_in: np.ndarray
    gap: np.ndarray
    baseline: np.ndarray
    scenario: np.ndarray

    @property
    def interaction(self) -> np.ndarray:
        """Shapley value minus the one-at-a-time effect, per family."""
        return self.values - self.one_at_a_time

    def summary(self, reduce: Callable[[np.ndarray], np.ndarray] | None = None) -> pd.DataFrame:
        """One row per family: shapley, one_at_a_time, last_in, interaction.

        For non-scalar outputs pass ``reduce`` mapping an ``(k, ...)`` array to ``(k,)``, e.g.
        ``lambda a: a[:, -1]`` (last year) or ``lambda a: a.sum(axis=-1)`` (cumulative).
        """
        red = reduce or (lambda a: a.reshape(a.shape[0], -1).sum(axis=1))
        df = pd.DataFrame(
            {
                "shapley": red(self.values),
                "one_at_a_time": red(self.one_at_a_time),
                "last_in": red(self.last_in),
            },
            index=pd.Index(self.families, name="family"),
        )
        df["interaction"] = df["shapley"] - df["one_at_a_time"]
        return df


def shapley_analysis(
    evaluate: Callable[[np.ndarray], np.ndarray], families: Sequence[str]
) -> ShapleyResult:
    """Evaluate all ``2^k`` coalitions in ONE call and return Shapley values and diagnostics.

    ``evaluate(masks)`` gets a boolean ``(2^k, k)`` array (True = family takes its scenario
    value) and must return outputs shaped ``(2^k, ...)``.
    """
    families = tuple(families)
    if len(set(families)) != len(families):
        raise ValueError(f"shapley: family names must be unique, got {list(families)}")
    k = len(families)
    masks = coalition_masks(k)
    values = np.asarray(evaluate(masks.copy()), dtype=float)
    if values.ndim == 0 or values.shape[0] != masks.shape[0]:
        raise ValueError(
            f"shapley: evaluate must return one row per coalition ({masks.shape[0]}), "
            f"got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("shapley: evaluate returned NaN or inf")
    full = 2**k - 1
    single = 1 << np.arange(k)
    return ShapleyResult(
        families=families,
        values=shapley_from_values(values, k),
        one_at_a_time=values[single] - values[0],
        last_in=values[full] - values[full ^ single],
        gap=values[full] - values[0],
        baseline=values[0],
        scenario=values[full],
    )


def shapley_wedges(
    evaluate: Callable[[np.ndarray], np.ndarray], families: Sequence[str]
) -> np.ndarray:
    """Exact Shapley wedges ``(k, ...)`` of ``evaluate(all True) - evaluate(all False)``.

    See :func:`shapley_analysis` for the calling convention and the interaction summary.
    """
    return shapley_analysis(evaluate, families).values
