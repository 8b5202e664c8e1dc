"""model.report.html: the briefing HTML is code-free, escaped, self-contained and written
atomically.

The sample executed notebook is built here with nbformat (nothing binary is committed); the
browser test imports `build_sample_notebook` from this module.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from model.report import html as report

# Unique strings that must never reach the page (they only live in code cell sources).
CODE_MARKER = "CODE_MARKER_7f3a9c_must_not_render"
PARAM_MARKER = "PARAM_MARKER_d41e_must_not_render"
MALICIOUS = "基准情景<script>alert(1)</script>说明"
HEADLINE_LABEL = "工业二氧化碳排放峰值"
HEADLINE_VALUE = 512.3
SECTION_ZH, SECTION_EN = "达峰时间与峰值", "Peak timing and level"
STDOUT_TEXT = "模型运行完成：9 个情景"
INTRO_ZH = "本简报展示**各情景**下工业领域二氧化碳排放的达峰时间与峰值。"


def _png_bytes() -> bytes:
    # Figure + Agg canvas: no pyplot global state, no GUI backend, ASCII labels so the test does
    # not depend on which CJK font matplotlib finds.
    fig = Figure(figsize=(7, 3), dpi=90, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    years = list(range(2020, 2041))
    ax.plot(years, [500 + 2 * (y - 2020) - 0.12 * (y - 2020) ** 2 for y in years], lw=2)
    ax.set_xticks(range(2020, 2041, 5))
    ax.set_ylabel("Mt CO2")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _display(obj: object, output_type: str = "display_data") -> nbformat.NotebookNode:
    """Turn an IPython display object into a notebook output, as the kernel would."""
    data = {"text/plain": "<IPython.core.display.HTML object>"}
    data["text/html"] = obj._repr_html_()  # type: ignore[attr-defined]
    kwargs = {"execution_count": 1} if output_type == "execute_result" else {}
    return new_output(output_type, data=data, **kwargs)


def build_sample_notebook(lang: str = "zh", *, with_error: bool = False) -> nbformat.NotebookNode:
    """An executed briefing-like notebook, as papermill would leave it."""
    params = new_code_cell(f"scenario = 'plan'  # {PARAM_MARKER}", execution_count=1)
    params.metadata["tags"] = ["parameters"]
    injected = new_code_cell(f"scenario = 'accelerated'  # {PARAM_MARKER}", execution_count=2)
    injected.metadata["tags"] = ["injected-parameters"]
    injected.outputs = [new_output("stream", name="stdout", text=f"{PARAM_MARKER}\n")]

    cards = report.headline_box(
        [
            {"label": HEADLINE_LABEL, "value": HEADLINE_VALUE, "unit": "Mt CO₂", "status": "pass"},
            {"label": "达峰年份", "value": 2028, "status": True, "note": MALICIOUS},
            {"label": "2030 年较峰值下降", "value": -3.25, "unit": "%", "status": "fail"},
        ],
        lang,
    )
    table = report.table_html(
        pd.DataFrame(
            {
                "情景": ["基准", "<b>加速</b>"],
                "峰值年份": [2030, 2026],
                "峰值 (Mt)": [530.456, 498.0],
                "2030年前达峰": [True, True],
            }
        ),
        lang,
        caption="各情景达峰结果",
    )
    headline = new_code_cell(f"headline_box(items)  # {CODE_MARKER}", execution_count=3)
    headline.outputs = [
        _display(report.section_title(SECTION_ZH, SECTION_EN, lang)),
        _display(cards),
        _display(table),
    ]
    chart = new_code_cell("fig = plot_emissions(results)", execution_count=4)
    png = base64.b64encode(_png_bytes()).decode()
    chart.outputs = [
        new_output("display_data", data={"image/png": png, "text/plain": "<Figure size 480x240>"}),
        # The stray repr a last-line `ax.plot(...)` leaves behind: must not show.
        new_output(
            "execute_result", data={"text/plain": "[<Line2D REPR_LEAK>]"}, execution_count=4
        ),
    ]
    log = new_code_cell("print(summary)", execution_count=5)
    log.outputs = [
        new_output("stream", name="stdout", text=STDOUT_TEXT + "\n"),
        new_output("stream", name="stderr", text="UserWarning: STDERR_NOISE\n"),
    ]
    footer = new_code_cell("footer_html(provenance)", execution_count=6)
    footer.outputs = [
        _display(
            report.footer_html(
                {
                    "run_id": "20250101T000000Z-abc123",
                    "date": "2025-01-01",
                    "code_version": "abc123 (dirty)",
                    "assumptions_hash": "sha256:0123456789abcdef",
                },
                lang,
            )
        )
    ]
    removed = new_code_cell("debug()", execution_count=7)
    removed.metadata["tags"] = ["remove"]
    removed.outputs = [new_output("stream", name="stdout", text="REMOVED_CELL_OUTPUT\n")]
    silent = new_code_cell("import model  # no output", execution_count=8)

    cells = [
        new_markdown_cell(
            "# 山东省工业碳达峰简报\n\n本简报展示**各情景**下工业领域二氧化碳排放的达峰时间与峰值。"
        ),
        params,
        injected,
        headline,
        new_markdown_cell("## 排放路径\n\n下图为基准情景的排放轨迹。"),
        chart,
        log,
        removed,
        silent,
    ]
    if with_error:
        cells.append(_error_cell())
    cells.append(footer)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["title"] = "山东省工业碳达峰研判简报" if lang == "zh" else "Shandong peak briefing"
    return nb


def _error_cell() -> nbformat.NotebookNode:
    cell = new_code_cell("1 / 0", execution_count=9)
    cell.outputs = [
        new_output(
            "error",
            ename="ZeroDivisionError",
            evalue="TRACEBACK_EVALUE_division by zero",
            traceback=[
                "\x1b[0;31m---------------------------------------------------------------\x1b[0m",
                "\x1b[0;31mZeroDivisionError\x1b[0m  Traceback (most recent call last)",
                'File "/srv/peakpath/model/secret_path.py", line 3, in TRACEBACK_FRAME',
            ],
        )
    ]
    return cell


def write_sample(tmp_path: Path, lang: str = "zh", *, with_error: bool = False) -> Path:
    path = tmp_path / f"briefing_{lang}{'_err' if with_error else ''}.ipynb"
    nbformat.write(build_sample_notebook(lang, with_error=with_error), path)
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("briefing")
    pages = {}
    for lang in ("zh", "en"):
        out = report.render_briefing(write_sample(tmp, lang), tmp / "out" / f"{lang}.html", lang)
        pages[lang] = out.read_text(encoding="utf-8")
    return pages


# ---- rendering ---------------------------------------------------------------------------


def test_no_network_urls_and_no_scripts(rendered: dict[str, str]) -> None:
    for page in rendered.values():
        assert "<script" not in page.lower()
        assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.IGNORECASE)
        assert "http://" not in page and "https://" not in page
        assert report.offline_violations(page) == []


def test_no_code_prompts_params_or_noise(rendered: dict[str, str]) -> None:
    page = rendered["zh"]
    for absent in (
        CODE_MARKER,
        PARAM_MARKER,
        "plot_emissions",
        "REMOVED_CELL_OUTPUT",
        "STDERR_NOISE",
        "REPR_LEAK",
        "In&nbsp;[",
        "Out[",
        'class="jp-CodeMirrorEditor',
    ):
        assert absent not in page, absent
    assert STDOUT_TEXT in page
    assert "山东省工业碳达峰简报" in page  # markdown cell content kept


@pytest.mark.parametrize(("lang", "html_lang"), [("zh", "zh-CN"), ("en", "en")])
def test_lang_attribute_and_ui_text(rendered: dict[str, str], lang: str, html_lang: str) -> None:
    page = rendered[lang]
    assert f'<html lang="{html_lang}">' in page
    assert report.UI_TEXT[lang]["generated_by"] in page
    other = "en" if lang == "zh" else "zh"
    assert report.UI_TEXT[other]["generated_by"] not in page
    assert (SECTION_ZH if lang == "zh" else SECTION_EN) in page


def test_untrusted_text_is_escaped(rendered: dict[str, str]) -> None:
    page = rendered["zh"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "&lt;b&gt;加速&lt;/b&gt;" in page  # table cells are escaped too


def test_image_embedded_as_data_uri(rendered: dict[str, str]) -> None:
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]+)"', rendered["zh"])
    assert srcs, "chart missing"
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert base64.b64decode(srcs[0].split(",", 1)[1]).startswith(b"\x89PNG")


def test_print_css_inline(rendered: dict[str, str]) -> None:
    page = rendered["zh"]
    assert "@media print" in page and "size: A4" in page
    assert "break-inside: avoid" in page
    assert '"Noto Sans CJK SC"' in page
    assert "<link" not in page.lower()


def test_headline_numbers_formatted(rendered: dict[str, str]) -> None:
    page = rendered["zh"]
    assert "512.3" in page and "2028" in page and "2,028" not in page
    assert "-3.2" in page or "-3.3" in page
    assert "530.5" in page  # table float rounded to one decimal
    assert "✗ 未达标" in page and "✓ 达标" in page


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out = report.render_briefing(write_sample(tmp_path), out_dir / "index.html")
    assert out == out_dir / "index.html"
    assert [p.name for p in out_dir.iterdir()] == ["index.html"]
    assert oct(out.stat().st_mode & 0o777) == "0o644"


def test_error_cell_shows_notice_not_traceback(tmp_path: Path) -> None:
    nb_path = write_sample(tmp_path, with_error=True)
    page = report.render_briefing(nb_path, tmp_path / "err.html").read_text(encoding="utf-8")
    for absent in ("Traceback", "ZeroDivisionError", "TRACEBACK_EVALUE", "TRACEBACK_FRAME"):
        assert absent not in page, absent
    assert report.UI_TEXT["zh"]["error_notice"] in page
    assert report.UI_TEXT["zh"]["error_banner"] in page
    # Content after the failed cell still renders.
    assert "运行编号" in page


def test_refuses_remote_resources_and_writes_nothing(tmp_path: Path) -> None:
    nb = build_sample_notebook()
    nb.cells.append(new_markdown_cell("![logo](https://example.com/logo.png)"))
    nb_path = tmp_path / "remote.ipynb"
    nbformat.write(nb, nb_path)
    out = tmp_path / "out" / "remote.html"
    with pytest.raises(report.BriefingError, match="self-contained"):
        report.render_briefing(nb_path, out)
    assert not out.exists()
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_markdown_local_image_is_embedded(tmp_path: Path) -> None:
    (tmp_path / "fig.png").write_bytes(_png_bytes())
    nb = new_notebook(cells=[new_markdown_cell("![chart](fig.png)")])
    nb_path = tmp_path / "md.ipynb"
    nbformat.write(nb, nb_path)
    page = report.render_briefing(nb_path, tmp_path / "md.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page


def test_unknown_lang_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang"):
        report.render_briefing(write_sample(tmp_path), tmp_path / "x.html", lang="fr")


# ---- helpers -----------------------------------------------------------------------------


def test_offline_violations_catches_cdn_patterns() -> None:
    bad = [
        '<script src="https://cdnjs.cloudflare.com/require.js"></script>',
        "<link rel=stylesheet href='http://fonts.googleapis.com/css'>",
        '<img src="//cdn.example.com/x.png">',
        "<style>@import url(https://fonts.example.com/a.css);</style>",
        "<style>body{background:url('https://x.example/bg.png')}</style>",
        "<script>var x = 1;</script>",
    ]
    for snippet in bad:
        assert report.offline_violations(snippet), snippet
    ok = '<a href="#peak">x</a><img src="data:image/png;base64,AAAA"><p>see https://x.org</p>'
    assert report.offline_violations(ok) == []


def test_escape_helpers() -> None:
    assert report.html_escape('<script>"x"&') == "&lt;script&gt;&quot;x&quot;&amp;"
    escaped = report.md_escape("**bold** [link](http://x) <b>")
    assert "<b>" not in escaped and "\\*\\*" in escaped and "\\[" in escaped


def test_format_number() -> None:
    assert report.format_number(2030) == "2030"
    assert report.format_number(123456) == "123,456"
    assert report.format_number(1234.567, 2) == "1,234.57"
    assert report.format_number(float("nan")) == "—"
    assert report.format_number(None) == "—"
    assert report.format_number(True, lang="en") == "yes"


def test_section_title_and_footer_language() -> None:
    assert "Peak" in report.section_title("峰值", "Peak", "en").data
    assert "峰值" in report.section_title("峰值", "Peak", "zh").data
    footer = report.footer_html({"run_id": "r1", "extra<key>": "<v>"}, "en").data
    assert "Run ID" in footer and "&lt;v&gt;" in footer and "<v>" not in footer


def test_headline_box_rejects_unknown_status() -> None:
    with pytest.raises(ValueError, match="status"):
        report.headline_box([{"label": "x", "value": 1, "status": "maybe"}])


def test_page_title_shown_once(rendered: dict[str, str], tmp_path: Path) -> None:
    # The sample writes its own `# heading`, so the template does not add a second one...
    assert 'class="pp-page-title"' not in rendered["zh"]
    assert "<title>山东省工业碳达峰研判简报</title>" in rendered["zh"]
    # ...while a notebook without one gets the standard title (escaped) as its heading.
    nb_path = tmp_path / "plain.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("## 摘要")]), nb_path)
    page = report.render_briefing(nb_path, tmp_path / "plain.html", title="A & B")
    text = page.read_text(encoding="utf-8")
    assert '<h1 class="pp-page-title">A &amp; B</h1>' in text


def test_web_links_become_plain_text(tmp_path: Path) -> None:
    # Markdown autolinks bare URLs (a cited source); the offline page shows them as text.
    nb = new_notebook(
        cells=[
            new_markdown_cell(
                "来源：https://example.org/data ，另见[统计年鉴](https://example.org/yb)。"
            )
        ]
    )
    nb_path = tmp_path / "links.ipynb"
    nbformat.write(nb, nb_path)
    page = report.render_briefing(nb_path, tmp_path / "links.html").read_text(encoding="utf-8")
    assert report.offline_violations(page) == []
    assert "<a " not in page
    assert "https://example.org/data" in page
    assert "统计年鉴 (https://example.org/yb)" in page


def test_charts_have_alt_text_in_page_language(rendered: dict[str, str]) -> None:
    assert 'alt="图表"' in rendered["zh"]
    assert 'alt="Chart"' in rendered["en"]
    assert "No description has been provided" not in rendered["zh"]
