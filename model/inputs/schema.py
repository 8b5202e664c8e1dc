"""The parameter schema: every scenario parameter declared once, as data, in parameters.yaml.

Like otoole's config.yaml, each declaration carries its unit, valid domain, lever family,
description (zh/en), default trajectory with its source, and a default uncertainty. Scenario files
may only set declared keys; the loader rejects anything else.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.errors import AssumptionError, Problem
from model.inputs.trajectory import Uncertainty
from model.inputs.yamlload import safe_load

Domain = Literal["share", "nonneg", "rate", "year", "real"]
Family = Literal[
    "activity",
    "capacity_control",
    "efficiency",
    "fuel_switch",
    "electrification",
    "hydrogen",
    "ccus",
    "materials",
    "grid",
    "technology",
    "economics",
]
# The families whose combined effect the wedges split (Shapley); the rest are drivers/technology.
LEVER_FAMILIES: tuple[str, ...] = (
    "capacity_control",
    "efficiency",
    "fuel_switch",
    "electrification",
    "hydrogen",
    "ccus",
    "materials",
    "grid",
)
# Families that are not levers: drivers, technology constants, and the economics of the cost
# accounting (prices, the carbon market, finance), which change costs but never emissions.
NON_LEVER_FAMILIES: tuple[str, ...] = ("activity", "technology", "economics")
DOMAIN_BOUNDS: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0),
    "nonneg": (0.0, float("inf")),
    "rate": (-0.5, 0.5),
    "year": (2010.0, 2100.0),
    "real": (float("-inf"), float("inf")),
}
DOMAIN_TEXT = {
    "share": "a share between 0 and 1",
    "nonneg": "a number >= 0 (.inf means no limit)",
    "rate": "an annual rate between -0.5 and 0.5",
    "year": "a year between 2010 and 2100",
    "real": "a number",
}


class _Decl(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    domain: Domain
    family: Family
    en: str
    zh: str
    source: str
    uncertainty: Uncertainty | None = None
    base: str | None = Field(
        default=None,
        description="base-year item (data/choices.csv, observations.csv) a path starts at",
    )
    clause: str | None = None
    # The last year the default path is evidence (e.g. observed prices): Monte Carlo deviations
    # start after it (model.engine.runner), like an observed parameter's.
    anchor: int | None = Field(default=None, ge=2010, le=2100)


class ParameterDecl(_Decl):
    """One declared parameter, e.g. `steel.eaf_share`."""

    key: str = ""
    default: Any


class SectorTemplate(_Decl):
    """A parameter every listed sector has, with a default per sector."""

    sectors: list[str]
    default: dict[str, Any]


class ShareGroup(BaseModel):
    """Shares that split one total; the `remainder` member takes 1 - sum(members)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    members: list[str]
    remainder: str
    en: str
    zh: str


class FamilyDecl(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str
    zh: str
    clause: str


class SchemaFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    families: dict[str, FamilyDecl]
    sector_parameters: dict[str, SectorTemplate]
    parameters: dict[str, ParameterDecl]
    share_groups: dict[str, ShareGroup]


class Schema:
    """The expanded schema: parameter key -> declaration, plus share groups and families."""

    def __init__(self, parsed: SchemaFile, sectors: list[str]):
        params: dict[str, ParameterDecl] = {}
        for name, tpl in parsed.sector_parameters.items():
            for sector in tpl.sectors:
                fields = tpl.model_dump(exclude={"sectors", "default"})
                params[f"{sector}.{name}"] = ParameterDecl(
                    key=f"{sector}.{name}", default=tpl.default[sector], **fields
                )
        for key, decl in parsed.parameters.items():
            params[key] = decl.model_copy(update={"key": key})
        self.parameters: dict[str, ParameterDecl] = dict(sorted(params.items()))
        self.share_groups = parsed.share_groups
        self.families = parsed.families
        self.sectors = sectors
        self.namespaces = sorted({k.split(".")[0] for k in self.parameters})

    def family_keys(self, family: str) -> list[str]:
        return [k for k, d in self.parameters.items() if d.family == family]


def load_schema(path: Path, sectors: list[str]) -> Schema:
    """Read and check parameters.yaml; every problem is reported together."""
    return _load_schema_cached(path.resolve(), tuple(sectors), path.stat().st_mtime_ns)


@cache
def _load_schema_cached(path: Path, sectors: tuple[str, ...], _mtime: int) -> Schema:
    name = path.name
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise AssumptionError([Problem(name, "<file>", "", f"malformed YAML: {exc}")]) from None
    try:
        parsed = SchemaFile.model_validate(raw)
    except ValidationError as exc:
        raise AssumptionError(
            Problem(name, ".".join(map(str, e["loc"])), e.get("input"), e["msg"])
            for e in exc.errors()
        ) from None
    problems: list[Problem] = []
    for tname, tpl in parsed.sector_parameters.items():
        for sector in tpl.sectors:
            if sector not in sectors:
                problems.append(
                    Problem(name, f"sector_parameters.{tname}.sectors", sector, "a known sector")
                )
            if sector not in tpl.default:
                problems.append(
                    Problem(name, f"sector_parameters.{tname}.default", sector, "a default")
                )
    for key, decl in [*parsed.parameters.items(), *parsed.sector_parameters.items()]:
        if decl.family not in parsed.families and decl.family not in NON_LEVER_FAMILIES:
            problems.append(Problem(name, f"{key}.family", decl.family, "a declared family"))
    if problems:
        raise AssumptionError(problems)
    schema = Schema(parsed, list(sectors))
    for gname, group in schema.share_groups.items():
        for member in group.members:
            if member not in schema.parameters:
                problems.append(Problem(name, f"share_groups.{gname}", member, "a declared key"))
    if problems:
        raise AssumptionError(problems)
    return schema
