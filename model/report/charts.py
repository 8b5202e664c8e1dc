"""Charts of peakpath results, as functions that return a matplotlib Figure.

Rules every chart follows, so they read the same in notebooks and in the briefing:

* no style is set here: notebooks call :func:`model.report.style.set_style` once (theme + CJK font);
* units on every value axis, and the emission scope in the title ("direct + indirect" /
  "直接+间接"), because a direct-only curve hides the CO2 electrification moves to power;
* a sector has the same colour in every chart (:data:`model.report.style.SECTOR_COLOURS`), a
  scenario too (:func:`model.report.style.scenario_colour`); all palettes are colour-blind
  safe (Okabe-Ito, Tol);
* labels in Chinese or English through ``lang``;
* figures are built with ``Figure`` + the Agg canvas, never pyplot, so nothing leaks between
  charts (pyplot keeps every figure alive) and tests can run in parallel threads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from model.analysis.peaks import SCOPES, peak, scope_variable
from model.analysis.standing import observed_through
from model.engine.results import Results
from model.inputs.data import BASE_YEAR
from model.report.style import SECTOR_COLOURS, SECTOR_ORDER, scenario_colour, sector_labels

LANGS = ("zh", "en")
ESTIMATED_COLOUR = "#DCE6F2"  # years estimated from observed activity (model.analysis.standing)
TARGET_YEAR = 2030  # the Work Plan's peak year
FIRST_YEAR, LAST_YEAR = 2010, 2060

# All chart text in one place so both languages stay complete.
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "year": "年份",
        "mt_co2": "二氧化碳排放（百万吨/年）",
        "mt_co2_change": "排放变化（百万吨二氧化碳/年）",
        "mt_co2_reduction": "相对基准减排（百万吨二氧化碳/年）",
        "mtce": "终端能源消费（百万吨标准煤/年）",
        "mt": "产量（百万吨/年）",
        "va": "工业增加值（十亿元，2020年价）",
        "probability": "概率（%）",
        "peak_year": "达峰年份",
        "history": "历史（CEADs清单）",
        "estimated": "统计估算",
        "projection": "预测",
        "observed": "历史值（CEADs）",
        "proposal": "趋势外推（中位）",
        "band": "{p:.0%}预测区间",
        "scenario": "情景：{name}",
        "trends_title": "统计趋势外推与情景路径对比：{what}",
        "hindcast_title": (
            "回测：若不使用{y0}年以后的统计数据，模型预测与实际统计值的对比（{scenario}）"
        ),
        "hindcast_observed": "统计值（含测量区间）",
        "hindcast_line": "回测（自2020年预测）",
        "hindcast_band": "回测90%区间",
        "nowcast_line": "现值估算（使用统计数据）",
        "combustion_co2": "燃烧排放",
        "fossil_energy": "化石能源终端消费",
        "combustion_co2_unit": "百万吨CO2/年",
        "fossil_energy_unit": "百万吨标准煤/年",
        "stirpat_title": "STIRPAT 拟合：工业直接CO2（R²={r2:.3f}，最大VIF={vif:.0f}）",
        "ols": "OLS 拟合",
        "ridge": "岭回归拟合",
        "base_year": "基准年2020",
        "target": "2030年达峰目标",
        "peak": "峰值",
        "central": "中心情景",
        "median": "中位数",
        "band_outer": "5%–95% 区间",
        "band_inner": "25%–75% 区间",
        "direct": "直接排放",
        "direct_plus_indirect": "直接+间接排放",
        "by_sector": "山东省工业二氧化碳排放（分行业，{scope}）：{scenario}",
        "by_sector_all": "山东省工业二氧化碳排放（分行业，{scope}）：各情景",
        "compare": "山东省工业二氧化碳排放：情景对比（{scope}）",
        "wedges": "各类措施相对基准情景的减排量（{scope}）：{scenario}",
        "wedges_year": "{year}年",
        "baseline_bar": "基准情景",
        "scenario_bar": "本情景",
        "fan": "工业二氧化碳排放的不确定性（{scope}）：{scenario}",
        "fan_draws": "蒙特卡洛 {n} 次抽样",
        "peak_hist": "达峰年份概率分布（{scope}）：{scenario}",
        "p_by": "2030年前（含）达峰概率：{p}",
        "activity": "{sector}：活动水平（{scenario}）",
        "value_added": "行业增加值",
        "production": "产品产量（按工艺路线）",
        "energy": "{sector}：分品种终端能源消费（{scenario}）",
        "emissions_type": "{sector}：分类型二氧化碳排放（{scenario}）",
        "net": "合计（直接+间接）",
        "tornado": "敏感性：{output}（{scenario}）",
        "low_bound": "参数取低值",
        "high_bound": "参数取高值",
        "lmdi": "排放变化的LMDI分解（直接排放）：{scenario}，{y0}–{y1}",
        "lmdi_start": "{year}年",
        "lmdi_end": "{year}年",
        "no_data": "无数据",
        "other_family": "其他参数差异",
        "mac": "边际减排成本曲线：{scenario}（相对基准情景，{scope}）",
        "mac_year": "{year}年",
        "mac_x": "减排量（百万吨二氧化碳/年，按成本由低到高累计）",
        "mac_y": "减排成本（元/吨二氧化碳，2020年价）",
        "mac_price": "全国碳市场配额价格（虚线，当年）",
        "mac_price_value": "{price:.0f} 元/吨",
        "mac_range": "5%–95% 区间（蒙特卡洛）",
        "mac_clipped": "超出坐标范围",
        "mac_lost_va": "未含增加值损失，另列",
    },
    "en": {
        "year": "Year",
        "mt_co2": "CO2 emissions (Mt CO2/yr)",
        "mt_co2_change": "Change in emissions (Mt CO2/yr)",
        "mt_co2_reduction": "Reduction vs baseline (Mt CO2/yr)",
        "mtce": "Final energy (Mtce/yr)",
        "mt": "Output (Mt/yr)",
        "va": "Value added (bn CNY, 2020 prices)",
        "probability": "Probability (%)",
        "peak_year": "Peak year",
        "history": "History (CEADs)",
        "estimated": "Estimated\nfrom statistics",
        "projection": "Projection",
        "observed": "Observed (CEADs)",
        "proposal": "Trend proposal (median)",
        "band": "{p:.0%} prediction interval",
        "scenario": "Scenario: {name}",
        "trends_title": "Statistical trend proposals vs scenario paths: {what}",
        "hindcast_title": (
            "Hindcast: the model projected from {y0} without the later statistics, against "
            "them ({scenario})"
        ),
        "hindcast_observed": "Observed (measurement range)",
        "hindcast_line": "Hindcast (projected from 2020)",
        "hindcast_band": "Hindcast 90% range",
        "nowcast_line": "Nowcast (with the statistics)",
        "combustion_co2": "combustion CO2",
        "fossil_energy": "fossil final energy",
        "combustion_co2_unit": "Mt CO2/yr",
        "fossil_energy_unit": "Mtce/yr",
        "stirpat_title": "STIRPAT fit: direct industrial CO2 (R² = {r2:.3f}, max VIF = {vif:.0f})",
        "ols": "OLS fit",
        "ridge": "Ridge fit",
        "base_year": "Base year 2020",
        "target": "Peak target 2030",
        "peak": "Peak",
        "central": "Central case",
        "median": "Median",
        "band_outer": "5-95% range",
        "band_inner": "25-75% range",
        "direct": "direct",
        "direct_plus_indirect": "direct + indirect",
        "by_sector": "Shandong industrial CO2 by sector ({scope}): {scenario}",
        "by_sector_all": "Shandong industrial CO2 by sector ({scope}), per scenario",
        "compare": "Shandong industrial CO2: scenarios compared ({scope})",
        "wedges": "Reductions by lever vs baseline ({scope}): {scenario}",
        "wedges_year": "{year}",
        "baseline_bar": "Baseline",
        "scenario_bar": "Scenario",
        "fan": "Uncertainty of industrial CO2 ({scope}): {scenario}",
        "fan_draws": "Monte Carlo, {n} draws",
        "peak_hist": "Peak-year probability ({scope}): {scenario}",
        "p_by": "P(peak by 2030) = {p}",
        "activity": "{sector}: activity ({scenario})",
        "value_added": "Value added",
        "production": "Output by route",
        "energy": "{sector}: final energy by carrier ({scenario})",
        "emissions_type": "{sector}: CO2 by type ({scenario})",
        "net": "Total (direct + indirect)",
        "tornado": "Sensitivity: {output} ({scenario})",
        "low_bound": "parameter at low bound",
        "high_bound": "parameter at high bound",
        "lmdi": "LMDI decomposition of the change (direct CO2): {scenario}, {y0}-{y1}",
        "lmdi_start": "{year}",
        "lmdi_end": "{year}",
        "no_data": "no data",
        "other_family": "Other differing parameters",
        "mac": "Marginal abatement cost curve: {scenario} vs baseline ({scope})",
        "mac_year": "{year}",
        "mac_x": "Abatement (Mt CO2/yr, cumulated from the cheapest)",
        "mac_y": "Cost of abatement (CNY2020 per t CO2)",
        "mac_price": "National ETS allowance price (dashed, that year)",
        "mac_price_value": "{price:.0f} CNY/t",
        "mac_range": "5-95% range (Monte Carlo)",
        "mac_clipped": "beyond the axis",
        "mac_lost_va": "lost value added not included, shown apart",
    },
}

CARRIERS: tuple[str, ...] = ("Coal", "Coke", "Oil", "Gas", "Electricity", "Heat", "Hydrogen")
CARRIER_LABELS = {
    "zh": {
        "Coal": "煤炭",
        "Coke": "焦炭",
        "Oil": "油品",
        "Gas": "天然气",
        "Electricity": "电力",
        "Heat": "热力",
        "Hydrogen": "氢",
    },
    "en": {c: c for c in CARRIERS},
}
# Fossil carriers dark/warm, clean carriers blue/green (Okabe-Ito + Tol, colour-blind safe).
CARRIER_COLOURS = {
    "Coal": "#3B3B3B",
    "Coke": "#8C6D46",
    "Oil": "#CC6677",
    "Gas": "#E69F00",
    "Electricity": "#0072B2",
    "Heat": "#D55E00",
    "Hydrogen": "#009E73",
}

EMISSION_TYPES = ("Combustion", "Process", "Captured", "Indirect")
EMISSION_TYPE_LABELS = {
    "zh": {
        "Combustion": "燃料燃烧",
        "Process": "工业过程与原料",
        "Captured": "碳捕集（负值）",
        "Indirect": "间接（外购电力、热力）",
    },
    "en": {
        "Combustion": "Combustion",
        "Process": "Process and feedstock",
        "Captured": "Captured (negative)",
        "Indirect": "Indirect (purchased power, heat)",
    },
}
EMISSION_TYPE_COLOURS = {
    "Combustion": "#4D4D4D",
    "Process": "#E69F00",
    "Captured": "#009E73",
    "Indirect": "#56B4E9",
}

# Lever families (model.inputs.schema.LEVER_FAMILIES), fixed colours (Tol muted + grey).
FAMILY_COLOURS = {
    "capacity_control": "#332288",
    "efficiency": "#88CCEE",
    "fuel_switch": "#DDCC77",
    "electrification": "#44AA99",
    "hydrogen": "#117733",
    "ccus": "#999933",
    "materials": "#CC6677",
    "grid": "#882255",
    "interaction": "#BBBBBB",
}

# Short lever-family names for chart axes (the schema's names are full sentences).
FAMILY_SHORT = {
    "zh": {
        "capacity_control": "产能控制",
        "efficiency": "节能提效",
        "fuel_switch": "燃料与原料替代",
        "electrification": "电气化",
        "hydrogen": "氢能",
        "ccus": "碳捕集",
        "materials": "低碳原料与再生",
        "grid": "清洁电力",
        "other": "其他参数",
    },
    "en": {
        "capacity_control": "Capacity control",
        "efficiency": "Efficiency",
        "fuel_switch": "Fuel switch",
        "electrification": "Electrification",
        "hydrogen": "Hydrogen",
        "ccus": "CCUS",
        "materials": "Materials, recycling",
        "grid": "Clean power",
        "other": "Other parameters",
    },
}

# Products shown per sector: (IAMC product, zh, en, stacked route?). Stacked routes add up to
# the sector's main product; the others are drawn as lines.
SECTOR_PRODUCTS: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    "steel": (
        ("Crude Steel|BF-BOF", "粗钢：高炉-转炉", "Crude steel: BF-BOF", True),
        ("Crude Steel|Scrap-EAF", "粗钢：废钢电炉", "Crude steel: scrap EAF", True),
        ("Crude Steel|H2-DRI-EAF", "粗钢：氢基直接还原-电炉", "Crude steel: H2-DRI-EAF", True),
    ),
    "nonferrous": (
        ("Primary Aluminium", "原铝（电解铝）", "Primary aluminium", True),
        ("Recycled Aluminium", "再生铝", "Recycled aluminium", True),
        ("Copper|Primary", "原生铜", "Primary copper", False),
        ("Copper|Recycled", "再生铜", "Recycled copper", False),
    ),
    "building_materials": (
        ("Cement", "水泥", "Cement", False),
        ("Clinker", "熟料", "Clinker", False),
        ("Flat Glass", "平板玻璃", "Flat glass", False),
    ),
    "chemicals": (
        ("Crude Oil Throughput", "原油加工量", "Crude oil throughput", False),
        ("Coke", "焦炭", "Coke", False),
        ("Caustic Soda", "烧碱", "Caustic soda", False),
        ("Methanol", "甲醇", "Methanol", False),
        ("Ethylene", "乙烯", "Ethylene", False),
        ("Ammonia", "合成氨", "Ammonia", False),
    ),
}
# Colours for product lines (Tol bright), fixed by position within the sector.
_PRODUCT_COLOURS = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377")


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def text(lang: str) -> dict[str, str]:
    """Chart strings for `lang`; raises ValueError for anything but zh/en."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return TEXT[lang]


