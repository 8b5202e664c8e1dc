"""model.style: Chinese text renders with the shipped CJK font, colours are fixed per sector."""

from __future__ import annotations

import ast
import csv
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
import pytest
import seaborn as sns
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from model import style

ROOT = Path(__file__).resolve().parents[1]
SECTORS_CSV = ROOT / "assumptions" / "data" / "sectors.csv"
SHIPPED_SCENARIOS = (
    "baseline",
    "capacity_control",
    "efficiency",
    "electrification",
    "hydrogen",
    "ccus",
    "materials",
    "plan",
    "accelerated",
)


@pytest.fixture
def styled() -> Iterator[None]:
    # rc_context restores rcParams afterwards, so tests do not leak style into each other.
    with mpl.rc_context():
        style.set_style()
        yield


def _render_chinese_figure() -> tuple[list[str], Figure]:
    """Draw a chart with Chinese title, axis labels and sector legend; return warning texts."""
    labels = style.sector_labels("zh", SECTORS_CSV)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Figure + FigureCanvasAgg avoids touching pyplot's global backend (tests run in xdist).
        fig = Figure(figsize=(6, 4))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for i, sector in enumerate(style.SECTOR_ORDER):
            ax.plot([2020, 2030], [i, -i], color=style.SECTOR_COLOURS[sector], label=labels[sector])
        ax.set_title("山东省工业领域二氧化碳排放（碳达峰）")
        ax.set_xlabel("年份")
        ax.set_ylabel("排放量（百万吨二氧化碳/年）")
        ax.legend(title="行业")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught], fig


def test_chinese_labels_render_without_missing_glyphs(styled: None) -> None:
    messages, fig = _render_chinese_figure()
    missing = [m for m in messages if "missing from" in m]
    assert not missing, missing
    # The resolved font file of the Chinese title is the CJK font from mplfonts.
    title = fig.axes[0].title
    resolved = font_manager.findfont(title.get_fontproperties(), fallback_to_default=False)
    assert Path(resolved).resolve() == style.cjk_font_path().resolve()


def test_missing_glyph_check_detects_unstyled_chart() -> None:
    # Control: with matplotlib's defaults (DejaVu Sans) the same chart warns, so the check
    # above is able to fail.
    with mpl.rc_context():
        mpl.rcdefaults()
        messages, _ = _render_chinese_figure()
    assert any("missing from" in m for m in messages)


def test_cjk_font_is_first_after_set_style(styled: None) -> None:
    assert mpl.rcParams["font.sans-serif"][0] == style.CJK_FONT_FAMILY
    assert mpl.rcParams["font.family"] == ["sans-serif"]
    assert mpl.rcParams["axes.unicode_minus"] is False
    props = font_manager.FontProperties(fname=str(style.cjk_font_path()))
    assert props.get_name() == style.CJK_FONT_FAMILY


def test_seaborn_set_theme_after_set_style_drops_the_font() -> None:
    # Why set_style() sets the font after the theme: a later sns.set_theme() loses it, and
    # calling set_style() again (not sns.set_theme) is how notebooks change context.
    with mpl.rc_context():
        style.set_style()
        sns.set_theme()
        assert mpl.rcParams["font.sans-serif"][0] != style.CJK_FONT_FAMILY
        style.set_style(context="paper")
        assert mpl.rcParams["font.sans-serif"][0] == style.CJK_FONT_FAMILY


def test_font_registered_once() -> None:
    with mpl.rc_context():
        style.set_style()
        style.set_style()
    path = style.cjk_font_path()
    registered = [
        e
        for e in font_manager.fontManager.ttflist
        if Path(e.fname) == path and e.name == style.CJK_FONT_FAMILY
    ]
    assert len(registered) == 1


def test_cjk_font_path_is_inside_mplfonts() -> None:
    path = style.cjk_font_path()
    assert path.is_file()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in path.parts


def test_sector_order_matches_sectors_csv() -> None:
    with SECTORS_CSV.open(encoding="utf-8", newline="") as fh:
        ids = [row["sector"] for row in csv.DictReader(fh)]
    assert tuple(ids) == style.SECTOR_ORDER
    assert len(style.SECTOR_ORDER) == 8


def test_sector_labels_in_both_languages() -> None:
    zh = style.sector_labels("zh")
    en = style.sector_labels("en")
    assert list(zh) == list(style.SECTOR_ORDER) == list(en)
    assert zh["steel"] == "钢铁"
    assert en["steel"] == "Steel"
    with pytest.raises(ValueError):
        style.sector_labels("fr")


def test_sector_colours_are_fixed_distinct_hex() -> None:
    assert list(style.SECTOR_COLOURS) == list(style.SECTOR_ORDER)
    values = list(style.SECTOR_COLOURS.values())
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in values)
    assert len({c.upper() for c in values}) == len(values)


def test_scenario_colours_cover_shipped_scenarios_and_are_stable() -> None:
    assert set(SHIPPED_SCENARIOS) <= set(style.SCENARIO_COLOURS)
    shipped = [style.SCENARIO_COLOURS[s].upper() for s in SHIPPED_SCENARIOS]
    assert len(set(shipped)) == len(shipped)
    assert style.scenario_colour("plan") == style.SCENARIO_COLOURS["plan"]
    # A user scenario gets a valid colour that does not change between calls or processes.
    custom = style.scenario_colour("my_variant")
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", custom)
    assert custom == style.scenario_colour("my_variant")
    assert style.scenario_colours(["baseline", "my_variant"]) == {
        "baseline": style.SCENARIO_COLOURS["baseline"],
        "my_variant": custom,
    }


def test_style_module_imports_no_other_model_module() -> None:
    tree = ast.parse(Path(style.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in model/style.py"
            assert not (node.module or "").startswith("model"), node.module
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith("model") for a in node.names)
