"""The package shows its plan (issue 15): modules live in the stage they belong to, imports run
one way (apps -> report -> analysis -> engine -> inputs; methods stand apart), and the old flat
module names still import."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "model"
# Stages in the order imports may run: a module may import its own stage or an earlier one.
STAGES = ("inputs", "engine", "analysis", "report", "apps")
# Root modules: shared by all (errors), or the entry points at the top (apps level).
ROOT_MODULES = {"errors": -1, "__main__": len(STAGES) - 1}


def _stage_of(module: str) -> int | None:
    """Rank of a `model...` module: -1 shared, 0.. the stages, None for methods."""
    parts = module.split(".")
    if parts[0] != "model" or len(parts) == 1:
        return -1
    if parts[1] == "methods":
        return None
    if parts[1] in STAGES:
        return STAGES.index(parts[1])
    if parts[1] in ROOT_MODULES:
        return ROOT_MODULES[parts[1]]
    raise AssertionError(f"{module}: not in a stage package")


def _model_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `model...` import in a file, lazy ones inside functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "model":
                out += [(node.lineno, f"model.{a.name}") for a in node.names]
            elif node.module.startswith("model."):
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("model.")]
    return out


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = [p for p in sorted(MODEL.rglob("*.py")) if p != MODEL / "__init__.py"]


def test_every_module_lives_in_a_stage():
    flat = {p.stem for p in MODEL.glob("*.py")} - {"__init__"}
    assert flat <= set(ROOT_MODULES), flat - set(ROOT_MODULES)
    packages = {p.name for p in MODEL.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert packages == {*STAGES, "methods"}
    for package in packages:
        assert (MODEL / package / "__init__.py").is_file()
        assert ast.get_docstring(ast.parse((MODEL / package / "__init__.py").read_text()))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: _module_name(p))
def test_imports_run_one_way(path):
    source = _module_name(path)
    rank = _stage_of(source)
    for line, target in _model_imports(path):
        target_rank = _stage_of(target)
        where = f"{path.relative_to(ROOT)}:{line} imports {target}"
        if rank is None:  # methods: generic, nothing from the model's stages
            assert target_rank in (None, -1) and target.split(".")[1] != "inputs", where
            continue
        assert target_rank is None or target_rank <= rank, where + " (an import running up)"


def test_the_check_catches_an_import_running_up(tmp_path):
    bad = tmp_path / "model" / "inputs" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("from model.report.charts import fan_chart\n", encoding="utf-8")
    ((_, target),) = _model_imports(bad)
    assert _stage_of(target) > _stage_of("model.inputs.bad")


def test_names_say_where_things_are():
    """A lever, an analysis or a chart is found from its name in one step."""
    from model.apps.cli import COMMANDS
    from model.engine import levers
    from model.inputs.schema import LEVER_FAMILIES

    analyses = {"peaks", "uncertainty", "sensitivity", "wedges", "diff", "hindcast"}
    for command in analyses:
        assert command in COMMANDS
        assert (MODEL / "analysis" / f"{command}.py").is_file(), command
    assert "decompose" in COMMANDS and (MODEL / "analysis" / "decomposition.py").is_file()
    lever_functions = [n for n in dir(levers) if n.startswith("apply_")]
    assert len(lever_functions) >= len(LEVER_FAMILIES)
    charts = importlib.import_module("model.report.charts")
    for chart in ("fan_chart", "emissions_by_sector", "lever_wedges", "hindcast_chart"):
        assert callable(getattr(charts, chart))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("model.plotting", "model.report.charts"),
        ("model.data", "model.inputs.data"),
        ("model.global_sensitivity", "model.analysis.sensitivity"),
        ("model.sensitivity", "model.methods.salib"),
        ("model.briefing_content", "model.report.briefing"),
    ],
)
def test_old_flat_names_still_import_in_a_fresh_process(old, new):
    code = (
        f"import importlib, {old.split('.')[0]}; a = importlib.import_module({old!r}); "
        f"b = importlib.import_module({new!r}); assert a is b, (a, b); "
        f"assert b.__spec__.name == {new!r}, b.__spec__.name; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_public_api_is_unchanged():
    import model

    scenario = model.load_scenario("plan")
    results = model.run(scenario)
    assert isinstance(results, model.Results)
    assert "Emissions|CO2|Industry" in set(results.to_iamc()["variable"])
    from model import report  # the earlier module: its functions are on the package

    assert callable(report.render_briefing)
    from model.engine import evaluate

    assert callable(evaluate)