def scope_label(scope: str, lang: str = "zh") -> str:
    """'direct + indirect' / '直接+间接排放' for a scope id of model.analysis.peaks.SCOPES."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}, got {scope!r}")
    return text(lang)[scope]


def scenario_label(results: Results, lang: str = "zh") -> str:
    """The scenario's display label from its YAML (falls back to its name)."""
    return str(results.meta.get("label", {}).get(lang) or results.scenario)


def new_figure(width: float = 9.0, height: float = 5.0, ncols: int = 1) -> tuple[Figure, list]:
    """A Figure with an Agg canvas and `ncols` axes side by side (no pyplot state)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def to_png(fig: Figure, dpi: int = 150) -> bytes:
    """PNG bytes of a figure (white background).

    The figures use constrained layout, which already keeps every label inside the figure, so
    the figure box is saved as is (``bbox_inches="tight"`` would only trim a few pixels of
    margin, at the price of a second layout pass). An Agg figure is drawn once and its pixels
    encoded as RGB: on the white background every pixel is opaque, so the alpha channel of
    ``savefig`` adds a quarter to the data to compress and nothing to the image. Together
    about a quarter of the time of every chart, the largest cost in the notebooks.
    The pixels are those of ``savefig(dpi=dpi, facecolor="white")``.
    """
    if not isinstance(fig.canvas, FigureCanvasAgg):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
        return buf.getvalue()
    from PIL import Image  # matplotlib's own PNG writer; imported by matplotlib already

    # Spines on the axes' edges cannot widen a margin (the labels lie beyond them), but
    # measuring one for the layout updates its axis' ticks again: 3-8% of a chart's drawing.
    for ax in fig.axes:
        for spine in ax.spines.values():
            if spine.get_position() == ("outward", 0.0):
                spine.set_in_layout(False)
    old_dpi, old_face = fig.dpi, fig.get_facecolor()
    try:
        fig.set_dpi(dpi)
        fig.set_facecolor("white")
        fig.canvas.draw()
        rgba = fig.canvas.buffer_rgba()
        height, width = np.asarray(rgba).shape[:2]
        image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        # zlib level 3 (PIL's default is 6): as small as savefig's RGBA files, ~15% faster.
        image.convert("RGB").save(buf, format="png", compress_level=3)
    finally:
        fig.set_dpi(old_dpi)
        fig.set_facecolor(old_face)
    return buf.getvalue()


def show(fig: Figure, width: int = 900, dpi: int = 150) -> Any:
    """An IPython Image of the figure for notebooks (works without pyplot or %matplotlib)."""
    from IPython.display import Image

    return Image(data=to_png(fig, dpi), format="png", width=width)


def _iamc_sector(sector: str) -> str:
    """Sector id (steel) -> IAMC name (Steel), via the English labels of sectors.csv."""
    if sector not in SECTOR_ORDER:
        raise ValueError(f"sector must be one of {SECTOR_ORDER}, got {sector!r}")
    return SECTOR_IAMC[sector]


# IAMC sector names, read from sectors.csv (the one place they are declared).
SECTOR_IAMC = sector_labels("iamc")


def _window(results: Results, start: int, end: int) -> np.ndarray:
    return (results.years >= start) & (results.years <= end)


def _mark_history(
    ax: Axes, lang: str, start: int = FIRST_YEAR, through: int | Results | None = None
) -> None:
    """Mark the three periods of a result (model.analysis.standing): the inventory years (CEADs,
    shaded grey), the years estimated from observed activity (base year to the nowcast year,
    shaded blue, hatched) and the projection."""
    t = text(lang)
    if isinstance(through, Results):
        through = observed_through(through)
    through = BASE_YEAR if through is None else int(through)
    grey = "#5F6B7A"
    if start < BASE_YEAR:
        ax.axvspan(start, BASE_YEAR, color="#E8EBEF", alpha=0.7, zorder=0, lw=0)
        ax.text(
            BASE_YEAR - 0.4,
            0.98,
            t["history"],
            transform=ax.get_xaxis_transform(),
            va="top",
            ha="right",
            fontsize=9,
            color=grey,
        )
    if through > BASE_YEAR:
        ax.axvspan(
            BASE_YEAR,
            through,
            facecolor=ESTIMATED_COLOUR,
            alpha=0.55,
            zorder=0,
            lw=0,
            hatch="///",
            edgecolor="#B8C7D9",
        )
        ax.text(
            (BASE_YEAR + through) / 2,
            0.98,
            t["estimated"],
            transform=ax.get_xaxis_transform(),
            va="top",
            ha="center",
            fontsize=8,
            color=grey,
        )
    ax.axvline(through, color=grey, lw=1.0, ls="--", zorder=1)
    ax.text(
        through + 0.4,
        0.98 if through == BASE_YEAR else 0.9,
        t["projection"],
        transform=ax.get_xaxis_transform(),
        va="top",
        ha="left",
        fontsize=9,
        color=grey,
    )


def _first_year_with_data(results: Results, variables: Sequence[str], keep: np.ndarray) -> int:
    """First year (within `keep`) in which any of `variables` has a value."""
    arr = np.vstack([results.get(v)[0, keep] for v in variables])
    has = ~np.isnan(arr).all(axis=0)
    return int(results.years[keep][np.argmax(has)]) if has.any() else BASE_YEAR


def _mark_target(ax: Axes, lang: str) -> None:
    ax.axvline(TARGET_YEAR, color="#B3261E", lw=1.4, ls=":", zorder=2, label=text(lang)["target"])


def _finish_time_axis(ax: Axes, lang: str, start: int, end: int) -> None:
    ax.set_xlim(start, end)
    ax.set_xlabel(text(lang)["year"])
    ax.margins(x=0)


# --------------------------------------------------------------------------------------------
# Industry charts
# --------------------------------------------------------------------------------------------


def _sector_stack(
    ax: Axes, results: Results, scope: str, lang: str, start: int, end: int, total_lw: float
) -> np.ndarray:
    """Sectors stacked (fixed colours and order) with the total as a black line; the total."""
    labels = sector_labels(lang)
    keep = _window(results, start, end)
    years = results.years[keep]
    stack = np.vstack(
        [results.get(scope_variable(scope, SECTOR_IAMC[s]))[0, keep] for s in SECTOR_ORDER]
    )
    ax.stackplot(
        years,
        np.nan_to_num(stack),
        labels=[labels[s] for s in SECTOR_ORDER],
        colors=[SECTOR_COLOURS[s] for s in SECTOR_ORDER],
        alpha=0.92,
        lw=0.3,
        edgecolor="white",
    )
    total = results.get(scope_variable(scope))[0, keep]
    ax.plot(years, total, color="black", lw=total_lw)
    return total


def emissions_by_sector(
    results: Results,
    scope: str = "direct_plus_indirect",
    lang: str = "zh",
    start: int = FIRST_YEAR,
    end: int = LAST_YEAR,
) -> Figure:
    """Stacked area of industrial CO2 by sector (Mt CO2/yr), history shaded, base year marked."""
    t = text(lang)
    fig, (ax,) = new_figure(9.5, 5.2)
    total = _sector_stack(ax, results, scope, lang, start, end, total_lw=1.2)
    _mark_history(ax, lang, start, results)
    _mark_target(ax, lang)
    year, value = peak(results.get(scope_variable(scope))[:1], results.years)
    ax.plot(year, value, marker="v", color="black", ms=8, ls="none", label=t["peak"])
    _finish_time_axis(ax, lang, start, end)
    ax.set_ylabel(t["mt_co2"])
    ax.set_ylim(0, float(np.nanmax(total)) * 1.12)
    ax.set_title(
        t["by_sector"].format(
            scope=scope_label(scope, lang), scenario=scenario_label(results, lang)
        )
    )
    handles, names = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        names[::-1],
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        frameon=False,
        fontsize=9,
    )
    return fig


def emissions_by_sector_grid(
    results_list: Sequence[Results],
    scope: str = "direct_plus_indirect",
    lang: str = "zh",
    start: int = FIRST_YEAR,
    end: int = LAST_YEAR,
    ncols: int = 3,
) -> Figure:
    """`emissions_by_sector` for several scenarios as small multiples on one shared scale.

    One panel per scenario (stacked sectors, total line, peak marker, history shaded, the 2030
    target marked) and one legend. The same y axis everywhere makes the scenarios comparable
    at a glance, and one figure draws far faster than one per scenario.
    """
    if not results_list:
        raise ValueError("emissions_by_sector_grid: give at least one Results")
    t = text(lang)
    ncols = max(1, min(ncols, len(results_list)))
    nrows = -(-len(results_list) // ncols)
    fig = Figure(figsize=(3.3 * ncols + 2.3, 2.45 * nrows + 0.8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    # Limits first: with them fixed, adding each layer does not autoscale all nine shared
    # axes again (that cascade made building the figure cost as much as drawing it).
    top = max(
        float(np.nanmax(r.get(scope_variable(scope))[0, _window(r, start, end)]))
        for r in results_list
    )
    axes[0].set_xlim(start, end)
    axes[0].set_ylim(0, top * 1.12)
    for i, (ax, results) in enumerate(zip(axes, results_list, strict=False)):
        _sector_stack(ax, results, scope, lang, start, end, total_lw=1.1)
        if i == 0:
            _mark_history(ax, lang, start, results)
        else:  # the words once; the shading and the nowcast-year line in every panel
            through = observed_through(results)
            ax.axvspan(start, BASE_YEAR, color="#E8EBEF", alpha=0.7, zorder=0, lw=0)
            if through > BASE_YEAR:
                ax.axvspan(
                    BASE_YEAR,
                    through,
                    facecolor=ESTIMATED_COLOUR,
                    alpha=0.55,
                    zorder=0,
                    lw=0,
                    hatch="///",
                    edgecolor="#B8C7D9",
                )
            ax.axvline(through, color="#5F6B7A", lw=1.0, ls="--", zorder=1)
        _mark_target(ax, lang)
        year, value = peak(results.get(scope_variable(scope))[:1], results.years)
        ax.plot(year, value, marker="v", color="black", ms=7, ls="none", label=t["peak"])
        ax.set_title(scenario_label(results, lang), fontsize=10)
    n = len(results_list)
    for ax in axes[n:]:
        ax.set_visible(False)
    for i, ax in enumerate(axes[:n]):
        # Every panel carries its axis labels; as with the shared tick labels, only the outer
        # ones are shown (the bottom panel of each column, the first of each row).
        ax.set_ylabel(t["mt_co2"])
        ax.set_xlabel(t["year"])
        ax.yaxis.label.set_visible(i % ncols == 0)
        bottom = i + ncols >= n
        ax.xaxis.label.set_visible(bottom)
        ax.xaxis.set_tick_params(labelbottom=bottom)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], names[::-1], loc="outside right center", frameon=False, fontsize=9)
    fig.suptitle(t["by_sector_all"].format(scope=scope_label(scope, lang)))
    return fig


def scenario_comparison(
    results_list: Sequence[Results],
    scope: str = "direct_plus_indirect",
    lang: str = "zh",
    start: int = FIRST_YEAR,
    end: int = LAST_YEAR,
) -> Figure:
    """Industrial CO2 of several scenarios: lines, peak markers, the 2030 target marker."""
    if not results_list:
        raise ValueError("scenario_comparison: give at least one Results")
    t = text(lang)
    variable = scope_variable(scope)
    fig, (ax,) = new_figure(9.5, 5.2)
    top = 0.0
    for res in results_list:
        keep = _window(res, start, end)
        y = res.get(variable)[0, keep]
        colour = scenario_colour(res.scenario)
        width = 2.6 if res.scenario in ("baseline", "plan") else 1.7
        ax.plot(res.years[keep], y, color=colour, lw=width, label=scenario_label(res, lang))
        year, value = peak(res.get(variable)[:1], res.years)
        ax.plot(
            year, value, marker="o", ms=7, color=colour, mec="white", mew=1.2, ls="none", zorder=5
        )
        top = max(top, float(np.nanmax(y)))
    _mark_history(ax, lang, start, max(observed_through(r) for r in results_list))
    _mark_target(ax, lang)
    ax.plot([], [], marker="o", color="#5F6B7A", ls="none", label=t["peak"])
    _finish_time_axis(ax, lang, start, end)
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel(t["mt_co2"])
    ax.set_title(t["compare"].format(scope=scope_label(scope, lang)))
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=9)
    return fig


def lever_wedges(
    waterfall: pd.DataFrame,
    family_labels: Mapping[str, str] | None = None,
    lang: str = "zh",
    scope: str = "direct_plus_indirect",
    scenario: str = "",
) -> Figure:
    """Waterfall per year: baseline emissions, the step of each lever family, = the scenario.

    ``waterfall`` is :func:`model.analysis.wedges.wedge_table_for_years` output: per year a
    ``reference`` level, one ``step`` row per lever family (value < 0 = a reduction, Mt
    CO2/yr) and a ``scenario`` level. ``family_labels`` maps family ids to display names
    (default: short names, FAMILY_SHORT).
    """
    t = text(lang)
    family_labels = family_labels or FAMILY_SHORT[lang]
    needed = {"year", "step", "kind", "value", "start", "end"}
    if not needed <= set(waterfall.columns):
        raise ValueError(f"lever_wedges: needs columns {sorted(needed)}")
    years = list(dict.fromkeys(int(y) for y in waterfall["year"]))
    if not years:
        raise ValueError("lever_wedges: no years in the waterfall table")
    fig, axes = new_figure(4.4 * len(years) + 1.0, 5.4, ncols=len(years))
    top = float(waterfall[["start", "end"]].to_numpy().max())
    low = float(waterfall.loc[waterfall["kind"] == "step", ["start", "end"]].to_numpy().min())
    low = min(low, float(waterfall.loc[waterfall["step"] == "scenario", "value"].min()))
    for ax, year in zip(axes, years, strict=True):
        d = waterfall[waterfall["year"] == year].reset_index(drop=True)
        names, colours, bottoms, heights = [], [], [], []
        for i, row in enumerate(d.itertuples(index=False)):
            if row.kind == "level":
                reference = row.step == "reference"
                colours.append("#4D4D4D" if reference else "#CC6677")
                names.append(t["baseline_bar"] if reference else t["scenario_bar"])
                bottoms.append(0.0)
                heights.append(row.value)
                ax.text(i, row.value, f"{row.value:.0f}", ha="center", va="bottom", fontsize=9)
            else:
                colours.append(FAMILY_COLOURS.get(row.step, "#BBBBBB"))
                names.append(family_labels.get(row.step, row.step))
                bottoms.append(row.start)
                heights.append(row.end - row.start)
                label = f"{row.value:+.1f}"
                low_end = min(row.start, row.end)
                ax.text(i, low_end, label, ha="center", va="top", fontsize=8.5)
        # One call for all bars: a call per bar costs a container and an autoscale each.
        ax.bar(np.arange(len(names)), heights, bottom=bottoms, color=colours, width=0.72)
        ax.set_xticks(np.arange(len(names)), names, rotation=45, ha="right", fontsize=9)
        ax.set_title(t["wedges_year"].format(year=year))
        ax.set_ylim(max(0.0, low - 0.12 * (top - low) - 0.02 * top), top * 1.06)
        ax.set_ylabel(t["mt_co2"])
        ax.grid(axis="x", visible=False)
    fig.suptitle(t["wedges"].format(scope=scope_label(scope, lang), scenario=scenario))
    return fig


def mac_curve(
    curves: Mapping[int, pd.DataFrame],
    lang: str = "zh",
    scope: str = "direct_plus_indirect",
    scenario: str = "",
    prices: Mapping[int, float] | None = None,
    limit: float = 3000.0,
) -> Figure:
    """Marginal abatement cost curve per year: one bar per lever family x sector, width =
    abatement, height = cost per tonne, sorted by height (model.analysis.costs.mac_curve).

    The Monte Carlo's 5-95% range of each bar's height is a vertical line at its centre when
    the table has it; heights beyond +-`limit` CNY/t are cut at the axis and their value
    written there; the carbon price of the year (`prices`) is a dashed line. Capacity control
    bars are hatched: their cost leaves out the value added the caps cost (reported apart).
    """
    t = text(lang)
    years = sorted(curves)
    if not years:
        raise ValueError("mac_curve: no years")
    fig, axes = new_figure(5.6 * len(years) + 1.0, 5.6, ncols=len(years))
    seen: dict[str, Any] = {}
    for ax, year in zip(axes, years, strict=True):
        d = curves[year]
        on = d[d["on_curve"]] if "on_curve" in d.columns else d
        if on.empty:
            ax.text(0.5, 0.5, t["no_data"], ha="center", va="center", transform=ax.transAxes)
            continue
        heights = on["cost_per_t"].to_numpy(float)
        shown = np.clip(heights, -limit, limit)
        colours = [FAMILY_COLOURS.get(f, "#BBBBBB") for f in on["family"]]
        bars = ax.bar(
            on["x0"],
            shown,
            width=on["abatement"],
            align="edge",
            color=colours,
            edgecolor="white",
            linewidth=0.6,
        )
        for bar, family in zip(bars, on["family"], strict=True):
            if family == "capacity_control":
                bar.set_hatch("//")
            seen.setdefault(family, bar)
        centre = (on["x0"] + on["x1"]).to_numpy(float) / 2
        if "cost_per_t_p05" in on.columns:
            lo = np.clip(on["cost_per_t_p05"].to_numpy(float), -limit, limit)
            hi = np.clip(on["cost_per_t_p95"].to_numpy(float), -limit, limit)
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ranges = ax.vlines(centre[ok], lo[ok], hi[ok], color="#333333", linewidth=0.9)
                seen.setdefault("_range", ranges)
        widths = on["abatement"].to_numpy(float)
        for x, h, v, w in zip(centre, shown, heights, widths, strict=True):
            if abs(v) > limit and w >= 0.02 * float(on["x1"].max()):
                ax.text(x, h, f"{v:,.0f}", ha="center", va="bottom" if v > 0 else "top", fontsize=7)
        price = (prices or {}).get(year)
        if price is not None:
            line = ax.axhline(price, color="#CC3311", linestyle="--", linewidth=1.1)
            ax.text(
                0.01,
                price,
                t["mac_price_value"].format(price=price),
                transform=ax.get_yaxis_transform(),
                color="#CC3311",
                fontsize=8,
                va="bottom",
            )
            seen.setdefault("_price", line)
        ax.axhline(0, color="#666666", linewidth=0.8)
        ax.set_xlim(0, float(on["x1"].max()) * 1.02)
        ax.set_ylim(
            min(-100.0, float(np.nanmin(shown)) * 1.12), max(200.0, float(np.nanmax(shown)) * 1.12)
        )
        ax.set_title(t["mac_year"].format(year=year))
        ax.set_xlabel(t["mac_x"])
        ax.set_ylabel(t["mac_y"])
    handles, names = [], []
    for key, handle in seen.items():
        if key == "_range":
            handles.append(handle)
            names.append(t["mac_range"])
        elif key == "_price":
            handles.append(handle)
            names.append(t["mac_price"])
        else:
            handles.append(handle)
            names.append(FAMILY_SHORT[lang].get(key, key))
    if "capacity_control" in seen:
        names[list(seen).index("capacity_control")] += f" ({t['mac_lost_va']})"
    fig.legend(handles, names, loc="outside lower center", ncols=3, fontsize=8.5, frameon=False)
    fig.suptitle(t["mac"].format(scope=scope_label(scope, lang), scenario=scenario))
    return fig


def _as_list(results: Results | Sequence[Results]) -> list[Results]:
    out = [results] if isinstance(results, Results) else list(results)
    if not out:
        raise ValueError("give at least one Results")
    for res in out:
        if res.n_draws < 2:
            raise ValueError(
                f"{res.scenario}: needs Monte Carlo draws (run with draws >= 2), has {res.n_draws}"
            )
    return out


def fan_chart(
    results: Results | Sequence[Results],
    scope: str = "direct_plus_indirect",
    lang: str = "zh",
    start: int = FIRST_YEAR,
    end: int = LAST_YEAR,
) -> Figure:
    """Percentile bands (5-95, 25-75) of the Monte Carlo draws and the central case.

    One Results or several (overlaid, each in its scenario colour; the median line is drawn
    only for a single scenario, to keep overlaid fans readable).
    """
    runs = _as_list(results)
    t = text(lang)
    variable = scope_variable(scope)
    fig, (ax,) = new_figure(9.5, 5.0)
    top = 0.0
    handles = []
    for res in runs:
        keep = _window(res, start, end)
        years = res.years[keep]
        draws = res.draws(variable)[:, keep]
        p5, p25, p50, p75, p95 = np.nanpercentile(draws, [5, 25, 50, 75, 95], axis=0)
        colour = scenario_colour(res.scenario)
        ax.fill_between(years, p5, p95, color=colour, alpha=0.16, lw=0)
        ax.fill_between(years, p25, p75, color=colour, alpha=0.34, lw=0)
        if len(runs) == 1:
            ax.plot(years, p50, color=colour, lw=1.4, ls="--", label=t["median"])
        central_colour = "black" if len(runs) == 1 else colour
        ax.plot(years, res.get(variable)[0, keep], color=central_colour, lw=2.0)
        handles.append(
            Line2D([], [], color=central_colour, lw=2.0, label=scenario_label(res, lang))
        )
        top = max(top, float(np.nanmax(p95)), float(np.nanmax(res.get(variable)[0, keep])))
    _mark_history(ax, lang, start, max(observed_through(r) for r in runs))
    _mark_target(ax, lang)
    _finish_time_axis(ax, lang, start, end)
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel(t["mt_co2"])
    names = (
        "、".join(scenario_label(r, lang) for r in runs)
        if lang == "zh"
        else ", ".join(scenario_label(r, lang) for r in runs)
    )
    title = t["fan"].format(scope=scope_label(scope, lang), scenario=names)
    draws_text = t["fan_draws"].format(n=", ".join(sorted({str(r.n_draws) for r in runs})))
    ax.set_title(f"{title}\n{draws_text}", fontsize=12)
    grey = "#5F6B7A"
    handles += [
        Patch(color=grey, alpha=0.16, label=t["band_outer"]),
        Patch(color=grey, alpha=0.4, label=t["band_inner"]),
        Line2D([], [], color="black" if len(runs) == 1 else grey, lw=2.0, label=t["central"]),
        *(
            [Line2D([], [], color=scenario_colour(runs[0].scenario), ls="--", label=t["median"])]
            if len(runs) == 1
            else []
        ),
        Line2D([], [], color="#B3261E", ls=":", lw=1.4, label=t["target"]),
    ]
    ax.legend(handles=handles, loc="lower left", frameon=True, fontsize=9)
    return fig


def peak_year_histogram(
    results: Results | Sequence[Results],
    scope: str = "direct_plus_indirect",
    lang: str = "zh",
) -> Figure:
    """Share of Monte Carlo draws peaking in each year (grouped bars for several scenarios),
    with the 2030 line and each scenario's P(peak by 2030)."""
    runs = _as_list(results)
    t = text(lang)
    variable = scope_variable(scope)
    peak_years = [peak(r.draws(variable), r.years)[0] for r in runs]
    last = max(max(int(y.max()) for y in peak_years), TARGET_YEAR + 5)
    span = np.arange(BASE_YEAR, last + 1)
    fig, (ax,) = new_figure(9.0, 4.4)
    width = 0.8 / len(runs)
    lines = []
    top = 0.0
    for i, (res, years) in enumerate(zip(runs, peak_years, strict=True)):
        share = np.array([(years == y).mean() for y in span]) * 100
        offset = (i - (len(runs) - 1) / 2) * width
        colour = scenario_colour(res.scenario)
        ax.bar(span + offset, share, width=width, color=colour, label=scenario_label(res, lang))
        p = float((years <= TARGET_YEAR).mean())
        lines.append(
            t["p_by"].format(p=f"{p:.0%}") + f"（{scenario_label(res, lang)}）"
            if lang == "zh"
            else f"{scenario_label(res, lang)}: " + t["p_by"].format(p=f"{p:.0%}")
        )
        top = max(top, float(share.max()))
    ax.axvline(TARGET_YEAR + 0.5, color="#B3261E", lw=1.4, ls=":", label=t["target"])
    ax.text(
        0.985,
        0.96,
        "\n".join(lines),
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=10,
        bbox={"boxstyle": "round", "fc": "white", "ec": "#D9DEE5"},
    )
    ax.set_xlabel(t["peak_year"])
    ax.set_ylabel(t["probability"])
    ax.set_ylim(0, max(min(top * 1.45, 140.0), 5.0))
    ax.set_yticks([v for v in (0, 20, 40, 60, 80, 100) if v <= max(top * 1.45, 5.0)])
    ax.set_xlim(span[0] - 0.7, span[-1] + 0.7)
    names = (
        "、".join(scenario_label(r, lang) for r in runs)
        if lang == "zh"
        else ", ".join(scenario_label(r, lang) for r in runs)
    )
    ax.set_title(t["peak_hist"].format(scope=scope_label(scope, lang), scenario=names))
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    ax.grid(axis="x", visible=False)
    return fig


