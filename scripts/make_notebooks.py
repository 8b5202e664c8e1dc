# ruff: noqa: E501
# (cell sources below may be long; ruff formats the written notebooks)
"""Write the analysis notebooks in notebooks/ from the cell texts below (no outputs).

The notebooks are thin: a `parameters` cell papermill can override, then calls into `model`.
Edit this file and run ``.venv/bin/python scripts/make_notebooks.py`` to regenerate them, so
the committed notebooks always match it and are clean (no outputs, no execution counts).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

SHIPPED = [
    "baseline",
    "capacity_control",
    "efficiency",
    "electrification",
    "hydrogen",
    "ccus",
    "materials",
    "plan",
    "accelerated",
]


def md(text: str, remove: bool = False) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip(), metadata={"tags": ["remove"]} if remove else {})


def code(text: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    return new_code_cell(text.strip(), metadata={"tags": tags} if tags else {})


def params(text: str) -> nbformat.NotebookNode:
    return code(text, ["parameters"])


def notebook(title: str, cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    # Stable cell ids (nbformat draws random ones): regenerating leaves unchanged cells unchanged.
    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower())[:40]
    for i, cell in enumerate(nb.cells):
        cell.id = f"{slug}-{i:02d}"
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "title": title,
    }
    return nb


OUTPUT_DIR_CELL = """
# Where the key numbers go: the batch injects output_dir; by hand it defaults to outputs/adhoc/.
out = Path(output_dir or "outputs/adhoc/{name}")
out.mkdir(parents=True, exist_ok=True)


def save_json(name: str, obj: object) -> None:
    atomic_write(out / name, lambda p: p.write_text(json.dumps(obj, indent=2, ensure_ascii=False)))
"""

IMPORTS = """
import json
from pathlib import Path

import pandas as pd

import model
from model.report import charts as plotting
from model.report import style
from model.inputs.data import load_data
from model.errors import ModelError
from model.report.exports import atomic_write, write_iamc, write_table
from model.analysis.peaks import INDUSTRY, SCOPES, peak_table, summary_table, target_table

style.set_style()
pd.set_option("display.width", 140, "display.max_columns", 30)
"""


# --------------------------------------------------------------------------------------------
# sector_pathway
# --------------------------------------------------------------------------------------------

SECTOR = notebook(
    "Sector pathway",
    [
        md("""
# One sector in depth

Activity and process routes, energy by carrier, emissions by type (combustion, process,
captured, indirect), the peak and its plateau, and what each lever family does for this sector
against the baseline. Emissions are Mt CO2/yr; "direct + indirect" adds the CO2 of the
electricity and heat the sector buys (CEADs leaves chemical feedstock/process CO2 and indirect
emissions out; the model adds them).
"""),
        params("""
sector: str = "steel"  # sector id, e.g. steel, building_materials, chemicals (sectors.csv)
scenario: str = "plan"  # scenario name (assumptions/scenarios/<name>.yaml)
overrides: list = []  # assumption overrides, dotted keys as for the CLI --set (DESIGN.md)
lang: str = "zh"  # chart labels: zh or en
output_dir: str = ""  # folder for the numbers (JSON, CSV); empty: outputs/adhoc/sector_pathway
"""),
        code(IMPORTS),
        code(OUTPUT_DIR_CELL.replace("{name}", "sector_pathway")),
        md("""
Load the scenario (with any overrides) and the baseline, and run both. The wedges below compare
the scenario with the baseline, so the baseline gets the same overrides.
"""),
        code("""
if sector not in style.SECTOR_ORDER:
    raise ModelError(f"sector: {sector!r}: one of {', '.join(style.SECTOR_ORDER)}")
scen = model.load_scenario(scenario, overrides)
data = load_data(scen.assumptions_dir)
results = model.run(scen)
iamc_sector = data.sector_info.at[sector, "iamc_name"]
scope = scen.settings.headline_scope
print(f"{scenario}: {scen.label['en']} / {scen.label['zh']}; sector {iamc_sector}; scope {scope}")
"""),
        md("## Activity and process routes"),
        code("plotting.show(plotting.sector_activity(results, sector, lang))"),
        md("## Energy by carrier"),
        code("plotting.show(plotting.sector_energy(results, sector, lang))"),
        md("""
## Emissions by type

Combustion and process CO2 are direct; captured CO2 is negative; indirect is the CO2 of
purchased electricity and heat.
"""),
        code("""
types = plotting.sector_emission_types(results, sector)
plotting.show(plotting.sector_emissions(results, sector, lang))
"""),
        md("""
## Peak and plateau

Peak searched from the base year 2020 on; the plateau is the run of years within the scenario's
plateau tolerance of the peak value.
"""),
        code("""
tolerance = scen.settings.plateau_tolerance
peaks = pd.concat([peak_table(results, data, s, tolerance) for s in SCOPES], ignore_index=True)
sector_peaks = peaks[peaks["sector"] == iamc_sector].reset_index(drop=True)
sector_peaks
"""),
        md("""
## Lever effects against the baseline

Exact Shapley wedges by lever family for this sector (Mt CO2/yr, headline scope): how much each
family lowers (negative step) or raises emissions against the baseline in 2030 and 2035.
"""),
        code("""
from model.analysis.wedges import lever_wedges, wedge_table_for_years

