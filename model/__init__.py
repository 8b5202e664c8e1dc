"""peakpath: when, and how high, Shandong's industrial CO2 emissions peak.

The package is laid out by the stages of the flow; imports run one way, down this list
(tests/test_feature_layout.py fails on an import that runs back up):

- ``model.inputs``: the assumptions as validated data: the parameter schema, scenarios and
  their trajectories, the data tables and what is derived from them, observations, the nowcast;
- ``model.engine``: the vectorized model: sector physics, levers, energy and emissions
  accounting, Monte Carlo sampling, results;
- ``model.methods``: generic methods that know nothing of the model: LMDI, Shapley values,
  SALib sensitivity, trend fits, STIRPAT (they import nothing from the stages);
- ``model.analysis``: questions asked of results: peaks and targets, uncertainty, sensitivity,
  decomposition, wedges, diff, calibration, hindcast, where Shandong stands;
- ``model.report``: what readers see: style, charts, the briefing's texts and HTML, exports,
  provenance;
- ``model.apps``: what users run: the command line, the batch runner, the JupyterLab explorer.

Flow: load_scenario() -> run() -> Results (.to_iamc()) -> analysis -> notebooks and the batch
briefing. The names below load lazily, so `import model` stays cheap.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from typing import Any

_EXPORTS = {
    "AssumptionError": "model.errors",
    "ModelError": "model.errors",
    "Results": "model.engine.results",
    "run": "model.engine.runner",
    "Scenario": "model.inputs.scenario",
    "list_scenarios": "model.inputs.scenario",
    "load_scenario": "model.inputs.scenario",
    "validate": "model.inputs.scenario",
}
__all__ = sorted(_EXPORTS)

# The flat module names of earlier versions, still importable (`from model.plotting import ...`,
# `import model.data`): user notebooks written against them keep working.
LEGACY_MODULES = {
    "yamlload": "model.inputs.yamlload",
    "trajectory": "model.inputs.trajectory",
    "schema": "model.inputs.schema",
    "observations": "model.inputs.observations",
    "derivation": "model.inputs.derivation",
    "data": "model.inputs.data",
    "nowcast": "model.inputs.nowcast",
    "scenario": "model.inputs.scenario",
    "levers": "model.engine.levers",
    "sectors": "model.engine.sectors",
    "history": "model.engine.history",
    "sampling": "model.engine.sampling",
    "results": "model.engine.results",
    "runner": "model.engine.runner",
    "lmdi": "model.methods.lmdi",
    "shapley": "model.methods.shapley",
    "sensitivity": "model.methods.salib",
    "trends": "model.methods.trends",
    "stirpat": "model.methods.stirpat",
    "peaks": "model.analysis.peaks",
    "uncertainty": "model.analysis.uncertainty",
    "global_sensitivity": "model.analysis.sensitivity",
    "decomposition": "model.analysis.decomposition",
    "wedges": "model.analysis.wedges",
    "diff": "model.analysis.diff",
    "calibration": "model.analysis.calibration",
    "hindcast": "model.analysis.hindcast",
    "standing": "model.analysis.standing",
    "baselines": "model.analysis.baselines",
    "style": "model.report.style",
    "plotting": "model.report.charts",
    "briefing_content": "model.report.briefing",
    "exports": "model.report.exports",
    "provenance": "model.report.provenance",
    "docs": "model.report.docs",
    "browser_check": "model.report.browser_check",
    "cli": "model.apps.cli",
    "batch": "model.apps.batch",
    "explorer": "model.apps.explorer",
    "explorer_text": "model.apps.explorer_text",
}


class _LegacyFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`model.<old name>` imports the module it became, under both names (no copy)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        prefix, _, name = fullname.partition(".")
        if prefix == "model" and name in LEGACY_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> Any:
        module = importlib.import_module(LEGACY_MODULES[spec.name.partition(".")[2]])
        self._own_spec = module.__spec__
        return module

    def exec_module(self, module: Any) -> None:
        # The import system stamped the alias spec on the real module: give it its own back.
        module.__spec__ = self._own_spec


if not any(isinstance(f, _LegacyFinder) for f in sys.meta_path):
    sys.meta_path.append(_LegacyFinder())


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in LEGACY_MODULES:
        return importlib.import_module(f"model.{name}")
    raise AttributeError(f"module 'model' has no attribute {name!r}")
