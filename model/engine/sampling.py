"""Monte Carlo sampling: every uncertain input of a run, drawn reproducibly.

An :class:`UncertainInput` is one factor: a uniform quantile u in (0, 1) mapped through its
distribution (:func:`ppf`) moves one engine input. Two kinds:

- ``path``: a scenario parameter's trajectory after its *anchor* year (the last year fixed by
  evidence: the last observed year, the nowcast year for levers, else the base year).
  ``relative`` multiplies the path and ``absolute`` adds to it, phased in linearly over
  ``phase_in`` years after the anchor; ``growth`` shifts the path's annual growth rate from
  the first year after the anchor, at full width, so the deviation compounds: a driver's
  near-term uncertainty is not hidden behind a phase-in.
- ``level``: a relative factor on the whole input from the base year on: the base year's own
  range (the base-year table's low/high, model.inputs.derivation), or an observed series'
  measurement range.

Seeded and reproducible: the same inputs, draws, seed and method give identical arrays. `lhs`
uses scipy.stats.qmc.LatinHypercube; `random` numpy's PCG64 generator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from model.inputs.schema import DOMAIN_BOUNDS
from model.inputs.trajectory import BASE_YEAR, YEARS, Uncertainty

Method = Literal["random", "lhs"]


# Random streams: the physical inputs (stream 0) are drawn exactly as before cost inputs
# existed; inputs that move only costs (prices, capex, the carbon market: stream 1) come from
# their own seeded stream, so adding or removing a cost factor never changes an emission draw.
PHYSICAL_STREAM = 0
ECONOMIC_STREAM = 1


@dataclass(frozen=True)
class UncertainInput:
    """One Monte Carlo factor moving the engine input `target` (see the module docstring)."""

    name: str
    target: str
    uncertainty: Uncertainty
    kind: Literal["path", "level"] = "path"
    anchor: int = BASE_YEAR
    domain: str = "real"
    stream: int = PHYSICAL_STREAM


def uniform_draws(
    n: int, k: int, seed: int | np.random.SeedSequence | None, method: Method = "random"
) -> np.ndarray:
    """(n, k) uniforms in (0, 1), one column per uncertain input."""
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


def phase_in_ramp(unc: Uncertainty, anchor: int = BASE_YEAR) -> np.ndarray:
    """0 at and before the anchor year, rising linearly to 1 after `phase_in` years."""
    since = YEARS - anchor
    if unc.phase_in == 0:
        return (since > 0).astype(float)
    return np.clip(since / unc.phase_in, 0.0, 1.0)


def _clip(out: np.ndarray, domain: str) -> np.ndarray:
    lo, hi = DOMAIN_BOUNDS[domain]
    if np.isfinite(hi):
        np.clip(out, lo, hi, out=out)
    elif np.isfinite(lo):
        np.maximum(out, lo, out=out)
    if domain == "year":
        np.round(out, out=out)
    return out


def perturb(
    central: np.ndarray,
    draw: np.ndarray,
    unc: Uncertainty,
    domain: str,
    out: np.ndarray | None = None,
    first: int = 0,
    anchor: int = BASE_YEAR,
) -> np.ndarray:
    """(n, years) values: the central path moved by each draw after `anchor`, kept in domain.

    Relative: central x (1 + (draw - 1) x ramp); absolute: central + draw x ramp, both written
    as `base + draw x slope`; growth: central x (1 + draw)^(years after the anchor). `first`
    drops the leading years (the engine only needs 2020 on); `out` receives the result.
    """
    c = central[first:]
    if out is None:
        out = np.empty((len(draw), len(c)))
    if unc.scale == "growth":
        steps = np.maximum(YEARS[first:] - anchor, 0).astype(float)
        np.multiply.outer(np.log1p(draw), steps, out=out)
        np.exp(out, out=out)
        out *= c[None, :]
        return _clip(out, domain)
    ramp = phase_in_ramp(unc, anchor)[first:]
    slope = ramp * c if unc.scale == "relative" else ramp
    base = c - slope if unc.scale == "relative" else c
    np.multiply(draw[:, None], slope[None, :], out=out)
    out += base[None, :]
    return _clip(out, domain)


def _level(
    arr: np.ndarray, factor: np.ndarray, first: int, domain: str, full_width: bool
) -> np.ndarray:
    """Multiply (n, cols) by a per-row factor from the base year on (every column when
    `full_width`, i.e. a one-column base-year input)."""
    if full_width:
        arr *= factor[:, None]
    else:
        start = max(int(BASE_YEAR - YEARS[first]), 0)
        arr[:, start:] *= factor[:, None]
    return _clip(arr, domain)


def perturbed(
    central: Mapping[str, np.ndarray],
    inputs: Sequence[UncertainInput],
    u: np.ndarray,
    first: int = 0,
    out: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Target -> (rows of u, years from `first`) values for every input's target.

    `central[target]` is (years,) or (1,) (a base-year scalar). Level inputs apply first (they
    move the starting point), then path inputs; each clips to its domain. `out` may hold the
    arrays to write into (the engine's blocks: no copy afterwards).
    """
    rows = u.shape[0]
    order = sorted(range(len(inputs)), key=lambda j: inputs[j].kind != "level")
    done: dict[str, np.ndarray] = {}
    for j in order:
        inp = inputs[j]
        c = np.asarray(central[inp.target], dtype=float)
        scalar = c.shape[-1] == 1
        c_cols = c if scalar else c[first:]
        draw = ppf(u[:, j], inp.uncertainty)
        current = done.get(inp.target)
        if current is None:
            buffer = out.get(inp.target) if out is not None else None
            if buffer is None:
                buffer = np.empty((rows, c_cols.shape[-1]))
            if inp.kind == "level" or scalar:
                buffer[:] = c_cols[None, :]
            current = buffer
        if inp.kind == "level":
            done[inp.target] = _level(current, draw, first, inp.domain, scalar)
        elif inp.target not in done:
            done[inp.target] = perturb(
                c, draw, inp.uncertainty, inp.domain, current, first, inp.anchor
            )
        else:
            # A level draw came first: the path moves relative to the shifted starting point.
            moved = perturb(c, draw, inp.uncertainty, inp.domain, None, first, inp.anchor)
            if inp.uncertainty.scale == "absolute":
                current += moved - c_cols
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    current *= np.where(c_cols != 0, moved / c_cols, 1.0)
            done[inp.target] = _clip(current, inp.domain)
    return done


