"""Render executed notebooks into the decision-makers' HTML briefing, plus content helpers.

The briefing is the only thing Shandong's decision-makers read, so it must be one file that
works as an e-mail attachment on an offline laptop: no code, no prompts, no tracebacks, no
request to any server, Chinese first. `render_briefing` enforces that with a custom nbconvert
template (``model/templates/briefing``) and refuses to write a page that would reach the
network.

The helpers (`headline_box`, `table_html`, `section_title`, `footer_html`) are what the
briefing notebook uses to emit content: every number they show is passed in from results, and
every piece of text is escaped, so a scenario description from YAML can never inject markup.
They are pure: they return display objects and never display anything themselves.
"""

from __future__ import annotations

import html
import math
import numbers
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from IPython.display import HTML

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "briefing"

# Cells that exist for the machine, not the reader: papermill's parameter cells, cells the
# author marks `remove`, and the red "An Exception was encountered" cells papermill inserts
# (we show our own short notice on the failed cell instead).
REMOVED_CELL_TAGS = frozenset(
    {"parameters", "injected-parameters", "remove", "papermill-error-cell-tag"}
)

# Output types that would need JavaScript (and usually a CDN) to show anything.
_SCRIPT_MIMETYPES = ("application/javascript", "application/vnd.jupyter.widget-view+json")

SUPPORTED_LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

# All static UI text of the page and the helpers, in one place so both languages stay aligned.
UI_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "default_title": "山东省工业领域碳达峰研判简报",
        "error_notice": "此部分内容生成失败，未能显示。",
        "chart_alt": "图表",
        "error_banner": "注意：本简报部分内容生成失败，以下结果不完整，请勿据此决策。",
        "generated_by": "本简报由 peakpath 模型自动生成；所有数字均来自模型计算结果。",
        "print_hint": "可直接打印（A4）。",
        "status_pass": "达标",
        "status_fail": "未达标",
        "missing": "—",
        "yes": "是",
        "no": "否",
        "run_id": "运行编号",
        "date": "生成日期",
        "code_version": "代码版本",
        "assumptions_hash": "假设数据指纹",
        "provenance": "数据来源与版本",
    },
    "en": {
        "default_title": "Shandong industrial CO2 peak briefing",
        "error_notice": "This part could not be generated and is not shown.",
        "chart_alt": "Chart",
        "error_banner": (
            "Warning: parts of this briefing failed to generate; the results below are "
            "incomplete and must not be used for decisions."
        ),
        "generated_by": (
            "Generated automatically by the peakpath model; every number comes from model results."
        ),
        "print_hint": "Ready to print (A4).",
        "status_pass": "Met",
        "status_fail": "Not met",
        "missing": "—",
        "yes": "yes",
        "no": "no",
        "run_id": "Run ID",
        "date": "Date",
        "code_version": "Code version",
        "assumptions_hash": "Assumptions hash",
        "provenance": "Provenance",
    },
}

# Footer fields in display order; any other provenance keys follow under their own name.
PROVENANCE_FIELDS = ("run_id", "date", "code_version", "assumptions_hash")


class BriefingError(RuntimeError):
    """The rendered briefing would break the offline/self-contained promise."""


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"lang must be one of {SUPPORTED_LANGS}, got {lang!r}")
    return lang


def ui(lang: str) -> dict[str, str]:
    """Static UI strings for `lang` (used by the template and the helpers)."""
    return UI_TEXT[_check_lang(lang)]


def _keep_output(output: Mapping[str, Any]) -> bool:
    kind = output.get("output_type")
    if kind == "stream":
        return output.get("name") == "stdout"
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        if not data:
            return False
        return not (kind == "execute_result" and set(data) == {"text/plain"})
    return True


def _visible_outputs(outputs: list[Any]) -> list[Any]:
    for output in outputs:
        # Script mimetypes go, but a static fallback (PNG, HTML) in the same output stays.
        for mime in _SCRIPT_MIMETYPES:
            output.get("data", {}).pop(mime, None)
    return [o for o in outputs if _keep_output(o)]


def _drop_unwanted_outputs(nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Preprocessor (nbconvert accepts a plain callable) removing outputs a decision-maker
    should never see; errors stay so the template can show its short notice.

    - stderr streams: library warnings and progress bars, noise for the reader;
    - execute_results that only have text/plain: stray reprs such as
      ``<Figure size 640x480>`` or ``[<Line2D ...>]`` left by the last line of a cell;
    - JavaScript and widget outputs: they need scripts (mostly from a CDN) to show anything.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = _visible_outputs(cell.outputs)
        if any(o.output_type == "error" for o in cell.outputs):
            resources["briefing"]["has_errors"] = True
    return nb, resources


_EXPORTER_LOCK = threading.Lock()  # one exporter per process, used by one thread at a time


@cache  # its Jinja templates are compiled once: a second briefing renders 3x faster
def _make_exporter() -> HTMLExporter:
    # Imported here: nbconvert is slow to import and the notebook helpers below never need it.
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    # The template draws no code, so the pygments stylesheet would be dead weight.
    config.CSSHTMLHeaderPreprocessor.enabled = False
    exporter = HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # Markdown `![](figure.png)` pointing at a local file becomes a data: URI.
        embed_images=True,
    )
    # Tags first, so outputs of removed cells never count as errors for the banner.
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVED_CELL_TAGS), enabled=True),
        enabled=True,
    )
    exporter.register_preprocessor(_drop_unwanted_outputs, enabled=True)
    return exporter


