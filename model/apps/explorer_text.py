"""The explorer's words in zh and en: control labels, UI strings, and messages that name what the
modeller touched.

The loader (`model.inputs.scenario`) reports problems as the CLI prints them: ``--set:
steel.eaf_share.2040: 1.5: a share between 0 and 1``, English, keyed by dotted names, sometimes
at a year nobody wrote (a share group over its budget in an interpolated year). The explorer
shows them in its language and by the label of the control (``电炉钢比例 2040年：1.5，应为 0 到 1
之间的比例``): `problem_text` translates the loader's message forms (tests run each form through
the real loader, so a reworded message fails a test rather than reaching the UI in English; an
unknown form falls back to the original text after the translated label). `notice_text` does
the same for values the observations overrule, `clamp_text` for a typed value outside a slider's
range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from model.errors import ModelError, Problem
from model.inputs.schema import DOMAIN_TEXT, Schema

LANGS = ("zh", "en")

# Short labels per parameter name (the schema's own descriptions are sentences).
SHORT: dict[str, tuple[str, str]] = {
    "output_cap": ("粗钢产量上限", "Crude steel cap"),
    "primary_aluminium_cap": ("电解铝产量上限", "Primary aluminium cap"),
    "cement_cap": ("水泥产量上限", "Cement cap"),
    "coke_cap": ("焦炭产量上限", "Coke cap"),
    "eaf_share": ("电炉钢比例", "EAF share"),
    "h2_dri_share": ("氢冶金比例", "H2-DRI share"),
    "ammonia_gas_share": ("天然气制氨比例", "Gas-based ammonia"),
    "ammonia_green_h2_share": ("绿氢制氨比例", "Green-H2 ammonia"),
    "methanol_gas_share": ("气头甲醇比例", "Gas-based methanol"),
    "methanol_green_h2_share": ("绿氢制甲醇比例", "Green-H2 methanol"),
    "electrified_heat_share": ("中低温用热电气化", "Electrified heat"),
    "efficiency_rate": ("能效年提升率", "Efficiency gain /yr"),
    "ccus_start_year": ("CCUS 起始年", "CCUS start year"),
    "ccus_max_coverage": ("CCUS 最大覆盖率", "CCUS max coverage"),
    "clinker_ratio": ("熟料系数", "Clinker ratio"),
    "emission_factor": ("电网排放因子", "Grid factor"),
    "green_share": ("绿氢比例", "Green H2 share"),
}

# What takes the rest of a share group (parameters.yaml share_groups: remainder).
REMAINDER: dict[str, tuple[str, str]] = {
    "bf_bof": ("高炉-转炉长流程", "BF-BOF"),
    "coal": ("煤制", "coal"),
}

DOMAIN_TEXT_ZH = {
    "share": "应为 0 到 1 之间的比例",
    "nonneg": "应为不小于 0 的数（.inf 表示不设上限）",
    "rate": "应为 -0.5 到 0.5 之间的年变化率",
    "year": "应为 2010 到 2100 之间的年份",
    "real": "应为数值",
}

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "情景探索：以「{base}」为基础",
        "cross": "跨行业",
        "sector_tip": "{name}：{n} 项措施",
        "scope": "排放口径",
        "direct": "直接排放",
        "direct_plus_indirect": "直接+间接排放",
        "chart_title": "山东省工业二氧化碳排放（分行业，{scope}）",
        "y_unit": "百万吨 CO2/年",
        "history": "历史（CEADs清单）",
        "estimated": "统计估算",
        "estimated_years": "统计估算 {start}–{end}",
        "projection": "预测",
        "target": "2030年达峰目标",
        "base_line": "基础情景：{base}",
        "total": "合计",
        "peak": "{since}年起峰值 {year}：{value:.0f}",
        "peak_legend": "峰值（{since}年起检索）",
        "sector": "行业",
        "industry": "工业合计",
        "peak_year": "达峰年份",
        "peak_value": "峰值（Mt CO2）",
        "value_2030": "2030年（Mt CO2）",
        "base_peak_year": "基础情景达峰年份",
        "base_peak_value": "基础情景峰值",
        "peak_note": "峰值自 {since} 年起检索（{since} 年前为 CEADs 清单历史）。",
        "target_name": "目标",
        "target_value": "目标值",
        "value": "模型值",
        "margin": "余量",
        "pass": "是否达标",
        "yes": "达标",
        "no": "未达标",
        "ok": "已更新（{ms:.0f} 毫秒，{n} 项改动）",
        "ok_touched": "已更新：{label} = {value}（{ms:.0f} 毫秒，{n} 项改动）",
        "invalid": "输入无效，未采用（图表和表格仍为上一次有效结果）：",
        "overruled": "以下输入被统计观测值取代：",
        "clamped": "{label}：输入的 {typed} 超出可设范围 {lo}–{hi}，已改为 {value}",
        "clamped_budget": "（与{others}合计不超过 1，其余为{remainder}）",
        "no_cap_end": "（最右端 = 不设上限）",
        "extra": "其他参数（每行一项，如 steel.eaf_share.2040=0.3）",
        "reset": "恢复基础情景",
        "save_title": "另存为情景",
        "name": "情景名",
        "desc_zh": "中文说明",
        "desc_en": "英文说明",
        "overwrite": "允许覆盖同名文件",
        "save": "保存",
        "saved": "已保存 {path}；批量运行：python -m model run {name} --out results.csv",
        "no_cap": "最右端 = 不设上限",
        "budget": "{remainder}（剩余份额）：{values}",
        "budget_tip": "{group}：{members}合计不超过 1，其余为{remainder}；滑块上限随其他路线变化",
        "year": "{year}年",
        "scope_note": (
            "口径说明：CEADs 未计入化工原料等工业过程 CO2（水泥熟料除外）"
            "和外购电力、热力的间接排放，本模型已补充。仅看直接排放的达峰会误导：电气化把排放转移到电力部门。"
        ),
        "key_sectors_note": (
            "重点行业：{sectors}，即《山东省工业领域碳达峰工作方案》中单独制定达峰行动的行业。"
        ),
        "energy_intensity_2025": "2025年单位增加值能耗较2020年变化",
        "co2_intensity_2025": "2025年单位增加值CO2较2020年变化",
        "industry_peak_year": "工业碳排放达峰年份",
        "staggered_peaks": "重点行业晚于工业整体达峰的个数",
        # save errors
        "err_name": "情景名 {name!r} 无效：只能使用小写字母、数字和下划线（[a-z0-9_]+）",
        "err_base_name": "情景名 {name!r} 不可用：基础情景「{base}」就是它或继承自它，请另取新名",
        "err_description": "请填写{which}",
        "err_invalid": "当前输入无效，未保存：{problems}",
        "err_exists": "{path} 已存在；勾选「{overwrite}」后才会覆盖",
        "err_reproduce": "保存的文件未能重现当前数值（{keys}），未保存",
        "err_write": "无法写入 {path}：{reason}",
    },
    "en": {
        "title": "Scenario explorer, starting from '{base}'",
        "cross": "Cross-sector",
        "sector_tip": "{name}: {n} levers",
        "scope": "Scope",
        "direct": "direct",
        "direct_plus_indirect": "direct + indirect",
        "chart_title": "Shandong industrial CO2 by sector ({scope})",
        "y_unit": "Mt CO2/yr",
        "history": "history (CEADs)",
        "estimated": "Estimated from statistics",
        "estimated_years": "estimated {start}-{end}",
        "projection": "projection",
        "target": "peak target 2030",
        "base_line": "base: {base}",
        "total": "total",
        "peak": "peak since {since}: {year}, {value:.0f}",
        "peak_legend": "peak (from {since} on)",
        "sector": "Sector",
        "industry": "Industry",
        "peak_year": "Peak year",
        "peak_value": "Peak (Mt CO2)",
        "value_2030": "2030 (Mt CO2)",
        "base_peak_year": "Base peak year",
        "base_peak_value": "Base peak",
        "peak_note": "Peaks are searched from {since} on (before {since}: CEADs inventory).",
        "target_name": "Target",
        "target_value": "Target",
        "value": "Model",
        "margin": "Margin",
        "pass": "Met",
        "yes": "met",
        "no": "not met",
        "ok": "Updated ({ms:.0f} ms, {n} changes)",
        "ok_touched": "Updated: {label} = {value} ({ms:.0f} ms, {n} changes)",
        "invalid": "Invalid input, not used (chart and tables show the last valid case):",
        "overruled": "Observed statistics overrule these inputs:",
        "clamped": "{label}: {typed} is outside {lo}-{hi}; set to {value}",
        "clamped_budget": " (with {others} at most 1; {remainder} takes the rest)",
        "no_cap_end": " (right end = no cap)",
        "extra": "More parameters (one per line, e.g. steel.eaf_share.2040=0.3)",
        "reset": "Reset to base",
        "save_title": "Save as scenario",
        "name": "Name",
        "desc_zh": "Description (zh)",
        "desc_en": "Description (en)",
        "overwrite": "Overwrite an existing file",
        "save": "Save",
        "saved": "Saved {path}; batch run: python -m model run {name} --out results.csv",
        "no_cap": "right end = no cap",
        "budget": "{remainder} (the rest): {values}",
        "budget_tip": (
            "{group}: {members} at most 1, {remainder} takes the rest; a slider's maximum "
            "follows the other routes"
        ),
        "year": "{year}",
        "scope_note": (
            "Scope: CEADs leaves out chemical feedstock and other process CO2 (except cement "
            "clinker) and indirect emissions from purchased power and heat; the model adds them. "
            "Direct-only peaks mislead: electrification moves CO2 into the power sector."
        ),
        "key_sectors_note": (
            "Key sectors: {sectors}, the sectors with their own peak actions in the Shandong "
            "Industrial Sector Carbon Peak Work Plan."
        ),
        "energy_intensity_2025": "Energy per value added, 2025 vs 2020",
        "co2_intensity_2025": "CO2 per value added, 2025 vs 2020",
        "industry_peak_year": "Industry peak year",
        "staggered_peaks": "Key sectors peaking after industry",
        "err_name": "scenario name: {name!r}: a name matching [a-z0-9_]+",
        "err_base_name": (
            "scenario name: {name!r}: the base '{base}' is or extends it; choose a new name"
        ),
        "err_description": "{which}: a non-empty text",
        "err_invalid": "the current inputs are invalid, nothing saved: {problems}",
        "err_exists": "{path}: exists; set overwrite=True (tick '{overwrite}') to replace it",
        "err_reproduce": "the saved file does not reproduce the explored values ({keys})",
        "err_write": "{path}: cannot write: {reason}",
    },
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ModelError(f"lang: {lang!r}: one of {', '.join(LANGS)}")
    return lang


# ---------------------------------------------------------------------------------------------
# Names of keys


def parameter_of(key: str, parameters: Mapping[str, Any]) -> str | None:
    """The declared parameter a dotted override key sets (longest matching prefix)."""
    parts = key.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in parameters:
            return candidate
    return None


def parameter_name(param: str, schema: Schema | None, lang: str) -> str:
    """A parameter's short label (`电炉钢比例`), else its schema description."""
    name = param.split(".", 1)[-1]
    if name in SHORT:
        return SHORT[name][LANGS.index(lang)]
    decl = schema.parameters.get(param) if schema is not None else None
    if decl is not None:
        return decl.zh if lang == "zh" else decl.en
    return param