if scenario != "baseline":
    base = model.load_scenario("baseline", overrides)
    wedges, _ = lever_wedges(scen, base, text=False)
    sector_wedges = wedges[wedges["sector"] == iamc_sector].reset_index(drop=True)
    waterfall = wedge_table_for_years(wedges, (2030, 2035), sector=iamc_sector, scope=scope)
    label = f"{scen.label[lang]} · {style.sector_labels(lang)[sector]}"
    display(plotting.show(plotting.lever_wedges(waterfall, lang=lang, scope=scope, scenario=label)))
else:
    sector_wedges = waterfall = pd.DataFrame()
    print("The baseline is the reference: no lever wedges to show.")
"""),
        md("## Save the sector's numbers"),
        code("""
years = [2020, 2025, 2030, 2035, 2040, 2050, 2060]
timeseries = pd.concat(
    [
        types.add_prefix("Emissions|"),
        pd.DataFrame(
            {
                f"Final Energy|{c}": results.series(f"Final Energy|Industry|{iamc_sector}|{c}")
                for c in plotting.CARRIERS
            }
        ),
    ],
    axis=1,
)
timeseries.index.name = "year"
atomic_write(out / "sector_timeseries.csv", lambda p: timeseries.to_csv(p))
write_table(sector_peaks, out / "sector_peaks.csv")
if len(sector_wedges):
    write_table(sector_wedges, out / "sector_wedges.csv")
numbers = {
    "scenario": scenario,
    "sector": sector,
    "iamc_sector": iamc_sector,
    "overrides": list(overrides),
    "headline_scope": scope,
    "peaks": {
        row["scope"]: {
            k: row[k] for k in ("peak_year", "peak_value", "plateau_start", "plateau_end",
                                "value_2020", "value_2030", "change_2020_2030")
        }
        for row in sector_peaks.to_dict("records")
    },
    "emissions_by_type_mt": {
        str(y): {k: float(v) for k, v in types.loc[y].items()} for y in years
    },
    "wedges_mt": (
        {
            str(y): {
                r["step"]: float(r["value"])
                for r in waterfall[waterfall["year"] == y].to_dict("records")
            }
            for y in (2030, 2035)
        }
        if len(waterfall)
        else {}
    ),
}
save_json("sector_numbers.json", numbers)
print(f"saved to {out}")
"""),
    ],
)

# --------------------------------------------------------------------------------------------
# industry_overview
# --------------------------------------------------------------------------------------------

OVERVIEW = notebook(
    "Industry overview",
    [
        md("""
# Industry overview: all sectors, all scenarios

When and how high Shandong's industrial CO2 peaks under each scenario, in both scopes (direct,
and direct + indirect, the headline), and whether the Work Plan's targets are met. CEADs leaves
chemical feedstock/process CO2 and indirect emissions out; the model adds them.
"""),
        params(f"""
scenarios: list = {SHIPPED!r}  # scenario names to run and compare
overrides: list = []  # assumption overrides, dotted keys as for the CLI --set (DESIGN.md)
lang: str = "zh"  # chart labels: zh or en
output_dir: str = ""  # folder for peaks/targets tables and IAMC results (CSV)
"""),
        code(IMPORTS),
        code(OUTPUT_DIR_CELL.replace("{name}", "industry_overview")),
        md("Run every scenario (central case; each run takes milliseconds)."),
        code("""
if not scenarios:
    raise ModelError("scenarios: give at least one scenario name")
loaded = {name: model.load_scenario(name, overrides) for name in scenarios}
data = load_data(next(iter(loaded.values())).assumptions_dir)
results = {name: model.run(s) for name, s in loaded.items()}
"""),
        md("""
## Scenarios compared

Industrial CO2 per scenario with its peak (dot) and the 2030 target year; first the headline
scope, then direct emissions only, which fall faster because electrification moves CO2 to power.
"""),
        code("""
for scope in ("direct_plus_indirect", "direct"):
    display(plotting.show(plotting.scenario_comparison(list(results.values()), scope, lang)))
"""),
        md("""
## Emissions by sector, per scenario (headline scope)

One panel per scenario on the same scale: every sector's stacked emissions, the total, its peak
and the 2030 target year.
"""),
        code("""
by_scope = {}  # scenarios are grouped by their headline scope (normally all the same)
for res in results.values():
    by_scope.setdefault(res.meta["settings"]["headline_scope"], []).append(res)
for scope, group in by_scope.items():
    display(plotting.show(plotting.emissions_by_sector_grid(group, scope, lang), width=1000))
"""),
        md("""
## Peak table (both scopes) and target checks

`peak_year`/`peak_value` are searched from 2020; the plateau is the run of years within the
tolerance of the peak. Targets: 2025 energy and CO2 intensity vs 2020, industry peak by 2030,
and the four key sectors peaking no later than industry (staggered peaks).
"""),
        code("""
peaks = pd.concat(
    [
        peak_table(res, data, scope, loaded[name].settings.plateau_tolerance)
        for name, res in results.items()
        for scope in SCOPES
    ],
    ignore_index=True,
)
targets = pd.concat(
    [target_table(res, data, loaded[name].settings.headline_scope) for name, res in results.items()],
    ignore_index=True,
)
summary = pd.concat([summary_table(res, data) for res in results.values()], ignore_index=True)
peaks[peaks["sector"] == INDUSTRY][["scenario", "scope", "peak_year", "peak_value",
                                    "plateau_start", "plateau_end", "change_2020_2030"]]
"""),
        code("targets[['scenario', 'target', 'target_value', 'value', 'margin', 'pass']]"),
        md("## Save tables and IAMC results"),
        code("""
write_table(peaks, out / "peaks.csv")
write_table(targets, out / "targets.csv")
write_table(summary, out / "summary.csv")
for name, res in results.items():
    write_iamc(res, out / f"iamc_{name}.csv")
