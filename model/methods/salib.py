"""Global sensitivity analysis with SALib, generic over a vectorized model ``f``.

``f(X)`` takes an ``(n, k)`` array of parameter values (columns in ``problem["names"]`` order)
and returns ``(n,)`` or ``(n, m)`` outputs (e.g. peak year, peak level, 2030 emissions). All
samples are evaluated in one call, so the engine can run them as one batch.

``problem`` is SALib's dict: ``{"names": [...], "bounds": [[lo, hi], ...]}`` (``num_vars`` is
filled in). Sampling follows SALib 1.5+: ``SALib.sample.sobol.sample`` (Saltelli's extension of
the Sobol' sequence, scrambled, seeded) and ``SALib.sample.morris.sample``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

# SALib's samplers and analysers are imported where used: each pulls in parts of scipy, and a
# Morris screen (the notebooks' default) should not pay for the Sobol' machinery too.

Model = Callable[[np.ndarray], np.ndarray]


def _problem(problem: dict[str, Any]) -> dict[str, Any]:
    names = list(problem.get("names", []))
    bounds = np.asarray(problem.get("bounds", []), dtype=float)
    if not names or bounds.shape != (len(names), 2):
        raise ValueError("sensitivity: problem needs 'names' and one [low, high] bound per name")
    if len(set(names)) != len(names):
        raise ValueError(f"sensitivity: parameter names must be unique, got {names}")
    if not np.all(bounds[:, 1] > bounds[:, 0]):
        bad = [n for n, (lo, hi) in zip(names, bounds, strict=True) if not hi > lo]
        raise ValueError(f"sensitivity: bounds must have low < high, not for {bad}")
    return {**problem, "names": names, "bounds": bounds.tolist(), "num_vars": len(names)}


def _evaluate(f: Model, x: np.ndarray, output_names: Sequence[str] | None) -> pd.DataFrame:
    y = np.asarray(f(x), dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != x.shape[0]:
        raise ValueError(
            f"sensitivity: f must return (n,) or (n, m) for n={x.shape[0]}, got {y.shape}"
        )
    if not np.all(np.isfinite(y)):
        raise ValueError("sensitivity: f returned NaN or inf for some samples")
    names = list(output_names) if output_names is not None else [f"y{j}" for j in range(y.shape[1])]
    if len(names) != y.shape[1]:
        raise ValueError(f"sensitivity: {len(names)} output names for {y.shape[1]} outputs")
    if y.shape[1] == 1 and output_names is None:
        names = ["y"]
    return pd.DataFrame(y, columns=names)


def sobol_indices(
    f: Model,
    problem: dict[str, Any],
    n_base: int,
    seed: int,
    calc_second_order: bool = False,
    *,
    output_names: Sequence[str] | None = None,
    num_resamples: int = 200,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """First-order and total Sobol' indices with bootstrap confidence intervals.

    Cost: ``n_base * (k + 2)`` model runs (``n_base * (2k + 2)`` with second order).
    ``n_base`` must be a power of two (the Sobol' sequence is only balanced then; SALib warns
    otherwise). Returns columns ``parameter, output, S1, S1_conf, ST, ST_conf`` (half-widths at
    ``conf_level``), sorted by output then ST descending. With second order, ``S2`` pairs are in
    ``df.attrs["S2"]``. ``seed`` fixes both the scrambled sample and the bootstrap.
    """
    prob = _problem(problem)
    if n_base < 2 or n_base & (n_base - 1):
        raise ValueError(f"sobol_indices: n_base must be a power of two >= 2, got {n_base}")
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    x = sobol_sample.sample(prob, n_base, calc_second_order=calc_second_order, seed=seed)
    y = _evaluate(f, x, output_names)
    rows, s2 = [], {}
    for out in y.columns:
        res = sobol_analyze.analyze(
            prob,
            y[out].to_numpy(),
            calc_second_order=calc_second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
        rows.append(
            pd.DataFrame(
                {
                    "parameter": prob["names"],
                    "output": out,
                    "S1": res["S1"],
                    "S1_conf": res["S1_conf"],
                    "ST": res["ST"],
                    "ST_conf": res["ST_conf"],
                }
            )
        )
        if calc_second_order:
            s2[out] = pd.DataFrame(res["S2"], index=prob["names"], columns=prob["names"])
    df = pd.concat(rows, ignore_index=True)
    df = df.sort_values(["output", "ST"], ascending=[True, False], kind="stable")
    df = df.reset_index(drop=True)
    df.attrs.update(n_base=n_base, n_runs=len(x), seed=seed, conf_level=conf_level, S2=s2)
    return df


def morris_screen(
    f: Model,
    problem: dict[str, Any],
    n_trajectories: int,
    seed: int,
    *,
    num_levels: int = 4,
    output_names: Sequence[str] | None = None,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Morris elementary-effects screening: ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma``.

    Cost: ``n_trajectories * (k + 1)`` runs. ``mu_star`` ranks influence (Campolongo et al.
    2007); a large ``sigma`` relative to ``mu_star`` flags non-linearity or interactions.
    Sorted by output then ``mu_star`` descending.
    """
    prob = _problem(problem)
    if n_trajectories < 2:
        raise ValueError("morris_screen: need at least 2 trajectories")
    if prob.get("groups") or prob.get("dists"):  # SALib's grouped / non-uniform variants
        from SALib.analyze import morris as morris_analyze
        from SALib.sample import morris as morris_sample

        x = morris_sample.sample(prob, n_trajectories, num_levels=num_levels, seed=seed)

        def analyse(y: np.ndarray) -> dict[str, Any]:
            return morris_analyze.analyze(
                prob, x, y, num_resamples=num_resamples, num_levels=num_levels, seed=seed
            )
    else:
        x = _morris_sample(prob, n_trajectories, num_levels, seed)

        def analyse(y: np.ndarray) -> dict[str, Any]:
            return _morris_analyse(x, y, num_levels, num_resamples, seed)

    y = _evaluate(f, x, output_names)
    rows = []
    for out in y.columns:
        res = analyse(y[out].to_numpy())
        rows.append(
            pd.DataFrame(
                {
                    "parameter": prob["names"],
                    "output": out,
                    "mu": np.asarray(res["mu"], dtype=float),
                    "mu_star": np.asarray(res["mu_star"], dtype=float),
                    "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
                    "sigma": np.asarray(res["sigma"], dtype=float),
                }
            )
        )
    df = pd.concat(rows, ignore_index=True)
    df = df.sort_values(["output", "mu_star"], ascending=[True, False], kind="stable")
    df = df.reset_index(drop=True)
    df.attrs.update(n_trajectories=n_trajectories, n_runs=len(x), seed=seed)
    return df


