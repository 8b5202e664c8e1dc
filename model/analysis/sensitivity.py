"""Global sensitivity of the peak and the costs to the uncertain parameters (Sobol', Morris, OAT).

Factors are the Monte Carlo's uncertain inputs (model.engine.runner.engine_inputs): the
scenario's uncertain parameters, the base year's ranges (`base:...`), the observations'
measurement ranges (`obs:...`) and the cost data's ranges (`cost:...`; they and the
`economics` parameters move costs, never emissions). Each factor is sampled as its uniform
quantile u in [0, 1] and mapped through model.engine.sampling exactly like the Monte Carlo, so
u = 0.3 means the same path here as in a draw: the indices describe the Monte Carlo's own
uncertainty. All sample rows go through the
engine in ONE call (model.engine.runner.evaluate_params).

Outputs (headline scope, industry, Mt CO2): peak value, 2030 emissions, and peak year (an integer:
its indices describe shifts between years, and are zero when the peak year never moves); and
the 2030 costs (billion CNY2020/yr, model.engine.costs): industry's technology cost
(`Cost|Industry`) and the carbon market's charge (`Cost|Carbon Market`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from model.analysis.peaks import peak, scope_variable
from model.engine.runner import engine_inputs, evaluate_params
from model.engine.sampling import UncertainInput, perturbed, ppf
from model.errors import ModelError
from model.inputs.costs import TECHNOLOGY_LABELS
from model.inputs.data import load_data
from model.inputs.scenario import Scenario
from model.inputs.schema import load_schema
from model.inputs.trajectory import Uncertainty
from model.methods.salib import describe_precision, morris_screen, one_at_a_time, sobol_indices

Method = Literal["sobol", "morris", "oat"]
OUTPUTS: tuple[str, ...] = (
    "peak_value",
    "emissions_2030",
    "peak_year",
    "cost_2030",
    "carbon_market_2030",
)
MORRIS_LEVELS = 6
OAT_LOW_U, OAT_HIGH_U = 0.05, 0.95


def uncertain_inputs(scenario: Scenario) -> list[UncertainInput]:
    """The Monte Carlo's uncertain inputs, sorted by name (the Monte Carlo's column order)."""
    inputs = sorted(engine_inputs(scenario)[1], key=lambda i: i.name)
    if not inputs:
        raise ModelError(f"sensitivity: {scenario.name}: no input carries an uncertainty")
    return inputs


def factors(scenario: Scenario) -> list[str]:
    """The factor names: parameter keys, `base:<sector>.<item>`, `obs:<series>`."""
    return [i.name for i in uncertain_inputs(scenario)]


def parameter_labels(scenario: Scenario, lang: str = "en") -> dict[str, str]:
    """Factor -> label (`en` or `zh`): parameters from parameters.yaml prefixed by their
    sector, base-year ranges and measurement ranges from the data tables."""
    if lang not in ("en", "zh"):
        raise ModelError(f"sensitivity: lang: {lang!r}: 'en' or 'zh'")
    data = load_data(scenario.assumptions_dir)
    schema = load_schema(scenario.assumptions_dir / "parameters.yaml", data.sectors)
    col = "name_zh" if lang == "zh" else "name_en"
    base_words = {"zh": "基准年{what}（2020年区间）", "en": "base-year {what} (2020 range)"}
    obs_words = {"zh": "{what}（统计测量区间）", "en": "{what} (measurement range)"}
    cost_words = {"zh": "成本：{what}（{param}）", "en": "cost: {what} ({param})"}
    out = {}
    for name in factors(scenario):
        kind, _, key = name.rpartition(":")
        prefix, _, item = key.partition(".")
        where = data.sector_info.at[prefix, col] if prefix in data.sectors else prefix
        if kind == "cost":
            tech, _, param = key.rpartition(".")
            what = TECHNOLOGY_LABELS.get(tech, {}).get(lang, tech)
            out[name] = cost_words[lang].format(what=what, param=param)
        elif kind == "obs":
            decl = data.observations.series[key]
            out[name] = obs_words[lang].format(what=decl.name_zh if lang == "zh" else decl.name_en)
        elif kind == "base" and key in schema.parameters:
            decl = schema.parameters[key]
            what = decl.zh if lang == "zh" else decl.en
            out[name] = f"{where}: " + base_words[lang].format(what=what)
        elif kind == "base":
            out[name] = f"{where}: " + base_words[lang].format(what=item)
        else:
            decl = schema.parameters[key]
            out[name] = f"{where}: {decl.zh if lang == 'zh' else decl.en}"
    return out


def family_of(scenario: Scenario, factor: str) -> str:
    """The lever family of a parameter factor; `base year` / `observed` for the others."""
    kind, _, key = factor.rpartition(":")
    if kind == "base":
        return "base year"
    if kind == "obs":
        return "observed"
    if kind == "cost":
        return "cost data"
    data = load_data(scenario.assumptions_dir)
    return (
        load_schema(scenario.assumptions_dir / "parameters.yaml", data.sectors)
        .parameters[key]
        .family
    )


def centre_quantile(unc: Uncertainty) -> float:
    """The u at which ppf gives the central value (mode, or 1 / 0): the deterministic run."""
    lo, hi, c = unc.low, unc.high, unc.centre
    if unc.dist in ("uniform", "triangular"):
        # Both CDFs equal (c - lo) / (hi - lo) at the mode: no scipy needed.
        return (c - lo) / (hi - lo)
    from scipy import stats  # imported on use: scipy.stats is slow to import

    a, b = (lo - c) / unc.sd, (hi - c) / unc.sd
    return float(stats.truncnorm.cdf(c, a, b, loc=c, scale=unc.sd))


SENSITIVITY_ROWS = 8192  # sample rows per engine call (memory bound, see scenario_model)


def scenario_model(scenario: Scenario, scope: str | None = None) -> Callable:
    """f(U) -> (n, len(OUTPUTS)) outputs for an (n, k) array of uniform quantiles."""
    params, _ = engine_inputs(scenario)
    inputs = uncertain_inputs(scenario)
    variable = scope_variable(scope or scenario.settings.headline_scope)
    central = {k: v[0] for k, v in params.items()}

    def f(u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != len(inputs):
            raise ValueError(f"sensitivity: expected (n, {len(inputs)}) quantiles, got {u.shape}")
        # Rows are independent: a slice at a time bounds the perturbed inputs' memory (a Sobol
        # sample of 166 factors holds tens of thousands of rows).
        step = SENSITIVITY_ROWS
        return np.vstack([outputs(u[i : i + step]) for i in range(0, max(len(u), 1), step)])

    def outputs(u: np.ndarray) -> np.ndarray:
        moved = perturbed(central, inputs, u)
        keep = [variable, "Cost|Industry", "Cost|Carbon Market"]
        results = evaluate_params({**params, **moved}, scenario, keep=keep)
        emissions = results.get(variable)
        year, value = peak(emissions, results.years)
        col = int(np.flatnonzero(results.years == 2030)[0])
        in_2030 = emissions[:, col]
        cost = results.get("Cost|Industry")[:, col]
        market = results.get("Cost|Carbon Market")[:, col]
        return np.column_stack([value, in_2030, year.astype(float), cost, market])

    return f


def _problem(keys: list[str], low: float = 0.0, high: float = 1.0) -> dict:
    return {"names": keys, "bounds": [[low, high]] * len(keys)}


def _recording(f: Callable) -> tuple[Callable, list[np.ndarray]]:
    """f that also keeps its outputs, to tell which outputs never varied."""
    seen: list[np.ndarray] = []

    def g(u: np.ndarray) -> np.ndarray:
        y = f(u)
        seen.append(y)
        return y

    return g, seen


def _constant_outputs(seen: list[np.ndarray]) -> list[str]:
    y = np.vstack(seen)
    return [name for j, name in enumerate(OUTPUTS) if np.ptp(y[:, j]) == 0]


def scenario_sensitivity(
    scenario: Scenario, method: Method = "sobol", n: int = 256, seed: int = 20201231
) -> tuple[pd.DataFrame, str]:
    """Rank the uncertain parameters by their effect on the peak and 2030 emissions.

    `sobol`: first-order and total indices with 95% bootstrap intervals, n = base sample (a
    power of two; n (k + 2) runs). `morris`: elementary effects over n trajectories with 6
    levels (n (k + 1) runs). `oat`: each parameter at its 5% and 95% quantile, the others at
    their central values (2k + 1 runs; `n` and `seed` unused). Returns a table with parameter,
    label_en, label_zh, family, output, the method's statistics and rank (1 = most influential
    per output), and a short text that says what the sample size achieved.
    """
    if method not in ("sobol", "morris", "oat"):
        raise ModelError(f"sensitivity: method: {method!r}: one of sobol, morris, oat")
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise ModelError(f"sensitivity: --n: {n}: a power of two >= 2 for Sobol'")
    if method == "morris" and n < 2:
        raise ModelError(f"sensitivity: --n: {n}: at least 2 Morris trajectories")
    keys = factors(scenario)
    f, seen = _recording(scenario_model(scenario))
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # An output that never moves makes SALib divide by a zero variance; handled below.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", "Constant values encountered", UserWarning)
        df, key_stat = _analyse(f, keys, scenario, method, n, seed)
    attrs = dict(df.attrs)
    constant = _constant_outputs(seen)
    # SALib divides by the output variance: an output that never moves has no indices to rank.
    stat_cols = [
        c for c in df.columns if c not in ("parameter", "output") and df[c].dtype.kind == "f"
    ]
    if method != "oat":
        df.loc[df["output"].isin(constant), stat_cols] = 0.0
    table = _decorate(df, scenario, key_stat)
    table.attrs.update(attrs)
    return table, _text(table, scenario, method, attrs, constant, key_stat)


def _analyse(f, keys, scenario, method, n, seed) -> tuple[pd.DataFrame, str]:
    if method == "sobol":
        df = sobol_indices(f, _problem(keys), n, seed, output_names=OUTPUTS)
        key_stat = "ST"
    elif method == "morris":
        df = morris_screen(
            f, _problem(keys), n, seed, num_levels=MORRIS_LEVELS, output_names=OUTPUTS
        )
        key_stat = "mu_star"
    else:
        unc = {i.name: i.uncertainty for i in uncertain_inputs(scenario)}
        base = np.array([centre_quantile(unc[k]) for k in keys])
        df = one_at_a_time(f, _problem(keys, OAT_LOW_U, OAT_HIGH_U), base, output_names=OUTPUTS)
        key_stat = "swing"
        df = _add_oat_factors(df, scenario)
    return df, key_stat


def _add_oat_factors(df: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The drawn factor (relative) or shift (absolute) at each OAT bound, in model terms."""
    unc = {i.name: i.uncertainty for i in uncertain_inputs(scenario)}
    df = df.copy()
    for bound in ("low", "high"):
        draws = [
            float(ppf(np.array([u]), unc[p])[0])
            for p, u in zip(df["parameter"], df[f"{bound}_value"], strict=True)
        ]
        df[f"{bound}_draw"] = draws
    df["scale"] = [unc[p].scale for p in df["parameter"]]
    return df


