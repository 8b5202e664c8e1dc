"""User-facing errors: every problem names the file, the key, the bad value and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the assumptions, printed as `file: key.path: value: what is allowed`."""

    file: str
    key: str
    value: Any
    allowed: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {_short(self.value)}: {self.allowed}"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ModelError(Exception):
    """Base class for errors caused by user input (exit code 2 in the CLI, no traceback)."""


class AssumptionError(ModelError):
    """Raised with every problem found, so a modeller fixes a file in one pass."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownScenarioError(AssumptionError):
    """A scenario name that has no file, or a name that is not `[a-z0-9_]+`."""


def raise_if(problems: list[Problem]) -> None:
    """Raise all collected problems together, or do nothing when there are none."""
    if problems:
        raise AssumptionError(problems)