# --------------------------------------------------------------------------------------------
# Morris without SALib's import: SALib.sample.morris + SALib.analyze.morris (SALib 1.5-1.6) for
# ungrouped parameters with uniform bounds, the same operations in the same order, so the
# sample and the indices are bit-identical (tests/test_feature_sensitivity.py compares them
# with SALib). Importing SALib costs ~0.8 s (scipy.stats, multiprocess, dill) in every
# uncertainty notebook; the screen itself takes a fraction of that. SALib is MIT licensed.
# --------------------------------------------------------------------------------------------

# scipy.stats.norm.ppf(0.975), the factor of SALib's 95% bootstrap interval on mu_star.
_Z_95 = 1.959963984540054


def _morris_delta(num_levels: int) -> float:
    return num_levels / (2.0 * (num_levels - 1))


def _morris_sample(prob: dict[str, Any], n: int, num_levels: int, seed: int) -> np.ndarray:
    """`SALib.sample.morris.sample(prob, n, num_levels, seed=seed)` for ungrouped factors."""
    if num_levels % 2:
        warnings.warn("num_levels should be an even number, sample may be biased", stacklevel=3)
    rng = np.random.default_rng(seed)
    k = prob["num_vars"]
    delta = _morris_delta(num_levels)
    groups = np.eye(k, dtype=int)  # SALib's group matrix when every factor is its own group
    b = np.tril(np.ones([k + 1, k], dtype=int), -1)
    j = np.ones((k + 1, k))
    grid = np.linspace(0, 1 - delta, int(num_levels / 2))
    trajectories = []
    for _ in range(n):
        p_star = np.eye(k, k)
        rng.shuffle(p_star)
        d_star = np.diag(rng.choice([-1, 1], k))
        x_star = np.zeros((1, k))
        x_star[0, :] = rng.choice(grid, k)
        element_a = j[0, :] * x_star
        element_b = np.matmul(groups, p_star).T
        element_c = np.matmul(2.0 * b, element_b)
        element_d = np.matmul((element_c - j), d_star)
        trajectories.append(element_a + (delta / 2.0) * (element_d + j))
    sample = np.array(trajectories).reshape((n * (k + 1), k))
    bounds = np.array(prob["bounds"])
    np.add(np.multiply(sample, (bounds[:, 1] - bounds[:, 0]), out=sample), bounds[:, 0], out=sample)
    return sample


