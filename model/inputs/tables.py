"""Reading the CSV tables of assumptions/data/: every cell a string, problems collected."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.errors import Problem


def read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame | None:
    """The table as strings (empty cells ''), or None after reporting why it cannot be used:
    a missing file, a malformed CSV, or missing columns (`data/<file>: <columns>: ...`)."""
    name = f"data/{path.name}"
    if not path.is_file():
        problems.append(Problem(name, "<file>", None, "the file must exist"))
        return None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, "<file>", None, f"well-formed UTF-8 CSV ({exc})"))
        return None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        problems.append(Problem(name, "<columns>", list(df.columns), f"must include {missing}"))
        return None
    return df
