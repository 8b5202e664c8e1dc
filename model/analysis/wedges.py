"""Lever wedges: how much of a scenario's reduction against a reference each lever family brings.

Attribution is the exact Shapley value (model.methods.shapley) over the lever families whose
parameters
differ between the two scenarios, so it does not depend on the order the levers are applied in.
A coalition takes the scenario's values for the parameters of its families and the reference's
values for the rest. Parameters that differ but belong to no lever family (activity drivers,
technology) form one extra family, `other`, so the wedges always add up to the whole gap.

Sign: `wedge` is a REDUCTION in Mt CO2/yr, positive when the family lowers emissions against
the reference: sum over families of wedge = reference - scenario, in every year, sector and
scope. `one_at_a_time` (the family alone on top of the reference) and `last_in` (what removing
it from the full scenario would cost) use the same sign; their spread from `wedge` is the
interaction between families that Shapley shares out evenly.

All 2^k coalitions are rows of one parameter dict evaluated by ONE engine call
(:func:`coalition_runs`, which the cost attribution of model.analysis.costs reuses, so its
tonnes are the wedges' tonnes; with Monte Carlo draws it runs every coalition per draw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.analysis.peaks import INDUSTRY, SCOPES, scope_variable, sector_names
from model.engine.runner import CHUNK_ROWS, engine_inputs, evaluate_params, scenario_params
from model.engine.sampling import DrawPlan, draw_plan
from model.errors import ModelError
from model.inputs.data import load_data
from model.inputs.scenario import Scenario
from model.inputs.schema import LEVER_FAMILIES, load_schema
from model.inputs.trajectory import BASE_YEAR
from model.methods.shapley import MAX_FAMILIES, coalition_masks, shapley_analysis

OTHER = "other"
FAMILIES: tuple[str, ...] = (*LEVER_FAMILIES, OTHER)
COLUMNS = [
    "scenario",
    "against",
    "sector",
    "scope",
    "year",
    "family",
    "differs",
    "n_parameters",
    "wedge",
    "one_at_a_time",
    "last_in",
    "interaction",
    "reference_value",
    "scenario_value",
]


def differing_parameters(scenario: Scenario, against: Scenario) -> dict[str, list[str]]:
    """Family -> keys whose yearly values differ between the two scenarios (exact comparison)."""
    if scenario.assumptions_dir.resolve() != against.assumptions_dir.resolve():
        raise ModelError(
            f"wedges: {scenario.name} and {against.name} come from different assumptions folders "
            f"({scenario.assumptions_dir} vs {against.assumptions_dir}): use one folder"
        )
    data = load_data(scenario.assumptions_dir)
    schema = load_schema(scenario.assumptions_dir / "parameters.yaml", data.sectors)
    out: dict[str, list[str]] = {}
    for key in sorted(scenario.values):
        if np.array_equal(scenario.values[key], against.values[key]):
            continue
        family = schema.parameters[key].family
        out.setdefault(family if family in LEVER_FAMILIES else OTHER, []).append(key)
    return {f: out[f] for f in FAMILIES if f in out}


def _outputs(sectors: Sequence[str]) -> list[tuple[str, str]]:
    return [(scope, sector) for scope in SCOPES for sector in sectors]


@dataclass(frozen=True)
class CoalitionRuns:
    """Every coalition of the differing lever families, run through the engine.

    `values[c, d, v, t]`: coalition c (row order of model.methods.shapley.coalition_masks: 0 =
    the reference, last = the scenario), run d (0 = central, then the Monte Carlo draws),
    variable v, year t from the base year. `groups` maps each family to its parameters.
    """

    families: tuple[str, ...]
    groups: dict[str, list[str]]
    variables: tuple[str, ...]
    values: np.ndarray
    seed: int | None = None

    @property
    def k(self) -> int:
        return len(self.families)

    @property
    def draws(self) -> int:
        return self.values.shape[1] - 1


def coalition_runs(
    scenario: Scenario,
    against: Scenario,
    variables: Sequence[str],
    draws: int = 0,
    seed: int | None = None,
    rows_per_call: int = CHUNK_ROWS,
) -> CoalitionRuns:
    """All 2^k coalitions of `scenario` against `against` (k = families that differ), for the
    central case and, with `draws`, for Monte Carlo draws shared by every coalition.

    A coalition takes the scenario's values for its families' parameters and the reference's
    for the rest. Without draws every coalition is a row of ONE engine call. With draws the
    uncertain inputs of both scenarios are drawn once from the same uniforms (seeded; names
    shared by both scenarios get the same column), each side perturbed from its own central
    values, and the rows (coalition x draw) go through the engine in calls of about
    `rows_per_call` rows: Shapley per draw then attributes each draw's gap exactly.
    """
    if draws < 0:
        raise ModelError(f"coalitions: draws: {draws}: a number >= 0")
    groups = differing_parameters(scenario, against)
    families = tuple(groups)
    if len(families) > MAX_FAMILIES:  # cannot happen with the shipped schema (9 at most)
        raise ModelError(f"wedges: {len(families)} families differ; at most {MAX_FAMILIES}")
    masks = coalition_masks(len(families)) if families else np.zeros((1, 0), dtype=bool)
    if not draws:
        params = _coalition_params(
            scenario_params(against), scenario_params(scenario), groups, masks, 1
        )
        values = _evaluate(params, scenario, variables)[:, None]
        return CoalitionRuns(families, groups, tuple(variables), values)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**32))
    ref_rows, scen_rows = _paired_draws(scenario, against, draws, seed)
    per_call = max(1, rows_per_call // len(masks))
    blocks = []
    for start in range(0, draws + 1, per_call):
        stop = min(start + per_call, draws + 1)
        ref = {k: v if v.shape[0] == 1 else v[start:stop] for k, v in ref_rows.items()}
        scen = {k: v if v.shape[0] == 1 else v[start:stop] for k, v in scen_rows.items()}
        params = _coalition_params(ref, scen, groups, masks, stop - start)
        out = _evaluate(params, scenario, variables)
        blocks.append(out.reshape(len(masks), stop - start, *out.shape[1:]))
    return CoalitionRuns(families, groups, tuple(variables), np.concatenate(blocks, 1), seed)


def _evaluate(params: dict, scenario: Scenario, variables: Sequence[str]) -> np.ndarray:
    """(rows, variables, years from the base year) of one engine call."""
    results = evaluate_params(params, scenario, keep=sorted(set(variables)))
    every = results.stack(list(variables))
    return every[:, :, results.years >= BASE_YEAR]


def _paired_draws(
    scenario: Scenario, against: Scenario, draws: int, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Central + `draws` rows of every engine input for both scenarios, from shared uniforms."""
    ref_params, ref_inputs = engine_inputs(against)
    scen_params, scen_inputs = engine_inputs(scenario)
    union = {i.name: i for i in ref_inputs} | {i.name: i for i in scen_inputs}
    ref_central = {k: v[0] for k, v in ref_params.items()}
    plan = draw_plan(ref_central, list(union.values()), draws, seed)
    column = {inp.name: j for j, inp in enumerate(plan.inputs)}

    def side(params: dict, inputs: list, central: dict) -> dict[str, np.ndarray]:
        ordered = tuple(sorted(inputs, key=lambda i: column[i.name]))
        cols = [column[i.name] for i in ordered]
        rows = DrawPlan(central, ordered, plan.quantiles[:, cols]).rows(0, draws + 1)
        return {**params, **rows}

    scen_central = {k: v[0] for k, v in scen_params.items()}
    return (
        side(ref_params, ref_inputs, ref_central),
        side(scen_params, scen_inputs, scen_central),
    )


