"""model.report.charts: every chart is a Figure with units on its axes, the scope in its title,
fixed
sector colours, and Chinese labels that render with the CJK font (no missing glyphs)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Iterator

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import model
from model.analysis.wedges import lever_wedges, wedge_table_for_years
from model.methods.lmdi import EFFECTS
from model.report import charts as plotting
from model.report import style

UNIT_PATTERN = re.compile(r"Mt CO2/yr|Mtce/yr|Mt/yr|bn CNY|%|百万吨|十亿元")


@pytest.fixture(scope="module")
def runs() -> dict[str, model.Results]:
    return {
        "baseline": model.run("baseline", draws=30, seed=7),
        "plan": model.run("plan", draws=30, seed=7),
    }


@pytest.fixture(scope="module")
def waterfall() -> pd.DataFrame:
    table, _ = lever_wedges(model.load_scenario("plan"), model.load_scenario("baseline"))
    return wedge_table_for_years(table, (2030, 2035))


@pytest.fixture(autouse=True)
def styled() -> Iterator[None]:
    with mpl.rc_context():
        style.set_style()
        yield


def _decomposition(lang: str) -> Figure:
    effects = pd.Series([30.0, -5.0, -40.0, -3.0, -10.0, 2.0], index=list(EFFECTS))
    return plotting.decomposition_bar(
        effects, 500.0, 500.0 + effects.sum(), {}, lang, start_label="2020", end_label="2030"
    )


def _tornado(lang: str) -> Figure:
    df = pd.DataFrame(
        {
            "parameter": ["a", "b"],
            "output": "emissions_2030",
            "base": 100.0,
            "low": [90.0, 97.0],
            "high": [112.0, 101.0],
            "swing": [22.0, 4.0],
        }
    )
    label = "2030年排放（百万吨CO2/年）" if lang == "zh" else "2030 emissions (Mt CO2/yr)"
    return plotting.tornado(df, "emissions_2030", label, {"a": "参数甲", "b": "参数乙"}, lang)


@pytest.fixture(scope="module")
def statistics() -> dict:
    from model.analysis.baselines import stirpat_crosscheck, stirpat_frame, trend_fits

    fits = trend_fits(sectors=["steel", "electronics"], candidates=("loglinear",))
    frame = stirpat_frame()
    return {
        "fits": {s: f for s, (f, _) in fits.items()},
        "frame": frame,
        "stirpat": stirpat_crosscheck(frame),
    }


def _charts(
    runs: dict, waterfall: pd.DataFrame, statistics: dict
) -> dict[str, Callable[[str], Figure]]:
    b, p = runs["baseline"], runs["plan"]
    steel = p.series("Emissions|CO2|Industry|Steel|Combustion").loc[2020:]
    return {
        "emissions_by_sector": lambda lang: plotting.emissions_by_sector(p, lang=lang),
        "emissions_by_sector_grid": lambda lang: plotting.emissions_by_sector_grid(
            [b, p, b, p], lang=lang
        ),
        "scenario_comparison": lambda lang: plotting.scenario_comparison([b, p], lang=lang),
        "lever_wedges": lambda lang: plotting.lever_wedges(waterfall, lang=lang),
        "fan_chart": lambda lang: plotting.fan_chart(p, lang=lang),
        "fan_chart_many": lambda lang: plotting.fan_chart([b, p], lang=lang),
        "peak_year_histogram": lambda lang: plotting.peak_year_histogram([b, p], lang=lang),
        "sector_activity": lambda lang: plotting.sector_activity(p, "steel", lang),
        "sector_activity_no_products": lambda lang: plotting.sector_activity(p, "equipment", lang),
        "sector_energy": lambda lang: plotting.sector_energy(p, "chemicals", lang),
        "sector_emissions": lambda lang: plotting.sector_emissions(p, "building_materials", lang),
        "tornado": _tornado,
        "decomposition_bar": _decomposition,
        "trend_proposals": lambda lang: plotting.trend_proposals(
            statistics["fits"], "combustion_co2", {"steel": steel}, "plan", lang
        ),
        "stirpat_fit": lambda lang: plotting.stirpat_fit(
            statistics["frame"], statistics["stirpat"], lang
        ),
    }


def _value_labels(fig: Figure) -> list[str]:
    """The value-axis label of every axes with data (y; x for horizontal bars like a tornado)."""
    return [
        ax.get_ylabel() or ax.get_xlabel()
        for ax in fig.axes
        if ax.lines or ax.collections or ax.patches
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_is_a_figure_with_units(runs, waterfall, statistics, lang: str) -> None:
    for name, make in _charts(runs, waterfall, statistics).items():
        fig = make(lang)
        assert isinstance(fig, Figure), name
        labels = _value_labels(fig)
        assert labels, f"{name}: no axes with data"
        for label in labels:
            assert UNIT_PATTERN.search(label), f"{name}: value axis {label!r} has no unit"


def test_titles_say_the_scope(runs) -> None:
    p = runs["plan"]
    for lang, words in (("zh", "直接+间接"), ("en", "direct + indirect")):
        fig = plotting.emissions_by_sector(p, lang=lang)
        assert words in fig.axes[0].get_title()
        fig = plotting.scenario_comparison([p], "direct", lang)
        assert plotting.scope_label("direct", lang) in fig.axes[0].get_title()


def _legend_colours(fig: Figure) -> dict[str, str]:
    out = {}
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
            colour = handle.get_facecolor() if hasattr(handle, "get_facecolor") else None
            if colour is not None:
                out[text.get_text()] = to_hex(np.ravel(colour)[:4] if np.ndim(colour) else colour)
    return out


def test_sector_colours_are_the_same_in_every_chart(runs) -> None:
    p = runs["plan"]
    names = style.sector_labels("zh")
    stacked = _legend_colours(plotting.emissions_by_sector(p, lang="zh"))
    for sector in style.SECTOR_ORDER:
        assert stacked[names[sector]] == style.SECTOR_COLOURS[sector].lower()
    # The same sector's line in its own activity chart has the same colour.
    for sector in ("steel", "chemicals", "electronics"):
        fig = plotting.sector_activity(p, sector, "zh")
        line = fig.axes[0].lines[0]
        assert to_hex(line.get_color()) == stacked[names[sector]]


def test_chinese_labels_render_without_missing_glyphs(runs, waterfall, statistics) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for make in _charts(runs, waterfall, statistics).values():
            make("zh").savefig(io.BytesIO(), format="png")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert not [w for w in caught if "findfont" in str(w.message)]


def test_png_and_show_helpers(runs) -> None:
    png = plotting.to_png(plotting.fan_chart(runs["plan"], lang="en"))
    assert png.startswith(b"\x89PNG")
    image = plotting.show(plotting.sector_energy(runs["plan"], "steel", "en"))
    assert image.data.startswith(b"\x89PNG")


def test_to_png_has_the_pixels_of_savefig(runs, waterfall, statistics) -> None:
    """to_png's shortcuts (one draw, RGB, spines out of the layout) change no pixel."""
    from PIL import Image

    for name, make in _charts(runs, waterfall, statistics).items():
        buf = io.BytesIO()
        make("zh").savefig(buf, format="png", dpi=150, facecolor="white")
        expected = np.asarray(Image.open(buf).convert("RGB"))
        fig = make("zh")
        got = np.asarray(Image.open(io.BytesIO(plotting.to_png(fig))))
        assert got.shape == expected.shape and np.array_equal(got, expected), name
        assert fig.dpi == 100  # the figure is left as it was


