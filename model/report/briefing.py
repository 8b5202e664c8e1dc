"""The numbers and texts of the decision-makers' briefing, in Chinese and English.

Pure functions: tables in, tables and strings out. Every number shown comes from model results
(the peak, target and Monte Carlo tables of ``model.analysis.peaks`` /
``model.analysis.uncertainty``); no number
is typed here except the fixed facts of the methods appendix (citations). Texts from YAML
(scenario descriptions, labels) are escaped in every function that returns HTML.

The briefing notebook reads the tables that the batch's ``industry_overview`` and
``uncertainty`` notebooks saved (:func:`read_upstream`) and computes what is missing with
:func:`scenario_tables`, so a briefing run alone and one run in a batch show the same numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.analysis.costs import covered_sectors
from model.analysis.peaks import INDUSTRY, SCOPES, peak_table, scope_variable, target_table
from model.engine.results import Results
from model.inputs.data import BaseData
from model.report.html import html_escape
from model.report.style import SECTOR_ORDER, sector_labels

LANGS = ("zh", "en")
PEAK_TARGET_YEAR = 2030
DEFAULT_SCOPE = "direct_plus_indirect"

# File names the upstream notebooks write into their output_dir (shared contract).
PEAKS_CSV = "peaks.csv"  # model.analysis.peaks.peak_table, both scopes, all scenarios
TARGETS_CSV = "targets.csv"  # model.analysis.peaks.target_table, headline scope
PROBABILITY_CSV = (
    "peak_probability.csv"  # model.analysis.uncertainty.probability_peak_by + scenario
)

UI: dict[str, dict[str, str]] = {
    "zh": {
        "scenario": "情景",
        "sector": "行业",
        "industry": "工业合计",
        "peak_year": "达峰年份",
        "peak_value": "峰值（百万吨）",
        "value_2020": "2020年（百万吨）",
        "value_2030": "2030年（百万吨）",
        "change_2020_2030": "2030年较2020年（%）",
        "direct_peak_year": "仅直接排放时的达峰年份",
        "p_peak": "2030年前达峰概率",
        "p_se": "抽样误差（±百分点）",
        "ei_change": "2025年单位增加值能耗较2020年变化（%）",
        "ei_margin": "相对-17%目标的余量（百分点）",
        "ei_pass": "能耗强度目标是否达成",
        "order": "达峰次序",
        "peak_card": "{label}：工业CO2达峰年份",
        "peak_card_note": "峰值{value}百万吨CO2，{plateau}；2030年前达峰概率{p}",
        "plateau": "距峰值{tol}以内的平台期{start}—{end}年",
        "p_unknown": "未做蒙特卡洛",
        "ei_card": "{label}：2025年能耗强度较2020年",
        "ei_card_note": "目标-17%，余量{margin}个百分点",
        "sentence_yes": (
            "{label}：工业二氧化碳（{scope}）于{year}年达峰，峰值{value}百万吨，"
            "{plateau}；2030年前达峰的概率为{p}。2025年单位工业增加值能耗较2020年{ei}，"
            "{ei_verdict}下降17%的目标（余量{margin}个百分点）。"
        ),
        "sentence_no": (
            "{label}：工业二氧化碳（{scope}）要到{year}年才达峰，峰值{value}百万吨，"
            "未能在2030年前达峰；2030年前达峰的概率为{p}。2025年单位工业增加值能耗较2020年{ei}，"
            "{ei_verdict}下降17%的目标（余量{margin}个百分点）。"
        ),
        "ei_met": "达到",
        "ei_missed": "未达到",
        "falls": "下降{x}",
        "rises": "上升{x}",
        "ei_caption": "2025年能耗强度目标（规模以上工业单位增加值能耗较2020年下降17%左右）",
        "ei_target_col": "目标（%）",
        "p_fmt": "{p}（±{se}，{n}次抽样）",
        "direct": "直接排放",
        "direct_plus_indirect": "直接+间接排放",
        "scope_note": (
            "本简报的口径为“直接+间接排放”：工厂自身燃烧和工艺过程的二氧化碳，加上外购电力和热力在电厂、"
            "热源厂产生的二氧化碳。原因：电气化会把排放从工厂烟囱转移到电厂，只看直接排放会显示一个大气"
            "并未看到的“达峰”。CEADs清单也显示了这一点：山东工业直接排放由{y0}年的{d0}百万吨降至{y1}年的"
            "{d1}百万吨，而同期外购电力和热力的间接排放由{i0}百万吨升至{i1}百万吨。"
            "表中另列“仅直接排放的达峰年份”以供对照。"
        ),
        "stagger": "梯次达峰顺序：{order}。",
        "stagger_item": "{names}（{year}年）",
        "stagger_sep": " → ",
        "list_sep": "、",
        "parameter": "关键参数（2030年取值）",
        "unit": "单位",
        "no_cap": "不设上限",
        "changes": "与基准情景相比调整了{n}个参数，涉及：{families}。",
        "changes_none": "全部参数取基准值（参数文件中的默认值）。",
        "sector_caption": "{label}：各行业达峰年份与峰值（{scope}）",
        "headline_caption": "各情景工业二氧化碳达峰研判（{scope}）",
        "levers_caption": "各情景关键措施参数（2030年取值）",
        "single_lever_caption": "单项措施情景：相对基准情景的减排量（{scope}，百万吨CO2/年）",
        "lever_family": "措施类别",
        "reduction_year": "{year}年减排",
        "basis": (
            "结论的依据：{y0}—{through}年的排放是依据已公布的统计数据（产量、用电量、电网排放因子、"
            "工业增加值）按基准年强度估算的（这些年份尚无正式排放清单），{next}年起为情景预测。"
            "各情景在{y0}—{through}年完全相同，措施只在{next}年以后起作用。"
        ),
        "basis_peak_estimated": (
            "{label}的峰值年份{year}年落在统计估算期：它来自实际数据，而非预测；正式排放清单发布后应再核对。"
        ),
        "basis_peak_projected": "{label}的峰值年份{year}年是预测。",
        "standing_intro": (
            "下列数字不是预测。表1为模型所用每项统计数据的最新年份；表2为{y0}—{through}年工业二氧化碳的估算值"
            "（依据实际产量、用电量、电网排放因子和工业增加值，按基准年强度计算，括号内为90%区间）。"
        ),
        "standing_inputs_caption": "表1 各项输入数据的最新统计年份",
        "standing_emissions_caption": "表2 {y0}—{through}年工业二氧化碳排放估算（百万吨/年）",
        "indicator": "指标",
        "latest_year": "最新年份",
        "value": "数值",
        "kind": "性质",
        "kind_quoted": "统计值",
        "kind_derived": "统计值（换算）",
        "kind_assumption": "假设（待统计公报）",
        "year": "年份",
        "highest": (
            "已有统计数据的{y0}—{through}年中，工业二氧化碳（{scope}）最高的是{year}年，约{value}百万吨"
            "（90%区间{low}—{high}）。若连同CEADs清单年份（2010年起）一并比较，最高为{year_all}年（{value_all}百万吨）"
            "；清单年份与估算年份口径接近但不完全相同。"
        ),
        "targets_so_far": (
            "2025年目标能否达成，统计数据已决定了一部分：2020—{through}年单位工业增加值能耗估算{ei}，"
            "{next}—2025年还需再下降{ei_need}才能达到“下降17%左右”；单位增加值二氧化碳（{scope}）{co2}，"
            "还需再下降{co2_need}才能达到“下降20.5%以上”。"
        ),
        "done_already": "已达到",
        "hindcast_caption": (
            "回测误差：模型若自2020年起预测、不使用之后的统计数据，与实际统计值的偏差（模型−实际，%）。"
            "现值估算即本简报所用结果。"
        ),
        "series": "统计数据",
        "years": "年份",
        "hindcast_mape": "回测平均绝对误差（%）",
        "hindcast_bias": "回测平均偏差（%）",
        "hindcast_last": "最近一年偏差（%）",
        "nowcast_mape": "现值估算平均绝对误差（%）",
        "cost_intro": (
            "成本按2020年不变价计（十亿元/年；外币及其他年份货币在载入时经货币表换算，人民币按山东GDP平减指数）。"
            "投资为各措施所需新增设备与产能（按寿命分批更新），年化资本成本按{discount}的折现率和各技术寿命计算；"
            "运行成本含固定与可变运维及决定工艺路线的原料（铁矿石、废钢等）；能源成本按价格乘以外购能源。"
            "产能控制压减产量所损失的工业增加值单独列出，不与技术成本相抵。"
            "数字为中心情景，括号内为蒙特卡洛90%区间（{draws}次抽样）。"
        ),
        "invest_caption": "{y0}—{y1}年工业投资需求（十亿元，2020年价，{y0}—{y1}年合计）",
        "invest_scenario": "本情景投资",
        "invest_baseline": "基准情景投资",
        "invest_extra": "新增投资需求",
        "family_caption": "{year}年各类措施的减排量与成本：{scenario}相对基准情景（{scope}）",
        "abatement": "减排量（百万吨/年）",
        "cost_bn": "年化成本（十亿元/年）",
        "cost_per_t": "单位减排成本（元/吨）",
        "lost_va_per_t": "增加值损失（元/吨，另列）",
        "total_row": "合计",
        "not_abated": "减排量近零或为负",
        "exposure_caption": (
            "{year}年全国碳市场：覆盖行业的配额缺口与履约成本"
            "（碳价{price}元/吨，{price_low}—{price_high}）"
        ),
        "covered": "覆盖排放（百万吨）",
        "free": "免费配额（百万吨）",
        "compliance": "履约成本（十亿元）",
        "surplus": "富余配额价值（十亿元）",
        "pass_through": (
            "外购电力的碳成本由电力行业承担：电力行业2021年起纳入全国碳市场，工业用户的外购电力不另计履约成本"
            "（电价传导比例参数ets.electricity_pass_through默认为0，设为大于0时单列“电价传导”一项）。"
            "免费配额按{start}年起的基准值（最近统计年份{ref}年的排放强度）逐年收紧{tight}分配。"
        ),
        "cost_summary": (
            "{label}在{y0}—{y1}年需投资{inv}十亿元，比基准情景多{extra}十亿元（90%区间{low}—{high}）。"
            "{year}年各类措施合计减排{abated}百万吨、年化成本变化{cost}十亿元（{per_t}元/吨），"
            "此外产量下降使工业增加值净减少{lost}十亿元（单独列示）。"
        ),
        "cost_sources_caption": "成本与价格数据（2020年价，载入时换算；来源见右列）",
        "technology": "技术",
        "cost_parameter": "参数",
        "model_value": "取值（2020年价）",
        "cost_range": "区间",
        "source": "来源",
        "no_cost_scenario": "所选情景中除基准情景外没有可比较的情景，未计算成本。",
    },
    "en": {
        "scenario": "Scenario",
        "sector": "Sector",
        "industry": "Industry total",
        "peak_year": "Peak year",
        "peak_value": "Peak (Mt CO2)",
        "value_2020": "2020 (Mt CO2)",
        "value_2030": "2030 (Mt CO2)",
        "change_2020_2030": "Change 2020-2030 (%)",
        "direct_peak_year": "Peak year, direct only",
        "p_peak": "P(peak by 2030)",
        "p_se": "Sampling error (± points)",
        "ei_change": "Energy intensity 2025 vs 2020 (%)",
        "ei_margin": "Margin vs -17% target (points)",
        "ei_pass": "Energy-intensity target met",
        "order": "Peak order",
        "peak_card": "{label}: industrial CO2 peak year",
        "peak_card_note": "Peak {value} Mt CO2, {plateau}; P(peak by 2030) {p}",
        "plateau": "within {tol} of the peak {start}-{end}",
        "p_unknown": "no Monte Carlo run",
        "ei_card": "{label}: energy intensity 2025 vs 2020",
        "ei_card_note": "Target -17%, margin {margin} points",
        "sentence_yes": (
            "{label}: industrial CO2 ({scope}) peaks in {year} at {value} Mt ({plateau}); the "
            "probability of peaking by 2030 is {p}. Energy use per unit of industrial value "
            "added {ei} from 2020 to 2025 and {ei_verdict} the 17% reduction target (margin "
            "{margin} points)."
        ),
        "sentence_no": (
            "{label}: industrial CO2 ({scope}) does not peak by 2030; it peaks only in {year} at "
            "{value} Mt. The probability of peaking by 2030 is {p}. Energy use per unit of "
            "industrial value added {ei} from 2020 to 2025 and {ei_verdict} the 17% reduction "
            "target (margin {margin} points)."
        ),
        "ei_met": "meets",
        "ei_missed": "misses",
        "falls": "falls by {x}",
        "rises": "rises by {x}",
        "ei_caption": "2025 energy-intensity target (energy per unit of industrial value added, "
        "about -17% vs 2020)",
        "ei_target_col": "Target (%)",
        "p_fmt": "{p} (±{se}, {n} draws)",
        "direct": "direct",
        "direct_plus_indirect": "direct + indirect",
        "scope_note": (
            "This briefing counts direct plus indirect emissions: the CO2 of fuels burnt and "
            "processes run in factories, plus the CO2 emitted in power plants and heat plants for "
            "the electricity and heat industry buys. Why: electrification moves emissions from the "
            "factory chimney to the power plant, so a direct-only count can show a peak the "
            "atmosphere never sees. The CEADs inventory shows exactly this: Shandong's direct "
            "industrial CO2 fell from {d0} Mt in {y0} to {d1} Mt in {y1}, while the indirect CO2 "
            "of purchased power and heat rose from {i0} Mt to {i1} Mt. The direct-only peak year "
            "is listed alongside for comparison."
        ),
        "stagger": "Order of sector peaks: {order}.",
        "stagger_item": "{names} ({year})",
        "stagger_sep": " → ",
        "list_sep": ", ",
        "parameter": "Key parameter (2030 value)",
        "unit": "Unit",
        "no_cap": "no cap",
        "changes": "Changes {n} parameters from the baseline, in: {families}.",
        "changes_none": "All parameters at their baseline (default) values.",
        "sector_caption": "{label}: peak year and peak by sector ({scope})",
        "headline_caption": "Does industrial CO2 peak by 2030? ({scope})",
        "levers_caption": "Key lever values by scenario (2030)",
        "single_lever_caption": (
            "Single-lever scenarios: reduction against the baseline ({scope}, Mt CO2/yr)"
        ),
        "lever_family": "Lever family",
        "reduction_year": "Reduction {year}",
        "basis": (
            "What the answer rests on: emissions for {y0}-{through} are estimated from published "
            "statistics (output, electricity use, the grid emission factor, industrial value "
            "added) with base-year intensities (no emissions inventory exists yet for these "
            "years); from {next} on they are scenario projections. All scenarios are identical "
            "in {y0}-{through}; levers act only from {next}."
        ),
        "basis_peak_estimated": (
            "{label}: the peak year {year} lies in the estimated period: it comes from observed "
            "data, not from a projection; check it again when an emissions inventory appears."
        ),
        "basis_peak_projected": "{label}: the peak year {year} is projected.",
        "standing_intro": (
            "The numbers below are not projections. Table 1 gives the latest year of every "
            "statistic the model uses; Table 2 the estimated industrial CO2 for {y0}-{through} "
            "(from observed output, electricity, grid factor and value added with base-year "
            "intensities; 90% range in brackets)."
        ),
        "standing_inputs_caption": "Table 1. Latest observed year of each input",
        "standing_emissions_caption": (
            "Table 2. Industrial CO2, estimated for {y0}-{through} (Mt CO2/yr)"
        ),
        "indicator": "Indicator",
        "latest_year": "Latest year",
        "value": "Value",
        "kind": "Kind",
        "kind_quoted": "statistic",
        "kind_derived": "statistic (converted)",
        "kind_assumption": "assumption (awaiting the communique)",
        "year": "Year",
        "highest": (
            "Of the years with statistics ({y0}-{through}), industrial CO2 ({scope}) was highest "
            "in {year}, about {value} Mt (90% range {low}-{high}). Counting the CEADs inventory "
            "years from 2010 too, the highest is {year_all} ({value_all} Mt); inventory and "
            "estimated years are on close but not identical bases."
        ),
        "targets_so_far": (
            "The observed years already decide part of the 2025 targets: from 2020 to {through} "
            "energy use per unit of industrial value added is estimated to have {ei}, and must "
            "fall a further {ei_need} in {next}-2025 to reach the target of about -17%; CO2 per "
            "unit of value added ({scope}) {co2} and must fall a further {co2_need} to reach "
            "-20.5%."
        ),
        "done_already": "already reached",
        "hindcast_caption": (
            "Hindcast errors: how far the model projected from 2020 without the later "
            "statistics was from them (model - observed, %). The nowcast is what this briefing "
            "uses."
        ),
        "series": "Statistic",
        "years": "Years",
        "hindcast_mape": "Hindcast mean absolute error (%)",
        "hindcast_bias": "Hindcast mean error (%)",
        "hindcast_last": "Latest year's error (%)",
        "nowcast_mape": "Nowcast mean absolute error (%)",
        "cost_intro": (
            "Costs are in constant 2020 CNY (billion CNY a year; other currencies and money "
            "years are converted at load through the money table, CNY with Shandong's GDP "
            "deflator). Investment is the new equipment and capacity the measures need "
            "(replaced vintage by vintage as it ages); the annual capital cost uses a discount "
            "rate of {discount} and each technology's lifetime; operation covers fixed and "
            "variable O&M and the materials that decide a route (iron ore, scrap...); energy "
            "is prices times purchased energy. The value added lost where capacity control "
            "cuts output is shown apart, never netted against technology cost. Central values; "
            "90% Monte Carlo range in brackets ({draws} draws)."
        ),
        "invest_caption": "Industrial investment needed {y0}-{y1} (billion CNY2020, sum {y0}-{y1})",
        "invest_scenario": "Investment",
        "invest_baseline": "Baseline investment",
        "invest_extra": "Extra investment",
        "family_caption": (
            "Abatement and cost by lever family in {year}: {scenario} vs baseline ({scope})"
        ),
        "abatement": "Abatement (Mt/yr)",
        "cost_bn": "Annual cost (bn CNY/yr)",
        "cost_per_t": "Cost per tonne (CNY/t)",
        "lost_va_per_t": "Lost value added (CNY/t, apart)",
        "total_row": "Total",
        "not_abated": "no or negative abatement",
        "exposure_caption": (
            "National ETS in {year}: allowance shortfall and compliance cost of the covered "
            "sectors (allowance price {price} CNY/t, {price_low}-{price_high})"
        ),
        "covered": "Covered CO2 (Mt)",
        "free": "Free allocation (Mt)",
        "compliance": "Compliance cost (bn CNY)",
        "surplus": "Value of surplus (bn CNY)",
        "pass_through": (
            "Purchased electricity is priced through the power sector: power has been in the "
            "national ETS since 2021, and industry's purchased electricity carries no compliance "
            "cost here (the pass-through share ets.electricity_pass_through is 0 by default; "
            "above 0 it adds its own line). Free allocation follows benchmarks from {start} (the "
            "emission intensity of the last observed year, {ref}), tightening {tight} a year."
        ),
        "cost_summary": (
            "{label} needs {inv} billion CNY of investment in {y0}-{y1}, {extra} billion more "
            "than the baseline (90% range {low}-{high}). In {year} its measures abate {abated} "
            "Mt CO2 at an annual cost change of {cost} billion CNY ({per_t} CNY/t); lower "
            "output costs {lost} billion CNY of value added on top (net, reported apart)."
        ),
        "cost_sources_caption": (
            "Cost and price data (2020 CNY, converted at load; sources in the last column)"
        ),
        "technology": "Technology",
        "cost_parameter": "Parameter",
        "model_value": "Value (2020 CNY)",
        "cost_range": "Range",
        "source": "Source",
        "no_cost_scenario": "No scenario other than the baseline is shown: no costs computed.",
    },
}

# The levers a decision-maker recognises from the Work Plan, one per family at least.
# Keys of assumptions/parameters.yaml; labels come from the schema (zh/en) plus the sector name.
KEY_LEVERS: tuple[str, ...] = (
    "steel.output_cap",
    "steel.eaf_share",
    "steel.h2_dri_share",
    "building_materials.cement_cap",
    "building_materials.clinker_ratio",
    "nonferrous.primary_aluminium_cap",
    "nonferrous.recycled_aluminium_share",
    "chemicals.refining_cap",
    "steel.efficiency_rate",
    "chemicals.coal_to_gas_share",
    "chemicals.electrified_heat_share",
    "consumer_goods.electrified_heat_share",
    "hydrogen.green_share",
    "chemicals.ccus_max_coverage",
    "grid.emission_factor",
)

EFFECT_LABELS = {
    "zh": {
        "activity": "经济规模",
        "structure": "行业结构",
        "intensity": "能耗强度",
        "fuel_mix": "能源结构",
        "emission_factor": "排放因子",
        "process_ccus": "工艺过程与碳捕集",
    },
    "en": {
        "activity": "Activity",
        "structure": "Structure",
        "intensity": "Energy intensity",
        "fuel_mix": "Fuel mix",
        "emission_factor": "Emission factor",
        "process_ccus": "Process and CCUS",
    },
}


def ui(lang: str) -> dict[str, str]:
    """Briefing strings for `lang` (zh or en)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return UI[lang]


