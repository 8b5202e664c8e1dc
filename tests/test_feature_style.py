"""model.report.style: Chinese text renders with the shipped CJK font, colours are fixed per sector.

The font guarantee: charts draw CJK (and Latin) text with the one file shipped in the mplfonts
wheel on every machine, whatever fonts the machine has, so charts are the same byte for byte.
It is checked with a same-named system font present (Debian's fonts-noto-cjk where installed,
else matplotlib's DejaVu Sans relabelled "Noto Sans CJK SC", which lacks every CJK glyph) and
in a process whose font list was built without any system font directory.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pytest
import seaborn as sns
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from model.report import style

ROOT = Path(__file__).resolve().parents[1]
# Debian/Ubuntu fonts-noto-cjk, which scripts/ensure_chromium.sh installs with Chromium.
SYSTEM_CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
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


def _resolved_title_font(fig: Figure) -> Path:
    title = fig.axes[0].title
    return Path(font_manager.findfont(title.get_fontproperties(), fallback_to_default=False))


def _same_named_fonts() -> list[Any]:
    """Font entries called "Noto Sans CJK SC" that are not the mplfonts file, to put first.

    The system's fonts-noto-cjk face when installed; always also matplotlib's DejaVu Sans
    relabelled with that family name (it has no CJK glyph), so the check means something on a
    machine without a system CJK font. Adds nothing to the font manager: it returns entries.
    """
    manager = font_manager.fontManager
    shipped = style.cjk_font_path().resolve()
    dejavu = next(e for e in manager.ttflist if Path(e.fname).name == "DejaVuSans.ttf")
    out = [dataclasses.replace(dejavu, name=style.CJK_FONT_FAMILY)]
    if SYSTEM_CJK_FONT.is_file():
        before = len(manager.ttflist)
        manager.addfont(str(SYSTEM_CJK_FONT))
        added = manager.ttflist[before:]
        del manager.ttflist[before:]
        out = [e for e in added if e.name == style.CJK_FONT_FAMILY] + out
    assert all(Path(e.fname).resolve() != shipped for e in out)
    return out


def _clear_font_lookup_cache() -> None:
    # matplotlib memoises findfont; entries put in or taken out behind addfont's back need this.
    font_manager.fontManager._findfont_cached.cache_clear()


@pytest.fixture
def same_named_system_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The font list with same-named impostors first (they win matplotlib's ties by order)."""
    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [*_same_named_fonts(), *manager.ttflist])
    _clear_font_lookup_cache()
    yield
    monkeypatch.undo()
    _clear_font_lookup_cache()


def test_chinese_labels_render_without_missing_glyphs(styled: None) -> None:
    messages, fig = _render_chinese_figure()
    missing = [m for m in messages if "missing from" in m]
    assert not missing, missing
    # The resolved font file of the Chinese title is the CJK font from mplfonts.
    assert _resolved_title_font(fig).resolve() == style.cjk_font_path().resolve()


def test_a_same_named_system_font_does_not_replace_the_shipped_file(
    same_named_system_font: None,
) -> None:
    # By family name "Noto Sans CJK SC" the impostor placed first would win the lookup.
    by_name = font_manager.findfont(
        font_manager.FontProperties(family=style.CJK_FONT_FAMILY), fallback_to_default=False
    )
    assert Path(by_name).resolve() != style.cjk_font_path().resolve()
    with mpl.rc_context():
        style.set_style()
        messages, fig = _render_chinese_figure()
        resolved = _resolved_title_font(fig)
    assert not [m for m in messages if "missing from" in m]
    assert resolved.resolve() == style.cjk_font_path().resolve()


# Run in a fresh interpreter: draws the Chinese chart and reports what it was drawn with.
_RENDER_SCRIPT = """
import hashlib, io, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import matplotlib as mpl
from matplotlib import font_manager
import test_feature_style as t
from model.report import style

if sys.argv[2] == "impostors":
    manager = font_manager.fontManager
    manager.ttflist[:0] = t._same_named_fonts()
    t._clear_font_lookup_cache()
style.set_style()
messages, fig = t._render_chinese_figure()
png = io.BytesIO()
fig.savefig(png, format="png")
print(json.dumps({
    "resolved": str(t._resolved_title_font(fig).resolve()),
    "missing": [m for m in messages if "missing from" in m],
    "sha256": hashlib.sha256(png.getvalue()).hexdigest(),
    "font_dirs": sorted({str(Path(e.fname).parent) for e in font_manager.fontManager.ttflist}),
    "cachedir": mpl.get_cachedir(),
}))
"""