# --------------------------------------------------------------------------------------------
# One sector
# --------------------------------------------------------------------------------------------


def sector_activity(
    results: Results, sector: str, lang: str = "zh", start: int = FIRST_YEAR, end: int = LAST_YEAR
) -> Figure:
    """Value added (bn CNY) and, where the model has products, output by route (Mt/yr)."""
    t = text(lang)
    name = _iamc_sector(sector)
    label = sector_labels(lang)[sector]
    products = SECTOR_PRODUCTS.get(sector, ())
    keep = _window(results, start, end)
    years = results.years[keep]
    fig, axes = new_figure(11.0 if products else 7.0, 4.6, ncols=2 if products else 1)
    ax = axes[0]
    ax.plot(
        years,
        results.get(f"Value Added|Industry|{name}")[0, keep],
        color=SECTOR_COLOURS[sector],
        lw=2.2,
    )
    ax.axvline(BASE_YEAR, color="#5F6B7A", lw=1.0, ls="--")
    _finish_time_axis(ax, lang, BASE_YEAR if start < BASE_YEAR else start, end)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(t["va"])
    ax.set_title(t["value_added"], fontsize=11)
    if products:
        ax = axes[1]
        stacked = [p for p in products if p[3]]
        lines = [p for p in products if not p[3]]
        if stacked:
            arrays = [results.get(f"Production|{p[0]}")[0, keep] for p in stacked]
            ok = ~np.isnan(np.vstack(arrays)).any(axis=0)
            ax.stackplot(
                years[ok],
                np.vstack(arrays)[:, ok],
                labels=[p[1] if lang == "zh" else p[2] for p in stacked],
                colors=list(_PRODUCT_COLOURS[: len(stacked)]),
                alpha=0.9,
            )
        for i, p in enumerate(lines, start=len(stacked)):
            y = results.get(f"Production|{p[0]}")[0, keep]
            ax.plot(
                years,
                y,
                color=_PRODUCT_COLOURS[i % len(_PRODUCT_COLOURS)],
                lw=2,
                marker=".",
                ms=4,
                label=p[1] if lang == "zh" else p[2],
            )
        # Output history is sparse (few years reported); start where data begins.
        first = _first_year_with_data(results, [f"Production|{p[0]}" for p in products], keep)
        if first < BASE_YEAR:
            _mark_history(ax, lang, first, results)
        _finish_time_axis(ax, lang, min(first, BASE_YEAR), end)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(t["mt"])
        ax.set_title(t["production"], fontsize=11)
        ax.legend(loc="upper right", fontsize=8, frameon=True)
    fig.suptitle(t["activity"].format(sector=label, scenario=scenario_label(results, lang)))
    return fig