def _morris_step(
    outputs: np.ndarray, increased: np.ndarray, decreased: np.ndarray, increase: bool
) -> np.ndarray:
    pad_up, pad_lo = ((1, 0), (0, 1)) if increase else ((0, 1), (1, 0))
    up = np.pad(increased, ((0, 0), pad_up, (0, 0)), "constant")
    lo = np.pad(decreased, ((0, 0), pad_lo, (0, 0)), "constant")
    return np.einsum("ik,ikj->ij", outputs, up + lo).T


def _morris_analyse(
    x: np.ndarray, y: np.ndarray, num_levels: int, num_resamples: int, seed: int
) -> dict[str, np.ndarray]:
    """`SALib.analyze.morris.analyze(...)` (95% interval, unscaled) for ungrouped factors."""
    rng = np.random.default_rng(seed)
    k = x.shape[1]
    n_traj = int(y.size / (k + 1))
    size = int(y.size / n_traj)
    outputs = y.reshape(n_traj, size)
    inputs = x.reshape(n_traj, size, k)
    step = np.subtract(inputs[:, 1:, :], inputs[:, 0:-1, :])
    increased, decreased = step > 0, step < 0
    effects = np.subtract(
        _morris_step(outputs, increased, decreased, True),
        _morris_step(outputs, increased, decreased, False),
    ) / _morris_delta(num_levels)
    conf = []
    for row in effects:
        resampled = row[rng.integers(len(row), size=(num_resamples, len(row)))]
        conf.append(_Z_95 * np.average(np.abs(resampled), axis=1).std(ddof=1))
    return {
        "mu": np.average(effects, 1),
        "mu_star": np.average(np.abs(effects), 1),
        "sigma": np.std(effects, axis=1, ddof=1),
        "mu_star_conf": np.array(conf),
    }