numbers = {
    "scenarios": list(results),
    "overrides": list(overrides),
    "industry_peaks": {
        name: {
            row["scope"]: {"peak_year": int(row["peak_year"]), "peak_value": row["peak_value"]}
            for row in peaks[(peaks["scenario"] == name) & (peaks["sector"] == INDUSTRY)].to_dict("records")
        }
        for name in results
    },
    "targets": {
        name: {row["target"]: {"value": row["value"], "margin": row["margin"], "pass": bool(row["pass"])}
               for row in targets[targets["scenario"] == name].to_dict("records")}
        for name in results
    },
}
save_json("overview_numbers.json", numbers)
print(f"saved to {out}")
"""),
    ],
)

# --------------------------------------------------------------------------------------------
# uncertainty
# --------------------------------------------------------------------------------------------

UNCERTAINTY = notebook(
    "Uncertainty",
    [
        md("""
# Uncertainty: how sure is the peak?

Monte Carlo over the scenario's uncertain parameters: the distribution of the peak year, the
probability that industry peaks by 2030 (with its sampling error), fan charts, which parameters
matter most (Morris screening, fast), and an LMDI decomposition of the change 2020 -> 2030 and
against the baseline in 2030. Emissions in Mt CO2/yr, headline scope (direct + indirect).
"""),
        params("""
scenario: str = "plan"  # scenario name (assumptions/scenarios/<name>.yaml)
draws: int = 1000  # Monte Carlo draws (at least 2)
seed: int = 20201231  # random seed of the draws and of the sensitivity sample
overrides: list = []  # assumption overrides, dotted keys as for the CLI --set (DESIGN.md)
sensitivity_method: str = "morris"  # morris (fast screening) or sobol (n a power of two)
sensitivity_n: int = 16  # Morris trajectories or Sobol base sample size
lang: str = "zh"  # chart labels: zh or en
output_dir: str = ""  # folder for the numbers (JSON, CSV); empty: outputs/adhoc/uncertainty
"""),
        code(IMPORTS),
        code(OUTPUT_DIR_CELL.replace("{name}", "uncertainty")),
        code("""
from model.analysis import uncertainty
from model.analysis.decomposition import decompose_scenario
from model.analysis.sensitivity import scenario_sensitivity, tornado_data

if draws < 2:
    raise ModelError(f"draws: {draws}: at least 2 Monte Carlo draws")
scen = model.load_scenario(scenario, overrides)
data = load_data(scen.assumptions_dir)
scope = scen.settings.headline_scope
results = model.run(scen, draws=draws, seed=seed)
summary, summary_text = uncertainty.uncertainty_summary(results, data)
print(summary_text)
"""),
        md("""
## Probability of peaking by 2030

Share of draws whose industry emissions peak in 2030 or earlier; `se` is the Monte Carlo
standard error sqrt(p(1-p)/n), and the Wilson interval stays inside [0, 1].
"""),
        code("""
probability = uncertainty.probability_peak_by(results, 2030).assign(scenario=scenario)
target_probs = uncertainty.target_probabilities(results, data).assign(scenario=scenario)
display(probability)
target_probs
"""),
        md("## Fan chart and peak-year distribution"),
        code("""
display(plotting.show(plotting.fan_chart(results, scope, lang)))
plotting.show(plotting.peak_year_histogram(results, scope, lang))
"""),
        md("""
## Which parameters matter

Global screening of the uncertain parameters (Morris by default: a few hundred engine rows in
one call), ranked by their effect on 2030 emissions; then a one-at-a-time tornado (each
parameter at its 5% and 95% quantile).
"""),
        code("""
sensitivity, sensitivity_text = scenario_sensitivity(scen, sensitivity_method, sensitivity_n, seed)
print(sensitivity_text)
label_col = "label_zh" if lang == "zh" else "label_en"
sensitivity[sensitivity["output"] == "emissions_2030"].head(10)
"""),
        code("""
oat, oat_labels = tornado_data(scen, "emissions_2030", lang)
output_label = "2030年排放（百万吨CO2/年）" if lang == "zh" else "2030 emissions (Mt CO2/yr)"
plotting.show(
    plotting.tornado(oat, "emissions_2030", output_label, oat_labels, lang, scen.label[lang], scope=scope)
)
"""),
        md("""
## Decomposition (LMDI-I)

What drives the change from 2020 to 2030 in this scenario, and (for a policy scenario) the gap
to the baseline in 2030: activity, structure, energy intensity, fuel mix, emission factor, and
process/CCUS. The effects add up exactly to the change.
"""),
        code("""
from model.report.briefing import EFFECT_LABELS
from model.methods.lmdi import EFFECTS


def industry_effects(table):
    ind = table[table["sector"] == INDUSTRY].set_index("effect")
    return ind.loc[list(EFFECTS), "value"], float(ind["level_0"].iloc[0]), float(ind["level_T"].iloc[0])


decomp, decomp_text = decompose_scenario(scen, 2020, 2030)
print(decomp_text)
effects, level_0, level_T = industry_effects(decomp)
title = plotting.text(lang)["lmdi"].format(scenario=scen.label[lang], y0=2020, y1=2030)
scope_text = plotting.scope_label(scope, lang)
display(plotting.show(plotting.decomposition_bar(
    effects, level_0, level_T, EFFECT_LABELS[lang], lang,
    title=f"{title}\\n{scope_text}", start_label="2020", end_label="2030")))
