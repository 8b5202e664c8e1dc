"""Interactive scenario explorer for JupyterLab: move a lever, see the peak move.

`Explorer(base, lang)` holds ipywidgets controls for the main levers of every sector, each bound
to a dotted override key (e.g. ``steel.eaf_share.2030``). On every change `update()` reloads the
base scenario with the overrides through `model.inputs.scenario.load_scenario` (the same validation
as
the CLI's ``--set``: shares outside [0, 1], share groups above 1, bad years are rejected and
shown, never used), runs the engine and refreshes the pathway chart, the peak table and the
target checks. Measured on a busy 2-core machine the whole update takes ~25-90 ms, well inside
the 0.3 s goal (benchmarks/bench_explorer.py): loading is ~5-30 ms because data and schema are
cached, so no separate fast path that could drift from the loader's rules is needed.

The chart is drawn as inline SVG (a few ms) rather than with matplotlib (~0.2 s per draw on that
machine, mostly text layout), so that the chart can follow the sliders live.

`save_scenario(name, description)` writes ``assumptions/scenarios/<name>.yaml`` that `extends`
the base and holds only the changed parameters, after checking in a temporary copy of the
scenario folder that the file loads and reproduces the explored values exactly. The explored
case then runs in batch: ``python -m model run <name> --out ...``.

Everything is testable without a browser: widgets are plain traitlets objects, and the outputs
are kept as data (`peak_table`, `target_table`, `chart_data`, `chart_svg`, `problems`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import yaml

from model.analysis.peaks import SCOPES, peak, peak_table, scope_variable, target_table
from model.engine.results import Results
from model.engine.runner import run
from model.errors import AssumptionError, ModelError, Problem
from model.inputs.data import BASE_YEAR, load_data
from model.inputs.scenario import (
    NAME_RE,
    Scenario,
    default_assumptions_dir,
    load_scenario,
    parse_overrides,
)
from model.inputs.schema import load_schema
from model.report.exports import atomic_write
from model.report.style import SECTOR_COLOURS, SECTOR_ORDER, sector_labels

LANGS = ("zh", "en")
UPDATE_GOAL_S = 0.3
NO_CAP = math.inf
COUNT_TARGETS = ("industry_peak_year", "staggered_peaks")

# Short labels per parameter name (the schema's own descriptions are sentences).
SHORT: dict[str, tuple[str, str]] = {
    "output_cap": ("粗钢产量上限", "Crude steel cap"),
    "primary_aluminium_cap": ("电解铝产量上限", "Primary aluminium cap"),
    "cement_cap": ("水泥产量上限", "Cement cap"),
    "coke_cap": ("焦炭产量上限", "Coke cap"),
    "eaf_share": ("电炉钢比例", "EAF share"),
    "h2_dri_share": ("氢冶金比例", "H2-DRI share"),
    "electrified_heat_share": ("中低温用热电气化", "Electrified heat"),
    "efficiency_rate": ("能效年提升率", "Efficiency gain /yr"),
    "ccus_start_year": ("CCUS 起始年", "CCUS start year"),
    "ccus_max_coverage": ("CCUS 最大覆盖率", "CCUS max coverage"),
    "clinker_ratio": ("熟料系数", "Clinker ratio"),
    "emission_factor": ("电网排放因子", "Grid factor"),
    "green_share": ("绿氢比例", "Green H2 share"),
}

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "情景探索：以「{base}」为基础",
        "cross": "跨行业",
        "scope": "排放口径",
        "direct": "直接排放",
        "direct_plus_indirect": "直接+间接排放",
        "chart_title": "山东省工业二氧化碳排放（分行业，{scope}）",
        "y_unit": "百万吨 CO2/年",
        "history": "历史",
        "target": "2030年达峰目标",
        "base_line": "基础情景：{base}",
        "total": "合计",
        "peak": "峰值 {year}：{value:.0f}",
        "sector": "行业",
        "industry": "工业合计",
        "peak_year": "达峰年份",
        "peak_value": "峰值（Mt CO2）",
        "value_2030": "2030年（Mt CO2）",
        "base_peak_year": "基础情景达峰年份",
        "base_peak_value": "基础情景峰值",
        "target_name": "目标",
        "target_value": "目标值",
        "value": "模型值",
        "margin": "余量",
        "pass": "是否达标",
        "yes": "达标",
        "no": "未达标",
        "ok": "已更新（{ms:.0f} 毫秒，{n} 项改动）",
        "invalid": "输入无效，未采用（图表和表格仍为上一次有效结果）：",
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
        "scope_note": (
            "口径说明：CEADs 未计入化工原料等工业过程 CO2（水泥熟料除外）"
            "和外购电力、热力的间接排放，本模型已补充。仅看直接排放的达峰会误导：电气化把排放转移到电力部门。"
        ),
        "energy_intensity_2025": "2025年单位增加值能耗较2020年变化",
        "co2_intensity_2025": "2025年单位增加值CO2较2020年变化",
        "industry_peak_year": "工业碳排放达峰年份",
        "staggered_peaks": "重点行业晚于工业整体达峰的个数",
    },
    "en": {
        "title": "Scenario explorer, starting from '{base}'",
        "cross": "Cross-sector",
        "scope": "Scope",
        "direct": "direct",
        "direct_plus_indirect": "direct + indirect",
        "chart_title": "Shandong industrial CO2 by sector ({scope})",
        "y_unit": "Mt CO2/yr",
        "history": "history",
        "target": "peak target 2030",
        "base_line": "base: {base}",
        "total": "total",
        "peak": "peak {year}: {value:.0f}",
        "sector": "Sector",
        "industry": "Industry",
        "peak_year": "Peak year",
        "peak_value": "Peak (Mt CO2)",
        "value_2030": "2030 (Mt CO2)",
        "base_peak_year": "Base peak year",
        "base_peak_value": "Base peak",
        "target_name": "Target",
        "target_value": "Target",
        "value": "Model",
        "margin": "Margin",
        "pass": "Met",
        "yes": "met",
        "no": "not met",
        "ok": "Updated ({ms:.0f} ms, {n} changes)",
        "invalid": "Invalid input, not used (chart and tables show the last valid case):",
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
        "scope_note": (
            "Scope: CEADs leaves out chemical feedstock and other process CO2 (except cement "
            "clinker) and indirect emissions from purchased power and heat; the model adds them. "
            "Direct-only peaks mislead: electrification moves CO2 into the power sector."
        ),
        "energy_intensity_2025": "Energy per value added, 2025 vs 2020",
        "co2_intensity_2025": "CO2 per value added, 2025 vs 2020",
        "industry_peak_year": "Industry peak year",
        "staggered_peaks": "Key sectors peaking after industry",
    },
}


@dataclass(frozen=True)
class Control:
    """One slider bound to a dotted override key.

    `key` ends in a year (a milestone is set, the rest of the path is kept) or is a whole
    parameter (the constant is replaced). For caps the right end of the slider means no cap.
    """

    key: str
    group: str
    lo: float
    hi: float
    step: float
    integer: bool = False
    cap: bool = False

    @property
    def param(self) -> str:
        parts = self.key.split(".")
        return ".".join(parts[:-1]) if parts[-1].isdigit() else self.key

    @property
    def year(self) -> int | None:
        last = self.key.rsplit(".", 1)[-1]
        return int(last) if last.isdigit() else None

    def label(self, lang: str) -> str:
        name = self.param.split(".", 1)[1]
        zh, en = SHORT.get(name, (name, name))
        text = zh if lang == "zh" else en
        return f"{text} {self.year}" if self.year else text


def _share(key: str, group: str) -> Control:
    return Control(key, group, 0.0, 1.0, 0.01)


def default_controls(sectors: list[str]) -> list[Control]:
    """The main levers per sector, then the cross-sector ones (grid, hydrogen)."""
    c: list[Control] = [
        Control("steel.output_cap.2030", "steel", 30.0, 100.0, 0.5, cap=True),
        _share("steel.eaf_share.2030", "steel"),
        _share("steel.eaf_share.2060", "steel"),
        _share("steel.h2_dri_share.2060", "steel"),
        Control("nonferrous.primary_aluminium_cap.2030", "nonferrous", 0.0, 10.0, 0.1, cap=True),
        Control(
            "building_materials.cement_cap.2030", "building_materials", 40.0, 200.0, 1.0, cap=True
        ),
        Control("building_materials.clinker_ratio.2030", "building_materials", 0.3, 0.9, 0.01),
        Control("building_materials.clinker_ratio.2060", "building_materials", 0.3, 0.9, 0.01),
        Control("chemicals.coke_cap.2030", "chemicals", 5.0, 50.0, 0.5, cap=True),
    ]
    for s in sectors:
        c += [
            _share(f"{s}.electrified_heat_share.2030", s),
            _share(f"{s}.electrified_heat_share.2060", s),
            Control(f"{s}.efficiency_rate", s, -0.01, 0.06, 0.001),
        ]
    for s in ("steel", "building_materials", "chemicals"):
        c += [
            Control(f"{s}.ccus_start_year", s, 2025, 2050, 1, integer=True),
            _share(f"{s}.ccus_max_coverage", s),
        ]
    c += [
        Control("grid.emission_factor.2030", "cross", 0.0, 1.0, 0.01),
        Control("grid.emission_factor.2060", "cross", 0.0, 1.0, 0.01),
        _share("hydrogen.green_share.2030", "cross"),
        _share("hydrogen.green_share.2060", "cross"),
    ]
    order = {g: i for i, g in enumerate([*sectors, "cross"])}
    return sorted(c, key=lambda x: order.get(x.group, len(order)))


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ModelError(f"lang: {lang!r}: one of {', '.join(LANGS)}")
    return lang


class Explorer:
    """Widgets bound to override keys; `update()` reruns, `save_scenario()` writes a scenario."""

    def __init__(
        self,
        base: str = "plan",
        lang: str = "zh",
        assumptions: Path | str | None = None,
    ) -> None:
        self.lang = _check_lang(lang)
        self.t = TEXT[lang]
        self.assumptions = Path(assumptions) if assumptions else default_assumptions_dir()
        self.base = load_scenario(base, assumptions=self.assumptions)
        self.base_results = run(self.base)
        self.data = load_data(self.assumptions)
        self.schema = load_schema(self.assumptions / "parameters.yaml", self.data.sectors)
        self.sector_names = {s: self.data.sector_info.at[s, "iamc_name"] for s in self.data.sectors}
        self.labels = sector_labels(lang, self.assumptions / "data" / "sectors.csv")
        self.specs = [
            c for c in default_controls(self.data.sectors) if c.param in self.schema.parameters
        ]
        self.controls: dict[str, widgets.FloatSlider | widgets.IntSlider] = {}
        self.initial: dict[str, float] = {}
        self._hold_updates = False
        self.scenario: Scenario = self.base
        self.results: Results = self.base_results
        self.problems: list[str] = []
        self.last_update_s = 0.0
        self._build_widgets()
        self.update()

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        t = self.t
        style = {"description_width": "150px"}
        layout = widgets.Layout(width="98%")
        groups: dict[str, list[widgets.Widget]] = {}
        for c in self.specs:
            value = self.initial_value(c)
            cls = widgets.IntSlider if c.integer else widgets.FloatSlider
            kwargs: dict[str, Any] = {
                "value": value,
                "min": min(c.lo, value),
                "max": max(c.hi, value),
                "step": c.step,
                "description": c.label(self.lang),
                "continuous_update": False,
                "style": style,
                "layout": layout,
                "tooltip": self._tooltip(c),
            }
            if not c.integer:
                kwargs["readout_format"] = ".3f" if c.step < 0.01 else ".2f"
            w = cls(**kwargs)
            w.observe(self._on_change, names="value")
            self.controls[c.key] = w
            self.initial[c.key] = float(w.value)
            groups.setdefault(c.group, []).append(w)
        self.tabs = widgets.Tab(children=[widgets.VBox(ws) for ws in groups.values()])
        for i, g in enumerate(groups):
            self.tabs.set_title(i, self.labels.get(g, t["cross"]))
        self.extra = widgets.Textarea(
            placeholder="steel.eaf_share.2040=0.3",
            description="",
            continuous_update=False,
            layout=widgets.Layout(width="98%", height="70px"),
        )
        self.extra.observe(self._on_change, names="value")
        self.scope = widgets.ToggleButtons(
            options=[(t[s], s) for s in SCOPES],
            value=self.base.settings.headline_scope,
            description=t["scope"],
        )
        self.scope.observe(self._on_change, names="value")
        self.reset_button = widgets.Button(description=t["reset"], icon="undo")
        self.reset_button.on_click(lambda _: self.reset())
        self.status = widgets.HTML()
        self.chart = widgets.HTML()
        self.peaks_html = widgets.HTML()
        self.targets_html = widgets.HTML()
        self.save_name = widgets.Text(description=t["name"], placeholder="my_case")
        self.save_zh = widgets.Text(description=t["desc_zh"], layout=widgets.Layout(width="600px"))
        self.save_en = widgets.Text(description=t["desc_en"], layout=widgets.Layout(width="600px"))
        self.save_overwrite = widgets.Checkbox(value=False, description=t["overwrite"])
        self.save_button = widgets.Button(
            description=t["save"], icon="save", button_style="primary"
        )
        self.save_button.on_click(lambda _: self._save_clicked())
        self.save_status = widgets.HTML()

    def _tooltip(self, c: Control) -> str:
        decl = self.schema.parameters[c.param]
        text = decl.zh if self.lang == "zh" else decl.en
        extra = f" ({self.t['no_cap']})" if c.cap else ""
        return f"{c.key} [{decl.unit}]: {text}{extra}"

    def initial_value(self, c: Control) -> float:
        """The base scenario's value at the control's year (2030 for whole parameters)."""
        value = self.base.value(c.param, c.year or 2030)
        if c.cap and (math.isinf(value) or value > c.hi):
            return c.hi
        return round(value) if c.integer else float(value)

    @property
    def widget(self) -> widgets.Widget:
        """The whole explorer as one widget (what `show()` displays)."""
        t = self.t
        header = widgets.HTML(f"<h3>{html.escape(t['title'].format(base=self._base_label()))}</h3>")
        left = widgets.VBox(
            [
                self.tabs,
                widgets.HTML(f"<b>{html.escape(t['extra'])}</b>"),
                self.extra,
                self.reset_button,
            ],
            layout=widgets.Layout(width="480px", min_width="480px"),
        )
        right = widgets.VBox(
            [self.scope, self.chart, self.status],
            layout=widgets.Layout(flex="1 1 auto", min_width="0", padding="0 0 0 12px"),
        )
        save = widgets.VBox(
            [
                widgets.HTML(f"<h4>{html.escape(t['save_title'])}</h4>"),
                self.save_name,
                self.save_zh,
                self.save_en,
                widgets.HBox([self.save_overwrite, self.save_button]),
                self.save_status,
            ]
        )
        note = widgets.HTML(
            f"<p style='font-size:90%;color:#555'>{html.escape(t['scope_note'])}</p>"
        )
        return widgets.VBox(
            [header, widgets.HBox([left, right]), self.peaks_html, self.targets_html, note, save]
        )

    def show(self) -> None:
        """Display the explorer in JupyterLab."""
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ state
    def overrides(self) -> dict[str, Any]:
        """Dotted key -> value for every control moved away from the base, then the text box."""
        out: dict[str, Any] = {}
        for c in self.specs:
            value = float(self.controls[c.key].value)
            if abs(value - self.initial[c.key]) <= c.step / 2:
                continue  # untouched (or only rounded by the slider)
            if c.cap and value >= c.hi:
                out[c.key] = NO_CAP
            elif c.integer:
                out[c.key] = round(value)
            else:
                out[c.key] = round(value, 10)
        lines = [ln.strip() for ln in self.extra.value.splitlines() if ln.strip()]
        lines = [ln for ln in lines if not ln.startswith("#")]
        out.update(parse_overrides(lines))
        return out

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls, then update once."""
        self._hold_updates = True
        try:
            yield
        finally:
            self._hold_updates = False
        self.update()

    def set_values(self, values: Mapping[str, float]) -> bool:
        """Set several controls by override key and update once; returns update()'s result."""
        unknown = [k for k in values if k not in self.controls]
        if unknown:
            raise ModelError(f"{unknown[0]}: no such control; one of {', '.join(self.controls)}")
        with self.hold():
            for key, value in values.items():
                self.controls[key].value = value
        return not self.problems

    def reset(self) -> None:
        with self.hold():
            for key, w in self.controls.items():
                w.value = self.initial[key]
            self.extra.value = ""

    def _on_change(self, _change: Any = None) -> None:
        if not self._hold_updates:
            self.update()

    # ------------------------------------------------------------------ update
    def update(self) -> bool:
        """Validate the overrides, rerun and refresh the outputs; False (and shown) if invalid."""
        start = time.perf_counter()
        try:
            overrides = self.overrides()
            scenario = load_scenario(self.base.name, overrides, assumptions=self.assumptions)
        except AssumptionError as exc:
            self.problems = [str(p) for p in exc.problems]
        except ModelError as exc:
            self.problems = [str(exc)]
        else:
            self.problems = []
            self.scenario = scenario
            self.results = run(scenario)
        self._refresh()
        self.last_update_s = time.perf_counter() - start
        self._show_status(len(self.scenario.overrides))
        return not self.problems

    def _refresh(self) -> None:
        scope = self.scope.value
        tol = self.base.settings.plateau_tolerance
        now = peak_table(self.results, self.data, scope, tol)
        base = peak_table(self.base_results, self.data, scope, tol)
        now["base_peak_year"] = base["peak_year"].to_numpy()
        now["base_peak_value"] = base["peak_value"].to_numpy()
        self.peak_table = now
        self.target_table = target_table(self.results, self.data, scope)
        self.chart_data = pd.DataFrame(
            {
                s: self.results.get(scope_variable(scope, self.sector_names[s]))[0]
                for s in SECTOR_ORDER
            },
            index=pd.Index(self.results.years, name="year"),
        )
        self.chart_svg = self._chart_svg(scope)
        self.chart.value = self.chart_svg
        self.peaks_html.value = self._peaks_html()
        self.targets_html.value = self._targets_html()

    def _show_status(self, n_changes: int) -> None:
        if self.problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
            self.status.value = (
                f"<div style='color:#B3261E'><b>{html.escape(self.t['invalid'])}</b>"
                f"<ul>{items}</ul></div>"
            )
        else:
            msg = self.t["ok"].format(ms=self.last_update_s * 1000, n=n_changes)
            self.status.value = f"<span style='color:#1B5E20'>{html.escape(msg)}</span>"

    def _base_label(self) -> str:
        return self.base.label.get(self.lang) or self.base.name

    # ------------------------------------------------------------------ outputs as HTML/SVG
    def _chart_svg(self, scope: str) -> str:
        t = self.t
        years = self.results.years
        total = self.results.get(scope_variable(scope))[:1]
        p_year, p_value = peak(total, years)
        base_total = self.base_results.get(scope_variable(scope))[0]
        return stacked_area_svg(
            years,
            [
                (self.labels[s], SECTOR_COLOURS[s], self.chart_data[s].to_numpy())
                for s in SECTOR_ORDER
            ],
            title=t["chart_title"].format(scope=t[scope]),
            y_label=t["y_unit"],
            reference=(t["base_line"].format(base=self._base_label()), base_total),
            peak=(int(p_year[0]), float(p_value[0]), t["peak"]),
            text=t,
        )

    def _peaks_html(self) -> str:
        t = self.t
        df = self.peak_table
        rows = []
        for _, r in df.iterrows():
            name = t["industry"] if r["sector"] == "Industry" else self._sector_label(r["sector"])
            moved = r["peak_year"] != r["base_peak_year"]
            rows.append(
                [
                    f"<b>{html.escape(name)}</b>"
                    if r["sector"] == "Industry"
                    else html.escape(name),
                    f"<b>{r['peak_year']}</b>" if moved else str(r["peak_year"]),
                    f"{r['peak_value']:.1f}",
                    f"{r['value_2030']:.1f}",
                    str(r["base_peak_year"]),
                    f"{r['base_peak_value']:.1f}",
                ]
            )
        head = [
            t[k]
            for k in (
                "sector",
                "peak_year",
                "peak_value",
                "value_2030",
                "base_peak_year",
                "base_peak_value",
            )
        ]
        return _html_table(head, rows)

    def _targets_html(self) -> str:
        t = self.t
        rows = []
        for _, r in self.target_table.iterrows():
            ok = bool(r["pass"])
            colour = "#1B5E20" if ok else "#B3261E"
            counts = r["target"] in COUNT_TARGETS  # a year or a number of sectors
            rows.append(
                [
                    html.escape(t.get(r["target"], r["target"])),
                    f"{r['target_value']:g}" if counts else f"{r['target_value']:+.1%}",
                    f"{r['value']:.0f}" if counts else f"{r['value']:+.1%}",
                    f"{r['margin']:+.0f}" if counts else f"{r['margin']:+.1%}",
                    f"<span style='color:{colour}'>{t['yes'] if ok else t['no']}</span>",
                ]
            )
        head = [t[k] for k in ("target_name", "target_value", "value", "margin", "pass")]
        return _html_table(head, rows)

    def _sector_label(self, iamc_name: str) -> str:
        for sid, name in self.sector_names.items():
            if name == iamc_name:
                return self.labels.get(sid, iamc_name)
        return iamc_name

    # ------------------------------------------------------------------ saving
    def changed_parameters(self) -> dict[str, Any]:
        """Parameter key -> full spec after the overrides, for every parameter they touch."""
        keys: dict[str, Any] = {}
        for okey in self.scenario.overrides:
            key = okey.split("=", 1)[0]
            if key.startswith("settings."):
                continue
            pkey = _parameter_of(key, self.schema.parameters)
            if pkey is not None:
                keys[pkey] = _plain(self.scenario.specs[pkey])
        return keys

    def changed_settings(self) -> dict[str, Any]:
        base, now = self.base.settings.model_dump(), self.scenario.settings.model_dump()
        return {k: v for k, v in now.items() if base.get(k) != v}

    def scenario_yaml(
        self, name: str, description: Mapping[str, str], label: Mapping[str, str] | None = None
    ) -> str:
        """The scenario file: extends the base, holds only the changed parameters."""
        doc: dict[str, Any] = {
            "description": {"zh": description["zh"], "en": description["en"]},
            "label": dict(label) if label else {"zh": name, "en": name},
            "extends": self.base.name,
        }
        settings = self.changed_settings()
        if settings:
            doc["settings"] = settings
        for pkey, spec in self.changed_parameters().items():
            ns, pname = pkey.split(".", 1)
            doc.setdefault(ns, {})[pname] = _short_form(spec)
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        changes = ", ".join(self.scenario.overrides) or "none"
        header = (
            f"# Saved from the peakpath explorer on {stamp}, starting from '{self.base.name}'.\n"
            f"# Changes: {changes}\n"
        )
        body = yaml.safe_dump(
            doc, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
        )
        return header + body

    def save_scenario(
        self,
        name: str,
        description: Mapping[str, str] | str,
        overwrite: bool = False,
        label: Mapping[str, str] | None = None,
    ) -> Path:
        """Write assumptions/scenarios/<name>.yaml: validated first, atomic, never overwrites
        an existing file unless `overwrite` is set."""
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ModelError(f"scenario name: {name!r}: a name matching [a-z0-9_]+")
        if name in self.base.chain:
            raise ModelError(
                f"scenario name: {name!r}: the base '{self.base.name}' is or extends it; "
                "choose a new name"
            )
        desc = (
            {"zh": description, "en": description}
            if isinstance(description, str)
            else dict(description)
        )
        for lang in LANGS:
            if not str(desc.get(lang, "")).strip():
                raise ModelError(f"description.{lang}: {desc.get(lang, '')!r}: a non-empty text")
        if self.problems:
            raise ModelError(
                "the current inputs are invalid, nothing saved: " + "; ".join(self.problems)
            )
        folder = self.assumptions / "scenarios"
        path = folder / f"{name}.yaml"
        if path.exists() and not overwrite:
            raise ModelError(
                f"{path}: exists; set overwrite=True (tick '{self.t['overwrite']}') to replace it"
            )
        text = self.scenario_yaml(name, {k: str(v).strip() for k, v in desc.items()}, label)
        self._check_reproduces(name, text)
        atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
        return path

    def _check_reproduces(self, name: str, text: str) -> None:
        """Load the new file from a temporary copy of the scenarios and compare its values."""
        with tempfile.TemporaryDirectory(prefix="peakpath-save-") as tmp:
            root = Path(tmp)
            _link_or_copy(self.assumptions / "data", root / "data")
            _link_or_copy(self.assumptions / "parameters.yaml", root / "parameters.yaml")
            shutil.copytree(self.assumptions / "scenarios", root / "scenarios")
            (root / "scenarios" / f"{name}.yaml").write_text(text, encoding="utf-8")
            saved = load_scenario(name, assumptions=root)
        bad = [
            k
            for k, v in self.scenario.values.items()
            if not np.allclose(saved.values[k], v, rtol=1e-12, atol=1e-12, equal_nan=True)
        ]
        if bad or saved.settings != self.scenario.settings:
            raise AssumptionError(
                [
                    Problem(f"{name}.yaml", k, "", "does not reproduce the explored value")
                    for k in bad
                ]
                or [
                    Problem(
                        f"{name}.yaml", "settings", "", "does not reproduce the explored settings"
                    )
                ]
            )

    def _save_clicked(self) -> None:
        name = self.save_name.value.strip()
        try:
            path = self.save_scenario(
                name,
                {"zh": self.save_zh.value, "en": self.save_en.value},
                overwrite=self.save_overwrite.value,
            )
        except AssumptionError as exc:
            msg = "<br>".join(html.escape(str(p)) for p in exc.problems)
            self.save_status.value = f"<span style='color:#B3261E'>{msg}</span>"
        except ModelError as exc:
            self.save_status.value = f"<span style='color:#B3261E'>{html.escape(str(exc))}</span>"
        else:
            self.save_overwrite.value = False  # a confirmation is good for one save only
            msg = self.t["saved"].format(path=path, name=name)
            self.save_status.value = f"<span style='color:#1B5E20'>{html.escape(msg)}</span>"