@dataclass(frozen=True)
class DrawPlan:
    """The Monte Carlo draws of a run, materialised block by block.

    Run 0 is the central case, runs 1..draws the draws. `rows(start, stop)` gives every
    uncertain input's values for those runs, so the engine can draw inside each block (in
    cache, on its thread) instead of holding every draw of every input at once.
    """

    central: Mapping[str, np.ndarray]
    inputs: tuple[UncertainInput, ...]
    quantiles: np.ndarray  # (draws, len(inputs)) uniforms

    @property
    def runs(self) -> int:
        return self.quantiles.shape[0] + 1

    @property
    def targets(self) -> list[str]:
        return sorted({i.target for i in self.inputs})

    def rows(self, start: int, stop: int, first_year_index: int = 0) -> dict[str, np.ndarray]:
        """Values of runs start..stop-1 for every target, from a year index on."""
        first, last = max(start, 1), max(stop, 1)  # run 0 is the central case
        head = 1 if start == 0 else 0
        out = {}
        for target in self.targets:
            c = np.asarray(self.central[target], dtype=float)
            cols = c if c.shape[-1] == 1 else c[first_year_index:]
            arr = np.empty((stop - start, cols.shape[-1]))
            if head:
                arr[0] = cols
            out[target] = arr
        perturbed(
            self.central,
            self.inputs,
            self.quantiles[first - 1 : last - 1],
            first_year_index,
            {k: v[head:] for k, v in out.items()},
        )
        return out


def draw_plan(
    central: Mapping[str, np.ndarray],
    inputs: Sequence[UncertainInput],
    draws: int,
    seed: int | None,
    method: Method = "random",
) -> DrawPlan:
    """Seeded draws; the inputs' order (sorted by name within each stream) fixes the columns,
    so a seed always means the same draws. Each stream has its own generator (see
    PHYSICAL_STREAM): physical inputs from `seed`, economic ones from (seed, 1)."""
    streams = sorted({i.stream for i in inputs})
    ordered: list[UncertainInput] = []
    blocks = []
    for stream in streams:
        group = sorted((i for i in inputs if i.stream == stream), key=lambda i: i.name)
        ordered += group
        blocks.append(uniform_draws(draws, len(group), stream_seed(seed, stream), method))
    u = np.hstack(blocks) if blocks else np.empty((draws, 0))
    return DrawPlan(central, tuple(ordered), u)


def stream_seed(seed: int | None, stream: int) -> int | np.random.SeedSequence | None:
    """The seed of a random stream: the run's seed itself for stream 0."""
    if seed is None or stream == PHYSICAL_STREAM:
        return seed
    return np.random.SeedSequence([int(seed), int(stream)])


def sample(
    central: Mapping[str, np.ndarray],
    inputs: Sequence[UncertainInput],
    draws: int,
    seed: int | None,
    method: Method = "random",
) -> dict[str, np.ndarray]:
    """Target -> (1 + draws, years) for every uncertain input's target: row 0 is central."""
    plan = draw_plan(central, inputs, draws, seed, method)
    return plan.rows(0, plan.runs)
