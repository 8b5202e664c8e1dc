"""peakpath: when, and how high, Shandong's industrial CO2 emissions peak.

Flow: load_scenario() -> run() -> Results (.to_iamc()) -> analytics (peaks, targets, Monte
Carlo, sensitivity, decomposition, wedges) -> notebooks and the batch briefing.

The names below load lazily, so `import model.style` or `model.report` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AssumptionError": "model.errors",
    "ModelError": "model.errors",
    "Results": "model.results",
    "run": "model.runner",
    "Scenario": "model.scenario",
    "list_scenarios": "model.scenario",
    "load_scenario": "model.scenario",
    "validate": "model.scenario",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