def sector_energy(
    results: Results, sector: str, lang: str = "zh", start: int = FIRST_YEAR, end: int = LAST_YEAR
) -> Figure:
    """Final energy of one sector by carrier (stacked, Mtce/yr)."""
    t = text(lang)
    name = _iamc_sector(sector)
    keep = _window(results, start, end)
    years = results.years[keep]
    stack = np.vstack(
        [np.nan_to_num(results.get(f"Final Energy|Industry|{name}|{c}")[0, keep]) for c in CARRIERS]
    )
    fig, (ax,) = new_figure(9.5, 4.8)
    ax.stackplot(
        years,
        stack,
        labels=[CARRIER_LABELS[lang][c] for c in CARRIERS],
        colors=[CARRIER_COLOURS[c] for c in CARRIERS],
        alpha=0.92,
        lw=0.3,
        edgecolor="white",
    )
    _mark_history(ax, lang, start, results)
    _finish_time_axis(ax, lang, start, end)
    ax.set_ylim(0, float(stack.sum(axis=0).max()) * 1.12)
    ax.set_ylabel(t["mtce"])
    ax.set_title(
        t["energy"].format(
            sector=sector_labels(lang)[sector], scenario=scenario_label(results, lang)
        )
    )
    handles, names = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        names[::-1],
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        frameon=False,
        fontsize=9,
    )
    return fig


