"""Monte Carlo sampling of every parameter that carries an uncertainty.

Seeded and reproducible: the same scenario, draws, seed and method give identical arrays.
`lhs` uses scipy.stats.qmc.LatinHypercube; `random` uses numpy's PCG64 generator. Draws are
returned as arrays (draws, years) ready for the vectorized engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from model.schema import DOMAIN_BOUNDS
from model.trajectory import BASE_YEAR, YEARS, Uncertainty

Method = Literal["random", "lhs"]


def uniform_draws(n: int, k: int, seed: int | None, method: Method = "random") -> np.ndarray:
    """(n, k) uniforms in (0, 1), one column per uncertain parameter."""
    if k == 0:
        return np.empty((n, 0))
    if method == "lhs":
        from scipy.stats import qmc  # imported on use: scipy.stats is slow to import

        return qmc.LatinHypercube(d=k, seed=np.random.default_rng(seed)).random(n)
    return np.random.default_rng(seed).random((n, k))


def ppf(u: np.ndarray, unc: Uncertainty) -> np.ndarray:
    """Map uniforms to the distribution's values (factors or shifts)."""
    lo, hi, centre = unc.low, unc.high, unc.centre
    if unc.dist == "uniform":
        return lo + u * (hi - lo)
    if unc.dist == "triangular":
        # Closed-form inverse CDF (same as scipy.stats.triang.ppf, several times faster).
        span = hi - lo
        f_mode = (centre - lo) / span
        left = lo + np.sqrt(u * span * (centre - lo))
        right = hi - np.sqrt((1 - u) * span * (hi - centre))
        return np.where(u < f_mode, left, right)
    from scipy import stats  # imported on use: scipy.stats is slow to import

    a, b = (lo - centre) / unc.sd, (hi - centre) / unc.sd
    return stats.truncnorm.ppf(u, a, b, loc=centre, scale=unc.sd)


def phase_in_ramp(unc: Uncertainty) -> np.ndarray:
    """0 at and before the base year, rising linearly to 1 after `phase_in` years."""
    since = YEARS - BASE_YEAR
    if unc.phase_in == 0:
        return (since > 0).astype(float)
    return np.clip(since / unc.phase_in, 0.0, 1.0)


def perturb(
    central: np.ndarray,
    draw: np.ndarray,
    unc: Uncertainty,
    domain: str,
    out: np.ndarray | None = None,
    first: int = 0,
) -> np.ndarray:
    """(n, years) values: the central path moved by each draw, then kept inside its domain.

    Relative: central x (1 + (draw - 1) x ramp); absolute: central + draw x ramp. Both are
    written as `base + draw x slope` (two passes over the array). `first` drops the leading
    years (the engine only needs 2020 on); `out` receives the result in place when given.
    """
    ramp = phase_in_ramp(unc)[first:]
    c = central[first:]
    slope = ramp * c if unc.scale == "relative" else ramp
    base = c - slope if unc.scale == "relative" else c
    if out is None:
        out = np.empty((len(draw), len(c)))
    np.multiply(draw[:, None], slope[None, :], out=out)
    out += base[None, :]
    lo, hi = DOMAIN_BOUNDS[domain]
    if np.isfinite(hi):
        np.clip(out, lo, hi, out=out)
    elif np.isfinite(lo):
        np.maximum(out, lo, out=out)
    if domain == "year":
        np.round(out, out=out)
    return out


@dataclass(frozen=True)
class DrawPlan:
    """The Monte Carlo draws of a run, materialised block by block.

    Run 0 is the central case, runs 1..draws the draws. `rows(start, stop)` gives every
    uncertain parameter's values for those runs, so the engine can draw inside each block
    (in cache, on its thread) instead of holding every draw of every parameter at once.
    """

    central: Mapping[str, np.ndarray]
    uncertainty: Mapping[str, Uncertainty]
    domains: Mapping[str, str]
    keys: tuple[str, ...]
    quantiles: np.ndarray  # (draws, len(keys)): each parameter's draw, already through ppf

    @property
    def runs(self) -> int:
        return self.quantiles.shape[0] + 1

    def rows(self, start: int, stop: int, first_year_index: int = 0) -> dict[str, np.ndarray]:
        """Values of runs start..stop-1 for every uncertain parameter, from a year index on."""
        out = {}
        first, last = max(start, 1), max(stop, 1)  # run 0 is the central case
        for j, key in enumerate(self.keys):
            central = self.central[key]
            arr = np.empty((stop - start, central.shape[-1] - first_year_index))
            if start == 0:
                arr[0] = central[first_year_index:]
            perturb(
                central,
                self.quantiles[first - 1 : last - 1, j],
                self.uncertainty[key],
                self.domains[key],
                arr[first - start :],
                first_year_index,
            )
            out[key] = arr
        return out


def draw_plan(
    central: Mapping[str, np.ndarray],
    uncertainty: Mapping[str, Uncertainty],
    domains: Mapping[str, str],
    draws: int,
    seed: int | None,
    method: Method = "random",
) -> DrawPlan:
    """Seeded draws; sorted keys fix the column order, so a seed always means the same draws."""
    keys = tuple(sorted(uncertainty))
    u = uniform_draws(draws, len(keys), seed, method)
    quantiles = np.empty_like(u)
    for j, key in enumerate(keys):
        quantiles[:, j] = ppf(u[:, j], uncertainty[key])
    return DrawPlan(central, uncertainty, domains, keys, quantiles)


def sample(
    central: Mapping[str, np.ndarray],
    uncertainty: Mapping[str, Uncertainty],
    domains: Mapping[str, str],
    draws: int,
    seed: int | None,
    method: Method = "random",
) -> dict[str, np.ndarray]:
    """Key -> (1 + draws, years) for every uncertain parameter: row 0 is the central path."""
    plan = draw_plan(central, uncertainty, domains, draws, seed, method)
    return plan.rows(0, plan.runs)
