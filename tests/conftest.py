"""Shared fixtures: a private copy of the assumptions so tests never write into the repo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ASSUMPTIONS = REPO / "assumptions"


@pytest.fixture
def assumptions_copy(tmp_path: Path) -> Path:
    """A writable copy of assumptions/ (scenarios, parameters, data)."""
    target = tmp_path / "assumptions"
    shutil.copytree(ASSUMPTIONS, target)
    return target