decomp_vs = pd.DataFrame()
if scenario != "baseline":
    base = model.load_scenario("baseline", overrides)
    decomp_vs, vs_text = decompose_scenario(scen, 2030, 2030, against=base)
    print(vs_text)
    effects_vs, b0, bT = industry_effects(decomp_vs)
    display(plotting.show(plotting.decomposition_bar(
        effects_vs, b0, bT, EFFECT_LABELS[lang], lang,
        title=f"{base.label[lang]} → {scen.label[lang]} (2030)\\n{scope_text}",
        start_label=base.label[lang], end_label=scen.label[lang])))
"""),
        md("""
## What the measures cost

Against the baseline: each lever family's cost per tonne (Shapley over the wedges' coalitions,
one attribution per Monte Carlo draw). Saved, so the batch's briefings reuse it.
"""),
        code("""
from model.analysis.costs import family_table, lever_costs
from model.report.briefing import COST_DRAWS, COST_YEARS

lever = None
if scenario != "baseline":
    lever = lever_costs(scen, base, COST_YEARS, draws=COST_DRAWS, seed=seed)
    display(family_table(lever, COST_YEARS[0]).round(2))
"""),
        md("## Save the numbers"),
        code("""
write_table(summary, out / "uncertainty_summary.csv")
write_table(probability, out / "peak_probability.csv")
write_table(target_probs, out / "target_probabilities.csv")
write_table(sensitivity, out / "sensitivity.csv")
write_table(decomp, out / "decomposition_2020_2030.csv")
if len(decomp_vs):
    write_table(decomp_vs, out / "decomposition_vs_baseline_2030.csv")
if lever is not None:
    write_table(lever.table, out / "lever_costs.csv")
head = probability[probability["scope"] == scope].iloc[0]
dist = uncertainty.peak_distribution(results, data, (scope,))
dist = dist[dist["sector"] == INDUSTRY]
numbers = {
    "scenario": scenario,
    "draws": draws,
    "seed": seed,
    "overrides": list(overrides),
    "headline_scope": scope,
    "p_peak_by_2030": float(head["probability"]),
    "p_peak_by_2030_se": float(head["se"]),
    "p_peak_by_2030_wilson": [float(head["wilson_low"]), float(head["wilson_high"])],
    "peak_year_share": {str(int(y)): float(v) for y, v in dist["peak_year"].value_counts(normalize=True).sort_index().items()},
    "target_probability": {r["target"]: r["probability"] for r in target_probs.to_dict("records")},
    "top_parameters_2030": sensitivity[sensitivity["output"] == "emissions_2030"]["parameter"].head(5).tolist(),
    "decomposition_2020_2030_mt": {k: float(v) for k, v in effects.items()},
    "cost_draws": COST_DRAWS if lever is not None else None,
    "cost_years": list(COST_YEARS) if lever is not None else None,
}
save_json("uncertainty_numbers.json", numbers)
print(f"saved to {out}")
"""),
    ],
)

# --------------------------------------------------------------------------------------------
# briefing
# --------------------------------------------------------------------------------------------

BRIEFING = notebook(
    "",
    [
        md(
            """
**Briefing for decision-makers** (developer notes; this cell is tagged `remove` and not rendered)

Rendered by `model.report.html.render_briefing`: every visible output is HTML from `model.report.html`
helpers, with numbers from model results and YAML text escaped. Markdown cells are tagged
`remove` because the page must be in one language (`lang`). Reads the numbers the batch's
industry_overview and uncertainty jobs saved in `run_dir` when they are there; computes the rest.
""",
            remove=True,
        ),
        params("""
lang: str = "zh"  # briefing language: zh or en
scenarios: list = ["baseline", "plan", "accelerated"]  # scenarios shown in the briefing
draws: int = 1000  # Monte Carlo draws for P(peak by 2030) and the fan chart
seed: int = 20201231  # random seed of the draws (same as the uncertainty notebook's)
overrides: list = []  # assumption overrides, dotted keys as for the CLI --set (DESIGN.md)
run_dir: str = ""  # batch run folder (set by the batch runner): reuse its saved numbers
output_dir: str = ""  # folder for the numbers (JSON, CSV); empty: outputs/adhoc/briefing
"""),
        code(
            """
from datetime import UTC, datetime

from IPython.display import HTML, Image

from model.report import briefing as bc
from model.report import html as report
from model.analysis.hindcast import hindcast
from model.report.provenance import provenance
from model.inputs.schema import load_schema
from model.analysis.standing import (
    estimated_emissions,
    highest_so_far,
    latest_inputs,
    observed_through,
    targets_so_far,
)
from model.analysis.wedges import lever_wedges, wedge_table_for_years
"""
            + IMPORTS,
            ["remove"],
        ),
        code(OUTPUT_DIR_CELL.replace("{name}", "briefing"), ["remove"]),
        code(
            """
bc.ui(lang)  # checks lang
if not scenarios:
    raise ModelError("scenarios: give at least one scenario name")
loaded = {name: model.load_scenario(name, overrides) for name in scenarios}
first = next(iter(loaded.values()))
data = load_data(first.assumptions_dir)
schema = load_schema(first.assumptions_dir / "parameters.yaml", data.sectors)
baseline = model.load_scenario("baseline", overrides)
scope = first.settings.headline_scope
labels = {name: s.label[lang] for name, s in loaded.items()}
# Monte Carlo runs (row 0 = central case): the same seed and draws as the uncertainty notebook.
results = {name: model.run(s, draws=draws, seed=seed) for name, s in loaded.items()}
computed = {name: bc.scenario_tables(res, data) for name, res in results.items()}
upstream = bc.read_upstream(run_dir)
tables = bc.merge_tables(upstream, computed)
numbers = bc.headline_numbers(tables["peaks"], tables["targets"], tables["probability"], scenarios, scope)