def _pct(x: float, digits: int = 1, sign: bool = True) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x * 100:+.{digits}f}%" if sign else f"{x * 100:.{digits}f}%"


def _num(x: float, digits: int = 1) -> str:
    return "—" if x is None or math.isnan(float(x)) else f"{float(x):,.{digits}f}"


def sector_ids(data: BaseData) -> dict[str, str]:
    """IAMC sector name -> sector id (Steel -> steel)."""
    return {data.sector_info.at[s, "iamc_name"]: s for s in data.sectors}


def headline_scope(results: Results) -> str:
    return str(results.meta.get("settings", {}).get("headline_scope", DEFAULT_SCOPE))


# --------------------------------------------------------------------------------------------
# Tables from results (what the upstream notebooks save, computed here when absent)
# --------------------------------------------------------------------------------------------


def scenario_tables(results: Results, data: BaseData) -> dict[str, pd.DataFrame]:
    """Peaks (both scopes, industry and sectors), targets and P(peak by 2030) of one scenario.

    Same tables and columns as the files the batch's notebooks save (PEAKS_CSV, TARGETS_CSV,
    PROBABILITY_CSV). The probability table is empty when the results have no draws.
    """
    tolerance = float(results.meta.get("settings", {}).get("plateau_tolerance", 0.02))
    peaks = pd.concat(
        [peak_table(results, data, scope, tolerance) for scope in SCOPES], ignore_index=True
    )
    targets = target_table(results, data, headline_scope(results))
    if results.n_draws:
        from model.analysis.uncertainty import probability_peak_by

        prob = probability_peak_by(results, PEAK_TARGET_YEAR).assign(scenario=results.scenario)
    else:
        prob = pd.DataFrame(columns=["scenario", "scope", "probability", "se", "n_draws"])
    return {"peaks": peaks, "targets": targets, "probability": prob}