def test_sector_grid_has_one_panel_per_scenario_on_one_scale(runs) -> None:
    b, p = runs["baseline"], runs["plan"]
    fig = plotting.emissions_by_sector_grid([b, p, b, p], lang="en")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 4 and len(fig.axes) == 6  # 2 rows of 3, the last two left empty
    assert [ax.get_title() for ax in shown] == [
        plotting.scenario_label(r, "en") for r in (b, p, b, p)
    ]
    assert len({ax.get_ylim() for ax in shown}) == 1
    assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in shown)
    assert "direct + indirect" in fig.get_suptitle()
    with pytest.raises(ValueError, match="at least one"):
        plotting.emissions_by_sector_grid([], lang="en")


def test_bad_input_is_refused(runs) -> None:
    p = runs["plan"]
    with pytest.raises(ValueError, match="lang"):
        plotting.emissions_by_sector(p, lang="fr")
    with pytest.raises(ValueError, match="scope"):
        plotting.emissions_by_sector(p, scope="indirect")
    with pytest.raises(ValueError, match="sector"):
        plotting.sector_energy(p, "textiles", "en")
    with pytest.raises(ValueError, match="draws"):
        plotting.fan_chart(model.run("plan"), lang="en")
    effects = pd.Series([1.0] * len(EFFECTS), index=list(EFFECTS))
    with pytest.raises(ValueError, match="sum"):
        plotting.decomposition_bar(effects, 100.0, 100.0, {}, "en")


def test_statistical_charts_draw_what_they_are_given(statistics) -> None:
    frame, fit = statistics["frame"], statistics["stirpat"]
    fig = plotting.stirpat_fit(frame, fit, "en")
    lines = {ln.get_label(): ln for ln in fig.axes[0].lines}
    np.testing.assert_allclose(lines["OLS fit"].get_ydata(), fit.predict(frame))
    np.testing.assert_allclose(lines["Observed (CEADs)"].get_ydata(), frame["co2"])
    assert ("Ridge fit" in lines) == fit.collinear
    fig = plotting.trend_proposals(statistics["fits"], "fossil_energy", lang="en")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2 and "Mtce" in visible[0].get_ylabel()
    with pytest.raises(ValueError, match="series"):
        plotting.trend_proposals(statistics["fits"], "gdp", lang="en")
