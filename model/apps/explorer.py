"""Interactive scenario explorer for JupyterLab: move a lever, see the peak move.

`Explorer(base, lang)` holds ipywidgets controls for the main levers of every sector, each bound
to a dotted override key (e.g. ``steel.eaf_share.2030``): a slider and a box to type the value.
On every change `update()` reloads the base scenario with the overrides through
`model.inputs.scenario.load_scenario` (the same validation as the CLI's ``--set``), runs the
engine and refreshes the pathway chart, the peak table and the target checks.

- **Live while dragging.** Sliders send their value while they move (``continuous_update``).
  The browser side of ipywidgets sends a widget's next value only after the kernel reports idle
  for the previous one, merging the values in between; the update runs inside that message's
  handler, so "idle" means the chart is drawn. The kernel therefore never holds a queue of stale
  values: it computes the latest value after each update, ~25-60 ms apart. Changes made while an
  update runs (a slider whose budget moved, several controls set at once with `hold`) mark the
  state stale and are folded into one more pass. benchmarks/bench_explorer.py measures what a
  drag costs (updates per second, time per update, values coalesced).
- **Messages in the UI language, naming the control** the modeller touched (``电炉钢比例
  2040年：1.5，应为 0 到 1 之间的比例``), translated from the loader's problems by
  `model.apps.explorer_text`; values the observations overrule are said too.
- **Route shares sharing one budget** (parameters.yaml ``share_groups``: steel EAF + H2-DRI,
  the ammonia and methanol feedstocks): a slider's maximum is the largest value that keeps its
  group within 1 in every year (interpolation included) given the other sliders, and the
  remainder (BF-BOF, coal) is shown.
- **Typed values** outside a control's range are clamped and the message says to what.
- **The chart** marks the three periods as the briefing's charts do (CEADs inventory before
  2020, estimated from statistics 2020 to the nowcast year, projected after) and says that
  peaks are searched from 2020 on. It is inline SVG (a few ms; matplotlib takes ~0.2 s), sized
  to its column with a viewBox and a minimum width that keeps its text >= 10 px on screen.

`save_scenario(name, description)` writes ``assumptions/scenarios/<name>.yaml`` that `extends`
the base and holds only the changed parameters, after checking in a temporary copy of the
scenario folder that the file loads and reproduces the explored values exactly. The file is
written atomically with the usual mode (0644 under umask 022, like the shipped files). The
explored case then runs in batch: ``python -m model run <name> --out ...``.

Everything is testable without a browser: widgets are plain traitlets objects, and the outputs
are kept as data (`peak_table`, `target_table`, `chart_data`, `chart_svg`, `problems`,
`messages`).
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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import yaml

from model.analysis.peaks import KEY_SECTORS, SCOPES, peak, peak_table, scope_variable, target_table
from model.analysis.standing import observed_through
from model.apps.explorer_text import (
    LANGS,
    TEXT,
    Touched,
    check_lang,
    fmt_number,
    notice_text,
    parameter_name,
    parameter_of,
    problem_text,
    remainder_name,
    year_text,
)
from model.engine.results import Results
from model.engine.runner import run
from model.errors import AssumptionError, ModelError
from model.inputs.data import BASE_YEAR, load_data
from model.inputs.scenario import (
    NAME_RE,
    OVERRIDES_FILE,
    Scenario,
    default_assumptions_dir,
    expand_parameter,
    load_scenario,
    parse_overrides,
)
from model.inputs.schema import load_schema
from model.report.exports import atomic_write
from model.report.style import SECTOR_COLOURS, SECTOR_ORDER, sector_labels

__all__ = ["LANGS", "Control", "Explorer", "SaveError", "default_controls", "stacked_area_svg"]

UPDATE_GOAL_S = 0.3
NO_CAP = math.inf
COUNT_TARGETS = ("industry_peak_year", "staggered_peaks")
SHARE_TOL = 1e-9  # the loader's tolerance for a share group's sum above 1
ERROR = "#B3261E"
OK = "#1B5E20"
WARN = "#8A5300"
GREY = "#5F6B7A"
WRAP = "white-space:normal;overflow-wrap:anywhere;line-height:1.45"  # long paths wrap, not cut
HISTORY_FILL = "#E8EBEF"  # as model.report.charts._mark_history
ESTIMATED_FILL = "#DCE6F2"  # model.report.charts.ESTIMATED_COLOUR
ESTIMATED_HATCH = "#B8C7D9"
# Chart geometry (SVG user units). Text is >= MIN_FONT units and the SVG never renders narrower
# than CHART_MIN_PX, so on screen it is >= MIN_FONT * CHART_MIN_PX / CHART_WIDTH >= 10 px.
CHART_WIDTH, CHART_HEIGHT = 600, 372
MIN_FONT = 13
CHART_MIN_PX = 470
CHART_MAX_PX = 980


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
        """What messages call the control: `电炉钢比例 2030年`, `EAF share 2030`."""
        name = parameter_name(self.param, None, lang)
        return f"{name} {year_text(self.year, lang)}" if self.year else name


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
        _share("chemicals.ammonia_gas_share.2060", "chemicals"),
        _share("chemicals.ammonia_green_h2_share.2030", "chemicals"),
        _share("chemicals.ammonia_green_h2_share.2060", "chemicals"),
        _share("chemicals.methanol_gas_share.2060", "chemicals"),
        _share("chemicals.methanol_green_h2_share.2030", "chemicals"),
        _share("chemicals.methanol_green_h2_share.2060", "chemicals"),
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


class SaveError(ModelError):
    """A scenario that cannot be saved; `str()` is English (as the CLI's errors), `text(lang)`
    the explorer's message."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        params = {}
        for k, v in self.params.items():
            if isinstance(v, Mapping) and set(v) <= set(LANGS):  # {lang: text or [texts]}
                v = v.get(lang, v.get("en"))
            params[k] = "; ".join(v) if isinstance(v, list) else v
        return TEXT[lang][f"err_{self.code}"].format(**params)


class Explorer:
    """Widgets bound to override keys; `update()` reruns, `save_scenario()` writes a scenario."""

    def __init__(
        self,
        base: str = "plan",
        lang: str = "zh",
        assumptions: Path | str | None = None,
    ) -> None:
        self.lang = check_lang(lang)
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
        self.spec_of = {c.key: c for c in self.specs}
        # Share-group members with a control: control key -> group name.
        self.group_of = {
            c.key: g
            for c in self.specs
            for g, group in self.schema.share_groups.items()
            if c.param in group.members
        }
        self.controls: dict[str, widgets.FloatSlider | widgets.IntSlider] = {}
        self.boxes: dict[str, widgets.FloatText | widgets.IntText] = {}
        self.initial: dict[str, float] = {}
        self.limits: dict[str, tuple[float, float]] = {}
        self.scenario: Scenario = self.base
        self.results: Results = self.base_results
        self.problems: list[str] = []  # why the current inputs are not used, in the UI language
        self.messages: list[str] = []  # clamped values, in the UI language
        self.overruled: list[str] = []  # inputs the observations overrule, in the UI language
        self.last_update_s = 0.0
        self.n_changes_seen = 0  # value changes observed
        self.n_updates = 0  # updates run (the rest were folded into them)
        self._hold_updates = False
        self._updating = False
        self._stale = False
        self._applying = False  # a value set by the explorer itself, not by the modeller
        self._syncing = False  # a box following its slider
        self._touched: str | None = None
        self._exact: dict[str, float] = {}  # values typed or set exactly
        self._room_cache: dict[Any, float] = {}
        self._widget: widgets.Widget | None = None
        self._build_widgets()
        self.update()

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        t = self.t
        by_group: dict[str, list[Control]] = {}
        for c in self.specs:
            by_group.setdefault(c.group, []).append(c)
            self._build_control(c)
        self._key_of = {id(w): k for k, w in [*self.controls.items(), *self.boxes.items()]}
        self.budget_html: dict[str, widgets.HTML] = {}
        panels = {group: self._panel(controls) for group, controls in by_group.items()}
        self.groups = list(panels)
        self.sector = widgets.ToggleButtons(
            options=[(self._group_label(g), g) for g in self.groups],
            value=self.groups[0],
            tooltips=[
                t["sector_tip"].format(name=self._group_label(g), n=len(by_group[g]))
                for g in self.groups
            ],
            style={"button_width": "auto"},
            layout=widgets.Layout(width="100%"),
        )
        self.panels = widgets.Stack(
            [widgets.VBox(items) for items in panels.values()], selected_index=0
        )
        self.sector.add_class("peakpath-sectors")
        self.sector.observe(self._on_sector, names="value")
        self.extra = widgets.Textarea(
            placeholder="steel.eaf_share.2040=0.3",
            description="",
            continuous_update=False,
            layout=widgets.Layout(width="98%", height="64px"),
        )
        self.extra.add_class("peakpath-extra")
        self.extra.observe(self._on_change, names="value")
        self.scope = widgets.ToggleButtons(
            options=[(t[s], s) for s in SCOPES],
            value=self.base.settings.headline_scope,
            description=t["scope"],
            style={"button_width": "auto"},
        )
        self.scope.observe(self._on_change, names="value")
        self.reset_button = widgets.Button(description=t["reset"], icon="undo")
        self.reset_button.on_click(lambda _: self.reset())
        self.status = widgets.HTML()
        self.chart = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.peaks_html = widgets.HTML().add_class("peakpath-peaks")
        self.targets_html = widgets.HTML().add_class("peakpath-targets")
        self.save_name = widgets.Text(description=t["name"], placeholder="my_case").add_class(
            "peakpath-save-name"
        )
        self.save_zh = widgets.Text(
            description=t["desc_zh"], layout=widgets.Layout(width="420px")
        ).add_class("peakpath-save-zh")
        self.save_en = widgets.Text(
            description=t["desc_en"], layout=widgets.Layout(width="420px")
        ).add_class("peakpath-save-en")
        self.save_overwrite = widgets.Checkbox(value=False, description=t["overwrite"])
        self.save_button = widgets.Button(
            description=t["save"], icon="save", button_style="primary"
        )
        self.save_button.add_class("peakpath-save")
        self.save_button.on_click(lambda _: self._save_clicked())
        self.save_status = widgets.HTML(layout=widgets.Layout(flex="1 1 300px", min_width="0"))

    def _build_control(self, c: Control) -> None:
        """A slider (no readout) and a box to type the value, kept in step."""
        value = self.initial_value(c)
        lo, hi = min(c.lo, value), max(c.hi, value)
        self.limits[c.key] = (lo, hi)
        tip = self._tooltip(c)
        slider_cls = widgets.IntSlider if c.integer else widgets.FloatSlider
        slider = slider_cls(
            value=value,
            min=lo,
            max=hi,
            step=c.step,
            description=year_text(c.year, self.lang) if c.year else "",
            continuous_update=True,
            readout=False,
            tooltip=tip,
            style={"description_width": "52px" if c.year else "0px"},
            layout=widgets.Layout(flex="1 1 auto", width="auto", min_width="120px"),
        )
        box_cls = widgets.IntText if c.integer else widgets.FloatText
        box = box_cls(
            value=value,
            step=c.step,
            continuous_update=False,
            tooltip=tip,
            layout=widgets.Layout(width="76px", flex="0 0 76px"),
        )
        css = "peakpath-" + c.key.replace(".", "-")  # for browser tests and user CSS
        slider.add_class(css)
        box.add_class(f"{css}-box")
        slider.observe(self._on_slider, names="value")
        box.observe(self._on_box, names="value")
        self.controls[c.key] = slider
        self.boxes[c.key] = box
        self.initial[c.key] = float(slider.value)

    def _panel(self, controls: list[Control]) -> list[widgets.Widget]:
        """One sector's controls: a heading per parameter (tooltip: what it is), a row per
        year, and each share group's remainder after the group's last member."""
        items: list[widgets.Widget] = []
        params = list(dict.fromkeys(c.param for c in controls))
        for param in params:
            mine = [c for c in controls if c.param == param]
            tip = html.escape(self._tooltip(mine[0]), quote=True)
            head = html.escape(parameter_name(param, self.schema, self.lang))
            items.append(
                widgets.HTML(
                    f"<div title='{tip}' style='font-weight:600;margin:6px 0 0 0;"
                    f"line-height:1.3'>{head}</div>",
                    layout=widgets.Layout(margin="0"),
                )
            )
            items += [
                widgets.HBox(
                    [self.controls[c.key], self.boxes[c.key]],
                    layout=widgets.Layout(width="100%", align_items="center"),
                )
                for c in mine
            ]
            for gname, g in self.schema.share_groups.items():
                in_panel = [p for p in params if p in g.members]
                if in_panel and in_panel[-1] == param:
                    self.budget_html[gname] = widgets.HTML(
                        layout=widgets.Layout(margin="0 0 4px 0")
                    )
                    items.append(self.budget_html[gname])
        return items

    def _group_label(self, group: str) -> str:
        return self.labels.get(group, self.t["cross"])

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
        """The whole explorer as one widget (what `show()` displays).

        Chart left, controls right; below ~950 px of output width the controls wrap under the
        chart (the chart keeps >= CHART_MIN_PX, so its text stays >= 10 px on screen).
        """
        if self._widget is not None:
            return self._widget
        t = self.t
        header = widgets.HTML(f"<h3>{html.escape(t['title'].format(base=self._base_label()))}</h3>")
        chart_col = widgets.VBox(
            [self.scope, self.chart, self.status],
            layout=widgets.Layout(flex="1 1 480px", min_width=f"{CHART_MIN_PX}px"),
        )
        controls_col = widgets.VBox(
            [
                self.sector,
                self.panels,
                widgets.HTML(f"<b>{html.escape(t['extra'])}</b>"),
                self.extra,
                self.reset_button,
            ],
            layout=widgets.Layout(flex="0 1 340px", min_width="300px", padding="0 0 0 12px"),
        )
        tables = widgets.HBox(
            [self.peaks_html, self.targets_html],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        save = widgets.VBox(
            [
                widgets.HTML(f"<h4>{html.escape(t['save_title'])}</h4>"),
                widgets.HBox(
                    [self.save_name, self.save_zh, self.save_en],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                # The confirmation sits beside the button: in sight whenever the button is.
                widgets.HBox(
                    [self.save_overwrite, self.save_button, self.save_status],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
                ),
            ]
        )
        note = widgets.HTML(
            f"<p style='font-size:90%;color:#555'>{html.escape(t['scope_note'])}</p>"
        )
        main = widgets.HBox(
            [chart_col, controls_col],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start", width="100%"),
        )
        self._widget = widgets.VBox([header, main, tables, note, save])
        return self._widget

    def show(self) -> None:
        """Display the explorer in JupyterLab."""
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ state
    def value(self, key: str) -> float:
        """A control's value: the exact value typed or set (its slider shows it on the slider's
        grid), else the slider's."""
        return float(self._exact.get(key, self.controls[key].value))

    def _control_override(self, c: Control) -> float | None:
        """The control's override value, or None while it stays at the base value.

        A slider within half a step of the base value is at the base value: the browser puts
        a base value that is off the slider's grid on the grid when it draws the slider.
        """
        value, initial = self.value(c.key), self.initial[c.key]
        exact = c.key in self._exact
        if abs(value - initial) <= (1e-9 * max(1.0, abs(initial)) if exact else c.step / 2):
            return None
        if c.cap and value >= c.hi:
            return NO_CAP
        if c.integer:
            return round(value)
        return round(value, 10)

    def typed_overrides(self) -> dict[str, Any]:
        """The text box's overrides (`KEY=VALUE` lines; `#` starts a comment line)."""
        lines = [ln.strip() for ln in self.extra.value.splitlines() if ln.strip()]
        return parse_overrides([ln for ln in lines if not ln.startswith("#")])

    def overrides(self) -> dict[str, Any]:
        """Dotted key -> value for every control moved away from the base, then the text box."""
        out: dict[str, Any] = {}
        for c in self.specs:
            value = self._control_override(c)
            if value is not None:
                out[c.key] = value
        out.update(self.typed_overrides())
        return out

    def touched(self) -> Touched:
        """The controls moved and the keys typed, for messages that name them."""
        controls = tuple(c.key for c in self.specs if self._control_override(c) is not None)
        try:
            typed = tuple(self.typed_overrides())
        except AssumptionError:
            typed = ()
        labels = {c.key: c.label(self.lang) for c in self.specs}
        return Touched(controls, typed, labels)

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls, then update once."""
        held = self._hold_updates
        self._hold_updates = True
        try:
            yield
        finally:
            self._hold_updates = held
        if not held:
            self._request_update()

    def set_values(self, values: Mapping[str, float]) -> bool:
        """Set several controls by override key and update once; returns update()'s result.

        Values outside a control's range (for route shares: beyond what the other routes of
        the group leave, later keys yielding to earlier ones) are clamped and said so in
        `messages`, as typed values are.
        """
        unknown = [k for k in values if k not in self.controls]
        if unknown:
            raise ModelError(f"{unknown[0]}: no such control; one of {', '.join(self.controls)}")
        self.messages = []
        with self.hold():
            for key, value in values.items():
                self._apply(key, value, check_room=False)
            for key in reversed(list(values)):  # later keys yield to earlier ones
                if key in self.group_of:
                    self._apply(key, self.value(key))
        return not self.problems

    def reset(self) -> None:
        self.messages = []
        with self.hold():
            for key in self.controls:
                self._apply(key, self.initial[key], check_room=False)
            self._exact.clear()
            self.extra.value = ""

    def _apply(self, key: str, value: float, check_room: bool = True) -> None:
        """Set a control as the explorer does (no message for the change itself), clamping
        to its range (and its share group's room) with a message."""
        c, slider = self.spec_of[key], self.controls[key]
        lo, hi = self.limits[key]
        why = ""
        if check_room and key in self.group_of:
            room = self.room(key)
            if room < hi:
                hi = max(lo, room)
                why = self._budget_reason(key)
        typed = float(value)
        new = min(max(typed, lo), hi)
        if c.integer:
            new = round(new)
        if not math.isclose(new, typed, rel_tol=0, abs_tol=1e-12):
            if c.cap and new >= c.hi:
                why = self.t["no_cap_end"]
            fmt = lambda v: fmt_number(v, c.step)  # noqa: E731
            self.messages.append(
                self.t["clamped"].format(
                    label=c.label(self.lang),
                    typed=f"{typed:g}",
                    lo=fmt(lo),
                    hi=fmt(hi),
                    value=fmt(new),
                )
                + why
            )
        self._exact[key] = new
        applying, self._applying = self._applying, True
        try:
            if new > slider.max:
                slider.max = new
            if new < slider.min:
                slider.min = new
            if slider.value != new:
                slider.value = new  # the observer asks for an update
            else:
                self._sync_box(key)
                self._show_status()
        finally:
            self._applying = applying

    def _sync_box(self, key: str) -> None:
        c = self.spec_of[key]
        value = self.value(key)
        shown = round(value) if c.integer else round(float(value), 10)
        if self.boxes[key].value != shown:
            self._syncing = True
            try:
                self.boxes[key].value = shown
            finally:
                self._syncing = False

    # ------------------------------------------------------------------ events
    def _on_slider(self, change: Any) -> None:
        key = self._key_of[id(change["owner"])]
        if not self._applying:
            if abs(change["new"] - change["old"]) < self.spec_of[key].step / 2 * (1 - 1e-9):
                # Not a move: the browser put the value on the slider's grid (when it drew the
                # slider or its range changed). The exact value stays what it was.
                return
            self._exact.pop(key, None)
            self.messages = []
            self._touched = key
        self._sync_box(key)
        self._request_update()

    def _on_box(self, change: Any) -> None:
        if self._syncing:
            return
        key = self._key_of[id(change["owner"])]
        self.messages = []
        self._touched = key
        self._apply(key, change["new"])

    def _on_change(self, _change: Any = None) -> None:
        if not self._applying:
            self.messages = []
            self._touched = None
        self._request_update()

    def _on_sector(self, change: Any) -> None:
        self.panels.selected_index = self.groups.index(change["new"])

    def _request_update(self) -> None:
        """Update now, or fold the change into the update that runs or is held."""
        self.n_changes_seen += 1
        self._stale = True
        if self._hold_updates or self._updating:
            return
        self._updating = True
        try:
            while self._stale:
                self._stale = False
                self.update()
        finally:
            self._updating = False

    # ------------------------------------------------------------------ update
    def update(self) -> bool:
        """Validate the overrides, rerun and refresh the outputs; False (and shown) if invalid."""
        start = time.perf_counter()
        self.n_updates += 1
        try:
            overrides = self.overrides()
            scenario = load_scenario(self.base.name, overrides, assumptions=self.assumptions)
        except AssumptionError as exc:
            touched = self.touched()
            self.problems = [problem_text(p, self.schema, self.lang, touched) for p in exc.problems]
        except ModelError as exc:
            self.problems = [str(exc)]
        else:
            self.problems = []
            self.scenario = scenario
            self.results = run(scenario)
            touched = self.touched()
            self.overruled = [
                notice_text(n, self.schema, self.lang, touched)
                for n in scenario.notices
                if n.file == OVERRIDES_FILE
            ]
            self._update_rooms()
        self._refresh()
        self.last_update_s = time.perf_counter() - start
        self._show_status()
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
        self._show_budgets()

    def _show_status(self) -> None:
        counts = f"data-updates='{self.n_updates}' data-changes='{self.n_changes_seen}'"
        parts = []
        if self.problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
            parts.append(
                f"<div style='color:{ERROR}'><b>{html.escape(self.t['invalid'])}</b>"
                f"<ul style='margin:2px 0'>{items}</ul></div>"
            )
        else:
            n = len(self.scenario.overrides)
            ms = self.last_update_s * 1000
            if self._touched is not None:
                c = self.spec_of[self._touched]
                value = fmt_number(self.value(c.key), c.step)
                msg = self.t["ok_touched"].format(label=c.label(self.lang), value=value, ms=ms, n=n)
            else:
                msg = self.t["ok"].format(ms=ms, n=n)
            parts.append(f"<div style='color:{OK}'>{html.escape(msg)}</div>")
        for text in self.messages:
            parts.append(f"<div style='color:{WARN}'>{html.escape(text)}</div>")
        if self.overruled and not self.problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self.overruled)
            parts.append(
                f"<div style='color:{WARN}'>{html.escape(self.t['overruled'])}"
                f"<ul style='margin:2px 0'>{items}</ul></div>"
            )
        self.status.value = (
            f"<div class='peakpath-status' {counts} style='{WRAP}'>{''.join(parts)}</div>"
        )

    def _base_label(self) -> str:
        return self.base.label.get(self.lang) or self.base.name

    # ------------------------------------------------------------------ share budgets
    def _member_path(
        self, member: str, current: Mapping[str, Any], replace: Mapping[str, float] | None = None
    ) -> np.ndarray:
        """A share's yearly values before the nowcast (what the loader's group check reads)
        with the `current` overrides, `replace` on top."""
        mine = {k: v for k, v in current.items() if parameter_of(k, {member: 0}) == member}
        mine.update(replace or {})
        return expand_parameter(member, self.base.specs[member], self.schema, self.data, mine)

    def room(self, key: str) -> float:
        """The largest value of share control `key` that keeps its group's sum <= 1 in every
        year, given the other controls and typed overrides (never below the control's low end).
        """
        c = self.spec_of[key]
        group = self.schema.share_groups[self.group_of[key]]
        try:
            current = self.overrides()
            cache_key = (
                key,
                tuple(
                    (k, v)
                    for k, v in current.items()
                    if k != key and parameter_of(k, self.schema.parameters) in group.members
                ),
            )
            if cache_key in self._room_cache:
                return self._room_cache[cache_key]
            others = sum(
                (self._member_path(m, current) for m in group.members if m != c.param),
                np.zeros(len(self.results.years)),
            )
            room = self._solve_room(c, others, current)
        except AssumptionError:
            return self.limits[key][1]  # the loader will say what is wrong
        if len(self._room_cache) > 512:
            self._room_cache.clear()
        self._room_cache[cache_key] = room
        return room

    def _solve_room(self, c: Control, others: np.ndarray, current: Mapping[str, Any]) -> float:
        lo, hi = self.limits[c.key]

        def path(v: float) -> np.ndarray:
            return self._member_path(c.param, current, {c.key: v})

        def fits(p: np.ndarray) -> bool:
            return bool(np.all(others + p <= 1.0 + SHARE_TOL))

        p_lo, p_hi = path(lo), path(hi)
        if fits(p_hi):
            return hi
        if not fits(p_lo):
            return lo
        mid = (lo + hi) / 2
        if np.allclose(path(mid), (p_lo + p_hi) / 2, rtol=0, atol=1e-12):
            # Linear or step interpolation: each year is affine in the milestone value.
            slope = (p_hi - p_lo) / (hi - lo)
            up = slope > 1e-12
            best = lo + float(np.min((1.0 + SHARE_TOL - others[up] - p_lo[up]) / slope[up]))
        else:  # smooth (PCHIP) milestones: bisect
            a, b = lo, hi
            for _ in range(40):
                m = (a + b) / 2
                a, b = (m, b) if fits(path(m)) else (a, m)
            best = a
        # Down to the slider's step, so that its right end is a value it can take.
        steps = math.floor((best - lo) / c.step + 1e-6)
        room = round(lo + steps * c.step, 10)
        return room if fits(path(room)) else lo

    def _update_rooms(self) -> None:
        """Each share slider's maximum follows the other routes of its group."""
        for key in self.group_of:
            slider = self.controls[key]
            room = max(self.room(key), self.value(key), float(slider.value))
            if slider.max != room:
                applying, self._applying = self._applying, True
                try:
                    slider.max = room
                finally:
                    self._applying = applying

    def _budget_reason(self, key: str) -> str:
        group = self.schema.share_groups[self.group_of[key]]
        c = self.spec_of[key]
        others = [parameter_name(m, self.schema, self.lang) for m in group.members if m != c.param]
        sep = "、" if self.lang == "zh" else ", "
        return self.t["clamped_budget"].format(
            others=sep.join(others), remainder=remainder_name(group.remainder, self.lang)
        )

    def _show_budgets(self) -> None:
        """The remainder of each share group at its controls' years (after the nowcast)."""
        for gname, box in self.budget_html.items():
            group = self.schema.share_groups[gname]
            years = sorted(
                {self.spec_of[k].year or 2030 for k, g in self.group_of.items() if g == gname}
            )
            rest = {y: 1.0 - sum(self.scenario.value(m, y) for m in group.members) for y in years}
            values = " · ".join(f"{year_text(y, self.lang)} {v:.2f}" for y, v in rest.items())
            remainder = remainder_name(group.remainder, self.lang)
            members = " + ".join(parameter_name(m, self.schema, self.lang) for m in group.members)
            tip = self.t["budget_tip"].format(
                group=group.zh if self.lang == "zh" else group.en,
                members=members,
                remainder=remainder,
            )
            text = self.t["budget"].format(remainder=remainder, values=values)
            box.value = (
                f"<div class='peakpath-budget' title='{html.escape(tip, quote=True)}' "
                f"style='color:{GREY};font-size:92%'>{html.escape(text)}</div>"
            )

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
            peak=(int(p_year[0]), float(p_value[0])),
            text=t,
            through=observed_through(self.results),
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
        note = t["peak_note"].format(since=BASE_YEAR)
        return _html_table(head, rows) + _note(note)

    def key_sectors(self) -> list[str]:
        """The key sectors (model.analysis.peaks.KEY_SECTORS) in the UI language."""
        return [self._sector_label(s) for s in KEY_SECTORS]

    def _targets_html(self) -> str:
        t = self.t
        sep = "、" if self.lang == "zh" else ", "
        key_note = t["key_sectors_note"].format(sectors=sep.join(self.key_sectors()))
        rows = []
        for _, r in self.target_table.iterrows():
            ok = bool(r["pass"])
            colour = OK if ok else ERROR
            counts = r["target"] in COUNT_TARGETS  # a year or a number of sectors
            name = html.escape(t.get(r["target"], r["target"]))
            if r["target"] == "staggered_peaks":
                name = (
                    f"<span title='{html.escape(key_note, quote=True)}' "
                    f"style='text-decoration:underline dotted'>{name}</span>"
                )
            rows.append(
                [
                    name,
                    f"{r['target_value']:g}" if counts else f"{r['target_value']:+.1%}",
                    f"{r['value']:.0f}" if counts else f"{r['value']:+.1%}",
                    f"{r['margin']:+.0f}" if counts else f"{r['margin']:+.1%}",
                    f"<span style='color:{colour}'>{t['yes'] if ok else t['no']}</span>",
                ]
            )
        head = [t[k] for k in ("target_name", "target_value", "value", "margin", "pass")]
        return _html_table(head, rows) + _note(key_note)

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
            pkey = parameter_of(key, self.schema.parameters)
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
        an existing file unless `overwrite` is set. Raises SaveError (a ModelError)."""
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise SaveError("name", name=name)
        if name in self.base.chain:
            base = {"zh": self.base.label.get("zh") or self.base.name, "en": self.base.name}
            raise SaveError("base_name", name=name, base=base)
        desc = (
            {"zh": description, "en": description}
            if isinstance(description, str)
            else dict(description)
        )
        for lang in LANGS:
            if not str(desc.get(lang, "")).strip():
                which = {"zh": TEXT["zh"][f"desc_{lang}"], "en": f"description.{lang}"}
                raise SaveError("description", which=which)
        if self.problems:
            raise SaveError("invalid", problems=self._problems_by_lang())
        folder = self.assumptions / "scenarios"
        path = folder / f"{name}.yaml"
        if path.exists() and not overwrite:
            overwrite = {lang: TEXT[lang]["overwrite"] for lang in LANGS}
            raise SaveError("exists", path=path, overwrite=overwrite)
        text = self.scenario_yaml(name, {k: str(v).strip() for k, v in desc.items()}, label)
        self._check_reproduces(name, text)
        try:
            atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
        except OSError as exc:
            raise SaveError("write", path=path, reason=exc.strerror or str(exc)) from exc
        return path

    def _problems_by_lang(self) -> dict[str, list[str]]:
        """The current problems in both languages (a SaveError's English text needs them)."""
        out = {self.lang: list(self.problems)}
        try:
            load_scenario(self.base.name, self.overrides(), assumptions=self.assumptions)
        except AssumptionError as exc:
            touched = self.touched()
            for lang in LANGS:
                if lang != self.lang:
                    out[lang] = [problem_text(p, self.schema, lang, touched) for p in exc.problems]
        except ModelError as exc:
            out.setdefault("en", [str(exc)])
        out.setdefault("en", list(self.problems))
        return out

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
        if saved.settings != self.scenario.settings:
            bad.append("settings")
        if bad:
            raise SaveError("reproduce", keys=", ".join(bad))

    def _save_clicked(self) -> None:
        name = self.save_name.value.strip()
        try:
            path = self.save_scenario(
                name,
                {"zh": self.save_zh.value, "en": self.save_en.value},
                overwrite=self.save_overwrite.value,
            )
        except SaveError as exc:
            self._save_message(exc.text(self.lang), ERROR)
        except AssumptionError as exc:
            touched = self.touched()
            msgs = [problem_text(p, self.schema, self.lang, touched) for p in exc.problems]
            self._save_message("; ".join(msgs), ERROR)
        except ModelError as exc:
            self._save_message(str(exc), ERROR)
        else:
            self.save_overwrite.value = False  # a confirmation is good for one save only
            self._save_message(self.t["saved"].format(path=path, name=name), OK)

    def _save_message(self, text: str, colour: str) -> None:
        self.save_status.value = (
            f"<div class='peakpath-save-status' style='color:{colour};{WRAP}'>"
            f"{html.escape(text)}</div>"
        )


# ---------------------------------------------------------------------------------------------
# Small pure helpers


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
    style = "border-collapse:collapse;font-size:90%;margin:6px 12px 0 0"
    cell = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:right"
    th = "".join(f"<th style='{cell}'>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td style='{cell}'>{v}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table style='{style}'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _note(text: str) -> str:
    return f"<p style='font-size:85%;color:#555;margin:2px 0 6px 0'>{html.escape(text)}</p>"


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


def _text_width(text: str, size: float) -> float:
    """Rough advance width: CJK characters 1 em, others about 0.56 em (Noto Sans averages
    ~0.5 em for lower case, more for digits and capitals)."""
    return sum(size if ord(ch) > 0x2E80 else 0.56 * size for ch in text)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """`text` in lines no wider than `width` (at words, or anywhere in CJK text)."""
    if _text_width(text, size) <= width:
        return [text]
    words = text.split(" ") if " " in text else list(text)
    sep = " " if " " in text else ""
    lines = [words[0]]
    for word in words[1:]:
        candidate = lines[-1] + sep + word
        if _text_width(candidate, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def stacked_area_svg(
    years: np.ndarray,
    series: Sequence[tuple[str, str, np.ndarray]],
    title: str,
    y_label: str,
    reference: tuple[str, np.ndarray] | None = None,
    peak: tuple[int, float] | None = None,
    text: Mapping[str, str] | None = None,
    through: int = BASE_YEAR,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
) -> str:
    """A stacked area chart as inline SVG: (label, colour, values) per layer, bottom first.

    The three periods are marked as in the briefing's charts (model.report.charts._mark_history):
    the CEADs inventory before 2020 shaded grey, the years estimated from statistics (2020 to
    `through`) hatched light blue, a dashed line where the projection starts. 2030 (the Work
    Plan's peak target) is marked, an optional reference line (the base scenario's total) is
    dashed and the peak, searched from 2020 on (model.analysis.peaks.peak), is marked and
    labelled so.
    All text is >= MIN_FONT user units; the SVG scales with its container (viewBox) but never
    below CHART_MIN_PX wide.
    """
    text = text or TEXT["en"]
    font = MIN_FONT
    left, right, top, bottom = 50, 178, 30, 26
    pw, ph = width - left - right, height - top - bottom
    cum = np.cumsum(np.nan_to_num(np.vstack([s[2] for s in series])), axis=0)
    highs = [float(np.max(cum))]
    if reference is not None:
        highs.append(float(np.nanmax(reference[1])))
    step = _nice_step(max(highs) * 1.12 - min(float(np.min(cum)), 0.0))
    y_lo = math.floor(min(float(np.min(cum)), 0.0) / step) * step
    y_hi = math.ceil(max(highs) * 1.12 / step) * step
    x0, x1 = float(years[0]), float(years[-1])

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return top + (y_hi - y) / (y_hi - y_lo) * ph

    def pts(xs: np.ndarray, ys: np.ndarray) -> str:
        return " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True))

    def vline(x: float, colour: str, dash: str, cls: str) -> str:
        return _el(
            "line",
            class_=cls,
            x1=sx(x),
            x2=sx(x),
            y1=top,
            y2=top + ph,
            stroke=colour,
            stroke_dasharray=dash,
        )

    hatch = (
        "<defs><pattern id='peakpath-estimated' patternUnits='userSpaceOnUse' width='6' "
        "height='6' patternTransform='rotate(45)'>"
        f"<rect width='6' height='6' fill='{ESTIMATED_FILL}'/>"
        f"<line x1='0' y1='0' x2='0' y2='6' stroke='{ESTIMATED_HATCH}' stroke-width='2'/>"
        "</pattern></defs>"
    )

    def band(start: float, end: float, cls: str, fill: str) -> str:
        return _el("rect", class_=cls, x=sx(start), y=top, width=sx(end) - sx(start), height=ph,
                   fill=fill)  # fmt: skip

    out = [
        hatch,
        _el("text", html.escape(title), x=8, y=18, font_size=font + 1, font_weight="bold"),
        band(x0, BASE_YEAR, "period-inventory", HISTORY_FILL),
    ]
    if through > BASE_YEAR:
        out.append(band(BASE_YEAR, through, "period-estimated", "url(#peakpath-estimated)"))
    for i in range(round((y_hi - y_lo) / step) + 1):
        y = y_lo + i * step
        out.append(_el("line", x1=left, x2=left + pw, y1=sy(y), y2=sy(y), stroke="#ddd"))
        out.append(_el("text", f"{y:g}", x=left - 4, y=sy(y) + 4, text_anchor="end"))
    for year in range(int(x0), int(x1) + 1, 10):
        anchor = "end" if year + 10 > x1 else "middle"  # the last one stays clear of the legend
        out.append(_el("text", str(year), x=sx(year), y=top + ph + 17, text_anchor=anchor))
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
    out.append(vline(2030, ERROR, "2 3", "target"))
    out.append(vline(through, GREY, "4 3", "projection-start"))
    if peak is not None:
        p_year, p_value = peak
        px, py = sx(p_year), sy(p_value)
        tri = f"M{px - 6:.1f},{py - 12:.1f} L{px + 6:.1f},{py - 12:.1f} L{px:.1f},{py - 2:.1f} Z"
        out.append(_el("path", class_="peak", d=tri, fill="black"))
        label = text["peak"].format(since=BASE_YEAR, year=p_year, value=p_value)
        w = _text_width(label, font)
        anchor, lx = "middle", px
        if px - w / 2 < left + 2:
            anchor, lx = "start", max(px - 8, left + 2)
        elif px + w / 2 > left + pw:
            anchor, lx = "end", px + 8
        out.append(
            _el(
                "text",
                html.escape(label),
                class_="peak-label",
                x=lx,
                y=py - 16,
                text_anchor=anchor,
                font_weight="bold",
            )
        )
    out.append(
        _el(
            "text",
            html.escape(y_label),
            text_anchor="middle",
            transform=f"translate(13,{top + ph / 2:.0f}) rotate(-90)",
        )
    )
    legend: list[tuple[str, str, str]] = [
        (label, colour, "box") for label, colour, _ in reversed(series)
    ]
    legend.append((text["total"], "black", "line"))
    if reference is not None:
        legend.append((reference[0], "#333", "dash"))
    legend.append((text["target"], ERROR, "dot"))
    legend.append((text["peak_legend"].format(since=BASE_YEAR), "black", "peak"))
    legend.append((text["history"], HISTORY_FILL, "box"))
    if through > BASE_YEAR:
        years_text = text["estimated_years"].format(start=BASE_YEAR, end=through)
        legend.append((years_text, "url(#peakpath-estimated)", "box"))
    legend.append((text["projection"], GREY, "dash"))
    lx = left + pw + 12
    room = width - lx - 17 - 2
    lines = [_wrap(label, room, font) for label, _, _ in legend]
    row = min((height - top - 4) / sum(len(ls) for ls in lines), font + 5)
    yy = top
    for (_, colour, kind), label_lines in zip(legend, lines, strict=True):
        if kind == "box":
            outline = (
                {"stroke": "#ccc"} if colour.startswith("url") or colour == HISTORY_FILL else {}
            )
            out.append(_el("rect", x=lx, y=yy, width=12, height=12, fill=colour, **outline))
        elif kind == "peak":
            out.append(_el("path", d=f"M{lx:.1f},{yy + 1:.1f} l12,0 l-6,10 Z", fill=colour))
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
        for line in label_lines:
            out.append(_el("text", html.escape(line), x=lx + 17, y=yy + 11))
            yy += row
    svg_attrs = (
        f"xmlns='http://www.w3.org/2000/svg' class='peakpath-chart' "
        f"viewBox='0 0 {width} {height}' width='100%' preserveAspectRatio='xMinYMin meet' "
        f"style='display:block;min-width:{CHART_MIN_PX}px;max-width:{CHART_MAX_PX}px;"
        f"height:auto' font-family='Noto Sans CJK SC, sans-serif' font-size='{font}px'"
    )
    return f"<svg {svg_attrs}>" + "".join(out) + "</svg>"