def figure(fig):
    return Image(data=plotting.to_png(fig), format="png", width=920)
""",
            ["remove"],
        ),
        code("""
subtitle = {
    "zh": "研判问题：在各情景下，山东省工业领域二氧化碳排放能否在2030年前达峰？",
    "en": "The question: does Shandong's industrial CO2 peak by 2030 under each scenario?",
}[lang]
HTML(f'<p class="pp-lead">{report.html_escape(subtitle)}</p>')
"""),
        code("report.section_title('一、结论', '1. Headline', lang)"),
        code("""
cards = report.headline_box(bc.headline_cards(numbers, labels, lang), lang).data
HTML(bc.cards_in_columns(cards, min(len(scenarios), 4)))
"""),
        code("""
through = observed_through(results[scenarios[0]])
basis = bc.headline_basis(numbers, labels, through, lang)
HTML("".join(
    f"<p>{report.html_escape(bc.headline_sentence(row, labels[row['scenario']], lang))}</p>"
    for row in numbers.to_dict("records")
) + f'<p class="pp-basis">{report.html_escape(basis)}</p>')
"""),
        code("""
text = bc.ui(lang)
caption = text["headline_caption"].format(scope=text[scope])
peak_html = report.table_html(bc.headline_table(numbers, labels, lang), lang, caption=caption)
ei = bc.energy_intensity_table(numbers, labels, lang)
ei_html = report.table_html(ei, lang, caption=text["ei_caption"])
HTML(peak_html.data + ei_html.data)
"""),
        code("""
evidence = bc.scope_evidence(results[scenarios[0]])
HTML(f'<blockquote class="pp-scope">{report.html_escape(bc.scope_note(evidence, lang))}</blockquote>')
"""),
        code(
            "report.section_title('二、当前进展：已有统计数据的年份', '2. Where Shandong stands: the observed years', lang)"
        ),
        code("""
# Every scenario is identical through the last observed year: the first one stands for all.
now = results[scenarios[0]]
estimated = estimated_emissions(now)
text = bc.ui(lang)
intro = text["standing_intro"].format(y0=2020, through=through)
inputs_html = report.table_html(
    bc.standing_inputs_table(latest_inputs(data), lang), lang, caption=text["standing_inputs_caption"]
).data
emissions_html = report.table_html(
    bc.standing_emissions_table(estimated, lang), lang,
    caption=text["standing_emissions_caption"].format(y0=2020, through=through),
).data
paragraphs = bc.standing_paragraphs(
    estimated, highest_so_far(now, scope), highest_so_far(now, scope, since=2010),
    targets_so_far(now, data, scope), through, scope, lang,
)
HTML(f"<p>{report.html_escape(intro)}</p>" + inputs_html + emissions_html
     + "".join(f"<p>{report.html_escape(p)}</p>" for p in paragraphs))
"""),
        code("report.section_title('三、分行业达峰', '3. Sectors', lang)"),
        code("""
parts = []
for name in scenarios:
    sectors = bc.sector_numbers(tables["peaks"], data, name, scope)
    caption = bc.ui(lang)["sector_caption"].format(label=labels[name], scope=bc.ui(lang)[scope])
    parts.append(report.table_html(bc.sector_table(sectors, lang), lang, caption=caption).data)
    parts.append(f"<p>{report.html_escape(bc.staggered_order_text(sectors, lang))}</p>")
HTML("".join(parts))
"""),
        code("report.section_title('四、图表', '4. Charts', lang)"),
        code("""
shown = "plan" if "plan" in results else scenarios[-1]  # the Work Plan scenario when present
figure(plotting.emissions_by_sector(results[shown], scope, lang))
"""),
        code("figure(plotting.scenario_comparison(list(results.values()), scope, lang))"),
        code("""
# Which lever buys how much: a waterfall for each scenario that combines lever families, and
# one table for the single-lever scenarios (their waterfall would be a single bar).
single = {}
for name, scen in loaded.items():
    if name == "baseline":
        continue
    wedges, _ = lever_wedges(scen, baseline, text=False)
    waterfall = wedge_table_for_years(wedges, (2030, 2035), scope=scope)
    if len(bc.wedge_families(waterfall)) == 1:
        single[name] = waterfall
        continue
    display(figure(plotting.lever_wedges(waterfall, lang=lang, scope=scope, scenario=labels[name])))
if single:
    caption = bc.ui(lang)["single_lever_caption"].format(scope=bc.ui(lang)[scope])
    display(report.table_html(bc.single_lever_table(single, labels, lang), lang, caption=caption))
"""),
        code("""
display(figure(plotting.fan_chart(list(results.values()), scope, lang)))
figure(plotting.peak_year_histogram(list(results.values()), scope, lang))
"""),
        code("report.section_title('五、成本与碳市场', '5. Costs and the carbon market', lang)"),
        code(
            """
from model.analysis.costs import (
    CostRuns, LeverCosts, family_table, investment_between, lever_costs, mac_curve,
)

# What the measures cost: investment, cost per tonne by lever family (the wedges' Shapley
# coalitions, per Monte Carlo draw), the MAC curves, and the national carbon market's charge.
if "baseline" in results:
    base_results = results["baseline"]
