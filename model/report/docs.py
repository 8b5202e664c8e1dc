"""assumptions/README.md, generated from the schema so the documentation cannot drift.

Regenerate with `python scripts/gen_assumptions_readme.py`; a test fails when the file and the
schema disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from model.inputs.data import load_data
from model.inputs.schema import DOMAIN_TEXT, LEVER_FAMILIES, load_schema

HEADER = """# Assumptions / 假设参数

Everything the model assumes lives here, each figure with its source or marked as a modelling
assumption with its rationale. 模型的全部假设都在此目录，每个数字都注明来源或标明为建模假设。

> This file is generated from `parameters.yaml` by `python scripts/gen_assumptions_readme.py`;
> a test fails when it drifts from the schema. Do not edit it by hand.

## Layout
- `parameters.yaml`: every scenario parameter declared once: unit, valid domain, lever family,
  meaning (zh/en), default trajectory with its source, default uncertainty. The defaults are the
  baseline ("current trends, no new levers").
- `scenarios/<name>.yaml`: one scenario per file, name `[a-z0-9_]+`. A scenario may
  `extends: <other>` and then holds only what differs (chains of any depth; a cycle is an error).
  Each file opens with `description: {zh: ..., en: ...}` (shown in the briefing) and may set
  `label` and `settings` (`electricity_method`: calorific | coal_equivalent; `headline_scope`:
  direct | direct_plus_indirect; `plateau_tolerance`; `nowcast`: true | false).
- `data/`: sourced tables (the CEADs inventory 2000-2019 and its sector and fuel maps, every
  hand-chosen number in `choices.csv`, technology factors, targets, the observed
  statistics after 2019: `observations.csv`, declared series by
  series in `observed_series.csv`, and the cost data: `costs.csv`, technology costs and
  prices as published, converted to constant 2020 CNY at load through `money.csv`); see
  `data/README.md`. Every row carries `source`.

## Writing a value over the years
- constant: `0.3`, the same value every year;
- milestones: `{2025: 0.12, 2030: 0.18}`, linear between milestones, flat before the first and
  after the last;
- named method: `{milestones: {...}, method: step}`, with `linear`, `step` (hold until the
  next) or `smooth` (monotone PCHIP, no overshoot);
- growth: `{growth: -0.01}` or `{growth: {2021: 0.02, 2031: -0.01}, start: 80, from: 2020}`,
  a compound annual rate (steps hold from each year on), from the base-year value unless
  `start` is given.

Any form may add an uncertainty for the Monte Carlo:
`uncertainty: {dist: triangular|uniform|truncnorm, low: 0.9, high: 1.1, mode: 1.0, sd: 0.05,
scale: relative|absolute|growth, phase_in: 10}`. A `relative` draw multiplies the path and an
`absolute` one is added to it, growing linearly from 0 after the parameter's *anchor year* to
full after `phase_in` years; a `growth` draw (low/high are annual rates, e.g. -0.015 and 0.01)
shifts the path's growth rate from the first year after the anchor, at full width, so the
deviation compounds. The anchor is the last year evidence fixes: the last observed year of an
observed driver, the last observed year of industrial value added for the value-added indices,
else the base year 2020, or a later year a declaration names (`anchor:`, e.g. the carbon
price, observed through 2025). A scenario that sets a parameter without `uncertainty` keeps the
default uncertainty declared below. The Monte Carlo also draws the base year's ranges
(the base-year table's low/high) and each observed series' measurement range.

**The base year is history.** Parameters with a base-year row (column *base* below) take their
2020 value from the base-year table, which the model derives at load from `data/choices.csv`,
`data/observations.csv` and the CEADs inventory (`data/README.md`); milestones need not repeat
it, and a different 2020 value is an error.

**Observed years are history too (the nowcast).** Every scenario follows
`data/observations.csv` in the years it covers (now 2020-2023): crude steel, cement and flat
glass output and the grid factor take their observed values, and their projections start from
the latest one; pig iron sets the EAF share of its years; the ten nonferrous metals bound
primary aluminium; industrial value added and electricity are calibrated to their observed
totals. Output caps do not bind in a year whose output is observed. **Levers act only after
the last observed year**: until then every lever keeps the default (baseline) path, and
milestones in observed years are dropped. Whatever an observation overrules is reported (`python
-m model validate` and `run` print it as a note). `settings: {nowcast: false}` turns this off
(the hindcast).

## Changing a value and re-running
Copy `scenarios/plan.yaml` to `scenarios/my_case.yaml`, change a value, and run
`python -m model run my_case --out my_case.csv`. For a one-off change use a dotted override:
`python -m model run plan --set steel.eaf_share.2030=0.25 --out plan.csv` (the same syntax
works in papermill parameters and the Python API:
`load_scenario("plan", ["steel.eaf_share.2030=0.25"])`).
`python -m model validate` checks every file and prints every problem as
`file: key.path: value: what is allowed`, naming the key and value the file writes
(`plan.yaml: steel.eaf_share.2025: 1.7: a share between 0 and 1`; `.start`, `.growth.2031`
for growth paths; `--set` for overrides). A year the file does not name appears only where
interpolation or compounding breaks a rule that the written values keep (route shares summing
above 1 between two valid milestones, a growth path passing 1), and the message says how that
year's value arises (`...; interpolated between the milestones 2030 and 2040`).
"""


def _fmt(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return text.replace("|", "\\|")


def _uncertainty_fields(unc: Any) -> dict[str, Any]:
    fields = unc.model_dump(exclude_none=True)
    if unc.scale == "growth":
        fields.pop("phase_in", None)  # a growth shift applies at full width from the anchor
    return fields


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def assumptions_readme(assumptions: Path) -> str:
    data = load_data(assumptions)
    schema = load_schema(assumptions / "parameters.yaml", data.sectors)
    out = [HEADER, "## Lever families / 措施类别\n"]
    out.append("| family | zh | en | Work Plan clause |\n|---|---|---|---|")
    for name, fam in schema.families.items():
        out.append(f"| `{name}` | {fam.zh} | {fam.en} | {fam.clause} |")
    out.append(
        "\nWedges (Shapley attribution) split the gap to baseline among these families: "
        + ", ".join(f"`{f}`" for f in LEVER_FAMILIES)
        + ". `activity` and `technology` parameters are drivers, not levers. `economics` "
        "parameters (the carbon market, the discount rate) change costs, never emissions: the "
        "Monte Carlo draws them from their own random stream, and wedges count them in "
        "`other`.\n"
    )
    out.append("## Parameters / 参数\n")
    for ns in schema.namespaces:
        out.append(f"### `{ns}`\n")
        out.append("| key | unit | valid values | family | meaning | default | base | source |")
        out.append("|---|---|---|---|---|---|---|---|")
        for key, d in schema.parameters.items():
            if key.split(".")[0] != ns:
                continue
            meaning = _cell(f"{d.en} / {d.zh}")
            unc = (
                f"; uncertainty {_fmt(_uncertainty_fields(d.uncertainty))}" if d.uncertainty else ""
            )
            out.append(
                f"| `{key}` | {d.unit} | {DOMAIN_TEXT[d.domain]} | {d.family} | {meaning} | "
                f"`{_fmt(d.default)}`{unc} | {d.base or ''} | {_cell(d.source)} |"
            )
        out.append("")
    out.append("## Share groups / 份额约束\n")
    for gname, g in schema.share_groups.items():
        out.append(
            f"- `{gname}` ({g.zh} / {g.en}): {' + '.join(g.members)} <= 1; "
            f"`{g.remainder}` takes the rest."
        )
    return "\n".join(out) + "\n"