def _coalition_params(
    ref: dict[str, np.ndarray],
    scen: dict[str, np.ndarray],
    groups: dict[str, list[str]],
    masks: np.ndarray,
    runs: int,
) -> dict[str, np.ndarray]:
    """Engine inputs for every (coalition, run) row, coalition-major: row = c x runs + d.

    A family's parameters take the scenario's values where its mask is set, the reference's
    elsewhere; every other input is the reference's (identical in both by construction, as
    the families hold every parameter that differs).
    """
    n_coalitions = masks.shape[0]
    family_of = {key: j for j, f in enumerate(groups) for key in groups[f]}
    out: dict[str, np.ndarray] = {}
    for key, ref_value in ref.items():
        j = family_of.get(key)
        if j is None:
            out[key] = (
                ref_value if ref_value.shape[0] == 1 else np.tile(ref_value, (n_coalitions, 1))
            )
            continue
        take = np.repeat(masks[:, j], runs)[:, None]
        a = np.broadcast_to(ref_value, (runs, ref_value.shape[1]))
        b = np.broadcast_to(scen[key], (runs, scen[key].shape[1]))
        out[key] = np.where(take, np.tile(b, (n_coalitions, 1)), np.tile(a, (n_coalitions, 1)))
    return out


def lever_wedges(
    scenario: Scenario, against: Scenario, text: bool = True
) -> tuple[pd.DataFrame, str]:
    """Shapley wedges of `scenario` against `against` for industry and each sector, both
    scopes, every year 2020-2060 (see the module docstring for the sign convention).

    Returns a tidy table (columns COLUMNS; one row per sector, scope, year and family, every
    lever family plus `other`; families that do not differ have zero wedges and
    differs=False) and a short text for the terminal (empty when ``text`` is False).
    """
    data = load_data(scenario.assumptions_dir)
    sectors = [INDUSTRY, *sector_names(data)]
    outputs = _outputs(sectors)
    runs = coalition_runs(scenario, against, [scope_variable(sc, se) for sc, se in outputs])
    groups, families = runs.groups, list(runs.families)
    if families:
        res = shapley_analysis(lambda masks: runs.values[:, 0], families)
        wedge, alone, last = -res.values, -res.one_at_a_time, -res.last_in
        ref_values, scen_values = res.baseline, res.scenario
    else:
        ref_values = runs.values[0, 0]
        scen_values = ref_values
        wedge = alone = last = np.zeros((0, *ref_values.shape))
    table = _table(scenario, against, groups, outputs, wedge, alone, last, ref_values, scen_values)
    return table, _text(table, scenario, against) if text else ""