def year_text(year: int, lang: str) -> str:
    return TEXT[lang]["year"].format(year=year)


def key_label(key: str, schema: Schema | None, lang: str) -> str:
    """What the UI calls a dotted key: `电炉钢比例 2040年` for steel.eaf_share.2040, the group's
    name for a share group (`炼钢工艺路线 2059年`), the setting's name for settings.*."""
    parts = key.split(".")
    if schema is not None:
        for gname, group in schema.share_groups.items():
            if key == gname or key.startswith(gname + "."):
                rest = key[len(gname) + 1 :]
                name = group.zh if lang == "zh" else group.en
                return f"{name} {year_text(int(rest), lang)}" if rest.isdigit() else name
    if parts[0] == "settings":
        return ("设置 " if lang == "zh" else "setting ") + ".".join(parts[1:])
    param = parameter_of(key, schema.parameters) if schema is not None else None
    if param is None:
        return key
    name = parameter_name(param, schema, lang)
    rest = parts[len(param.split(".")) :]
    if len(rest) == 1 and rest[0].isdigit():
        return f"{name} {year_text(int(rest[0]), lang)}"
    return f"{name} {'.'.join(rest)}" if rest else name


# ---------------------------------------------------------------------------------------------
# Problems from the loader


@dataclass(frozen=True)
class Touched:
    """What the modeller set: control keys (sliders) and keys typed in the text box, in order."""

    controls: tuple[str, ...] = ()
    typed: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # control key -> its label

    @property
    def keys(self) -> tuple[str, ...]:
        return (*self.controls, *self.typed)

    def label(self, key: str, schema: Schema | None, lang: str) -> str:
        """The control's label; a typed key gets its own label and the key as written."""
        if key in self.labels:
            return self.labels[key]
        label = key_label(key, schema, lang)
        if key in self.typed and label != key:
            return f"{label}（{key}）" if lang == "zh" else f"{label} ({key})"
        return label


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _join(items: Iterable[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def problem_text(problem: Problem, schema: Schema | None, lang: str, touched: Touched) -> str:
    """A loader problem in `lang`, led by the label of the control (or typed key) it concerns."""
    group = _share_group(problem.key, schema)
    if group is not None:
        return _group_text(problem, group, schema, lang, touched)
    label = touched.label(problem.key, schema, lang)
    allowed = _allowed(problem, schema, lang)
    value = _value(problem.value) if problem.value not in ("", None) else ""
    if value == problem.key:  # a line that is not KEY=VALUE: it is its own label
        value = ""
    if lang == "zh":
        return f"{label}：{value}，{allowed}" if value else f"{label}：{allowed}"
    return f"{label}: {value}: {allowed}" if value else f"{label}: {allowed}"


def _share_group(key: str, schema: Schema | None) -> str | None:
    if schema is None:
        return None
    head, _, year = key.rpartition(".")
    return head if head in schema.share_groups and year.isdigit() else None


def _group_text(
    problem: Problem, gname: str, schema: Schema | None, lang: str, touched: Touched
) -> str:
    assert schema is not None
    group = schema.share_groups[gname]
    year = int(problem.key.rpartition(".")[2])
    members = [parameter_name(m, schema, lang) for m in group.members]
    remainder = remainder_name(group.remainder, lang)
    mine = [k for k in touched.keys if parameter_of(k, schema.parameters) in group.members]
    lead = _join((touched.label(k, schema, lang) for k in mine), lang) or key_label(
        gname, schema, lang
    )
    note = problem.allowed.partition("; ")[2]
    how = _group_note(note, schema, lang) if note else ""
    total = _value(problem.value)
    gtext = group.zh if lang == "zh" else group.en
    if lang == "zh":
        text = (
            f"{lead}：{gtext}中{' + '.join(members)}合计不能超过 1（其余为{remainder}）；"
            f"{year}年合计 {total}"
        )
        return text + (f"，{how}" if how else "")
    text = (
        f"{lead}: {gtext.lower()}: {' + '.join(members)} must sum to at most 1 ({remainder} "
        f"takes the rest); {total} in {year}"
    )
    return text + (f", {how}" if how else "")


def _group_note(note: str, schema: Schema, lang: str) -> str:
    """'interpolated between ...' or 'a and b interpolated ...; c held at ...' per member."""
    pieces = []
    for piece in note.split("; "):
        members = []
        rest = piece
        while True:
            m = re.match(r"([a-z0-9_]+\.[a-z0-9_]+)( and )?", rest)
            if not m or m.group(1) not in schema.parameters:
                break
            members.append(parameter_name(m.group(1), schema, lang))
            rest = rest[m.end() :].lstrip()
        how = _how(rest, lang)
        if members:
            who = ("和" if lang == "zh" else " and ").join(members)
            pieces.append(f"{who}{how}" if lang == "zh" else f"{who} {how}")
        else:
            pieces.append(how)
    return ("；" if lang == "zh" else "; ").join(pieces)


def remainder_name(remainder: str, lang: str) -> str:
    pair = REMAINDER.get(remainder)
    return pair[LANGS.index(lang)] if pair else remainder


_KNOT = r"the milestones? (\d{4})|the base year (\d{4}) \(base-year data\)"


def _knot_zh(m: re.Match[str], first: int) -> str:
    milestone, base = m.group(first), m.group(first + 1)
    return f"{milestone} 年里程碑" if milestone else f"{base} 年基准年数据"


# (English form, zh rendering) of how a year's value arises (scenario._how_the_year_arises,
# scenario._between, the group notes); en is kept as written.
_HOW: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (
        r"interpolated between the milestones (\d{4}) and (\d{4})",
        lambda m: f"由 {m.group(1)} 年与 {m.group(2)} 年里程碑插值得到",
    ),
    (
        rf"interpolated between (?:{_KNOT}) and (?:{_KNOT})",
        lambda m: f"由{_knot_zh(m, 1)}与{_knot_zh(m, 3)}插值得到",
    ),
    (rf"held at (?:{_KNOT})", lambda m: f"沿用{_knot_zh(m, 1)}的数值"),
    (rf"the value of (?:{_KNOT})", lambda m: f"即{_knot_zh(m, 1)}的数值"),
    (
        r"compounded from (\S+) in (\d{4}) at the written rates \((.*)\)",
        lambda m: f"由 {m.group(2)} 年的 {m.group(1)} 按所写增长率（{m.group(3)}）逐年复合得到",
    ),
    (r"compounded from its growth rates", lambda m: "按增长率逐年复合得到"),
    (r"from the data", lambda m: "来自数据"),
)


def _render(forms: tuple[tuple[str, Callable[[re.Match[str]], str]], ...], text: str) -> str | None:
    """The zh rendering of the first (English pattern, renderer) that matches all of `text`."""
    for pattern, render in forms:
        m = re.fullmatch(pattern, text)
        if m:
            return render(m)
    return None


def _how(text: str, lang: str) -> str:
    return (_render(_HOW, text) or text) if lang == "zh" else text


def _pydantic_zh(msg: str) -> str | None:
    m = re.fullmatch(r"Input should be (.+)", msg)
    if not m:
        return None
    text = m.group(1)
    for en, zh in (
        ("less than or equal to", "不大于"),
        ("greater than or equal to", "不小于"),
        ("less than", "小于"),
        ("greater than", "大于"),
        ("a valid number", "数值"),
        ("a valid boolean", "true 或 false"),
        ("a valid integer", "整数"),
        (" or ", " 或 "),
    ):
        text = text.replace(en, zh)
    return f"应为{text}"


# (English form of a loader message, zh rendering) for everything but domains and groups.
_ALLOWED_ZH: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"KEY=VALUE, e\.g\. .*", lambda m: "每行应写成 键=值，如 steel.eaf_share.2040=0.3"),
    (r"a YAML value", lambda m: "无法解析，应为数字或 YAML 值"),
    (r"a number", lambda m: "应为数值"),
    (r"unknown parameter; did you mean (\S+)\?", lambda m: f"未知参数；是否指 {m.group(1)}？"),
    (r"unknown parameter", lambda m: "未知参数"),
    (
        r"a year or one of \[(.*)\] after the parameter name",
        lambda m: f"参数名之后应为年份或以下之一：{m.group(1)}",
    ),
    (
        r"this parameter is a growth path: set \.growth or replace it whole",
        lambda m: "该参数按增长率给出：请设置 .growth 或整体替换",
    ),
    (r"cannot set a field inside a number", lambda m: "不能在数值内部设置字段"),
    (
        r"milestone years must lie within (\d{4})-(\d{4}), got (.*)",
        lambda m: f"里程碑年份应在 {m.group(1)}–{m.group(2)} 之间，实际为 {m.group(3)}",
    ),
    (
        r"milestone years must be in increasing order without repeats, got (.*)",
        lambda m: f"里程碑年份应递增且不重复，实际为 {m.group(1)}",
    ),
    (
        r"(\d{4}) is the base year: its value comes from the base-year data \((.*)\); omit it or "
        r"give that value",
        lambda m: (
            f"{m.group(1)} 年是基准年，其数值来自基准年数据（{m.group(2)}）：请删去或填写该值"
        ),
    ),
    (
        r"a growth trajectory needs `start:` .*",
        lambda m: "增长路径需要 start:（未声明基准年数值）",
    ),
    (r"a number or a trajectory mapping is required.*", lambda m: "应为数值或路径映射"),
    (r"year keys must be integers, got (.*)", lambda m: f"年份键应为整数，实际为 {m.group(1)}"),
    (
        r"(?:Value error, )?give exactly one of value, milestones or growth",
        lambda m: "value、milestones、growth 三者应且只应给出一个",
    ),
)


