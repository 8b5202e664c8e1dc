"""Stage 2, the engine: parameters (draw x year arrays) -> energy, emissions, costs per sector.

``sectors`` (each sector's physics: products and routes), ``levers`` (one function per lever,
named after it), ``accounting`` (energy, emissions and the calibrations, vectorized over draws),
``costs`` (investment, capital, operation and energy cost, the carbon market: same pass),
``history`` (the history years of every variable), ``sampling`` (Monte Carlo inputs),
``results`` (Results and the IAMC table), ``runner`` (``run()``: a scenario through all of it).
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    # `from model.engine import evaluate` (the earlier flat module) keeps working.
    if name == "evaluate":
        return importlib.import_module("model.engine.accounting").evaluate
    raise AttributeError(f"module 'model.engine' has no attribute {name!r}")