def _table(scenario, against, groups, outputs, wedge, alone, last, ref_values, scen_values):
    """Long table over families x outputs x years; families that do not differ get zeros.

    Rows are built directly in their final order (scope, sector, year, then FAMILIES order):
    numpy arrays of shape (outputs, years, families) flattened once, no per-family frames.
    """
    n_out, n_years = ref_values.shape
    n_fam = len(FAMILIES)
    years = np.arange(BASE_YEAR, BASE_YEAR + n_years)
    pos = {f: j for j, f in enumerate(groups)}
    per_family = np.zeros((3, n_fam, n_out, n_years))  # wedge, one-at-a-time, last-in
    for k, family in enumerate(FAMILIES):
        if (j := pos.get(family)) is not None:
            per_family[:, k] = wedge[j], alone[j], last[j]
    order = sorted(range(n_out), key=lambda o: (outputs[o][0], outputs[o][1]))
    # (3, families, outputs, years) -> (3, outputs in order, years, families), flattened.
    w, a, li = per_family[:, :, order, :].transpose(0, 2, 3, 1).reshape(3, -1)
    per_row = n_years * n_fam
    table = pd.DataFrame(
        {
            "scenario": scenario.name,
            "against": against.name,
            "sector": np.repeat([outputs[o][1] for o in order], per_row),
            "scope": np.repeat([outputs[o][0] for o in order], per_row),
            "year": np.tile(np.repeat(years, n_fam), n_out),
            "family": np.tile(np.array(FAMILIES, dtype=object), n_out * n_years),
            "differs": np.tile([f in pos for f in FAMILIES], n_out * n_years),
            "n_parameters": np.tile([len(groups.get(f, [])) for f in FAMILIES], n_out * n_years),
            "wedge": w,
            "one_at_a_time": a,
            "last_in": li,
            "interaction": w - a,
            "reference_value": np.repeat(ref_values[order].ravel(), n_fam),
            "scenario_value": np.repeat(scen_values[order].ravel(), n_fam),
        }
    )
    return table[COLUMNS]


