"""Shared fixtures: a private copy of the assumptions so tests never write into the repo.

Also passes the suite's warnings rule to the processes tests start (CLI runs, batch workers,
notebook kernels): pyproject.toml's filterwarnings only acts inside pytest's own processes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ASSUMPTIONS = REPO / "assumptions"


def _own_modules() -> list[str]:
    """Every module of model/ and benchmarks/, and `__main__` (scripts, notebook cells)."""
    names = ["__main__"]
    for package in ("model", "benchmarks"):
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


# PYTHONWARNINGS matches a module name exactly (no pattern), hence the list. Children inherit
# it, so a warning raised from our code in a subprocess is an exception there, and the test
# that started it fails.
_inherited = [f for f in os.environ.get("PYTHONWARNINGS", "").split(",") if f]
os.environ["PYTHONWARNINGS"] = ",".join(
    _inherited + [f for f in (f"error::Warning:{m}" for m in _own_modules()) if f not in _inherited]
)


@pytest.fixture
def assumptions_copy(tmp_path: Path) -> Path:
    """A writable copy of assumptions/ (scenarios, parameters, data)."""
    target = tmp_path / "assumptions"
    shutil.copytree(ASSUMPTIONS, target)
    return target
