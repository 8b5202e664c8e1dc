"""Regenerate assumptions/README.md from the schema (tooling; the model never imports this)."""

from pathlib import Path

from model.report.docs import assumptions_readme

ROOT = Path(__file__).resolve().parent.parent / "assumptions"

if __name__ == "__main__":
    (ROOT / "README.md").write_text(assumptions_readme(ROOT), encoding="utf-8")
    print(f"wrote {ROOT / 'README.md'}")