def _decorate(df: pd.DataFrame, scenario: Scenario, key_stat: str) -> pd.DataFrame:
    en, zh = parameter_labels(scenario, "en"), parameter_labels(scenario, "zh")
    out = df.copy()
    out.insert(0, "scenario", scenario.name)
    out.insert(2, "label_en", out["parameter"].map(en))
    out.insert(3, "label_zh", out["parameter"].map(zh))
    out.insert(4, "family", out["parameter"].map(lambda k: family_of(scenario, k)))
    out["rank"] = out.groupby("output")[key_stat].rank(method="first", ascending=False).astype(int)
    order = {o: i for i, o in enumerate(OUTPUTS)}
    out = out.sort_values(
        ["output", "rank"], key=lambda s: s.map(order) if s.name == "output" else s
    )
    return out.reset_index(drop=True)


def tornado_data(
    scenario: Scenario, output: str = "peak_value", lang: str = "en"
) -> tuple[pd.DataFrame, dict[str, str]]:
    """One-at-a-time swings of one output and the labels, for model.methods.salib.tornado_plot.

    Usage: ``df, labels = tornado_data(s); tornado_plot(df, labels=labels)``.
    """
    if output not in OUTPUTS:
        raise ModelError(f"sensitivity: output: {output!r}: one of {', '.join(OUTPUTS)}")
    table, _ = scenario_sensitivity(scenario, "oat")
    d = table[table["output"] == output].reset_index(drop=True)
    return d, parameter_labels(scenario, lang)


