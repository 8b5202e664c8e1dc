"""Scenario diff: which parameters differ after inheritance, and what that does to the peaks.

`diff_scenarios(a, b)` compares the expanded yearly values of every declared parameter over
2020-2060 (the years the engine reads; earlier years are history), so two specs that look
different but give the same path (e.g. `0.1` and `{2020: 0.1}`) do not show, while an
inherited change does. Differences in the Monte Carlo
uncertainty and in the settings are listed too, because they change results without changing
the central path. The effects table reruns both scenarios and reports, per sector and for
industry, peak year, peak value and 2030 emissions from `model.analysis.peaks.peak_table`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from model.analysis.peaks import SCOPES, peak_table
from model.engine.runner import run
from model.inputs.data import load_data
from model.inputs.scenario import Scenario
from model.inputs.schema import LEVER_FAMILIES, load_schema
from model.inputs.trajectory import BASE_YEAR, YEARS

# Relative and absolute tolerance for "the same value": well below any meaningful lever change,
# well above the rounding noise of interpolation.
RTOL = 1e-9
ATOL = 1e-12
FAMILY_ORDER = (*LEVER_FAMILIES, "activity", "technology", "settings")
PARAM_COLUMNS = ["key", "family", "unit", "a", "b", "first_year", "differs"]
EFFECT_MEASURES = ("peak_year", "peak_value", "value_2030")


def diff_scenarios(a: Scenario, b: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(parameters that differ, effect on peaks and 2030 emissions), comparing B against A.

    params: key, family, unit, a, b (compact spec text), first_year (first year the yearly
    values differ; missing when only the uncertainty or a setting differs), differs
    (values | uncertainty | setting).
    effects: sector, scope, then peak_year_*, peak_value_* and value_2030_* (Mt CO2/yr) for
    a, b and change (= B - A), for the headline scope of A and for direct emissions.
    """
    return parameter_diff(a, b), effect_diff(a, b)


def parameter_diff(a: Scenario, b: Scenario) -> pd.DataFrame:
    """Parameters (and settings) whose yearly values, uncertainty or value differ."""
    data = load_data(a.assumptions_dir)
    schema = load_schema(a.assumptions_dir / "parameters.yaml", data.sectors)
    rows = []
    for key in sorted(set(a.values) | set(b.values)):
        decl = schema.parameters.get(key)
        va, vb = a.values.get(key), b.values.get(key)
        year = first_difference_year(va, vb)
        if year is not None:
            differs = "values"
        elif a.uncertainty.get(key) != b.uncertainty.get(key):
            differs = "uncertainty"
        else:
            continue
        rows.append(
            {
                "key": key,
                "family": decl.family if decl else "",
                "unit": decl.unit if decl else "",
                "a": spec_text(a.specs.get(key), a.uncertainty.get(key), differs),
                "b": spec_text(b.specs.get(key), b.uncertainty.get(key), differs),
                "first_year": year,
                "differs": differs,
            }
        )
    sa, sb = a.settings.model_dump(), b.settings.model_dump()
    for name in sorted(set(sa) | set(sb)):
        if sa.get(name) != sb.get(name):
            rows.append(
                {
                    "key": f"settings.{name}",
                    "family": "settings",
                    "unit": "",
                    "a": str(sa.get(name)),
                    "b": str(sb.get(name)),
                    "first_year": None,
                    "differs": "setting",
                }
            )
    df = pd.DataFrame(rows, columns=PARAM_COLUMNS)
    df["first_year"] = df["first_year"].astype("Int64")
    rank = df["family"].map({f: i for i, f in enumerate(FAMILY_ORDER)}).fillna(len(FAMILY_ORDER))
    df = df.assign(_rank=rank).sort_values(["_rank", "key"]).drop(columns="_rank")
    return df.reset_index(drop=True)


def first_difference_year(
    va: np.ndarray | None, vb: np.ndarray | None, rtol: float = RTOL, atol: float = ATOL
) -> int | None:
    """First year from 2020 on in which two yearly paths differ beyond the tolerance, or None."""
    if va is None and vb is None:
        return None
    if va is None or vb is None:
        return BASE_YEAR
    # The engine reads parameters from the base year on; earlier years are history.
    used = YEARS >= BASE_YEAR
    same = np.isclose(va[used], vb[used], rtol=rtol, atol=atol, equal_nan=True)
    bad = np.flatnonzero(~same)
    return int(YEARS[used][bad[0]]) if bad.size else None


def spec_text(spec: Any, uncertainty: Any = None, differs: str = "values") -> str:
    """A raw YAML spec as short text: `0.012`, `{2030: 0.18, 2060: 0.4}`, `growth {...}`."""
    if spec is None:
        return "—"
    text = _spec_core(spec)
    if differs == "uncertainty":
        text += f" ± {_uncertainty_text(uncertainty)}"
    return text


def _spec_core(spec: Any) -> str:
    if isinstance(spec, bool):
        return str(spec)
    if isinstance(spec, int | float):
        return _num(spec)
    if isinstance(spec, dict):
        if spec and all(str(k).isdigit() for k in spec):
            return _year_map(spec)
        parts = []
        if "value" in spec:
            parts.append(_spec_core(spec["value"]))
        if "milestones" in spec:
            parts.append(_spec_core(spec["milestones"]))
        if "growth" in spec:
            growth = spec["growth"]
            parts.append(
                "growth " + (_year_map(growth) if isinstance(growth, dict) else _num(growth))
            )
            if "start" in spec:
                parts.append(f"start {_num(spec['start'])}")
            if "from" in spec:
                parts.append(f"from {spec['from']}")
        if spec.get("method") not in (None, "linear"):
            parts.append(f"({spec['method']})")
        return " ".join(parts) if parts else str(spec)
    return str(spec)


def _year_map(mapping: dict[Any, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_num(v)}" for k, v in mapping.items()) + "}"


def _num(x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


def _uncertainty_text(unc: Any) -> str:
    if unc is None:
        return "none"
    return f"{unc.dist}[{_num(unc.low)}, {_num(unc.high)}] {unc.scale}"


def effect_diff(a: Scenario, b: Scenario) -> pd.DataFrame:
    """Peak year, peak value and 2030 emissions per sector and industry for A, B and B - A."""
    data = load_data(a.assumptions_dir)
    ra, rb = run(a), run(b)
    tolerance = a.settings.plateau_tolerance
    frames = []
    for scope in effect_scopes(a):
        ta = peak_table(ra, data, scope, tolerance).set_index("sector")
        tb = peak_table(rb, data, scope, tolerance).set_index("sector")
        out = pd.DataFrame({"sector": ta.index, "scope": scope})
        for col in EFFECT_MEASURES:
            out[f"{col}_a"] = ta[col].to_numpy()
            out[f"{col}_b"] = tb.loc[ta.index, col].to_numpy()
            out[f"{col}_change"] = out[f"{col}_b"] - out[f"{col}_a"]
        frames.append(out)
    df = pd.concat(frames, ignore_index=True)
    df.attrs.update({"a": a.name, "b": b.name, "unit": "Mt CO2/yr"})
    return df


def effect_scopes(scenario: Scenario) -> list[str]:
    """The headline scope first, then direct emissions (once if they are the same)."""
    headline = scenario.settings.headline_scope
    return [headline, *(s for s in ("direct",) if s != headline and s in SCOPES)]