def read_upstream(run_dir: str | Path | None) -> dict[str, pd.DataFrame]:
    """Tables saved by the batch's industry_overview and uncertainty jobs of `run_dir`.

    Uses the run's manifest.json to find each job's data folder; jobs that did not succeed are
    ignored. Returns {"peaks", "targets", "probability"} (each possibly empty).
    """
    found: dict[str, list[pd.DataFrame]] = {"peaks": [], "targets": [], "probability": []}
    files = {"peaks": PEAKS_CSV, "targets": TARGETS_CSV, "probability": PROBABILITY_CSV}
    manifest = Path(run_dir) / "manifest.json" if run_dir else None
    if manifest is not None and manifest.is_file():
        jobs = json.loads(manifest.read_text(encoding="utf-8")).get("jobs", [])
        for job in jobs:
            if job.get("status") != "ok" or job.get("name") not in (
                "industry_overview",
                "uncertainty",
            ):
                continue
            folder = Path(run_dir) / str(job.get("data_dir", ""))
            for key, name in files.items():
                if (folder / name).is_file():
                    found[key].append(pd.read_csv(folder / name))
    return {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in found.items()}


def upstream_folder(
    run_dir: str | Path | None, job: str, numbers_json: str, expect: Mapping[str, Any]
) -> Path | None:
    """Data folder of a successful `job` of the batch run `run_dir` whose numbers JSON agrees
    with `expect` on every key (scenario, draws, seed, overrides...); None when there is none.

    Lets the briefing reuse what an upstream job already computed (the same run, so the same
    assumptions) instead of computing it again in each language.
    """
    manifest = Path(run_dir) / "manifest.json" if run_dir else None
    if manifest is None or not manifest.is_file():
        return None
    for entry in json.loads(manifest.read_text(encoding="utf-8")).get("jobs", []):
        if entry.get("status") != "ok" or entry.get("name") != job:
            continue
        folder = Path(str(run_dir)) / str(entry.get("data_dir", ""))
        try:
            saved = json.loads((folder / numbers_json).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if all(saved.get(key) == value for key, value in expect.items()):
            return folder
    return None


def read_saved_table(folder: Path | None, name: str) -> pd.DataFrame | None:
    """A CSV table an upstream job saved (exact floats), or None when it is missing."""
    if folder is None or not (folder / name).is_file():
        return None
    return pd.read_csv(folder / name, float_precision="round_trip")


def merge_tables(
    upstream: Mapping[str, pd.DataFrame], computed: Mapping[str, Mapping[str, pd.DataFrame]]
) -> dict[str, pd.DataFrame]:
    """Upstream rows where a scenario has them, computed rows for the rest (per table)."""
    out = {}
    for key in ("peaks", "targets", "probability"):
        up = upstream.get(key, pd.DataFrame())
        have = set(up["scenario"]) if len(up) and "scenario" in up else set()
        frames = [up] if len(up) else []
        for scen, tables in computed.items():
            if scen not in have and len(tables[key]):
                frames.append(tables[key])
        out[key] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out


# --------------------------------------------------------------------------------------------
# (1) Headline
# --------------------------------------------------------------------------------------------


def headline_numbers(
    peaks: pd.DataFrame,
    targets: pd.DataFrame,
    probability: pd.DataFrame,
    scenarios: Sequence[str],
    scope: str = DEFAULT_SCOPE,
) -> pd.DataFrame:
    """One row per scenario: the industry peak (headline and direct scope), P(peak by 2030)
    with its standard error, and the 2025 energy-intensity check. Raw numbers, English ids."""
    rows = []
    for scen in scenarios:
        ind = peaks[(peaks["scenario"] == scen) & (peaks["sector"] == INDUSTRY)]
        head = ind[ind["scope"] == scope].iloc[0]
        direct = ind[ind["scope"] == "direct"].iloc[0]
        ei = targets[(targets["scenario"] == scen) & (targets["target"] == "energy_intensity_2025")]
        prob = (
            probability[(probability["scenario"] == scen) & (probability["scope"] == scope)]
            if len(probability)
            else probability
        )
        rows.append(
            {
                "scenario": scen,
                "scope": scope,
                "peak_year": int(head["peak_year"]),
                "peak_value": float(head["peak_value"]),
                "value_2020": float(head["value_2020"]),
                "value_2030": float(head["value_2030"]),
                "change_2020_2030": float(head["change_2020_2030"]),
                "peaked_by_2030": bool(int(head["peak_year"]) <= PEAK_TARGET_YEAR),
                "direct_peak_year": int(direct["peak_year"]),
                # The plateau says more than the year when emissions stay flat for a while.
                "plateau_start": int(head.get("plateau_start", head["peak_year"])),
                "plateau_end": int(head.get("plateau_end", head["peak_year"])),
                "plateau_tolerance": float(head.get("plateau_tolerance", 0.02)),
                "p_peak_by_2030": float(prob["probability"].iloc[0]) if len(prob) else np.nan,
                "p_se": float(prob["se"].iloc[0]) if len(prob) else np.nan,
                "n_draws": int(prob["n_draws"].iloc[0]) if len(prob) else 0,
                "ei_change_2025": float(ei["value"].iloc[0]),
                "ei_target": float(ei["target_value"].iloc[0]),
                "ei_margin": float(ei["margin"].iloc[0]),
                "ei_pass": bool(ei["pass"].iloc[0]),
            }
        )
    return pd.DataFrame(rows)


def probability_text(row: Mapping[str, Any], lang: str, short: bool = False) -> str:
    """'100% (±0.0, 1000 draws)'; `short` leaves out the number of draws."""
    t = ui(lang)
    if not row.get("n_draws"):
        return t["p_unknown"]
    if short:
        p = _pct(row["p_peak_by_2030"], 0, sign=False)
        return f"{p} ± {_pct(row['p_se'], 1, sign=False)}"
    return t["p_fmt"].format(
        p=_pct(row["p_peak_by_2030"], 0, sign=False),
        se=_pct(row["p_se"], 1, sign=False).rstrip("%"),
        n=int(row["n_draws"]),
    )


def plateau_text(row: Mapping[str, Any], lang: str) -> str:
    """'within 2% of the peak 2019-2026' from the peak table's plateau columns."""
    return ui(lang)["plateau"].format(
        tol=_pct(float(row.get("plateau_tolerance", 0.02)), 0, sign=False),
        start=int(row.get("plateau_start", row["peak_year"])),
        end=int(row.get("plateau_end", row["peak_year"])),
    )


def _change_words(x: float, lang: str) -> str:
    t = ui(lang)
    return t["falls" if x < 0 else "rises"].format(x=_pct(abs(x), 1, sign=False))


def headline_sentence(row: Mapping[str, Any], label: str, lang: str) -> str:
    """The plain-language answer for one scenario (text, not HTML: escape before use)."""
    t = ui(lang)
    key = "sentence_yes" if row["peaked_by_2030"] else "sentence_no"
    return t[key].format(
        label=label,
        scope=t[row["scope"]],
        year=int(row["peak_year"]),
        value=_num(row["peak_value"]),
        plateau=plateau_text(row, lang),
        p=probability_text(row, lang),
        ei=_change_words(row["ei_change_2025"], lang),
        ei_verdict=t["ei_met"] if row["ei_pass"] else t["ei_missed"],
        margin=f"{row['ei_margin'] * 100:+.1f}",
    )


def headline_cards(
    numbers: pd.DataFrame, labels: Mapping[str, str], lang: str
) -> list[dict[str, Any]]:
    """Items for model.report.html.headline_box: a peak-year card and an energy-intensity card per
    scenario (status = target met)."""
    t = ui(lang)
    cards = []
    for _, row in numbers.iterrows():
        label = labels.get(row["scenario"], row["scenario"])
        cards.append(
            {
                "label": t["peak_card"].format(label=label),
                "value": int(row["peak_year"]),
                "status": bool(row["peaked_by_2030"]),
                "note": t["peak_card_note"].format(
                    value=_num(row["peak_value"]),
                    plateau=plateau_text(row, lang),
                    p=probability_text(row, lang),
                ),
            }
        )
    for _, row in numbers.iterrows():
        label = labels.get(row["scenario"], row["scenario"])
        cards.append(
            {
                "label": t["ei_card"].format(label=label),
                "value": float(row["ei_change_2025"] * 100),
                "unit": "%",
                "status": bool(row["ei_pass"]),
                "note": t["ei_card_note"].format(margin=f"{row['ei_margin'] * 100:+.1f}"),
            }
        )
    return cards


def headline_table(numbers: pd.DataFrame, labels: Mapping[str, str], lang: str) -> pd.DataFrame:
    """Display table of the peak answer per scenario, localized headers (percentages in %)."""
    t = ui(lang)
    return pd.DataFrame(
        {
            t["scenario"]: [labels.get(s, s) for s in numbers["scenario"]],
            t["peak_year"]: numbers["peak_year"].astype(int).to_numpy(),
            t["peak_value"]: numbers["peak_value"].to_numpy(),
            t["value_2030"]: numbers["value_2030"].to_numpy(),
            t["change_2020_2030"]: (numbers["change_2020_2030"] * 100).to_numpy(),
            t["p_peak"]: [
                probability_text(r, lang, short=True) for r in numbers.to_dict("records")
            ],
            t["direct_peak_year"]: numbers["direct_peak_year"].astype(int).to_numpy(),
        }
    )


def energy_intensity_table(
    numbers: pd.DataFrame, labels: Mapping[str, str], lang: str
) -> pd.DataFrame:
    """Display table of the 2025 energy-intensity check per scenario (percent, points)."""
    t = ui(lang)
    return pd.DataFrame(
        {
            t["scenario"]: [labels.get(s, s) for s in numbers["scenario"]],
            t["ei_change"]: (numbers["ei_change_2025"] * 100).to_numpy(),
            t["ei_target_col"]: (numbers["ei_target"] * 100).to_numpy(),
            t["ei_margin"]: (numbers["ei_margin"] * 100).to_numpy(),
            t["ei_pass"]: numbers["ei_pass"].astype(bool).to_numpy(),
        }
    )


def cards_in_columns(cards_html: str, columns: int) -> str:
    """Fix the number of card columns (one row per kind of card) in headline_box HTML."""
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns}")
    style = f"grid-template-columns: repeat({int(columns)}, minmax(0, 1fr))"
    return cards_html.replace('class="pp-cards"', f'class="pp-cards" style="{style}"', 1)