else:
    base_results = model.run(baseline, draws=draws, seed=seed)
compared = [name for name in scenarios if name != "baseline"]
cost_numbers = {}
reused = {}  # what this briefing took from the batch's upstream jobs instead of computing
text = bc.ui(lang)
year = bc.COST_YEARS[0]
if compared:
    shown = "plan" if "plan" in compared else compared[0]
    invest = {
        name: investment_between(
            CostRuns(loaded[name], baseline, results[name], base_results), *bc.INVEST_YEARS
        )
        for name in compared
    }
    # The batch's uncertainty job for this scenario saved the same attribution: reuse it.
    expect = {
        "scenario": shown, "seed": seed, "overrides": list(overrides),
        "cost_draws": bc.COST_DRAWS, "cost_years": list(bc.COST_YEARS),
    }
    folder = bc.upstream_folder(run_dir, "uncertainty", "uncertainty_numbers.json", expect)
    saved = bc.read_saved_table(folder, "lever_costs.csv")
    reused["lever_costs"] = saved is not None
    if saved is not None:
        lever = LeverCosts.from_table(saved)
    else:
        lever = lever_costs(loaded[shown], baseline, bc.COST_YEARS, draws=bc.COST_DRAWS, seed=seed)
    families = family_table(lever, year)
    discount = loaded[shown].value("finance.discount_rate", year)
    intro = bc.cost_intro(discount, bc.COST_DRAWS, lang)
    summary = bc.cost_summary(labels[shown], invest[shown], families, year, lang)
    display(HTML(f"<p>{report.html_escape(intro)}</p><p>{report.html_escape(summary)}</p>"))
    y0, y1 = bc.INVEST_YEARS
    caption = text["invest_caption"].format(y0=y0, y1=y1)
    display(report.table_html(bc.investment_table(invest, labels, lang), lang, caption=caption))
    caption = text["family_caption"].format(year=year, scenario=labels[shown], scope=text[scope])
    display(report.table_html(bc.family_cost_table(families, lang), lang, caption=caption))
    price = results[shown].series("Price|Carbon|National ETS")
    prices = {y: float(price.loc[y]) for y in bc.COST_YEARS}
    curves = {y: mac_curve(lever, y) for y in bc.COST_YEARS}
    display(figure(plotting.mac_curve(curves, lang, scope, labels[shown], prices)))
    exposed = [results[n] for n in compared] + [base_results]
    exposure = pd.concat([bc.exposure_numbers(r, year) for r in exposed], ignore_index=True)
    names = {**labels, "baseline": baseline.label[lang]}
    caption = bc.exposure_caption(results[shown], year, lang)
    display(report.table_html(bc.exposure_table(exposure, names, lang), lang, caption=caption))
    display(HTML(f"<p>{report.html_escape(bc.pass_through_note(loaded[shown], lang))}</p>"))
    cost_numbers = {
        "scenario": shown,
        "against": "baseline",
        "investment": invest,
        "families": families.to_dict("records"),
        "mac": {str(y): c.to_dict("records") for y, c in curves.items()},
        "exposure": exposure.to_dict("records"),
        "cost_draws": bc.COST_DRAWS,
    }
    write_table(lever.table, out / f"lever_costs_{lang}.csv")
else:
    display(HTML(f"<p>{report.html_escape(text['no_cost_scenario'])}</p>"))
"""
        ),
        code("report.section_title('六、情景假设', '6. Assumptions', lang)"),
        code("""
HTML("".join(bc.assumptions_html(s, baseline, schema, lang) for s in loaded.values()))
"""),
        code("""
report.table_html(
    bc.key_lever_table(list(loaded.values()), schema, lang), lang, digits=3,
    caption=bc.ui(lang)["levers_caption"],
)
"""),
        code("report.section_title('七、方法与数据来源', '7. Methods and sources', lang)"),
        code(
            "published = data.observations.values('grid_factor', model_units=True).to_dict()\n"
            "display(HTML(bc.methods_html(lang, first.settings.electricity_method, "
            'first.value("grid.emission_factor", 2020), through, published, '
            'first.value("finance.discount_rate", 2030))))\n'
            "report.table_html(bc.cost_sources_table(data.costs, lang), lang, "
            'caption=bc.ui(lang)["cost_sources_caption"])'
        ),
        code("report.section_title('附录：回测', 'Appendix: hindcast', lang)"),
        code("""
# How far the projections from 2020 were off in the years since observed (never used to fit).
# The batch's calibration job saved the same comparison (same draws and seed): reuse it.
expect = {"scenario": "baseline", "draws": draws, "seed": seed, "overrides": list(overrides)}
folder = bc.upstream_folder(run_dir, "calibration", "calibration_numbers.json", expect)
back_table = bc.read_saved_table(folder, "hindcast.csv")
back_summary = bc.read_saved_table(folder, "hindcast_summary.csv")
reused["hindcast"] = back_table is not None and back_summary is not None
if not reused["hindcast"]:
    back = hindcast("baseline", overrides, draws=draws, seed=seed)
    back_table, back_summary = back.table, back.summary
display(figure(plotting.hindcast_chart(back_table, baseline.label[lang], lang)))
report.table_html(bc.hindcast_table(back_summary, lang), lang, caption=bc.ui(lang)["hindcast_caption"])
"""),
        code("""