def _render_in_fresh_process(config_dir: Path, mode: str) -> dict[str, Any]:
    env = {**os.environ, "MPLCONFIGDIR": str(config_dir), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-c", _RENDER_SCRIPT, str(Path(__file__).parent), mode],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_same_file_and_same_pixels_with_and_without_a_system_cjk_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The byte-for-byte guarantee, in fresh processes with fresh font caches.

    With: a new MPLCONFIGDIR, so matplotlib indexes this machine's fonts from scratch (a new
    machine's first run; here that includes fonts-noto-cjk when installed), plus the
    same-named impostors placed first. Without: a MPLCONFIGDIR whose font list was built with
    no system font directory at all, only the fonts matplotlib bundles.
    """
    with_dir, without_dir = tmp_path / "with", tmp_path / "without"
    with_dir.mkdir()
    without_dir.mkdir()
    # Build the "no system fonts" list exactly as matplotlib builds its cache, minus the
    # system directories (fontconfig, /usr/share/fonts, ~/.fonts, ...), and store it where
    # the fresh process reads its font cache.
    system_search = font_manager.findSystemFonts

    def bundled_only(fontpaths: Any = None, fontext: str = "ttf") -> list[str]:
        return system_search(fontpaths, fontext) if fontpaths is not None else []

    monkeypatch.setattr(font_manager, "findSystemFonts", bundled_only)
    bare = font_manager.FontManager()
    monkeypatch.undo()
    font_manager.json_dump(bare, without_dir / f"fontlist-v{bare.__version__}.json")

    with_font = _render_in_fresh_process(with_dir, "impostors")
    without_font = _render_in_fresh_process(without_dir, "plain")

    # Without: only matplotlib's bundled fonts, and the mplfonts file set_style registered.
    allowed = (Path(mpl.get_data_path()).resolve(), style.cjk_font_path().resolve().parent)
    for folder in without_font["font_dirs"]:
        assert Path(folder).resolve().is_relative_to(allowed[0]) or Path(folder) == allowed[1]
    assert with_font["cachedir"] == str(with_dir) and without_font["cachedir"] == str(without_dir)
    if SYSTEM_CJK_FONT.is_file():
        assert str(SYSTEM_CJK_FONT.parent) in with_font["font_dirs"]
    shipped = str(style.cjk_font_path().resolve())
    for run in (with_font, without_font):
        assert run["resolved"] == shipped
        assert run["missing"] == []
    assert with_font["sha256"] == without_font["sha256"]


def test_missing_glyph_check_detects_unstyled_chart() -> None:
    # Control: with matplotlib's defaults (DejaVu Sans) the same chart warns, so the check
    # above is able to fail.
    with mpl.rc_context():
        mpl.rcdefaults()
        messages, _ = _render_chinese_figure()
    assert any("missing from" in m for m in messages)


def test_cjk_font_is_first_after_set_style(styled: None) -> None:
    assert mpl.rcParams["font.sans-serif"][0] == style.CJK_FONT_ALIAS
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
        assert mpl.rcParams["font.sans-serif"][0] != style.CJK_FONT_ALIAS
        style.set_style(context="paper")
        assert mpl.rcParams["font.sans-serif"][0] == style.CJK_FONT_ALIAS


def test_font_registered_once() -> None:
    with mpl.rc_context():
        style.set_style()
        style.set_style()
    path = style.cjk_font_path()
    registered = [e for e in font_manager.fontManager.ttflist if e.name == style.CJK_FONT_ALIAS]
    assert [Path(e.fname) for e in registered] == [path]
    # The shipped file answers to no other name: "Noto Sans CJK SC" is left to the system.
    assert not [
        e
        for e in font_manager.fontManager.ttflist
        if Path(e.fname) == path and e.name != style.CJK_FONT_ALIAS
    ]


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
