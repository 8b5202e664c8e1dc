"""The one place the plotting style of peakpath charts is set.

Every notebook and script calls :func:`set_style` once before plotting. It applies the seaborn
theme first and the CJK font second, because ``seaborn.set_theme`` rewrites ``font.sans-serif``
and would otherwise drop the Chinese font (the briefing labels sectors in Chinese).

Colours are fixed per sector and per scenario so the same sector has the same colour in every
chart. This module deliberately imports nothing from other ``model`` modules, so it can be used
by any of them without import cycles.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path

import matplotlib as mpl
import matplotlib.style as style_sheets
from cycler import cycler
from matplotlib import font_manager

# The CJK font ships inside the mplfonts wheel, so no system package or root is needed.
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_FAMILY = "Noto Sans CJK SC"  # the family name written inside that file
# Charts name the font by this private family, registered for the mplfonts file only. By its own
# name matplotlib would resolve "Noto Sans CJK SC" to whichever same-named file it indexed first:
# Debian's fonts-noto-cjk (/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc), a Windows or
# macOS install, or the mplfonts file, depending on the machine and on when its font cache was
# built. The private name makes every machine draw with the same file: same pixels everywhere.
CJK_FONT_ALIAS = "peakpath Noto Sans CJK SC (mplfonts)"

# Sector ids in the order used by every stacked chart and table (matches sectors.csv).
SECTOR_ORDER: tuple[str, ...] = (
    "steel",
    "nonferrous",
    "building_materials",
    "chemicals",
    "consumer_goods",
    "equipment",
    "electronics",
    "other_industry",
)

# Okabe-Ito palette (colour-blind safe). Neighbours in SECTOR_ORDER get contrasting hues so
# stacked areas stay readable; "other industry" is the neutral grey.
SECTOR_COLOURS: dict[str, str] = {
    "steel": "#0072B2",  # blue
    "nonferrous": "#E69F00",  # orange
    "building_materials": "#009E73",  # bluish green
    "chemicals": "#D55E00",  # vermillion
    "consumer_goods": "#CC79A7",  # reddish purple
    "equipment": "#56B4E9",  # sky blue
    "electronics": "#F0E442",  # yellow
    "other_industry": "#999999",  # grey
}

# Paul Tol's "muted" palette (colour-blind safe) for the shipped scenarios; the baseline is a
# neutral dark grey because every other scenario is read against it.
SCENARIO_COLOURS: dict[str, str] = {
    "baseline": "#4D4D4D",
    "capacity_control": "#332288",
    "efficiency": "#88CCEE",
    "electrification": "#44AA99",
    "hydrogen": "#117733",
    "ccus": "#999933",
    "materials": "#DDCC77",
    "plan": "#CC6677",
    "accelerated": "#882255",
}

# Colours for user-defined scenarios: Tol "bright" set, picked by a stable hash of the name.
_EXTRA_SCENARIO_PALETTE: tuple[str, ...] = (
    "#AA4499",
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
)

_DEFAULT_SECTORS_CSV = Path(__file__).resolve().parents[2] / "assumptions/data/sectors.csv"


def cjk_font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file shipped in the mplfonts wheel.

    Located via the import system without importing mplfonts (its import pulls in extra
    modules we do not need), so this works offline and without root.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "mplfonts is not installed; it ships the CJK font (run `make venv` or "
            "`pip install mplfonts`)"
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / "fonts" / CJK_FONT_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"{CJK_FONT_FILE} not found inside the installed mplfonts package")


def _register_cjk_font() -> Path:
    """Register the mplfonts CJK file under CJK_FONT_ALIAS, once per font manager.

    ``addfont`` (which also clears matplotlib's font lookup cache) indexes the file under the
    family names it declares; those entries are replaced by one under the private alias, so no
    system font can answer for it and this file answers for no other name. addfont does not
    deduplicate, hence the check first.
    """
    path = cjk_font_path()
    manager = font_manager.fontManager
    if any(e.name == CJK_FONT_ALIAS and Path(e.fname) == path for e in manager.ttflist):
        return path
    first_new = len(manager.ttflist)
    manager.addfont(str(path))
    entry = manager.ttflist[first_new]
    manager.ttflist[first_new:] = [dataclasses.replace(entry, name=CJK_FONT_ALIAS)]
    return path


def set_style(context: str = "notebook", font_scale: float = 1.0) -> None:
    """Apply the peakpath chart style: seaborn's whitegrid theme, then the CJK font.

    The theme comes from the seaborn style sheets that matplotlib ships
    (``seaborn-v0_8-whitegrid`` plus the context sheet), which give seaborn's look without
    importing seaborn and scipy.stats: about two seconds saved in every notebook of a batch.
    The font is set last because any theme (``sns.set_theme`` too) resets
    ``font.sans-serif``; call this again, not ``sns.set_theme``, to change the context.
    """
    if context not in CONTEXTS:
        raise ValueError(f"context: {context!r}: one of {', '.join(CONTEXTS)}")
    style_sheets.use(["seaborn-v0_8-whitegrid", f"seaborn-v0_8-{context}"])
    if font_scale != 1.0:
        for key in FONT_SIZE_KEYS:
            mpl.rcParams[key] = mpl.rcParams[key] * font_scale
    mpl.rcParams["axes.prop_cycle"] = cycler(color=[SECTOR_COLOURS[s] for s in SECTOR_ORDER])
    _register_cjk_font()
    # DejaVu Sans stays as a fallback for any glyph the CJK font lacks; matplotlib resolves it
    # to the copy it bundles (its own fonts come first in its font list).
    sans = [CJK_FONT_ALIAS, "DejaVu Sans"]
    sans += [f for f in mpl.rcParams["font.sans-serif"] if f not in sans]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = sans
    # U+2212 (minus) renders inconsistently with CJK fonts; use the ASCII hyphen-minus.
    mpl.rcParams["axes.unicode_minus"] = False
    # A fixed title height: with the default (None) every draw measures the axes' top
    # decorations to lift the title above them, ~8-13% of a chart's draw time. The charts put
    # nothing above their axes (no top ticks or labels), so the pixels are the same.
    mpl.rcParams["axes.titley"] = 1.0
    mpl.rcParams["savefig.dpi"] = 150
    # Embed TrueType/OpenType outlines in PDF/PS instead of Type 3 bitmaps-as-paths.
    mpl.rcParams["pdf.fonttype"] = 42
    mpl.rcParams["ps.fonttype"] = 42


CONTEXTS = ("paper", "notebook", "talk", "poster")
FONT_SIZE_KEYS = (
    "font.size",
    "axes.labelsize",
    "axes.titlesize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
)


def scenario_colour(name: str) -> str:
    """Return the fixed colour of a scenario; unknown (user) scenarios get a stable colour."""
    if name in SCENARIO_COLOURS:
        return SCENARIO_COLOURS[name]
    # hashlib rather than hash(): hash() of str is salted per process.
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return _EXTRA_SCENARIO_PALETTE[digest[0] % len(_EXTRA_SCENARIO_PALETTE)]


def scenario_colours(names: Iterable[str]) -> dict[str, str]:
    """Map each scenario name to its colour, ready for seaborn's ``palette=``."""
    return {name: scenario_colour(name) for name in names}


def sector_labels(lang: str = "zh", sectors_csv: Path | None = None) -> dict[str, str]:
    """Return ``{sector id: display name}`` in ``lang`` (``zh``, ``en``, or ``iamc`` for the
    IAMC variable names) from sectors.csv, ordered as SECTOR_ORDER. ``sectors_csv`` defaults
    to the shipped ``assumptions/data/sectors.csv`` of this checkout.
    """
    if lang not in ("zh", "en", "iamc"):
        raise ValueError(f"lang must be 'zh', 'en' or 'iamc', not {lang!r}")
    column = "iamc_name" if lang == "iamc" else f"name_{lang}"
    path = sectors_csv or _DEFAULT_SECTORS_CSV
    with path.open(encoding="utf-8", newline="") as fh:
        names = {row["sector"]: row[column] for row in csv.DictReader(fh)}
    missing = [s for s in SECTOR_ORDER if s not in names]
    if missing:
        raise ValueError(f"{path}: sectors missing: {', '.join(missing)}")
    return {s: names[s] for s in SECTOR_ORDER}