def sector_emission_types(results: Results, sector: str) -> pd.DataFrame:
    """Years x (Combustion, Process, Captured, Indirect) in Mt CO2/yr for one sector (central)."""
    name = _iamc_sector(sector)
    return pd.DataFrame(
        {
            "Combustion": results.series(f"Emissions|CO2|Industry|{name}|Combustion"),
            "Process": results.series(f"Emissions|CO2|Industry|{name}|Process"),
            "Captured": results.series(f"Emissions|CO2|Industry|{name}|Captured"),
            "Indirect": results.series(f"Emissions|CO2|Industry Indirect|{name}"),
        }
    )


def sector_emissions(
    results: Results, sector: str, lang: str = "zh", start: int = FIRST_YEAR, end: int = LAST_YEAR
) -> Figure:
    """One sector's CO2 by type: combustion, process, indirect stacked up, captured below zero."""
    t = text(lang)
    frame = sector_emission_types(results, sector).loc[start:end].fillna(0.0)
    years = frame.index.to_numpy()
    fig, (ax,) = new_figure(9.5, 4.8)
    up = ["Combustion", "Process", "Indirect"]
    ax.stackplot(
        years,
        frame[up].to_numpy().T,
        labels=[EMISSION_TYPE_LABELS[lang][k] for k in up],
        colors=[EMISSION_TYPE_COLOURS[k] for k in up],
        alpha=0.92,
        lw=0.3,
        edgecolor="white",
    )
    captured = frame["Captured"].to_numpy()
    ax.fill_between(
        years,
        captured,
        0,
        color=EMISSION_TYPE_COLOURS["Captured"],
        alpha=0.9,
        label=EMISSION_TYPE_LABELS[lang]["Captured"],
        lw=0,
    )
    net = frame.sum(axis=1).to_numpy()
    ax.plot(years, net, color="black", lw=1.8, label=t["net"])
    ax.axhline(0, color="black", lw=0.6)
    _mark_history(ax, lang, start, results)
    _mark_target(ax, lang)
    _finish_time_axis(ax, lang, start, end)
    top = float(frame[up].sum(axis=1).max())
    ax.set_ylim(min(float(captured.min()) * 1.15, 0.0), top * 1.15)
    ax.set_ylabel(t["mt_co2"])
    ax.set_title(
        t["emissions_type"].format(
            sector=sector_labels(lang)[sector], scenario=scenario_label(results, lang)
        )
    )
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=9)
    return fig


