"""Writing results: IAMC tables as CSV, XLSX or Parquet, always atomically.

A file appears complete or not at all: everything is written to a temporary file in the same
folder, then moved into place with os.replace.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from model.errors import ModelError
from model.results import Results

FORMATS = (".csv", ".xlsx", ".parquet")


def atomic_write(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp_path)` then move the temporary file onto `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def check_suffix(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ModelError(
            f"{path}: output format {suffix or '(none)'!r}: one of {', '.join(FORMATS)}"
        )
    return suffix


def write_table(df: pd.DataFrame, path: Path | str) -> Path:
    """A DataFrame in the format its suffix names."""
    suffix = check_suffix(path)
    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda p: df.to_csv(p, index=False),
        ".xlsx": lambda p: df.to_excel(p, index=False, sheet_name="data"),
        ".parquet": lambda p: df.to_parquet(p, index=False),
    }
    return atomic_write(path, writers[suffix])


def write_iamc(results: Results | list[Results], path: Path | str) -> Path:
    """IAMC wide table (model, scenario, region, variable, unit, 2010..2060) of the central runs."""
    runs = results if isinstance(results, list) else [results]
    df = pd.concat([r.to_iamc() for r in runs], ignore_index=True)
    if Path(path).suffix.lower() == ".parquet":
        df.columns = [str(c) for c in df.columns]  # Parquet needs string column names
    return write_table(df, path)