def scope_evidence(results: Results, y0: int = 2012, y1: int = 2019) -> dict[str, float]:
    """Direct and indirect industrial CO2 in two history years (from the results' history)."""
    direct = results.series(scope_variable("direct"))
    indirect = results.series("Emissions|CO2|Industry Indirect")
    return {
        "y0": y0,
        "y1": y1,
        "d0": float(direct[y0]),
        "d1": float(direct[y1]),
        "i0": float(indirect[y0]),
        "i1": float(indirect[y1]),
    }


def scope_note(evidence: Mapping[str, float], lang: str) -> str:
    """Which scope the briefing shows and why, with the CEADs history numbers (text)."""
    return ui(lang)["scope_note"].format(
        y0=int(evidence["y0"]),
        y1=int(evidence["y1"]),
        d0=_num(evidence["d0"], 0),
        d1=_num(evidence["d1"], 0),
        i0=_num(evidence["i0"], 0),
        i1=_num(evidence["i1"], 0),
    )


# --------------------------------------------------------------------------------------------
# (2) Sectors
# --------------------------------------------------------------------------------------------


def sector_numbers(
    peaks: pd.DataFrame, data: BaseData, scenario: str, scope: str = DEFAULT_SCOPE
) -> pd.DataFrame:
    """One row per sector (SECTOR_ORDER): peak year and value, change 2020-2030, peak order
    (1 = earliest; sectors peaking in the same year share a rank)."""
    ids = sector_ids(data)
    d = peaks[(peaks["scenario"] == scenario) & (peaks["scope"] == scope)]
    d = d[d["sector"] != INDUSTRY].copy()
    d["sector_id"] = d["sector"].map(ids)
    d = d.set_index("sector_id").reindex([s for s in SECTOR_ORDER if s in set(ids.values())])
    d["order"] = d["peak_year"].rank(method="min").astype(int)
    return d.reset_index()[
        [
            "sector_id",
            "sector",
            "peak_year",
            "peak_value",
            "value_2020",
            "value_2030",
            "change_2020_2030",
            "order",
        ]
    ]