prov = provenance(first.assumptions_dir, seed)
commit = prov["git_commit"] or "unknown"
dirty_note = "（含未提交的修改）" if lang == "zh" else " (with uncommitted changes)"
footer = {
    "run_id": Path(run_dir).name if run_dir else "adhoc",
    "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    "code_version": commit + (dirty_note if prov["git_dirty"] is True else ""),
    "assumptions_hash": prov["assumptions_hash"],
}
report.footer_html(footer, lang)
"""),
        code(
            """
write_table(numbers, out / f"headline_{lang}.csv")
save_json(f"briefing_numbers_{lang}.json", {
    "lang": lang, "scenarios": scenarios, "draws": draws, "seed": seed,
    "overrides": list(overrides), "scope": scope, "footer": footer,
    "headline": numbers.to_dict("records"),
    "upstream_used": bool(run_dir) and len(upstream["peaks"]) > 0,
    "reused": reused,
})
save_json(f"costs_{lang}.json", cost_numbers)
""",
            ["remove"],
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# calibration: the base year, electricity anchoring, the nowcast and the hindcast
# --------------------------------------------------------------------------------------------

CALIBRATION = notebook(
    "Calibration",
    [
        md("""
# Calibration, nowcast and hindcast

How the model meets the data:

1. **Base year (2020).** Every sector's energy by carrier and CO2 against the sourced values
   (CEADs-derived, `model.analysis.calibration.calibration_report`).
2. **Industrial electricity.** The top-down anchor (whole-society consumption x national
   secondary-industry share x Shandong factor) against the sectors' bottom-up estimates, and
   how the difference is shared (`electricity_reconciliation`).
3. **The observed years.** Which values the observations overrule in each scenario (notices).
4. **Hindcast.** The model projected from 2020 with the observations switched off, against
   every observed series year by year (`model.analysis.hindcast`). It measures the projections; it is
   never used to fit them.
"""),
        params("""
scenario: str = "baseline"  # scenario name (assumptions/scenarios/<name>.yaml)
draws: int = 1000  # Monte Carlo draws of the hindcast band (0: none)
seed: int = 20201231  # random seed of the draws
overrides: list = []  # assumption overrides, dotted keys as for the CLI --set (DESIGN.md)
lang: str = "zh"  # chart labels: zh or en
output_dir: str = ""  # folder for the numbers (JSON, CSV); empty: outputs/adhoc/calibration
"""),
        code(IMPORTS),
        code(OUTPUT_DIR_CELL.replace("{name}", "calibration")),
        code("""
from model.analysis.calibration import calibration_report, electricity_reconciliation
from model.analysis.hindcast import hindcast
from model.inputs.scenario import list_scenarios

scen = model.load_scenario(scenario, overrides)
data = load_data(scen.assumptions_dir)
report = calibration_report(scen)
report.round(4)
"""),
        md("## Industrial electricity: top-down anchor and bottom-up estimates (TWh)"),
        code("""
electricity = electricity_reconciliation(scen)
electricity.round(2)
"""),
        md("""
## What the observations overrule

Scenario milestones in observed years that an observation contradicts, and lever milestones in
the observed years (levers act only after the last observed year).
"""),
        code("""
notices = pd.DataFrame(
    [
        {"scenario": name, "file": n.file, "key": n.key, "year": n.year,
         "scenario_value": n.scenario_value, "used_value": n.used_value, "why": n.message}
        for name in list_scenarios(scen.assumptions_dir)
        for n in model.load_scenario(name, assumptions=scen.assumptions_dir).notices
    ],
    columns=["scenario", "file", "key", "year", "scenario_value", "used_value", "why"],
)
notices if len(notices) else print("no scenario sets a value the observations overrule")
"""),
        md("## Hindcast: projected from 2020 without the later statistics"),
        code("""
back = hindcast(scen, draws=draws, seed=seed)
print(back.text())
plotting.show(plotting.hindcast_chart(back.table, scen.label[lang], lang))
"""),
        code("back.table.round(3)"),
        md("## Save tables"),
        code("""
write_table(report, out / "calibration_report.csv")
write_table(electricity, out / "electricity_reconciliation.csv")
write_table(notices, out / "nowcast_notices.csv")
write_table(back.table, out / "hindcast.csv")
write_table(back.summary, out / "hindcast_summary.csv")
save_json("calibration_numbers.json", {
    "scenario": scenario, "draws": draws, "seed": seed, "overrides": list(overrides),
    "observed_through": scen.observed_through,
    "hindcast_mape_pct": dict(zip(back.summary["series"], back.summary["hindcast_mape_pct"],
                                  strict=True)),
    "electricity_2020_top_down_twh": float(
        electricity.query("sector == 'industry' and year == 2020")["top_down_twh"].iloc[0]
    ),
})
print(f"saved to {out}")
"""),
    ],
)


# --------------------------------------------------------------------------------------------
# statistical_baselines (for modellers; not in the default batch)
# --------------------------------------------------------------------------------------------

STATISTICS = notebook(
    "Statistical baselines",
    [
        md("""
# Statistical baselines and the STIRPAT cross-check

Two independent looks at the scenarios, made from history alone (model.analysis.baselines):

1. **Trend proposals.** For each sector, candidate trend models (log-linear, logistic
   saturation, damped ETS, ARIMA) are fitted to the CEADs history 2000-2019 and one is chosen
   by hold-out error. The central path and its prediction interval are a proposal for a
   baseline: a modeller can adopt it (the `index` column is ready for an index-type parameter)
   or override it in `assumptions/`. They extrapolate the past; the scenarios add the caps and
   levers the past did not have.
