"""environment.yml (conda) must list the same packages and lower bounds as pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]

# conda-forge name -> PyPI name, where they differ.
CONDA_TO_PYPI = {"pyam": "pyam-iamc"}
# Entries of environment.yml that are tooling, not project dependencies.
NOT_DEPENDENCIES = {"pip"}
# pyproject extras that environment.yml must also carry.
EXTRAS = ("dev",)

_CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*$")


def normalise(name: str) -> str:
    """PEP 503-style name: lowercase, runs of '-', '_' and '.' become '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lower_bound(specifier: str) -> str | None:
    """The version after '>=' (or '==', '~=', conda '=') in a specifier string, if any."""
    for part in specifier.split(","):
        match = re.match(r"^\s*(>=|==|~=|=)\s*([0-9][^\s*,]*)", part)
        if match:
            return match.group(2)
    return None


def pyproject_requirements(pyproject: dict[str, Any]) -> dict[str, str | None]:
    """``{normalised name: lower bound}`` for [project] dependencies plus EXTRAS, and python."""
    project = pyproject["project"]
    entries = list(project.get("dependencies", []))
    for extra in EXTRAS:
        entries += project.get("optional-dependencies", {}).get(extra, [])
    out: dict[str, str | None] = {"python": _lower_bound(project.get("requires-python", ""))}
    for entry in entries:
        req = Requirement(entry)
        out[normalise(req.name)] = _lower_bound(str(req.specifier))
    return out


def environment_requirements(env: dict[str, Any]) -> tuple[dict[str, str | None], list[str]]:
    """``{normalised PyPI name: lower bound}`` from conda and pip entries, plus problems found."""
    out: dict[str, str | None] = {}
    problems: list[str] = []

    def add(name: str, bound: str | None, origin: str) -> None:
        key = normalise(CONDA_TO_PYPI.get(normalise(name), name))
        if key in out:
            problems.append(f"{key}: listed twice in environment.yml ({origin})")
        out[key] = bound

    for dep in env.get("dependencies", []):
        if isinstance(dep, dict):
            for entry in dep.get("pip", []):
                if entry.strip().startswith("-"):  # options and "-e ." are not dependencies
                    continue
                req = Requirement(entry)
                add(req.name, _lower_bound(str(req.specifier)), "pip")
            continue
        match = _CONDA_SPEC.match(str(dep))
        if not match:
            problems.append(f"{dep!r}: cannot parse conda spec")
            continue
        name, spec = match.groups()
        if normalise(name) in NOT_DEPENDENCIES:
            continue
        add(name, _lower_bound(spec), "conda")
    return out, problems


def compare(pyproject: dict[str, Any], env: dict[str, Any]) -> list[str]:
    """Human-readable differences between the two dependency lists; empty when in sync."""
    declared = pyproject_requirements(pyproject)
    listed, problems = environment_requirements(env)
    for name in sorted(declared.keys() - listed.keys()):
        problems.append(f"{name}: in pyproject.toml but missing from environment.yml")
    for name in sorted(listed.keys() - declared.keys()):
        problems.append(f"{name}: in environment.yml but not in pyproject.toml")
    for name in sorted(declared.keys() & listed.keys()):
        a, b = declared[name], listed[name]
        same = a == b if a is None or b is None else Version(a) == Version(b)
        if not same:
            problems.append(f"{name}: lower bound {a} in pyproject.toml but {b} in environment.yml")
    return problems


def _load() -> tuple[dict[str, Any], dict[str, Any]]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    return pyproject, env


def test_environment_yml_matches_pyproject() -> None:
    pyproject, env = _load()
    assert "conda-forge" in env["channels"]
    assert compare(pyproject, env) == []
    # Sanity: the comparison really saw the whole list, not an empty parse.
    assert len(pyproject_requirements(pyproject)) > 20


def test_drift_is_reported() -> None:
    pyproject = {
        "project": {
            "requires-python": ">=3.11",
            "dependencies": ["numpy>=1.26", "SALib>=1.5", "pandas>=2.1", "mplfonts>=0.0.8"],
            "optional-dependencies": {"dev": ["pyam-iamc>=2.0", "pytest_xdist>=3.5"]},
        }
    }
    env = {
        "channels": ["conda-forge"],
        "dependencies": [
            "python>=3.10",  # python bound drifted
            "pip",
            "numpy>=1.26.0",  # same bound, different spelling: fine
            "salib >=1.5",  # conda spacing and case: fine
            "pandas>=2.2",  # bumped here only
            "pyam>=2.0",  # conda name mapped to pyam-iamc: fine
            "pytest-xdist>=3.5",  # '_' vs '-': fine
            "tqdm>=4.66",  # not in pyproject
            {"pip": ["-e .", "numpy>=1.26"]},  # numpy twice; mplfonts missing
        ],
    }
    assert compare(pyproject, env) == [
        "numpy: listed twice in environment.yml (pip)",
        "mplfonts: in pyproject.toml but missing from environment.yml",
        "tqdm: in environment.yml but not in pyproject.toml",
        "pandas: lower bound 2.1 in pyproject.toml but 2.2 in environment.yml",
        "python: lower bound 3.11 in pyproject.toml but 3.10 in environment.yml",
    ]


def test_normalise() -> None:
    assert normalise("SALib") == "salib"
    assert normalise("pytest_xdist") == normalise("pytest-xdist") == "pytest-xdist"
    assert normalise("zope.interface") == "zope-interface"
