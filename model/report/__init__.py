"""Stage 4, report: what readers see.

``style`` (the one place the chart style is set), ``charts`` (one function per chart),
``briefing`` (the briefing's numbers and texts, zh/en), ``html`` (rendering the briefing
notebook to offline HTML), ``exports`` (IAMC CSV/XLSX/Parquet, the Excel workbook),
``provenance`` (what every output records), ``docs`` (assumptions/README.md from the schema),
``browser_check`` (the briefing in a real browser).
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    # `from model import report; report.render_briefing(...)` (the earlier flat module).
    html = importlib.import_module("model.report.html")
    if hasattr(html, name):
        return getattr(html, name)
    raise AttributeError(f"module 'model.report' has no attribute {name!r}")
