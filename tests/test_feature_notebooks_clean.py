"""Notebooks are committed clean: no outputs, no execution counts, one `parameters` cell.

papermill injects run parameters after the cell tagged `parameters`, so exactly one such cell
must exist. nbstripout (the git filter, see README) strips outputs and counts but keeps cell
tags; the last test checks that against the installed nbstripout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def notebook_problems(nb: dict[str, Any], name: str = "notebook") -> list[str]:
    """Everything that keeps a notebook from being committable; empty when clean."""
    problems: list[str] = []
    parameter_cells = 0
    for index, cell in enumerate(nb.get("cells", [])):
        where = f"{name}: cell {index}"
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            problems.append(f"{where}: papermill's injected-parameters cell (an executed copy?)")
        if cell.get("cell_type") != "code":
            continue
        if "parameters" in tags:
            parameter_cells += 1
        if cell.get("outputs"):
            problems.append(f"{where}: has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{where}: has execution_count {cell['execution_count']}")
    if parameter_cells != 1:
        problems.append(f"{name}: {parameter_cells} code cells tagged 'parameters', need exactly 1")
    return problems


def _clean_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# 行业路径"),
        new_code_cell('scenario = "plan"\nsector = "steel"', metadata={"tags": ["parameters"]}),
        new_code_cell("print(scenario, sector)"),
    ]
    return nb


def _dirty_notebook() -> nbformat.NotebookNode:
    nb = _clean_notebook()
    for count, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        cell.outputs = [new_output("stream", name="stdout", text="plan steel\n")]
    return nb


def test_checker_accepts_clean_notebook() -> None:
    assert notebook_problems(_clean_notebook()) == []


def test_checker_rejects_outputs_and_counts() -> None:
    problems = notebook_problems(_dirty_notebook(), "dirty.ipynb")
    assert "dirty.ipynb: cell 1: has outputs" in problems
    assert "dirty.ipynb: cell 2: has execution_count 2" in problems
    assert len(problems) == 4


def test_checker_requires_exactly_one_parameters_cell() -> None:
    none = _clean_notebook()
    none.cells[1].metadata = {}
    assert notebook_problems(none, "x") == ["x: 0 code cells tagged 'parameters', need exactly 1"]
    two = _clean_notebook()
    two.cells[2].metadata = {"tags": ["parameters"]}
    assert notebook_problems(two, "x") == ["x: 2 code cells tagged 'parameters', need exactly 1"]
    # A tagged markdown cell does not count: papermill only injects after a code cell.
    md = _clean_notebook()
    md.cells[1].metadata = {}
    md.cells[0].metadata = {"tags": ["parameters"]}
    assert notebook_problems(md, "x") != []


def test_checker_rejects_papermill_output_copies() -> None:
    nb = _clean_notebook()
    nb.cells.insert(
        2, new_code_cell('scenario = "ccus"', metadata={"tags": ["injected-parameters"]})
    )
    assert any("injected-parameters" in p for p in notebook_problems(nb))


def test_repository_notebooks_are_clean() -> None:
    # Guard against a vacuous pass when notebooks/ is still empty: the checker must bite.
    assert notebook_problems(_dirty_notebook())
    problems: list[str] = []
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        problems += notebook_problems(nb, str(path.relative_to(ROOT)))
    assert problems == [], "run `nbstripout notebooks/*.ipynb` (see README)"


def test_nbstripout_keeps_parameters_tag(tmp_path: Path) -> None:
    # Run the real CLI from the repository root so any repo-level git config
    # (filter.nbstripout.extrakeys) that would strip tags is exercised too.
    path = tmp_path / "dirty.ipynb"
    nbformat.write(_dirty_notebook(), path)
    subprocess.run([sys.executable, "-m", "nbstripout", str(path)], cwd=ROOT, check=True)
    stripped = json.loads(path.read_text(encoding="utf-8"))
    assert notebook_problems(stripped) == []
    assert stripped["cells"][1]["metadata"]["tags"] == ["parameters"]