def _allowed(problem: Problem, schema: Schema | None, lang: str) -> str:
    """The 'what is allowed' part in `lang`."""
    allowed = problem.allowed
    param = parameter_of(problem.key, schema.parameters) if schema is not None else None
    if param is not None and schema is not None:
        domain = schema.parameters[param].domain
        en_domain = DOMAIN_TEXT[domain]
        floor = "an annual growth rate >= -1 (-100% a year), so that the path stays "
        if allowed == floor + en_domain:
            if lang == "zh":
                return f"年增长率应不小于 -1（每年 -100%），使路径{DOMAIN_TEXT_ZH[domain]}"
            return allowed
        if allowed == en_domain or allowed.startswith(en_domain + "; "):
            how = allowed[len(en_domain) + 2 :]
            if lang != "zh":
                return allowed
            zh = DOMAIN_TEXT_ZH[domain]
            return f"{zh}（{_how(how, lang)}）" if how else zh
    if lang != "zh":
        return allowed
    return _render(_ALLOWED_ZH, allowed) or _pydantic_zh(allowed) or allowed


# ---------------------------------------------------------------------------------------------
# Notices (values the observations overrule) and clamped typed values


def notice_text(notice: Any, schema: Schema | None, lang: str, touched: Touched) -> str:
    """A model.inputs.nowcast.Notice for a value the modeller set, in `lang`."""
    key = f"{notice.key}.{notice.year}"
    label = touched.label(key, schema, lang)
    msg = notice.message
    used, written = f"{notice.used_value:.4g}", f"{notice.scenario_value:.4g}"
    lever = re.fullmatch(r"levers act from (\d{4}): the observed years keep the baseline", msg)
    if lang == "zh":
        if lever:
            return (
                f"{label}：{written} 未采用：{notice.year} 年属统计观测期，措施自 "
                f"{lever.group(1)} 年起生效，沿用基准路径 {used}"
            )
        if msg.startswith("the observed ") and msg.endswith(" exceeds this cap"):
            return (
                f"{label}：{written} 未采用：{notice.year} 年的实际产量已超过该上限，"
                "观测年份不设上限"
            )
        if msg.startswith("observed "):
            return f"{label}：{written} 未采用：{notice.year} 年已有统计观测，采用观测值 {used}"
        return f"{label}：{written} 未采用（{msg}），采用 {used}"
    return f"{label}: {written} not used: {msg} ({used} is used)"


def fmt_number(value: float, step: float) -> str:
    """A slider value with as many decimals as its step shows."""
    if step >= 1:
        return f"{value:.0f}"
    decimals = max(0, -int(f"{step:e}".split("e")[1]))
    return f"{value:.{decimals}f}"