def sector_table(numbers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Display table of sector_numbers, sorted by peak order."""
    t = ui(lang)
    names = sector_labels(lang)
    d = numbers.sort_values(["order", "sector_id"], kind="stable")
    return pd.DataFrame(
        {
            t["order"]: d["order"].astype(int).to_numpy(),
            t["sector"]: [names[s] for s in d["sector_id"]],
            t["peak_year"]: d["peak_year"].astype(int).to_numpy(),
            t["peak_value"]: d["peak_value"].to_numpy(),
            t["value_2030"]: d["value_2030"].to_numpy(),
            t["change_2020_2030"]: (d["change_2020_2030"] * 100).to_numpy(),
        }
    )


def staggered_order_text(numbers: pd.DataFrame, lang: str) -> str:
    """'steel, building materials (2020) → equipment (2025) → …' (text)."""
    t = ui(lang)
    names = sector_labels(lang)
    parts = []
    for year, group in numbers.sort_values("peak_year", kind="stable").groupby(
        "peak_year", sort=True
    ):
        listed = t["list_sep"].join(names[s] for s in group["sector_id"])
        parts.append(t["stagger_item"].format(names=listed, year=int(year)))
    return t["stagger"].format(order=t["stagger_sep"].join(parts))


# --------------------------------------------------------------------------------------------
# (4) Assumptions
# --------------------------------------------------------------------------------------------


def _lever_label(key: str, schema: Any, lang: str) -> str:
    """'钢铁：电炉短流程炼钢比例' / 'Steel: Share of crude steel from ...' for a parameter key."""
    decl = schema.parameters[key]
    desc = decl.zh if lang == "zh" else decl.en
    head = key.split(".", 1)[0]
    names = sector_labels(lang)
    if head not in names:
        return desc
    return f"{names[head]}{'：' if lang == 'zh' else ': '}{desc}"


def key_lever_table(
    scenarios: Sequence[Any],
    schema: Any,
    lang: str,
    year: int = 2030,
    keys: Sequence[str] = KEY_LEVERS,
) -> pd.DataFrame:
    """Rows = key levers (label, unit), columns = scenario labels, values in `year`.

    Caps with no limit (inf) show as 'no cap'. Keys missing from the schema are skipped.
    """
    t = ui(lang)
    rows = []
    for key in keys:
        if key not in schema.parameters:
            continue
        row: dict[str, Any] = {
            t["parameter"]: _lever_label(key, schema, lang),
            t["unit"]: schema.parameters[key].unit,
        }
        for scen in scenarios:
            value = scen.value(key, year)
            row[scen.label[lang]] = t["no_cap"] if math.isinf(value) else round(value, 3)
        rows.append(row)
    return pd.DataFrame(rows)


def wedge_families(waterfall: pd.DataFrame) -> list[str]:
    """Lever families with a step in a wedge waterfall
    (model.analysis.wedges.wedge_table_for_years)."""
    steps = waterfall[waterfall["kind"] == "step"]["step"]
    return list(dict.fromkeys(steps))


def single_lever_table(
    waterfalls: Mapping[str, pd.DataFrame], labels: Mapping[str, str], lang: str
) -> pd.DataFrame:
    """One row per scenario that moves a single lever family: its reduction against the
    baseline in each year of the waterfall (Mt CO2/yr; positive = less CO2 than the baseline).

    A waterfall chart of one bar says no more than this row, so the briefing draws charts only
    for scenarios that combine several families and lists the single-lever ones here.
    """
    from model.report.charts import FAMILY_SHORT

    t = ui(lang)
    rows = []
    for name, waterfall in waterfalls.items():
        families = wedge_families(waterfall)
        if len(families) != 1:
            raise ValueError(f"single_lever_table: {name} moves {len(families)} lever families")
        steps = waterfall[waterfall["kind"] == "step"].set_index("year")["value"]
        row = {
            t["scenario"]: labels.get(name, name),
            t["lever_family"]: FAMILY_SHORT[lang].get(families[0], families[0]),
        }
        for year, value in steps.items():
            row[t["reduction_year"].format(year=int(year))] = -float(value)
        rows.append(row)
    return pd.DataFrame(rows)


def changed_families(scenario: Any, baseline: Any, schema: Any) -> dict[str, int]:
    """Lever family -> number of parameters whose path differs from the baseline's."""
    counts: dict[str, int] = {}
    for key, values in scenario.values.items():
        other = baseline.values.get(key)
        if other is not None and np.allclose(values, other, equal_nan=True):
            continue
        family = schema.parameters[key].family if key in schema.parameters else "other"
        counts[family] = counts.get(family, 0) + 1
    return counts


def family_labels(schema: Any, lang: str) -> dict[str, str]:
    """Lever family id -> display name from parameters.yaml."""
    ui(lang)
    return {k: (f.zh if lang == "zh" else f.en) for k, f in schema.families.items()}


def assumptions_html(scenario: Any, baseline: Any, schema: Any, lang: str) -> str:
    """One scenario's description (escaped YAML text) and what it changes, as HTML."""
    t = ui(lang)
    counts = changed_families(scenario, baseline, schema)
    labels = family_labels(schema, lang)
    if counts:
        fams = t["list_sep"].join(
            f"{labels.get(f, f)} ({n})" for f, n in sorted(counts.items(), key=lambda kv: -kv[1])
        )
        change = t["changes"].format(n=sum(counts.values()), families=fams)
    else:
        change = t["changes_none"]
    return (
        f'<div class="pp-scenario"><h3>{html_escape(scenario.label[lang])}</h3>'
        f"<p>{html_escape(scenario.description[lang])}</p>"
        f'<p class="pp-changes">{html_escape(change)}</p></div>'
    )


# --------------------------------------------------------------------------------------------
# (5) Methods and sources
# --------------------------------------------------------------------------------------------

METHODS: dict[str, list[tuple[str, str]]] = {
    "zh": [
        (
            "历史数据",
            "2010—2019年排放与能源数据来自中国碳核算数据库（CEADs）山东省二氧化"
            "碳清单（IPCC部门法）：Shan et al. 2018, Scientific Data 5:170201；Shan et al. "
            "2020, Scientific Data 7:54；Guan et al. 2021, Earth's Future 9:e2021EF002241；"
            "Shan et al. 2016, Applied Energy 184:742。CEADs止于2019年：2020年基准年由2019年"
            "数据和国家统计局2020年实际产量（钢铁按生铁、建材按水泥）推算，模型在基准年完全复现该数据；"
            "2021—{through}年的排放由公布的统计数据（粗钢、生铁、水泥、平板玻璃产量，十种有色金属，"
            "全社会用电量，电网排放因子，规模以上工业增加值增速，见assumptions/data/observations.csv）估算。"
            "回测（附录）衡量不用这些数据时预测的误差。",
        ),
        (
            "模型在CEADs之外补充的内容",
            "CEADs不计化工原料用能和部分工业过程的二氧化碳（如合成氨、甲醇的原料碳，电石"
            "法、灰氢等），也不计外购电力和热力的间接排放。本模型补充了这两部分，因此工业排放"
            "总量高于CEADs的工业数字，所有结果均据此标注口径。",
        ),
        (
            "电力和热力",
            "间接排放 = 外购电量 × 电网平均排放因子 + 外购热力 × 热力排放因子。"
            "电网因子采用生态环境部、国家统计局"
            "公布的山东省级电网平均二氧化碳排放因子，即企业核算外购电力排放所用的口径（{published}，"
            "吨CO2/兆瓦时）；未公布的年份由最近的公布年份按当年火电发电量与全社会用电量之比推算（2020年{grid}），"
            "{through}年以后按情景假设下降，2010—2019年的历史值按同一口径折算。工业用电量以全社会用电量×全国"
            "第二产业用电占比×山东系数（0.98，区间0.88—1.06）为总量锚，各行业自下而上的估算按其不确定性"
            "加权分摊差额；2019年与2020年之间山东全社会用电量统计口径变化（2020年12月单月约为平常的两倍），"
            "该跃升不作为增长读取。能耗强度中电力按{method}折标"
            "（当量值0.1229千克标准煤/千瓦时，GB/T 2589-2020）。",
        ),
        (
            "能效与技术参数",
            "主要工艺单位产品能耗参照国家能耗限额标准（GB 16780-2021、GB 21"
            "340-2019、GB 21346-2022、GB 21257-2024、GB "
            "30251-2024、GB 29436-2023、GB 21342-2025 等"
            "）的先进值与准入值。",
        ),
        (
            "政策依据",
            "《山东省工业领域碳达峰工作方案》：2025年规模以上工业单位增加值能耗较2020"
            "年下降17%左右，确保工业领域二氧化碳排放2030年前达峰，重点行业梯次达峰。每"
            "项措施参数均注明对应条款。",
        ),
        (
            "不确定性与分解",
            "蒙特卡洛抽样包括：参数文件中各参数的分布（驱动因素的增速不确定性自最后一个统计年份之后全幅起算）、"
            "基准年各项数据的区间、工业用电占比系数，以及各项统计数据的测量区间；概率的抽样误差为√(p(1−p)/n)。"
            "措施减排量用Shapley值在各类措施间分配；排放变化用LMDI加法分解。",
        ),
        (
            "成本与碳市场",
            "成本数据见assumptions/data/costs.csv（每行注明来源、货币年份与币种），载入时统一折算为2020年"
            "不变价人民币：人民币按山东省GDP平减指数（由observations.csv的名义GDP与实际增速推算）折算，"
            "尚无统计的年份为标明的假设；美元、欧元先按本币价格折至2020年，再按2020年年均汇率换算"
            "（1美元=6.8974元，国家统计局2020年统计公报）。投资按设备寿命分批更新（2020年存量在寿命期内"
            "均匀退役），年化资本成本按{discount}的实际折现率（《建设项目经济评价方法与参数》第三版社会折现率）"
            "和各技术寿命计算。全国碳市场：钢铁、水泥熟料、电解铝自2024年排放年度纳入（首年配额等于核查排放），"
            "其后按基准值分配并逐年收紧；配额价格2021—2025年为全国碳市场年度成交均价（折算为2020年价），"
            "之后为假设，其区间覆盖已发表的2030年价格预测（139—300元/吨）。外购电力的碳成本由电力行业承担，"
            "仅当设置电价传导比例时单列。成本参数的区间是蒙特卡洛和Sobol敏感性分析的输入（使用独立的随机数流，"
            "不改变排放抽样）；各类措施的成本用与减排楔形相同的Shapley联盟分配，各类之和等于情景的总增量成本。"
            "未找到的数据（山东工业电价与气价、玻璃电熔投资、非碳酸盐原料与替代燃料成本、配额基准值等）"
            "为标明的假设，见assumptions/data/README.md与下表。电网排放因子下降不计入工业成本（电力行业投资不在模型范围内，"
            "只计厂区光伏）。",
        ),
    ],
    "en": [
        (
            "Historical data",
            "Emissions and energy for 2010-2019 come from the CEADs provincial CO2 inventory for "
            "Shandong (IPCC sectoral approach): Shan et al. 2018, Scientific Data 5:170201; Shan "
            "et al. 2020, Scientific Data 7:54; Guan et al. 2021, Earth's Future 9:e2021EF002241;"
            " Shan et al. 2016, Applied Energy 184:742. CEADs ends in 2019: the base year 2020 "
            "is estimated from 2019 and the observed 2020 output of NBS (pig iron for steel, "
            "cement for building materials), and the model reproduces that base year exactly. "
            "2021-{through} are estimated from published statistics (crude steel, pig iron, "
            "cement and flat glass output, the ten nonferrous metals, whole-society electricity, "
            "the grid emission factor, industrial value-added growth; "
            "assumptions/data/observations.csv). The hindcast (appendix) measures how far the "
            "projections would have been off without them.",
        ),
        (
            "What the model adds beyond CEADs",
            "CEADs leaves out the CO2 of chemical feedstocks and of some industrial processes "
            "(the carbon in ammonia and methanol feedstock, grey hydrogen, and similar) and the "
            "indirect CO2 of purchased electricity and heat. The model adds both, so its "
            "industrial totals are higher than CEADs' industrial figures; every result states its"
            " scope.",
        ),
        (
            "Electricity and heat",
            "Indirect CO2 = purchased electricity x average grid emission factor + purchased heat"
            " x heat emission factor. The grid factor is the provincial average CO2 factor for "
            "Shandong published by the Ministry of Ecology and Environment (MEE) and NBS, the one"
            " enterprises report purchased electricity with ({published} t CO2/MWh); years "
            "without a published value are derived from the nearest published "
            "year by that year's thermal generation / whole-society consumption ratio (2020: "
            "{grid}); after {through} it falls as each scenario assumes, and 2010-2019 are put on "
            "the same basis. Industrial electricity is anchored on whole-society consumption x "
            "the national secondary-industry share x a Shandong factor (0.98, range 0.88-1.06); "
            "the sectors' bottom-up estimates share the difference in proportion to their "
            "uncertainty. Shandong's consumption series breaks between 2019 and 2020 (December "
            "2020 alone is about twice a normal month): that step is never read as growth. "
            "Energy intensity counts electricity by the {method} method (calorific: 0.1229 "
            "kgce/kWh, GB/T 2589-2020).",
        ),
        (
            "Efficiency and technology",
            "Energy use per tonne of the main products follows the national energy-consumption "
            "limit standards (GB 16780-2021, GB 21340-2019, GB 21346-2022, GB 21257-2024, GB "
            "30251-2024, GB 29436-2023, GB 21342-2025 and others), their advanced and entry "
            "values.",
        ),
        (
            "Policy basis",
            "Shandong Industrial Sector Carbon Peak Work Plan: energy use per unit of value added"
            " of industry above designated size falls about 17% from 2020 to 2025; industrial CO2"
            " peaks before 2030; key sectors peak in a staggered order. Every lever parameter "
            "cites its clause.",
        ),
        (
            "Uncertainty and decomposition",
            "The Monte Carlo draws the parameters' distributions in the parameter file (each "
            "driver's growth at full width from the first projected year after its last "
            "observation), the base year's ranges, the industrial electricity share factor, "
            "and each statistic's measurement range; the sampling error of a probability is "
            "sqrt(p(1-p)/n). Reductions are shared between lever families with Shapley values; "
            "changes in emissions are split with additive LMDI.",
        ),
        (
            "Costs and the carbon market",
            "Cost data are in assumptions/data/costs.csv (every row with its source, money year "
            "and currency) and are converted at load to constant 2020 CNY: CNY with Shandong's "
            "GDP deflator (derived from nominal GDP and real growth in observations.csv), years "
            "without statistics as stated assumptions; USD and EUR are brought to 2020 in their "
            "own prices, then converted at the 2020 average exchange rate (1 USD = 6.8974 CNY, "
            "NBS statistical communique 2020). Investment renews each technology's capacity "
            "vintage by vintage (the 2020 stock retires evenly over its lifetime); the annual "
            "capital cost uses a {discount} real discount rate (the social discount rate of the "
            "Economic Evaluation Methods and Parameters for Construction Projects, 3rd edition) "
            "and each lifetime. National ETS: steel, cement clinker and primary aluminium are "
            "covered from their 2024 emissions (first-year allocation equal to verified "
            "emissions), then allocated by benchmarks that tighten each year; the allowance "
            "price for 2021-2025 is the market's annual average (in 2020 CNY), later an "
            "assumption whose range spans the published 2030 projections (139-300 CNY/t). "
            "Purchased electricity carries the power sector's carbon cost, shown as its own "
            "line only when a pass-through share is set. The cost ranges are Monte Carlo and "
            "Sobol inputs (drawn from their own random stream, so emission draws do not change); "
            "lever-family costs are shared by the same Shapley coalitions as the wedges and add "
            "up to the scenario's total increment. Data not found (Shandong's industrial power "
            "and gas tariffs, electric glass-melting capex, non-carbonate raw material and "
            "alternative fuel costs, the allocation benchmarks...) are stated assumptions, see "
            "assumptions/data/README.md and the table below. A cleaner grid costs industry nothing "
            "here (the power sector's investment is outside the model; only on-site PV is "
            "costed).",
        ),
    ],
}
ELECTRICITY_METHOD = {
    "zh": {"calorific": "当量值", "coal_equivalent": "等价值（发电煤耗）"},
    "en": {"calorific": "calorific", "coal_equivalent": "coal-equivalent (supply coal rate)"},
}


def methods_html(
    lang: str,
    electricity_method: str = "calorific",
    grid_factor_2020: float | None = None,
    through: int = 2020,
    published: Mapping[int, float] | None = None,
    discount_rate: float = 0.08,
) -> str:
    """The methods and sources appendix as HTML (citations, escaped); the numbers it quotes
    come from the scenario (the 2020 grid factor), not from the text."""
    ui(lang)
    method = ELECTRICITY_METHOD[lang].get(electricity_method, electricity_method)
    grid = "—" if grid_factor_2020 is None else f"{grid_factor_2020:.3f}"
    sep = "、" if lang == "zh" else ", "
    pub = (
        sep.join(
            (f"{y}年{v:g}" if lang == "zh" else f"{v:g} in {y}")
            for y, v in (published or {}).items()
        )
        or "—"
    )
    fields = {
        "method": method,
        "grid": grid,
        "through": through,
        "published": pub,
        "discount": f"{discount_rate:.0%}",
    }
    items = "".join(
        f"<dt>{html_escape(title)}</dt><dd>{html_escape(body.format(**fields))}</dd>"
        for title, body in METHODS[lang]
    )
    return f'<dl class="pp-methods">{items}</dl>'


# ---------------------------------------------------------------------------------------------
# Where Shandong stands (model.analysis.standing): observed, estimated from observed activity,
# projected


def headline_basis(
    numbers: pd.DataFrame, labels: Mapping[str, str], through: int, lang: str
) -> str:
    """What the headline rests on: which years are estimated from statistics, which projected,
    and for each scenario whether its peak year is estimated or projected (text, not HTML)."""
    t = ui(lang)
    parts = [t["basis"].format(y0=2020, through=through, next=through + 1)]
    for row in numbers.to_dict("records"):
        key = "basis_peak_estimated" if row["peak_year"] <= through else "basis_peak_projected"
        parts.append(t[key].format(label=labels[row["scenario"]], year=int(row["peak_year"])))
    return "".join(parts) if lang == "zh" else " ".join(parts)


def standing_inputs_table(inputs: pd.DataFrame, lang: str) -> pd.DataFrame:
    """model.analysis.standing.latest_inputs labelled for the briefing."""
    t = ui(lang)
    kinds = {k: t[f"kind_{k}"] for k in ("quoted", "derived", "assumption")}
    return pd.DataFrame(
        {
            t["indicator"]: inputs["name_zh" if lang == "zh" else "name_en"],
            t["latest_year"]: inputs["year"].astype(int).astype(str),
            t["value"]: [f"{v:,.4g}" if abs(v) < 10 else f"{v:,.1f}" for v in inputs["value"]],
            t["unit"]: inputs["unit"],
            t["kind"]: inputs["kind"].map(kinds),
        }
    )


def standing_emissions_table(estimated: pd.DataFrame, lang: str) -> pd.DataFrame:
    """model.analysis.standing.estimated_emissions as year x scope, 'value (p5-p95)'."""
    t = ui(lang)

    def cell(row: Mapping[str, Any]) -> str:
        if np.isnan(row["p5"]):
            return _num(row["value"])
        return (
            f"{_num(row['value'])}（{_num(row['p5'])}—{_num(row['p95'])}）"
            if lang == "zh"
            else (f"{_num(row['value'])} ({_num(row['p5'])}-{_num(row['p95'])})")
        )

    out = {t["year"]: sorted({str(y) for y in estimated["year"]})}
    for scope in SCOPES:
        rows = estimated[estimated["scope"] == scope].sort_values("year")
        out[t[scope]] = [cell(r) for r in rows.to_dict("records")]
    return pd.DataFrame(out)


def standing_paragraphs(
    estimated: pd.DataFrame,
    highest: tuple[int, float],
    highest_all: tuple[int, float],
    targets: pd.DataFrame,
    through: int,
    scope: str,
    lang: str,
) -> list[str]:
    """The highest year so far and the 2025 targets as far as the observed years decide them."""
    t = ui(lang)
    year, value = highest
    row = estimated[(estimated["scope"] == scope) & (estimated["year"] == year)].iloc[0]
    first = t["highest"].format(
        y0=int(estimated["year"].min()),
        through=through,
        scope=t[scope],
        year=year,
        value=_num(value),
        low=_num(row["p5"]) if not np.isnan(row["p5"]) else "—",
        high=_num(row["p95"]) if not np.isnan(row["p95"]) else "—",
        year_all=highest_all[0],
        value_all=_num(highest_all[1]),
    )
    by = targets.set_index("target")

    def need(name: str) -> str:
        x = float(by.loc[name, "still_needed"])
        return t["done_already"] if x >= 0 else _pct(abs(x), 1, sign=False)

    second = t["targets_so_far"].format(
        through=int(by["through"].max()),
        next=int(by["through"].max()) + 1,
        ei=_change_words(float(by.loc["energy_intensity_2025", "change_so_far"]), lang),
        ei_need=need("energy_intensity_2025"),
        co2=_change_words(float(by.loc["co2_intensity_2025", "change_so_far"]), lang),
        co2_need=need("co2_intensity_2025"),
        scope=t[scope],
    )
    return [first, second]


def hindcast_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """model.analysis.hindcast.Hindcast.summary labelled for the briefing."""
    t = ui(lang)
    return pd.DataFrame(
        {
            t["series"]: summary["name_zh" if lang == "zh" else "name_en"],
            t["years"]: summary["years"],
            t["hindcast_mape"]: summary["hindcast_mape_pct"].round(1),
            t["hindcast_bias"]: summary["hindcast_bias_pct"].round(1),
            t["hindcast_last"]: summary["hindcast_last_pct"].round(1),
            t["nowcast_mape"]: summary["nowcast_mape_pct"].round(1),
        }
    )


# ---------------------------------------------------------------------------------------------
# Costs and the carbon market (model.analysis.costs, model.engine.costs)

COST_DRAWS = 64  # Monte Carlo draws of the cost attribution (every coalition is run per draw)
COST_YEARS = (2030, 2035)  # years of the MAC curves
INVEST_YEARS = (2026, 2030)  # the investment period the briefing reports


def _span(lo: float, hi: float, lang: str, digits: int = 1) -> str:
    """' (lo to hi)' / '（lo—hi）', empty when the range is unknown."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    a, b = _num(lo, digits), _num(hi, digits)
    return f"（{a}—{b}）" if lang == "zh" else f" ({a} to {b})"


def cost_intro(discount_rate: float, draws: int, lang: str) -> str:
    """How the costs are counted (text, not HTML)."""
    return ui(lang)["cost_intro"].format(discount=f"{discount_rate:.0%}", draws=draws)


def investment_table(
    invest: Mapping[str, Mapping[str, float]], labels: Mapping[str, str], lang: str
) -> pd.DataFrame:
    """One row per scenario: its investment over the period, the baseline's and the extra,
    with the Monte Carlo range (model.analysis.costs.investment_between)."""
    t = ui(lang)
    rows = []
    for name, inv in invest.items():
        rows.append(
            {
                t["scenario"]: labels.get(name, name),
                t["invest_scenario"]: _num(inv["scenario"])
                + _span(inv.get("scenario_p05", np.nan), inv.get("scenario_p95", np.nan), lang),
                t["invest_baseline"]: _num(inv["reference"]),
                t["invest_extra"]: _num(inv["incremental"])
                + _span(
                    inv.get("incremental_p05", np.nan), inv.get("incremental_p95", np.nan), lang
                ),
            }
        )
    return pd.DataFrame(rows)


def family_cost_table(families: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Abatement, annual cost, cost per tonne (range) and lost value added per tonne of each
    lever family that differs, and their total (model.analysis.costs.family_table rows)."""
    from model.report.charts import FAMILY_SHORT

    t = ui(lang)
    rows = []
    for r in families.to_dict("records"):
        total = r["family"] == "total"
        if not total and abs(r["abatement"]) < 1e-9 and abs(r["cost"]) < 1e-9:
            continue
        per_t = t["not_abated"]
        if np.isfinite(r["cost_per_t"]):
            per_t = _num(r["cost_per_t"], 0) + _span(
                r.get("cost_per_t_p05", np.nan), r.get("cost_per_t_p95", np.nan), lang, 0
            )
        lost = ""
        if r["lost_value_added"] > 0.05 and r["abatement"] > 0:
            lost = _num(r["lost_value_added"] / r["abatement"] * 1000, 0)
        rows.append(
            {
                t["lever_family"]: t["total_row"]
                if total
                else FAMILY_SHORT[lang].get(r["family"], r["family"]),
                t["abatement"]: _num(r["abatement"]),
                t["cost_bn"]: _num(r["cost"]),
                t["cost_per_t"]: per_t,
                t["lost_va_per_t"]: lost,
            }
        )
    return pd.DataFrame(rows)


def exposure_numbers(results: Results, year: int) -> pd.DataFrame:
    """The covered sectors' carbon-market lines in `year` (central, p5, p95 of the draws)."""
    col = int(np.flatnonzero(results.years == year)[0])
    rows = []
    covered = set(covered_sectors(results))
    for sector, name in sector_labels("iamc").items():
        if name not in covered:
            continue
        row: dict[str, Any] = {"scenario": results.scenario, "sector": sector, "year": year}
        for item, variable in (
            ("covered", f"Carbon Market|Covered Emissions|{name}"),
            ("free", f"Carbon Market|Free Allocation|{name}"),
            ("compliance", f"Cost|Carbon Market|{name}|Compliance"),
            ("surplus", f"Revenue|Carbon Market|{name}"),
        ):
            values = results.get(variable)[:, col]
            row[item] = float(values[0])
            draws = values[1:]
            row[f"{item}_p05"], row[f"{item}_p95"] = (
                np.percentile(draws, [5, 95]).tolist() if draws.size else (np.nan, np.nan)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def exposure_table(numbers: pd.DataFrame, labels: Mapping[str, str], lang: str) -> pd.DataFrame:
    """:func:`exposure_numbers` of several scenarios labelled for the briefing."""
    t = ui(lang)
    sectors = sector_labels(lang)
    rows = []
    for r in numbers.to_dict("records"):
        rows.append(
            {
                t["scenario"]: labels.get(r["scenario"], r["scenario"]),
                t["sector"]: sectors[r["sector"]],
                t["covered"]: _num(r["covered"]),
                t["free"]: _num(r["free"]),
                t["compliance"]: _num(r["compliance"], 2)
                + _span(r["compliance_p05"], r["compliance_p95"], lang, 2),
                t["surplus"]: _num(r["surplus"], 2),
            }
        )
    return pd.DataFrame(rows)


def exposure_caption(results: Results, year: int, lang: str) -> str:
    """The exposure table's caption with the year's allowance price and its range."""
    price = results.series("Price|Carbon|National ETS")
    draws = results.draws("Price|Carbon|National ETS")[:, int(year - results.years[0])]
    low, high = np.percentile(draws, [5, 95]) if draws.size else (np.nan, np.nan)
    return ui(lang)["exposure_caption"].format(
        year=year, price=_num(price.loc[year], 0), price_low=_num(low, 0), price_high=_num(high, 0)
    )


def pass_through_note(scenario: Any, lang: str) -> str:
    """Purchased electricity and the power sector; how the benchmarks work (text)."""
    return ui(lang)["pass_through"].format(
        start=int(scenario.value("ets.benchmark_start_year", 2030)),
        ref=scenario.observed_through,
        tight=_pct(scenario.value("ets.benchmark_tightening", 2030), 1, sign=False),
    )


def cost_summary(
    label: str, invest: Mapping[str, float], families: pd.DataFrame, year: int, lang: str
) -> str:
    """One paragraph: the investment the scenario needs and what its measures cost per tonne."""
    t = ui(lang)
    total = families.set_index("family").loc["total"]
    return t["cost_summary"].format(
        label=label,
        y0=int(invest["first"]),
        y1=int(invest["last"]),
        inv=_num(invest["scenario"]),
        extra=_num(invest["incremental"]),
        low=_num(invest.get("incremental_p05", np.nan)),
        high=_num(invest.get("incremental_p95", np.nan)),
        year=year,
        abated=_num(total["abatement"]),
        cost=_num(total["cost"]),
        per_t=_num(total["cost_per_t"], 0),
        lost=_num(total["lost_value_added"]),
    )


# The rows of the cost-sources table: every technology's capex, the prices, CO2 transport and
# storage, and the assumptions without a capex (materials).
SOURCE_PARAMETERS = ("capex", "variable_opex")
COST_KINDS = {
    "zh": {"quoted": "引用", "derived": "推算", "assumption": "假设"},
    "en": {"quoted": "quoted", "derived": "derived", "assumption": "assumption"},
}


def cost_sources_table(costs: Any, lang: str) -> pd.DataFrame:
    """Cost and price data with their sources for the methods appendix (model units)."""
    from model.inputs.costs import TECHNOLOGY_LABELS

    t = ui(lang)
    kinds = COST_KINDS[lang]
    table = costs.table
    keep = (table["technology"] == "price") | table["parameter"].isin(SOURCE_PARAMETERS)
    rows = []
    for r in table[keep].to_dict("records"):
        label = TECHNOLOGY_LABELS.get(r["technology"], {}).get(lang, r["technology"])
        span = (
            ""
            if r["model_low"] == r["model_high"]
            else f"{r['model_low']:,.4g}–{r['model_high']:,.4g}"
        )
        rows.append(
            {
                t["technology"]: label,
                t["cost_parameter"]: r["parameter"],
                t["model_value"]: f"{r['model_value']:,.4g} {r['model_unit']}",
                t["cost_range"]: span,
                t["kind"]: kinds.get(r["kind"], r["kind"]),
                t["source"]: r["source"],
            }
        )
    return pd.DataFrame(rows)