def render_briefing(
    executed_notebook: Path,
    out_html: Path,
    lang: str = "zh",
    *,
    title: str | None = None,
) -> Path:
    """Render an executed notebook to one self-contained, offline HTML briefing.

    `title` defaults to the notebook's ``metadata.title`` or a standard briefing title.
    Web hyperlinks become plain text showing the address. Raises `BriefingError` (and writes
    nothing) if the page would still load anything from a network or run a script.
    Returns `out_html`.
    """
    import nbformat

    text = ui(lang)
    executed_notebook = Path(executed_notebook)
    out_html = Path(out_html)
    nb = nbformat.read(executed_notebook, as_version=4)
    page_title = title or nb.metadata.get("title") or text["default_title"]
    resources = {
        # `path` lets embed_images resolve markdown images relative to the notebook.
        "metadata": {"name": executed_notebook.stem, "path": str(executed_notebook.parent)},
        "briefing": {
            "lang": lang,
            "html_lang": HTML_LANG[lang],
            "title": page_title,
            "ui": text,
            "has_errors": False,
            # A notebook that writes its own `# heading` owns the page title; do not repeat it.
            "show_title": not _has_h1(nb),
        },
    }
    with _EXPORTER_LOCK:
        body, _ = _make_exporter().from_notebook_node(nb, resources=resources)
    body = unlink_external(body)
    check_offline(body)
    _write_atomic(out_html, body)
    return out_html


_MD_H1 = re.compile(r"^#\s+\S", re.MULTILINE)


def _has_h1(nb: Any) -> bool:
    return any(c.cell_type == "markdown" and _MD_H1.search(c.source) for c in nb.cells)