# --------------------------------------------------------------------------------------------
# Analytics charts
# --------------------------------------------------------------------------------------------


def tornado(
    df: pd.DataFrame,
    output: str,
    output_label: str,
    labels: Mapping[str, str] | None = None,
    lang: str = "zh",
    scenario: str = "",
    max_bars: int = 12,
    scope: str = "direct_plus_indirect",
) -> Figure:
    """Tornado of one-at-a-time swings (model.methods.salib.one_at_a_time output).

    ``output_label`` names the output with its unit (e.g. "2030 emissions (Mt CO2/yr)").
    """
    from model.methods.salib import tornado_plot

    t = text(lang)
    n = min(max_bars, int((df["output"] == output).sum()))
    fig, (ax,) = new_figure(9.0, 0.42 * max(n, 1) + 1.8)
    tornado_plot(df, ax=ax, labels=dict(labels or {}), output=output, max_bars=max_bars)
    ax.set_xlabel(output_label)
    ax.legend(
        handles=[
            Patch(color="#0072B2", label=t["low_bound"]),
            Patch(color="#D55E00", label=t["high_bound"]),
        ],
        loc="lower right",
        fontsize=9,
    )
    ax.set_title(
        t["tornado"].format(output=output_label, scenario=scenario)
        + f"\n{scope_label(scope, lang)}",
        fontsize=12,
    )
    return fig


