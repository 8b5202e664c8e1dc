"""assumptions/README.md documents every parameter and cannot drift from the schema."""

from __future__ import annotations

from model.inputs.data import load_data
from model.inputs.scenario import default_assumptions_dir
from model.inputs.schema import load_schema
from model.report.docs import assumptions_readme

ROOT = default_assumptions_dir()


def test_readme_is_the_generated_one():
    expected = assumptions_readme(ROOT)
    actual = (ROOT / "README.md").read_text(encoding="utf-8")
    assert actual == expected, "run: python scripts/gen_assumptions_readme.py"


def test_readme_lists_every_parameter_with_unit_and_source():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    schema = load_schema(ROOT / "parameters.yaml", load_data(ROOT).sectors)
    for key, decl in schema.parameters.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `{key}` |"))
        assert decl.unit in line and decl.source.split()[0] in line


def test_every_parameter_has_a_source_and_assumptions_say_why():
    schema = load_schema(ROOT / "parameters.yaml", load_data(ROOT).sectors)
    for key, decl in schema.parameters.items():
        assert len(decl.source) > 15, key
        if decl.source.startswith("assumption"):
            assert ":" in decl.source, f"{key}: an assumption states its rationale"