def one_at_a_time(
    f: Model,
    problem: dict[str, Any],
    base: np.ndarray,
    *,
    output_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Tornado data: each parameter at its low and high bound, the others at ``base``.

    One call of ``f`` with ``2k + 1`` rows. Columns ``parameter, output, low_value,
    high_value, base, low, high, swing`` where ``low``/``high`` are outputs and ``swing =
    |high - low|``; sorted by output then swing descending. Local by design: it says nothing
    about interactions (use :func:`sobol_indices` for that).
    """
    prob = _problem(problem)
    base = np.asarray(base, dtype=float)
    k = prob["num_vars"]
    if base.shape != (k,):
        raise ValueError(f"one_at_a_time: base must have shape ({k},), got {base.shape}")
    bounds = np.asarray(prob["bounds"])
    x = np.tile(base, (2 * k + 1, 1))
    idx = np.arange(k)
    x[1 + idx, idx] = bounds[:, 0]
    x[1 + k + idx, idx] = bounds[:, 1]
    y = _evaluate(f, x, output_names)
    rows = []
    for out in y.columns:
        v = y[out].to_numpy()
        lo, hi = v[1 : 1 + k], v[1 + k :]
        rows.append(
            pd.DataFrame(
                {
                    "parameter": prob["names"],
                    "output": out,
                    "low_value": bounds[:, 0],
                    "high_value": bounds[:, 1],
                    "base": v[0],
                    "low": lo,
                    "high": hi,
                    "swing": np.abs(hi - lo),
                }
            )
        )
    df = pd.concat(rows, ignore_index=True)
    df = df.sort_values(["output", "swing"], ascending=[True, False], kind="stable")
    return df.reset_index(drop=True)


def tornado_plot(
    df: pd.DataFrame,
    ax: Any = None,
    labels: dict[str, str] | None = None,
    *,
    output: str | None = None,
    max_bars: int | None = 15,
) -> Any:
    """Horizontal tornado chart from :func:`one_at_a_time` output; returns the Axes.

    Bars start at the base output and end at the output with the parameter at its low bound
    (one colour) and high bound (another); the widest swing is on top. ``labels`` maps
    parameter ids to display names (e.g. Chinese). No style is set here (see
    ``model.report.style``).
    """
    outputs = df["output"].unique()
    if output is None:
        if len(outputs) > 1:
            raise ValueError(f"tornado_plot: choose one output of {list(outputs)}")
        output = outputs[0]
    d = df[df["output"] == output].sort_values("swing", ascending=False)
    if max_bars is not None:
        d = d.head(max_bars)
    d = d.iloc[::-1]  # matplotlib draws the first bar at the bottom
    if ax is None:
        # pyplot only when asked to make the figure: importing it in a kernel switches on the
        # inline backend and its hooks, which the notebooks (Figure + Agg) never use.
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 0.4 * len(d) + 1))
    base = float(d["base"].iloc[0]) if len(d) else 0.0
    pos = np.arange(len(d))
    ax.barh(pos, d["low"] - base, left=base, color="#0072B2", label="low bound")
    ax.barh(pos, d["high"] - base, left=base, color="#D55E00", label="high bound")
    ax.axvline(base, color="black", linewidth=0.8)
    names = [(labels or {}).get(p, p) for p in d["parameter"]]
    ax.set_yticks(pos, names)
    ax.set_xlabel(str(output))
    ax.legend(loc="lower right")
    return ax


def describe_precision(df: pd.DataFrame) -> str:
    """Plain-language statement of what the Sobol' sample size achieved, per output.

    Reports the widest ST confidence interval and whether sum(S1) <= 1 holds within the
    summed S1 half-widths (it must in theory; a violation means too few runs).
    """
    needed = {"output", "S1", "S1_conf", "ST", "ST_conf", "parameter"}
    if not needed <= set(df.columns):
        raise ValueError(f"describe_precision: needs columns {sorted(needed)}")
    level = df.attrs.get("conf_level", 0.95)
    n_runs = df.attrs.get("n_runs")
    lines = []
    if n_runs is not None:
        lines.append(f"{n_runs} model runs (n_base={df.attrs.get('n_base')}).")
    for out, d in df.groupby("output", sort=False):
        worst = d.loc[d["ST_conf"].idxmax()]
        s1_sum, s1_conf = d["S1"].sum(), d["S1_conf"].sum()
        ok = s1_sum - s1_conf <= 1.0
        lines.append(
            f"{out}: widest {level:.0%} interval on ST is ±{worst['ST_conf']:.3f} "
            f"({worst['parameter']}); sum of S1 = {s1_sum:.3f} ± {s1_conf:.3f}, "
            + ("consistent with ≤ 1." if ok else "above 1 beyond its interval: increase n_base.")
        )
        if worst["ST_conf"] > 0.1:
            lines.append(
                f"{out}: intervals wider than 0.1 cannot separate parameters whose ST differ "
                "by less than that; quadrupling n_base roughly halves the width."
            )
    return "\n".join(lines)