def decomposition_bar(
    effects: pd.Series,
    total_0: float,
    total_T: float,
    effect_labels: Mapping[str, str],
    lang: str = "zh",
    title: str | None = None,
    start_label: str = "",
    end_label: str = "",
) -> Figure:
    """Waterfall of an LMDI decomposition: start total, one bar per effect, end total (Mt CO2).

    ``effects`` is indexed by effect id (model.methods.lmdi.EFFECTS) with values in Mt CO2/yr;
    the effects must add up to ``total_T - total_0`` (LMDI is exact), which is checked.
    """
    t = text(lang)
    gap = float(effects.sum()) - (total_T - total_0)
    if abs(gap) > 1e-6 * max(1.0, abs(total_0)):
        raise ValueError(
            f"decomposition_bar: effects sum to {effects.sum():.3f}, not {total_T - total_0:.3f}"
        )
    names = [start_label, *[effect_labels.get(e, e) for e in effects.index], end_label]
    fig, (ax,) = new_figure(9.0, 4.8)
    ax.bar(0, total_0, color="#4D4D4D", width=0.7)
    level = total_0
    for i, value in enumerate(effects.to_numpy(dtype=float), start=1):
        ax.bar(i, value, bottom=level, color="#D55E00" if value > 0 else "#0072B2", width=0.7)
        ax.text(
            i,
            level + value + (1 if value >= 0 else -1) * 0.01 * total_0,
            f"{value:+.1f}",
            ha="center",
            va="bottom" if value >= 0 else "top",
            fontsize=9,
        )
        level += value
    ax.bar(len(names) - 1, total_T, color="#4D4D4D", width=0.7)
    ax.set_xticks(np.arange(len(names)), names, rotation=30, ha="right", fontsize=9)
    low = min(total_0, total_T, level, *(total_0 + np.cumsum(effects.to_numpy(dtype=float))))
    high = max(total_0, total_T, *(total_0 + np.cumsum(effects.to_numpy(dtype=float))))
    ax.set_ylim(max(0.0, low - 0.25 * (high - low) - 0.05 * high), high * 1.06)
    ax.set_ylabel(t["mt_co2"])
    ax.grid(axis="x", visible=False)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------------------------