def wedge_table_for_years(
    df: pd.DataFrame,
    years: Sequence[int] = (2030, 2035),
    sector: str = INDUSTRY,
    scope: str = "direct_plus_indirect",
) -> pd.DataFrame:
    """Waterfall data from :func:`lever_wedges` output for a few years.

    Rows per year: `reference` (level), one row per family that differs (its reduction as a
    negative step), `scenario` (level). Columns year, step, kind (level|step), value (Mt CO2;
    steps are -wedge), start and end (bar ends for a waterfall chart).
    """
    d = df[(df["sector"] == sector) & (df["scope"] == scope)]
    if d.empty:
        raise ModelError(f"wedges: no rows for sector {sector!r} and scope {scope!r}")
    missing = sorted(set(years) - set(d["year"]))
    if missing:
        raise ModelError(f"wedges: years {missing}: between 2020 and 2060")
    rows = []
    for year in years:
        y = d[d["year"] == year]
        level = float(y["reference_value"].iloc[0])
        rows.append(dict(year=year, step="reference", kind="level", value=level, start=0.0))
        rows[-1]["end"] = level
        for _, r in y[y["differs"]].iterrows():
            step = -float(r["wedge"])
            rows.append(
                dict(year=year, step=r["family"], kind="step", value=step, start=level)
                | {"end": level + step}
            )
            level += step
        scen = float(y["scenario_value"].iloc[0])
        rows.append(dict(year=year, step="scenario", kind="level", value=scen, start=0.0, end=scen))
    return pd.DataFrame(rows, columns=["year", "step", "kind", "value", "start", "end"])


def _text(table: pd.DataFrame, scenario: Scenario, against: Scenario) -> str:
    scope = scenario.settings.headline_scope
    d = table[(table["sector"] == INDUSTRY) & (table["scope"] == scope) & table["differs"]]
    lines = [
        f"{scenario.name} vs {against.name}: reduction by lever family, industry, {scope} "
        "(Mt CO2/yr; exact Shapley, positive = lowers emissions; 'other' = non-lever "
        "parameters that differ)"
    ]
    if d.empty:
        lines.append("  no parameter differs: every wedge is zero")
        return "\n".join(lines)
    show = [y for y in (2025, 2030, 2035, 2060) if y in set(d["year"])]
    piv = d.pivot_table(index="family", columns="year", values="wedge", sort=False)[show]
    inter = d.pivot_table(index="family", columns="year", values="interaction", sort=False)
    lines.append(f"  {'family':<18}" + "".join(f"{y:>10}" for y in show) + "   |interaction| 2030")
    for fam, row in piv.iterrows():
        lines.append(
            f"  {fam:<18}"
            + "".join(f"{v:>10.1f}" for v in row)
            + f"   {abs(inter.loc[fam, 2030]) if 2030 in inter else float('nan'):>8.2f}"
        )
    gap = d.groupby("year")[["reference_value", "scenario_value"]].first()
    lines.append(
        f"  {'total (ref - scen)':<18}"
        + "".join(
            f"{gap.loc[y, 'reference_value'] - gap.loc[y, 'scenario_value']:>10.1f}" for y in show
        )
    )
    lines.append(
        "  (CEADs omits chemical feedstock/process and indirect CO2; the model adds them.)"
    )
    return "\n".join(lines)