def _text(
    table: pd.DataFrame,
    scenario: Scenario,
    method: str,
    attrs: dict,
    constant: list[str],
    key_stat: str,
    top: int = 5,
) -> str:
    scope = scenario.settings.headline_scope
    k = table["parameter"].nunique()
    lines = [
        f"{scenario.name}: {method} sensitivity of industry CO2 ({scope}) and costs to {k} "
        f"uncertain parameters, {attrs.get('n_runs', 2 * k + 1)} engine runs in one call"
    ]
    if method == "sobol":
        lines.append(describe_precision(table))
    elif method == "morris":
        lines.append(
            f"Morris: {attrs.get('n_trajectories')} trajectories, {MORRIS_LEVELS} levels; "
            "mu_star ranks influence, sigma >> mu_star flags interaction or non-linearity. "
            "Screening only: it does not apportion variance."
        )
    else:
        lines.append(
            f"OAT: each parameter at its {OAT_LOW_U:.0%} and {OAT_HIGH_U:.0%} quantile, the "
            "others central; local, blind to interactions (use sobol for those)."
        )
    for out in OUTPUTS:
        d = table[table["output"] == out].head(top)
        if out in constant:
            lines.append(f"  {out}: does not vary over the sample (no ranking)")
            continue
        ranked = ", ".join(
            f"{p} ({v:.3g})" for p, v in zip(d["parameter"], d[key_stat], strict=True)
        )
        lines.append(f"  {out} top {key_stat}: {ranked}")
    return "\n".join(lines)