# Statistical cross-checks (model.analysis.baselines): trend proposals and STIRPAT
# --------------------------------------------------------------------------------------------


def trend_proposals(
    fits: Mapping[str, Any],
    series: str,
    scenario_paths: Mapping[str, pd.Series] | None = None,
    scenario: str = "",
    lang: str = "zh",
) -> Figure:
    """One panel per sector: observed history, the proposed central path with its prediction
    band (model.analysis.baselines.trend_fits), and the scenario's own path when given.
    ``series`` is the fitted series (model.analysis.baselines.SERIES: combustion_co2 or
    fossil_energy)."""
    t, names = text(lang), sector_labels(lang)
    if f"{series}_unit" not in t:
        raise ValueError(f"series must be combustion_co2 or fossil_energy, got {series!r}")
    ncols = min(4, len(fits))
    nrows = -(-len(fits) // ncols)
    fig = Figure(figsize=(3.1 * ncols, 2.5 * nrows + 0.7), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (sector, fit) in zip(axes, fits.items(), strict=False):
        proj = fit.projection
        ax.fill_between(
            proj["year"],
            proj["lower"],
            proj["upper"],
            color="#56B4E9",
            alpha=0.3,
            lw=0,
            label=t["band"].format(p=fit.interval),
        )
        ax.plot(proj["year"], proj["mean"], color="#0072B2", lw=1.5, label=t["proposal"])
        hist = fit.history
        ax.plot(hist.index, hist.to_numpy(), color="#333333", lw=1.2, label=t["observed"])
        path = (scenario_paths or {}).get(sector)
        if path is not None:
            ax.plot(
                path.index,
                path.to_numpy(),
                color="#D55E00",
                lw=1.3,
                ls="--",
                label=t["scenario"].format(name=scenario),
            )
        ax.set_title(f"{names.get(sector, sector)} · {fit.method}", fontsize=10)
        # A drifting fit (e.g. log-linear from a short boom) would flatten everything else:
        # the axis stops at twice the largest observed or scenario value.
        seen = max(float(hist.max()), float(path.max()) if path is not None else 0.0)
        ax.set_ylim(0, min(float(proj["upper"].max()) * 1.05, 2 * seen))
        ax.set_ylabel(t[f"{series}_unit"], fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in axes[len(fits) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    fig.suptitle(t["trends_title"].format(what=t[series]), fontsize=12)
    return fig


def stirpat_fit(frame: pd.DataFrame, result: Any, lang: str = "zh") -> Figure:
    """Observed industrial CO2 against the STIRPAT fits (OLS, and ridge when collinear)."""
    t = text(lang)
    fig, (ax,) = new_figure(8.0, 4.2)
    years = frame.index.to_numpy()
    ax.plot(years, frame["co2"].to_numpy(), "o", color="#333333", ms=4, label=t["observed"])
    ax.plot(years, result.predict(frame).to_numpy(), color="#0072B2", lw=1.6, label=t["ols"])
    if result.ridge_coefficients is not None:
        ridge = result.predict(frame, ridge=True).to_numpy()
        ax.plot(years, ridge, color="#D55E00", lw=1.6, ls="--", label=t["ridge"])
    ax.set_ylabel(t["mt_co2"])
    ax.set_xlabel(t["year"])
    ax.set_title(t["stirpat_title"].format(r2=result.r2, vif=float(result.vif.max())), fontsize=11)
    ax.legend(fontsize=9)
    return fig


def hindcast_chart(table: pd.DataFrame, scenario: str = "", lang: str = "zh") -> Figure:
    """One panel per observed series (model.analysis.hindcast.comparison): the statistics with their
    measurement range, the hindcast (projected from the base year without them, with its 90%
    range when drawn) and the nowcast."""
    t = text(lang)
    series = list(dict.fromkeys(table["series"]))
    ncols = min(4, len(series))
    nrows = -(-len(series) // ncols)
    fig = Figure(figsize=(3.1 * ncols, 2.4 * nrows + 0.8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, name in zip(axes, series, strict=False):
        d = table[table["series"] == name].sort_values("year")
        years = d["year"].to_numpy()
        if d["hindcast_p5"].notna().all():
            ax.fill_between(
                years,
                d["hindcast_p5"],
                d["hindcast_p95"],
                color="#E69F00",
                alpha=0.25,
                lw=0,
                label=t["hindcast_band"],
            )
        ax.plot(
            years,
            d["hindcast"],
            color="#E69F00",
            lw=1.6,
            ls="--",
            marker="o",
            ms=3,
            label=t["hindcast_line"],
        )
        ax.plot(years, d["nowcast"], color="#0072B2", lw=1.4, label=t["nowcast_line"])
        ax.errorbar(
            years,
            d["observed"],
            yerr=[d["observed"] - d["low"], d["high"] - d["observed"]],
            fmt="s",
            color="black",
            ms=4,
            capsize=2,
            lw=1,
            label=t["hindcast_observed"],
        )
        title = d["name_zh" if lang == "zh" else "name_en"].iloc[0]
        ax.set_title(f"{title}", fontsize=9)
        ax.set_ylabel(d["unit"].iloc[0], fontsize=8)
        ax.set_xticks(years)
        ax.tick_params(labelsize=8)
    for ax in axes[len(series) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    fig.suptitle(t["hindcast_title"].format(y0=BASE_YEAR, scenario=scenario), fontsize=11)
    return fig