# ---------------------------------------------------------------------------------------------
# Small pure helpers


def _parameter_of(key: str, parameters: Mapping[str, Any]) -> str | None:
    """The declared parameter a dotted override key sets (longest matching prefix)."""
    parts = key.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in parameters:
            return candidate
    return None


def _plain(obj: Any) -> Any:
    """Plain Python (no numpy, no read-only mappings) so YAML can write it."""
    if isinstance(obj, Mapping):
        return {_plain(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _short_form(spec: Any) -> Any:
    """`{milestones: {...}}` alone is written as the short year map, as in the shipped files."""
    if isinstance(spec, dict) and set(spec) == {"milestones"}:
        return spec["milestones"]
    if isinstance(spec, dict) and set(spec) == {"value"}:
        return spec["value"]
    return spec


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.symlink(src.resolve(), dst, target_is_directory=src.is_dir())
    except OSError:  # no symlinks (e.g. Windows without the privilege): copy instead
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    style = "border-collapse:collapse;font-size:90%;margin:6px 0"
    cell = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:right"
    th = "".join(f"<th style='{cell}'>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td style='{cell}'>{v}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table style='{style}'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _nice_step(span: float, n: int = 5) -> float:
    raw = max(span, 1e-9) / n
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def _el(tag: str, content: str = "", **attrs: Any) -> str:
    """One SVG element; attribute names use _ for - (stroke_width -> stroke-width)."""
    parts = []
    for k, v in attrs.items():
        value = f"{v:.1f}" if isinstance(v, float) else str(v)
        parts.append(f"{k.rstrip('_').replace('_', '-')}='{html.escape(value, quote=True)}'")
    attr_text = " ".join(parts)
    return f"<{tag} {attr_text}>{content}</{tag}>" if content else f"<{tag} {attr_text}/>"


def stacked_area_svg(
    years: np.ndarray,
    series: list[tuple[str, str, np.ndarray]],
    title: str,
    y_label: str,
    reference: tuple[str, np.ndarray] | None = None,
    peak: tuple[int, float, str] | None = None,
    text: Mapping[str, str] | None = None,
    width: int = 720,
    height: int = 380,
) -> str:
    """A stacked area chart as inline SVG: (label, colour, values) per layer, bottom first.

    History (before 2020) is shaded, 2030 (the Work Plan's peak target) is marked, an optional
    reference line (the base scenario's total) is dashed and the peak is marked.
    """
    text = text or TEXT["en"]
    left, right, top, bottom = 52, 200, 34, 34
    pw, ph = width - left - right, height - top - bottom
    cum = np.cumsum(np.nan_to_num(np.vstack([s[2] for s in series])), axis=0)
    highs = [float(np.max(cum))]
    if reference is not None:
        highs.append(float(np.nanmax(reference[1])))
    step = _nice_step(max(highs) * 1.08 - min(float(np.min(cum)), 0.0))
    y_lo = math.floor(min(float(np.min(cum)), 0.0) / step) * step
    y_hi = math.ceil(max(highs) * 1.08 / step) * step
    x0, x1 = float(years[0]), float(years[-1])

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return top + (y_hi - y) / (y_hi - y_lo) * ph

    def pts(xs: np.ndarray, ys: np.ndarray) -> str:
        return " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True))

    def vline(x: float, colour: str, dash: str) -> str:
        return _el(
            "line", x1=sx(x), x2=sx(x), y1=top, y2=top + ph, stroke=colour, stroke_dasharray=dash
        )

    out = [
        _el("text", html.escape(title), x=left, y=18, font_size=13, font_weight="bold"),
        _el("rect", x=sx(x0), y=top, width=sx(BASE_YEAR) - sx(x0), height=ph, fill="#E8EBEF"),
        _el(
            "text",
            html.escape(text["history"]),
            x=sx(BASE_YEAR) - 4,
            y=top + 12,
            text_anchor="end",
            fill="#5F6B7A",
        ),
    ]
    for i in range(round((y_hi - y_lo) / step) + 1):
        y = y_lo + i * step
        out.append(_el("line", x1=left, x2=left + pw, y1=sy(y), y2=sy(y), stroke="#ddd"))
        out.append(_el("text", f"{y:g}", x=left - 4, y=sy(y) + 4, text_anchor="end"))
    for year in range(int(x0), int(x1) + 1, 10):
        out.append(_el("text", str(year), x=sx(year), y=top + ph + 16, text_anchor="middle"))
    lower = np.zeros(len(years))
    for (label, colour, _), upper in zip(series, cum, strict=True):
        poly = pts(years, upper) + " " + pts(years[::-1], lower[::-1])
        out.append(
            _el(
                "polygon",
                f"<title>{html.escape(label)}</title>",
                class_="layer",
                points=poly,
                fill=colour,
                fill_opacity=0.9,
                stroke="white",
                stroke_width=0.4,
            )
        )
        lower = upper
    out.append(
        _el("polyline", points=pts(years, cum[-1]), fill="none", stroke="black", stroke_width=1.4)
    )
    if reference is not None:
        ref = np.asarray(reference[1], dtype=float)
        keep = ~np.isnan(ref)
        out.append(
            _el(
                "polyline",
                class_="reference",
                points=pts(years[keep], ref[keep]),
                fill="none",
                stroke="#333",
                stroke_width=1.4,
                stroke_dasharray="6 4",
            )
        )
    out.append(vline(2030, "#B3261E", "2 3"))
    out.append(vline(BASE_YEAR, "#5F6B7A", "4 3"))
    if peak is not None:
        p_year, p_value, fmt = peak
        px, py = sx(p_year), sy(p_value)
        tri = f"M{px - 6:.1f},{py - 12:.1f} L{px + 6:.1f},{py - 12:.1f} L{px:.1f},{py - 2:.1f} Z"
        out.append(_el("path", class_="peak", d=tri, fill="black"))
        label = html.escape(fmt.format(year=p_year, value=p_value))
        out.append(_el("text", label, x=px, y=py - 16, text_anchor="middle", font_weight="bold"))
    out.append(
        _el(
            "text",
            html.escape(y_label),
            text_anchor="middle",
            transform=f"translate(14,{top + ph / 2:.0f}) rotate(-90)",
        )
    )
    legend = [(label, colour, "box") for label, colour, _ in reversed(series)]
    legend.append((text["total"], "black", "line"))
    if reference is not None:
        legend.append((reference[0], "#333", "dash"))
    legend.append((text["target"], "#B3261E", "dot"))
    lx = left + pw + 14
    for i, (label, colour, kind) in enumerate(legend):
        yy = top + 6 + i * 18
        if kind == "box":
            out.append(_el("rect", x=lx, y=yy, width=12, height=12, fill=colour))
        else:
            out.append(
                _el(
                    "line",
                    x1=lx,
                    x2=lx + 12,
                    y1=yy + 6,
                    y2=yy + 6,
                    stroke=colour,
                    stroke_width=1.6,
                    stroke_dasharray={"dash": "6 4", "dot": "2 3"}.get(kind, "none"),
                )
            )
        out.append(_el("text", html.escape(label), x=lx + 18, y=yy + 10))
    svg_attrs = (
        # Scales down to the width of its column; never wider than drawn.
        f"xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
        f"style='max-width:{width}px' font-family='Noto Sans CJK SC, sans-serif' font-size='11'"
    )
    return f"<svg {svg_attrs}>" + "".join(out) + "</svg>"