# Attributes through which a browser fetches (or, for href, may be led to fetch) a resource.
_URL_ATTRS = r"src|href|srcset|poster|data|action|formaction|xlink:href|background|manifest"
_REMOTE_ATTR = re.compile(
    rf"(?<![\w:-])(?:{_URL_ATTRS})\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)
# CSS can fetch too (web fonts, background images); protocol-relative `//host` from a file://
# page would go to a file share, which is still a network request.
_REMOTE_CSS = re.compile(
    r"(?:url\(\s*[\"']?\s*(?:https?:)?//|@import\s+[\"']?\s*(?:url\()?\s*[\"']?\s*(?:https?:)?//)",
    re.IGNORECASE,
)
_SCRIPT_TAG = re.compile(r"<script\b", re.IGNORECASE)

_EXTERNAL_HREF = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def unlink_external(page: str) -> str:
    """Turn web hyperlinks into plain text that still shows the address.

    Markdown autolinks every bare URL (a cited data source, say). A click in an e-mailed
    briefing would leave the offline page, so the reader gets the address as text instead.
    """
    if not re.search(r"<a\b[^>]*href\s*=\s*[\"']?\s*(?:https?:)?//", page, re.IGNORECASE):
        return page  # nothing to do: skip a second parse of the whole page
    from bs4 import BeautifulSoup  # nbconvert's own dependency

    soup = BeautifulSoup(page, features="html.parser")
    for link in soup.find_all("a", href=_EXTERNAL_HREF):
        href, label = link["href"].strip(), link.get_text()
        span = soup.new_tag("span", attrs={"class": "pp-url"})
        span.string = label if label.strip() == href else f"{label} ({href})"
        link.replace_with(span)
    return str(soup)


def offline_violations(page: str) -> list[str]:
    """Snippets of `page` that would make a browser contact a server or run a script."""
    found = []
    for pattern in (_REMOTE_ATTR, _REMOTE_CSS, _SCRIPT_TAG):
        for match in pattern.finditer(page):
            found.append(page[match.start() : match.end() + 60].replace("\n", " "))
    return found


def check_offline(page: str) -> None:
    """Raise `BriefingError` if `page` has any remote URL in src/href/CSS or any script."""
    problems = offline_violations(page)
    if problems:
        listed = "; ".join(problems[:5])
        raise BriefingError(
            f"briefing is not self-contained ({len(problems)} problem(s)): {listed}. "
            "Embed images and other resources (no web URLs in src/CSS) and avoid "
            "JavaScript outputs."
        )


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same directory and os.replace, so readers (a mail job, a
    web server, `outputs/latest`) never see a half-written page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(0o644)  # mkstemp makes 0600; the briefing is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# Content helpers for the briefing notebook
# --------------------------------------------------------------------------------------------


def html_escape(text: object) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if text is None else str(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: object) -> str:
    """Escape any value so Markdown shows it literally (no markup, no HTML, no links)."""
    return _MD_SPECIAL.sub(r"\\\1", html_escape(text))


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_number(value: object, digits: int = 1, lang: str = "zh") -> str:
    """Format a value for display: floats to `digits` decimals, ints as is (years stay
    ``2030``, not ``2,030``), booleans as yes/no in `lang`, missing as a dash."""
    text = ui(lang)
    if _is_missing(value):
        return text["missing"]
    if isinstance(value, bool | np.bool_):
        return text["yes"] if value else text["no"]
    if isinstance(value, numbers.Integral):
        number = int(value)
        return f"{number:,}" if abs(number) >= 10_000 else str(number)
    if isinstance(value, numbers.Real):
        return f"{float(value):,.{digits}f}"
    return str(value)


def _status_class(status: object) -> str:
    if status is None:
        return ""
    if isinstance(status, bool):
        return "pass" if status else "fail"
    status = str(status).lower()
    if status not in ("pass", "fail"):
        raise ValueError(f"status must be 'pass', 'fail', a bool or None, got {status!r}")
    return status


def _card(item: Mapping[str, Any], lang: str) -> str:
    text = ui(lang)
    status = _status_class(item.get("status"))
    value = format_number(item.get("value"), int(item.get("digits", 1)), lang)
    parts = [f'<div class="pp-card {"pp-" + status if status else ""}">']
    parts.append(f'<div class="pp-card-label">{html_escape(item.get("label", ""))}</div>')
    unit = item.get("unit")
    unit_html = f' <span class="pp-card-unit">{html_escape(unit)}</span>' if unit else ""
    parts.append(f'<div class="pp-card-value">{html_escape(value)}{unit_html}</div>')
    if status:
        # Text as well as colour: survives black-and-white printing and colour blindness.
        mark = "✓ " + text["status_pass"] if status == "pass" else "✗ " + text["status_fail"]
        parts.append(f'<div class="pp-card-status">{html_escape(mark)}</div>')
    if item.get("note"):
        parts.append(f'<div class="pp-card-note">{html_escape(item["note"])}</div>')
    parts.append("</div>")
    return "".join(parts)


def headline_box(items: Sequence[Mapping[str, Any]], lang: str = "zh") -> HTML:
    """Big-number cards for the page top.

    Each item: ``label``, ``value`` (a number from results), optional ``unit``, ``status``
    (``"pass"``/``"fail"``/bool/None colours the card), ``note`` and ``digits`` (default 1).
    """
    _check_lang(lang)
    cards = "".join(_card(item, lang) for item in items)
    return HTML(f'<div class="pp-cards">{cards}</div>')


def _is_numeric_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def table_html(
    df: pd.DataFrame,
    lang: str = "zh",
    *,
    digits: int | Mapping[str, int] = 1,
    caption: str | None = None,
    index: bool = False,
) -> HTML:
    """An escaped, styled table. Numbers are formatted (see `format_number`) and right-aligned;
    `digits` may be one value or per column. Include the index with ``index=True``."""
    _check_lang(lang)
    frame = df.reset_index() if index else df
    columns = list(frame.columns)
    numeric = {c: _is_numeric_column(frame[c]) for c in columns}

    def col_digits(col: object) -> int:
        return digits.get(str(col), 1) if isinstance(digits, Mapping) else digits

    def cell(tag: str, col: object, content: str) -> str:
        cls = ' class="pp-num"' if numeric[col] else ""
        return f"<{tag}{cls}>{content}</{tag}>"

    head = "".join(cell("th", c, html_escape(c)) for c in columns)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        tds = "".join(
            cell("td", c, html_escape(format_number(v, col_digits(c), lang)))
            for c, v in zip(columns, values, strict=True)
        )
        rows.append(f"<tr>{tds}</tr>")
    cap = f"<caption>{html_escape(caption)}</caption>" if caption else ""
    return HTML(
        f'<div class="pp-table-wrap"><table class="pp-table">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def section_title(zh: str, en: str, lang: str = "zh", level: int = 2) -> HTML:
    """A section heading in the briefing's language."""
    _check_lang(lang)
    if level not in (2, 3, 4):
        raise ValueError("level must be 2, 3 or 4 (level 1 is the page title)")
    label = zh if lang == "zh" else en
    return HTML(f'<h{level} class="pp-section">{html_escape(label)}</h{level}>')


def footer_html(provenance: Mapping[str, Any], lang: str = "zh") -> HTML:
    """Provenance block: run id, date, code version, assumptions hash (then any extra keys)."""
    text = ui(lang)
    keys = [k for k in PROVENANCE_FIELDS if k in provenance] + [
        k for k in provenance if k not in PROVENANCE_FIELDS
    ]
    rows = "".join(
        f"<dt>{html_escape(text.get(k, k))}</dt>"
        f"<dd><code>{html_escape(format_number(provenance[k], lang=lang))}</code></dd>"
        for k in keys
    )
    return HTML(
        f'<section class="pp-provenance"><h4>{html_escape(text["provenance"])}</h4>'
        f"<dl>{rows}</dl></section>"
    )
