"""Scenarios: YAML files under assumptions/scenarios/, with inheritance, overrides and validation.

`load_scenario(name, overrides)` returns an immutable, validated Scenario whose every parameter
is expanded to yearly values over 2010-2060. All problems in the files are reported together.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.errors import AssumptionError, Problem, UnknownScenarioError
from model.inputs.nowcast import Notice, apply_nowcast
from model.inputs.schema import DOMAIN_BOUNDS, DOMAIN_TEXT, ParameterDecl, Schema, load_schema
from model.inputs.trajectory import (
    BASE_YEAR,
    SPEC_FIELDS,
    YEARS,
    TrajectorySpec,
    Uncertainty,
    expand,
    milestone_problems,
    normalise,
)
from model.inputs.yamlload import safe_load

NAME_RE = re.compile(r"^[a-z0-9_]+$")
TOP_LEVEL_KEYS = {"description", "label", "extends", "settings"}
OVERRIDES_FILE = "--set"


def default_assumptions_dir() -> Path:
    """`$PEAKPATH_ASSUMPTIONS`, else the repository's assumptions/ folder."""
    env = os.environ.get("PEAKPATH_ASSUMPTIONS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "assumptions"


class Settings(BaseModel):
    """Method choices that are not numbers on a trajectory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Calorific (当量值, 0.1229 kgce/kWh, as in GB/T 2589 comprehensive energy) or coal-equivalent
    # (等价值, the supply coal rate) accounting of electricity in Mtce.
    electricity_method: Literal["calorific", "coal_equivalent"] = "calorific"
    # Direct-only peaks mislead: electrification moves CO2 into the power sector.
    headline_scope: Literal["direct", "direct_plus_indirect"] = "direct_plus_indirect"
    # Years within this fraction of the peak value form the plateau band (a modelling choice).
    plateau_tolerance: float = Field(default=0.02, ge=0.0, le=0.2)
    # Follow the observations in the years they cover (model.inputs.nowcast); false projects from
    # the
    # base year as if nothing were observed after it (the hindcast).
    nowcast: bool = True


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario; `values[key]` is a read-only array over YEARS (2010-2060)."""

    name: str
    description: Mapping[str, str]
    label: Mapping[str, str]
    chain: tuple[str, ...]
    settings: Settings
    specs: Mapping[str, Any]
    values: Mapping[str, np.ndarray]
    uncertainty: Mapping[str, Uncertainty]
    origin: Mapping[str, str]
    overrides: tuple[str, ...] = ()
    assumptions_dir: Path = field(default_factory=default_assumptions_dir)
    # The nowcast (model.inputs.nowcast): the last observed year (levers act after it), each
    # parameter's anchor year (its path is fixed by evidence up to it: Monte Carlo deviations
    # start after it), the observed years per parameter, and the values observations overruled.
    observed_through: int = BASE_YEAR
    anchors: Mapping[str, int] = field(default_factory=dict)
    observed: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    hot_metal_ratio: float | None = None

    def value(self, key: str, year: int) -> float:
        return float(self.values[key][year - YEARS[0]])

    def changed_from_defaults(self) -> dict[str, Any]:
        """Parameters this scenario sets itself or inherits from a parent (not defaults)."""
        return {k: self.specs[k] for k, o in self.origin.items() if o != "parameters.yaml"}


# ---------------------------------------------------------------------------------------------
# Public API


def load_scenario(
    name: str,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    assumptions: Path | str | None = None,
) -> Scenario:
    """Load `assumptions/scenarios/<name>.yaml`, resolve `extends`, apply dotted overrides."""
    root = Path(assumptions) if assumptions is not None else default_assumptions_dir()
    from model.inputs.data import (
        load_data,
    )  # data needs no scenario; import here keeps layers one-way

    data = load_data(root)
    schema = load_schema(root / "parameters.yaml", data.sectors)
    chain = _resolve_chain(name, root / "scenarios")
    return _build(name, chain, schema, data, parse_overrides(overrides), root)


def list_scenarios(assumptions: Path | str | None = None) -> list[str]:
    root = Path(assumptions) if assumptions is not None else default_assumptions_dir()
    return sorted(p.stem for p in (root / "scenarios").glob("*.yaml") if NAME_RE.match(p.stem))


def validate(
    names: Iterable[str] | None = None, assumptions: Path | str | None = None
) -> list[Problem]:
    """Every problem in the data tables and the named (or all) scenarios; empty when valid."""
    root = Path(assumptions) if assumptions is not None else default_assumptions_dir()
    problems: list[Problem] = []
    try:
        from model.inputs.data import load_data

        load_data(root)
    except AssumptionError as exc:
        return exc.problems
    for name in list(names or list_scenarios(root)):
        try:
            load_scenario(name, assumptions=root)
        except AssumptionError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
    return problems


def parse_overrides(overrides: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """`["steel.eaf_share.2030=0.25"]` or `{"steel.eaf_share.2030": 0.25}` -> dict of values."""
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        return {str(k): v for k, v in overrides.items()}
    if isinstance(overrides, str):
        overrides = [overrides]
    out: dict[str, Any] = {}
    problems = []
    for item in overrides:
        key, sep, text = str(item).partition("=")
        if not sep or not key.strip() or not text.strip():
            problems.append(
                Problem(OVERRIDES_FILE, str(item), item, "KEY=VALUE, e.g. a.b.2030=0.2")
            )
            continue
        try:
            out[key.strip()] = yaml.safe_load(text.strip())
        except yaml.YAMLError:
            problems.append(Problem(OVERRIDES_FILE, key.strip(), text, "a YAML value"))
    if problems:
        raise AssumptionError(problems)
    return out


# ---------------------------------------------------------------------------------------------
# Files and inheritance


def _resolve_chain(name: str, folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """[(file name, parsed mapping)] from the root ancestor down to `name`."""
    chain: list[tuple[str, dict[str, Any]]] = []
    seen: list[str] = []
    current: str | None = name
    child_file = OVERRIDES_FILE
    while current is not None:
        if not isinstance(current, str) or not NAME_RE.match(current):
            raise UnknownScenarioError(
                [
                    Problem(
                        child_file,
                        "scenario" if not seen else "extends",
                        current,
                        "a name matching [a-z0-9_]+",
                    )
                ]
            )
        if current in seen:
            loop = " -> ".join([*seen, current])
            raise AssumptionError([Problem(child_file, "extends", current, f"no cycle ({loop})")])
        path = folder / f"{current}.yaml"
        if not path.is_file():
            known = ", ".join(p.stem for p in sorted(folder.glob("*.yaml")))
            key = "extends" if seen else "scenario"
            raise UnknownScenarioError([Problem(child_file, key, current, f"one of: {known}")])
        raw = _read_yaml(path)
        seen.append(current)
        chain.append((path.name, raw))
        child_file = path.name
        current = raw.get("extends")
    return list(reversed(chain))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except yaml.constructor.ConstructorError as exc:
        # safe_load refuses tags such as !!python/object: never construct objects from YAML.
        raise AssumptionError(
            [Problem(path.name, "<tag>", str(exc.problem), "plain YAML only (no object tags)")]
        ) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f"line {where.line + 1}" if where else "<file>"
        raise AssumptionError([Problem(path.name, at, "", f"well-formed YAML ({exc})")]) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AssumptionError([Problem(path.name, "<file>", type(raw).__name__, "a mapping")])
    return raw


# ---------------------------------------------------------------------------------------------
# Building a scenario


def _build(
    name: str,
    chain: list[tuple[str, dict[str, Any]]],
    schema: Schema,
    data: Any,
    overrides: dict[str, Any],
    root: Path,
) -> Scenario:
    base_value = data.base_value
    problems: list[Problem] = []
    specs: dict[str, Any] = {k: copy.deepcopy(d.default) for k, d in schema.parameters.items()}
    origin = dict.fromkeys(schema.parameters, "parameters.yaml")
    settings_raw: dict[str, Any] = {}
    texts: dict[str, Any] = {}
    for fname, raw in chain:
        problems += _check_top_level(fname, raw, schema)
        for key, spec in _parameter_items(raw, schema):
            specs[key] = spec
            origin[key] = fname
        if isinstance(raw.get("settings"), dict):
            settings_raw.update(raw["settings"])
        for tkey in ("description", "label"):
            if tkey in raw:
                texts[tkey] = (fname, raw[tkey])
    own_file = chain[-1][0]
    if "description" not in chain[-1][1]:
        problems.append(Problem(own_file, "description", None, "a mapping {zh: ..., en: ...}"))
    description = _text(texts.get("description"), problems)
    label = _text(texts.get("label"), problems) if "label" in texts else {"zh": name, "en": name}
    for key, value in overrides.items():
        problems += _apply_override(key, value, specs, origin, settings_raw, schema)
    settings = _settings(settings_raw, own_file, problems)
    values, uncertainty = _expand_all(specs, origin, schema, base_value, problems)
    if not problems:
        problems += _share_group_problems(values, specs, origin, schema)
    if problems:
        raise AssumptionError(problems)
    nowcast = None
    if settings.nowcast:
        defaults = _default_values(schema, data)
        nowcast = apply_nowcast(values, specs, origin, schema, data.observations, defaults)
        values = nowcast.values
        # The observed years move the paths' starting points: check the route shares again.
        after = [
            dataclasses.replace(
                p, allowed=f"{p.allowed}; once the paths start from the observed {nowcast.through}"
            )
            for p in _share_group_problems(values, specs, origin, schema)
        ]
        if after:
            raise AssumptionError(after)
    return Scenario(
        name=name,
        description=MappingProxyType(description),
        label=MappingProxyType(label),
        chain=tuple(f.removesuffix(".yaml") for f, _ in chain),
        settings=settings,
        specs=MappingProxyType(specs),
        values=MappingProxyType(values),
        uncertainty=MappingProxyType(uncertainty),
        origin=MappingProxyType(origin),
        overrides=tuple(f"{k}={v}" for k, v in overrides.items()),
        assumptions_dir=root,
        observed_through=nowcast.through if nowcast else BASE_YEAR,
        anchors=MappingProxyType(nowcast.anchors if nowcast else dict.fromkeys(values, BASE_YEAR)),
        observed=MappingProxyType(nowcast.observed if nowcast else {}),
        notices=nowcast.notices if nowcast else (),
        hot_metal_ratio=nowcast.hot_metal_ratio if nowcast else None,
    )


_DEFAULTS: dict[tuple[int, int], tuple[Schema, Any, dict[str, np.ndarray]]] = {}


def _default_values(schema: Schema, data: Any) -> dict[str, np.ndarray]:
    """parameters.yaml's defaults expanded (the baseline path every lever keeps until the
    nowcast year); kept per (schema, data) pair, both cached and immutable."""
    key = (id(schema), id(data))
    cached = _DEFAULTS.get(key)
    if cached is not None and cached[0] is schema and cached[1] is data:
        return cached[2]
    specs = {k: copy.deepcopy(d.default) for k, d in schema.parameters.items()}
    origin = dict.fromkeys(schema.parameters, "parameters.yaml")
    problems: list[Problem] = []
    values, _ = _expand_all(specs, origin, schema, data.base_value, problems)
    if problems:
        raise AssumptionError(problems)
    _DEFAULTS.clear()  # one pair at a time: a changed file makes new objects
    _DEFAULTS[key] = (schema, data, values)
    return values


def _check_top_level(fname: str, raw: dict[str, Any], schema: Schema) -> list[Problem]:
    out = []
    for key, value in raw.items():
        if key in TOP_LEVEL_KEYS:
            continue
        if key not in schema.namespaces:
            allowed = ", ".join([*sorted(TOP_LEVEL_KEYS), *schema.namespaces])
            out.append(Problem(fname, str(key), _brief(value), f"unknown key; one of: {allowed}"))
        elif not isinstance(value, dict):
            out.append(Problem(fname, str(key), value, "a mapping of parameter: trajectory"))
        else:
            for pname in value:
                full = f"{key}.{pname}"
                if full not in schema.parameters:
                    out.append(Problem(fname, full, _brief(value[pname]), _unknown(full, schema)))
    if "extends" in raw and not isinstance(raw["extends"], str):
        out.append(Problem(fname, "extends", raw["extends"], "a scenario name"))
    if "settings" in raw and not isinstance(raw["settings"], dict):
        out.append(Problem(fname, "settings", raw["settings"], "a mapping"))
    return out


def _brief(value: Any) -> Any:
    return value if not isinstance(value, dict | list) else type(value).__name__


def _unknown(key: str, schema: Schema) -> str:
    close = difflib.get_close_matches(key, list(schema.parameters), n=1, cutoff=0.6)
    return "unknown parameter" + (f"; did you mean {close[0]}?" if close else "")


def _parameter_items(raw: dict[str, Any], schema: Schema) -> Iterable[tuple[str, Any]]:
    for ns, block in raw.items():
        if ns in TOP_LEVEL_KEYS or not isinstance(block, dict):
            continue
        for pname, spec in block.items():
            key = f"{ns}.{pname}"
            if key in schema.parameters:
                yield key, copy.deepcopy(spec)


def _text(entry: tuple[str, Any] | None, problems: list[Problem]) -> dict[str, str]:
    if entry is None:
        return {"zh": "", "en": ""}
    fname, raw = entry
    try:
        return _Text.model_validate(raw).model_dump()
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"])
            problems.append(
                Problem(fname, f"description.{loc}".rstrip("."), e.get("input"), e["msg"])
            )
        return {"zh": "", "en": ""}


def _settings(raw: dict[str, Any], fname: str, problems: list[Problem]) -> Settings:
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"])
            problems.append(Problem(fname, f"settings.{loc}", e.get("input"), e["msg"]))
        return Settings()


# ---------------------------------------------------------------------------------------------
# Overrides: `steel.eaf_share.2030=0.25`, `steel.crude_steel_demand.growth=-0.01`,
# `settings.electricity_method=coal_equivalent`.


def _apply_override(
    key: str,
    value: Any,
    specs: dict[str, Any],
    origin: dict[str, str],
    settings_raw: dict[str, Any],
    schema: Schema,
) -> list[Problem]:
    parts = key.split(".")
    if parts[0] == "settings" and len(parts) == 2:
        settings_raw[parts[1]] = value
        return []
    for i in range(len(parts), 0, -1):
        pkey = ".".join(parts[:i])
        if pkey in schema.parameters:
            try:
                specs[pkey] = _set_in_spec(specs[pkey], parts[i:], value)
            except ValueError as exc:
                return [Problem(OVERRIDES_FILE, key, value, str(exc))]
            origin[pkey] = OVERRIDES_FILE
            return []
    return [Problem(OVERRIDES_FILE, key, value, _unknown(key, schema))]


def _set_in_spec(spec: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    head = path[0]
    if head.isdigit() and len(path) == 1:
        return _set_milestone(spec, int(head), value)
    if head not in SPEC_FIELDS:
        raise ValueError(f"a year or one of {sorted(SPEC_FIELDS)} after the parameter name")
    full = normalise(spec) if not isinstance(spec, dict) or _is_year_map(spec) else dict(spec)
    node: Any = full
    for step in path[:-1]:
        nxt = node.get(_key(step)) if isinstance(node, dict) else None
        if not isinstance(nxt, dict):
            nxt = {} if nxt is None else normalise(nxt) if step == "growth" else {}
            node[_key(step)] = nxt
        node = nxt
    if not isinstance(node, dict):
        raise ValueError("cannot set a field inside a number")
    if path[-1] in ("value", "milestones", "growth") and len(path) == 1:
        for other in ("value", "milestones", "growth"):
            full.pop(other, None)
    node[_key(path[-1])] = value
    return full


def _set_milestone(spec: Any, year: int, value: Any) -> Any:
    full = normalise(spec) if not isinstance(spec, dict) or _is_year_map(spec) else dict(spec)
    if "growth" in full:
        raise ValueError("this parameter is a growth path: set .growth or replace it whole")
    if "value" in full:
        # A constant becomes milestones that hold it at the base year, then move to the new value.
        constant = full.pop("value")
        full["milestones"] = {BASE_YEAR: constant} if year != BASE_YEAR else {}
    full["milestones"] = {**full.get("milestones", {}), year: value}
    full["milestones"] = dict(sorted(full["milestones"].items()))
    return full


def _is_year_map(spec: Any) -> bool:
    return isinstance(spec, dict) and bool(spec) and all(str(k).isdigit() for k in spec)


def _key(step: str) -> Any:
    return int(step) if step.isdigit() else step


# ---------------------------------------------------------------------------------------------
# Expansion and checks


def _expand_all(
    specs: dict[str, Any],
    origin: dict[str, str],
    schema: Schema,
    base_value: Any,
    problems: list[Problem],
) -> tuple[dict[str, np.ndarray], dict[str, Uncertainty]]:
    values: dict[str, np.ndarray] = {}
    uncertainty: dict[str, Uncertainty] = {}
    for key, decl in schema.parameters.items():
        expanded = _expand_one(key, decl, specs[key], origin[key], base_value, problems)
        if expanded is None:
            continue
        values[key], unc = expanded
        if unc is not None:
            uncertainty[key] = unc
    return values, uncertainty


def _expand_one(
    key: str, decl: ParameterDecl, raw: Any, fname: str, base_value: Any, problems: list[Problem]
) -> tuple[np.ndarray, Uncertainty | None] | None:
    """One parameter's read-only yearly values and uncertainty; None (problems added) if bad."""
    parsed = _parse_spec(fname, key, raw, problems)
    if parsed is None:
        return None
    if parsed.milestones is not None:
        for msg in milestone_problems(list(parsed.milestones)):
            problems.append(Problem(fname, key, list(parsed.milestones), msg))
    base = _base_for(decl, base_value)
    if base is not None and parsed.growth is None:
        parsed = _pin_base_year(fname, key, parsed, base, problems)
    try:
        arr = expand(parsed, base)
    except (ValueError, KeyError) as exc:
        problems.append(Problem(fname, key, _brief(raw), str(exc)))
        return None
    problems += _domain_problems(fname, key, raw, arr, decl)
    arr.setflags(write=False)
    return arr, parsed.uncertainty if _has_own_uncertainty(raw) else decl.uncertainty


def expand_parameter(
    key: str,
    spec: Any,
    schema: Schema,
    data: Any,
    overrides: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """One parameter's yearly values as `load_scenario` expands `spec` before the nowcast (the
    values the share-group check reads), after `overrides` (dotted keys of this parameter, e.g.
    ``{"steel.eaf_share.2030": 0.3}``) applied as ``--set`` applies them. Raises
    AssumptionError with the problems.

    For tools that try values of one parameter cheaply (the explorer keeps route-share sliders
    within their group's budget) without loading a whole scenario per try.
    """
    spec = copy.deepcopy(spec)  # a nested override writes into the spec's own mappings
    for okey, value in (overrides or {}).items():
        if okey != key and not okey.startswith(key + "."):
            raise ValueError(f"{okey}: not a key of {key}")
        try:
            spec = _set_in_spec(spec, okey[len(key) + 1 :].split(".") if okey != key else [], value)
        except ValueError as exc:
            raise AssumptionError([Problem(OVERRIDES_FILE, okey, value, str(exc))]) from None
    problems: list[Problem] = []
    expanded = _expand_one(
        key, schema.parameters[key], spec, OVERRIDES_FILE, data.base_value, problems
    )
    if problems or expanded is None:
        raise AssumptionError(problems)
    return expanded[0]


def _pin_base_year(
    fname: str, key: str, spec: TrajectorySpec, base: float, problems: list[Problem]
) -> TrajectorySpec:
    """2020 is history: a parameter with a base-year row takes its 2020 value from the data.

    Milestones get 2020 = base inserted; a constant applies after 2020. A different 2020
    milestone is an error rather than a silent change of the calibration year.
    """
    milestones = dict(spec.milestones) if spec.milestones is not None else None
    if milestones is None:
        milestones = {BASE_YEAR: base, BASE_YEAR + 1: float(spec.value)}
        return spec.model_copy(update={"value": None, "milestones": milestones, "method": "step"})
    given = milestones.get(BASE_YEAR)
    if given is not None and not np.isclose(given, base, rtol=1e-6, atol=1e-9):
        problems.append(
            Problem(
                fname,
                f"{key}.{BASE_YEAR}",
                given,
                f"2020 is the base year: its value comes from the base-year data ({base:g}: "
                "data/choices.csv or observations.csv); omit it or give that value",
            )
        )
    milestones[BASE_YEAR] = base
    return spec.model_copy(update={"milestones": dict(sorted(milestones.items()))})


def _has_own_uncertainty(raw: Any) -> bool:
    return isinstance(raw, dict) and "uncertainty" in raw


def _parse_spec(fname: str, key: str, raw: Any, problems: list[Problem]) -> TrajectorySpec | None:
    try:
        full = normalise(raw)
    except ValueError as exc:
        problems.append(Problem(fname, key, _brief(raw), str(exc)))
        return None
    try:
        return TrajectorySpec.model_validate(full)
    except ValidationError as exc:
        for e in exc.errors():
            loc = [str(x) for x in e["loc"]]
            if loc[:1] == ["milestones"]:  # users write key.2030, whatever the spec form
                loc = loc[1:]
            loc = [x for x in loc if x not in ("float", "dict[int,float]")]
            where = ".".join([key, *loc])
            allowed = "a number" if "number" in e["msg"] else e["msg"]
            problems.append(Problem(fname, where, _brief(e.get("input")), allowed))
        return None


def _base_for(decl: ParameterDecl, base_value: Any) -> float | None:
    if decl.base is None:
        return None
    return float(sum(base_value(item.strip()) for item in decl.base.split("+")))


def _domain_problems(
    fname: str, key: str, raw: Any, arr: np.ndarray, decl: ParameterDecl
) -> list[Problem]:
    """Values outside the parameter's domain, named as the file writes them.

    The written numbers are checked first: the constant, every milestone, a growth path's
    `start` and (for domains that stop at 0) its rates. Only a path that leaves the domain
    although every written number is inside it (a growth path compounding past 1, a base-year
    value from the data) is reported at its first bad year, saying how that year's value arises.
    """
    lo, hi = DOMAIN_BOUNDS[decl.domain]
    allowed = DOMAIN_TEXT[decl.domain]
    full = normalise(raw)  # raw parsed before this is called, so this cannot fail
    out = [
        Problem(fname, where, value, allowed)
        for where, value in _written_numbers(key, raw, full)
        if not _inside(value, lo, hi)
    ]
    if out:
        return out
    if lo >= 0:
        floor = f"an annual growth rate >= -1 (-100% a year), so that the path stays {allowed}"
        out = [
            Problem(fname, where, rate, floor)
            for where, rate in _written_rates(key, full)
            if not _inside(rate, -1.0, float("inf"))
        ]
        if out:
            return out
    bad = np.flatnonzero(~((arr >= lo) & (arr <= hi)))  # NaN is outside too
    if not bad.size:
        return []
    year = int(YEARS[bad[0]])
    how = _how_the_year_arises(key, full, arr, year, decl.base is not None)
    return [Problem(fname, f"{key}.{year}", round(float(arr[bad[0]]), 6), f"{allowed}; {how}")]


def _inside(value: Any, lo: float, hi: float) -> bool:
    return bool(lo <= float(value) <= hi)  # False for NaN; values passed TrajectorySpec


def _written_numbers(key: str, raw: Any, full: dict[str, Any]) -> list[tuple[str, Any]]:
    """(dotted key as the modeller writes it, written number) for a constant, the milestones
    (`key.2030`, as in `--set`, whatever the spec form) and a growth path's `start`."""
    if full.get("value") is not None:
        return [(f"{key}.value" if isinstance(raw, dict) else key, full["value"])]
    if full.get("milestones") is not None:
        return [(f"{key}.{year}", value) for year, value in full["milestones"].items()]
    if full.get("start") is not None:
        return [(f"{key}.start", full["start"])]
    return []


def _written_rates(key: str, full: dict[str, Any]) -> list[tuple[str, Any]]:
    growth = full.get("growth")
    if isinstance(growth, dict):
        return [(f"{key}.growth.{year}", rate) for year, rate in growth.items()]
    return [] if growth is None else [(f"{key}.growth", growth)]


def _milestone_knots(full: dict[str, Any], pinned: bool) -> dict[int, bool]:
    """Years where a path takes a given value: {year: comes from the base-year data}. The written
    milestones, and the base year when its value comes from the data."""
    knots = dict.fromkeys((int(y) for y in full.get("milestones") or {}), False)
    if pinned:
        knots.setdefault(BASE_YEAR, True)
    return knots


def _knot(year: int, from_data: bool) -> str:
    return f"the base year {year} (base-year data)" if from_data else f"the milestone {year}"


def _between(knots: dict[int, bool], year: int) -> str:
    """How `year` is filled from the knots; empty when the year is one of them."""
    if year in knots or not knots:
        return ""
    below = [k for k in sorted(knots) if k < year]
    above = [k for k in sorted(knots) if k > year]
    if not (below and above):
        held = above[0] if above else below[-1]
        return f"held at {_knot(held, knots[held])}"
    low, high = below[-1], above[0]
    if not (knots[low] or knots[high]):
        return f"interpolated between the milestones {low} and {high}"
    return f"interpolated between {_knot(low, knots[low])} and {_knot(high, knots[high])}"


def _how_the_year_arises(
    key: str, full: dict[str, Any], arr: np.ndarray, year: int, pinned: bool
) -> str:
    if full.get("growth") is not None:
        start_year = min(max(int(full.get("from", BASE_YEAR)), YEARS[0]), YEARS[-1])
        start = float(arr[start_year - YEARS[0]])
        rates = ", ".join(
            f"{where.removeprefix(key + '.')}: {r}" for where, r in _written_rates(key, full)
        )
        return f"compounded from {start:g} in {start_year} at the written rates ({rates})"
    # A constant is held from 2021 on; before, a pinned parameter holds its base-year value.
    if full.get("value") is None:
        knots = _milestone_knots(full, pinned)
    else:
        knots = {BASE_YEAR: True} if pinned else {}
    if year in knots:
        return f"the value of {_knot(year, knots[year])}"
    return _between(knots, year) or "from the data"


def _share_group_problems(
    values: dict[str, np.ndarray],
    specs: dict[str, Any],
    origin: dict[str, str],
    schema: Schema,
) -> list[Problem]:
    """Route shares summing above 1. Only interpolation can break this between two valid
    milestones, so a year no milestone names is said to be interpolated, and between which."""
    out = []
    for gname, group in schema.share_groups.items():
        total = sum(values[m] for m in group.members)
        over = np.flatnonzero(total > 1.0 + 1e-9)
        if over.size:
            year = int(YEARS[over[0]])
            files = sorted({origin[m] for m in group.members})
            members = " + ".join(group.members)
            allowed = f"shares {members} must sum to at most 1 ({group.remainder} takes the rest)"
            note = _group_member_notes(group.members, specs, schema, year)
            out.append(
                Problem(
                    "/".join(files),
                    f"{gname}.{year}",
                    round(float(total[over[0]]), 6),
                    f"{allowed}; {note}" if note else allowed,
                )
            )
    return out


def _group_member_notes(
    members: list[str], specs: dict[str, Any], schema: Schema, year: int
) -> str:
    """Which members are not at a written value in `year`, and how they get there."""
    notes: dict[str, list[str]] = {}
    for member in members:
        form = normalise(specs[member])
        if form.get("growth") is not None:
            notes.setdefault("compounded from its growth rates", []).append(member)
        elif form.get("milestones") is not None:
            pinned = schema.parameters[member].base is not None
            how = _between(_milestone_knots(form, pinned), year)
            if how:
                notes.setdefault(how, []).append(member)
    if len(notes) == 1 and len(next(iter(notes.values()))) == len(members):
        return next(iter(notes))
    return "; ".join(f"{' and '.join(ms)} {how}" for how, ms in notes.items())
