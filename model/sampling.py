"""Monte Carlo sampling of every parameter that carries an uncertainty.

Seeded and reproducible: the same scenario, draws, seed and method give identical arrays.
`lhs` uses scipy.stats.qmc.LatinHypercube; `random` uses numpy's PCG64 generator. Draws are
returned as arrays (draws, years) ready for the vectorized engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from scipy import stats
from scipy.stats import qmc

from model.schema import DOMAIN_BOUNDS
from model.trajectory import BASE_YEAR, YEARS, Uncertainty

Method = Literal["random", "lhs"]


def uniform_draws(n: int, k: int, seed: int | None, method: Method = "random") -> np.ndarray:
    """(n, k) uniforms in (0, 1), one column per uncertain parameter."""
    if k == 0:
        return np.empty((n, 0))
    if method == "lhs":
        return qmc.LatinHypercube(d=k, seed=np.random.default_rng(seed)).random(n)
    return np.random.default_rng(seed).random((n, k))


def ppf(u: np.ndarray, unc: Uncertainty) -> np.ndarray:
    """Map uniforms to the distribution's values (factors or shifts)."""
    lo, hi, centre = unc.low, unc.high, unc.centre
    if unc.dist == "uniform":
        return lo + u * (hi - lo)
    if unc.dist == "triangular":
        return stats.triang.ppf(u, c=(centre - lo) / (hi - lo), loc=lo, scale=hi - lo)
    a, b = (lo - centre) / unc.sd, (hi - centre) / unc.sd
    return stats.truncnorm.ppf(u, a, b, loc=centre, scale=unc.sd)


def phase_in_ramp(unc: Uncertainty) -> np.ndarray:
    """0 at and before the base year, rising linearly to 1 after `phase_in` years."""
    since = YEARS - BASE_YEAR
    if unc.phase_in == 0:
        return (since > 0).astype(float)
    return np.clip(since / unc.phase_in, 0.0, 1.0)


def perturb(central: np.ndarray, draw: np.ndarray, unc: Uncertainty, domain: str) -> np.ndarray:
    """(n, years) values: the central path moved by each draw, then kept inside its domain."""
    ramp = phase_in_ramp(unc)[None, :]
    d = draw[:, None]
    if unc.scale == "relative":
        values = central[None, :] * (1 + (d - 1) * ramp)
    else:
        values = central[None, :] + d * ramp
    lo, hi = DOMAIN_BOUNDS[domain]
    values = np.clip(values, lo, hi)
    return np.round(values) if domain == "year" else values


def sample(
    central: Mapping[str, np.ndarray],
    uncertainty: Mapping[str, Uncertainty],
    domains: Mapping[str, str],
    draws: int,
    seed: int | None,
    method: Method = "random",
) -> dict[str, np.ndarray]:
    """Key -> (draws, years) for every uncertain parameter (sorted keys fix the column order)."""
    keys = sorted(uncertainty)
    u = uniform_draws(draws, len(keys), seed, method)
    return {
        key: perturb(central[key], ppf(u[:, j], uncertainty[key]), uncertainty[key], domains[key])
        for j, key in enumerate(keys)
    }