2. **STIRPAT.** `ln CO2 = a + b ln P + c ln A + d ln T` fitted on 2000-2012 (population and GDP:
   `assumptions/data/macro.csv`; T: the coal share of industrial fossil energy). Population and
   income trend together, so the VIF is reported and a ridge fit added. Its affluence
   elasticity is set beside the one each scenario implies (direct CO2 against industrial value
   added, 2020-2030). It is a sanity comparison, not the model.
"""),
        params("""
series: str = "combustion_co2"  # combustion_co2 (Mt CO2) or fossil_energy (Mtce)
sectors: list = []  # sector ids; empty: all eight
candidates: list = []  # trend models to try (model.methods.trends.CANDIDATES); empty: all four
interval: float = 0.9  # prediction interval of the proposals
scenarios: list = ["baseline", "plan"]  # scenarios compared with the proposals and STIRPAT
technology: str = "coal_share"  # STIRPAT technology proxy: coal_share or energy_intensity
lang: str = "zh"  # chart labels: zh or en
output_dir: str = ""  # folder for the numbers (JSON, CSV); empty: outputs/adhoc/statistical_baselines
"""),
        code(IMPORTS),
        code(OUTPUT_DIR_CELL.replace("{name}", "statistical_baselines")),
        code("""
from model.analysis.baselines import (
    SERIES,
    propose_baselines,
    scenario_path,
    stirpat_comparison,
    stirpat_crosscheck,
    stirpat_frame,
    trend_fits,
)
from model.methods.trends import CANDIDATES

if series not in SERIES:
    raise ModelError(f"series: {series!r}: one of {sorted(SERIES)}")
results = {name: model.run(model.load_scenario(name)) for name in scenarios}
fits = trend_fits(
    series=series, sectors=sectors or None, interval=interval, candidates=candidates or CANDIDATES
)
proposals = propose_baselines(
    series=[series], sectors=sectors or None, interval=interval,
    candidates=candidates or CANDIDATES, fits={series: fits},
)
proposals[["sector", "method", "rule", "n_points", "fitted_from", "growth_to_2030",
           "growth_2030_2060", "note"]]
"""),
        md("""
## Proposals against the scenario

History (CEADs), the proposal's central path and band, and the first scenario's own path of
the same quantity (combustion CO2, or fossil final energy).
"""),
        code("""
shown = scenarios[0] if scenarios else ""
paths = {s: scenario_path(results[shown], s, series) for s in fits} if shown else {}
plotting.show(plotting.trend_proposals({s: f for s, (f, _) in fits.items()}, series, paths, shown, lang))
"""),
        md("""
## STIRPAT: history's elasticities beside the scenarios'

OLS elasticities with standard errors, p-values and VIF; the ridge column appears when the
largest VIF exceeds 10.
"""),
        code("""
frame = stirpat_frame(technology=technology)
stirpat = stirpat_crosscheck(frame)
table = stirpat.summary_table()
fit_text = f"{frame.attrs['window']}, n = {stirpat.nobs}, R² = {stirpat.r2:.3f}"
fit_text += f", adjusted R² = {stirpat.adj_r2:.3f}"
if stirpat.collinear:
    fit_text += f", ridge alpha = {stirpat.ridge_alpha:.3g}, ridge R² = {stirpat.ridge_r2:.3f}"
print(fit_text)
print(f"technology proxy: {frame.attrs['technology']}")
table.round(3)
"""),
        code("plotting.show(plotting.stirpat_fit(frame, stirpat, lang))"),
        code("""
comparison = stirpat_comparison(results, stirpat)
comparison.round(3)
"""),
        md("## Save tables"),
        code("""
table_out = proposals.drop(columns=["milestones", "index", "lower", "upper"]).assign(
    milestones=proposals["milestones"].map(json.dumps),
    index=proposals["index"].map(json.dumps),
)
write_table(table_out, out / "trend_proposals.csv")
write_table(table.reset_index(), out / "stirpat.csv")
write_table(comparison, out / "stirpat_comparison.csv")
save_json("statistics_numbers.json", {
    "series": series,
    "methods": dict(zip(proposals["sector"], proposals["method"], strict=True)),
    "stirpat": {
        "window": frame.attrs["window"], "nobs": stirpat.nobs, "r2": stirpat.r2,
        "max_vif": float(stirpat.vif.max()), "ridge_alpha": stirpat.ridge_alpha,
        "elasticities_ols": stirpat.coefficients.drop("const").to_dict(),
        "elasticities_ridge": (stirpat.ridge_coefficients.drop("const").to_dict()
                               if stirpat.collinear else None),
    },
    "scenario_affluence_elasticity": dict(
        zip(comparison["source"], comparison["affluence_elasticity"], strict=True)
    ),
})
print(f"saved to {out}")
"""),
    ],
)


def main() -> int:
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, nb in (
        ("sector_pathway", SECTOR),
        ("industry_overview", OVERVIEW),
        ("uncertainty", UNCERTAINTY),
        ("briefing", BRIEFING),
        ("calibration", CALIBRATION),
        ("statistical_baselines", STATISTICS),
    ):
        if not nb.metadata.get("title"):
            del nb.metadata["title"]
        nbformat.validate(nb)
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")
    # The notebooks are linted with the rest of the tree: format the written cells the same way.
    ruff = Path(sys.executable).parent / "ruff"
    ruff_cmd = str(ruff) if ruff.exists() else shutil.which("ruff")
    if ruff_cmd:
        files = [str(p) for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
        subprocess.run([ruff_cmd, "format", "--quiet", *files], cwd=ROOT, check=True)
        subprocess.run([ruff_cmd, "check", "--fix", "--quiet", *files], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
