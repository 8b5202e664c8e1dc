"""Provenance: the assumptions hash follows content only, and git problems never raise."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from model.report import provenance as prov


def make_tree(root: Path) -> Path:
    tree = root / "assumptions"
    (tree / "scenarios").mkdir(parents=True)
    (tree / "data").mkdir()
    (tree / "scenarios" / "baseline.yaml").write_text("name: baseline\n", encoding="utf-8")
    (tree / "scenarios" / "plan.yaml").write_text("extends: baseline\n", encoding="utf-8")
    (tree / "data" / "sectors.csv").write_text("sector,source\nsteel,NBS 2021\n", encoding="utf-8")
    return tree


def test_same_tree_same_hash(tmp_path: Path) -> None:
    a = make_tree(tmp_path / "a")
    b = make_tree(tmp_path / "b")  # another "machine": different absolute path
    assert prov.assumptions_hash(a) == prov.assumptions_hash(b)
    assert len(prov.assumptions_hash(a)) == 64


def test_one_byte_changes_the_hash(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    before = prov.assumptions_hash(tree)
    csv = tree / "data" / "sectors.csv"
    data = bytearray(csv.read_bytes())
    data[-2] ^= 0x01  # flip one bit of one byte
    csv.write_bytes(bytes(data))
    assert prov.assumptions_hash(tree) != before


def test_mtime_does_not_change_the_hash(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    before = prov.assumptions_hash(tree)
    for path in tree.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert prov.assumptions_hash(tree) == before


def test_renaming_a_file_changes_the_hash(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    before = prov.assumptions_hash(tree)
    (tree / "scenarios" / "plan.yaml").rename(tree / "scenarios" / "plan2.yaml")
    assert prov.assumptions_hash(tree) != before


def test_pycache_is_ignored(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    before = prov.assumptions_hash(tree)
    (tree / "__pycache__").mkdir()
    (tree / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0\1")
    assert prov.assumptions_hash(tree) == before


def test_provenance_record(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    record = prov.provenance(tree, seed=20201231)
    assert record["seed"] == 20201231
    assert record["assumptions_hash"] == prov.assumptions_hash(tree)
    assert record["python"].count(".") == 2 and record["platform"]
    assert set(prov.KEY_PACKAGES) <= set(record["packages"])
    assert record["packages"]["papermill"] and record["packages"]["pydantic"]
    assert record["git_commit"] is None or len(record["git_commit"]) == 40
    assert record["git_dirty"] in (True, False, "unknown")


def test_not_a_repository(tmp_path: Path) -> None:
    assert prov.git_commit(tmp_path) is None
    assert prov.git_dirty(tmp_path) == "unknown"


def test_no_git_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on PATH
    assert prov.git_commit(tmp_path) is None
    assert prov.git_dirty(tmp_path) == "unknown"
    record = prov.provenance(make_tree(tmp_path), seed=None)
    assert record["git_commit"] is None and record["seed"] is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_repository_without_and_with_commits(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    git("init", "-q")
    assert prov.git_commit(tmp_path) is None  # no commits yet
    assert prov.git_dirty(tmp_path) is False
    (tmp_path / "f.txt").write_text("x")
    assert prov.git_dirty(tmp_path) is True
    git("add", "f.txt")
    git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "c")
    commit = prov.git_commit(tmp_path)
    assert commit is not None and len(commit) == 40
    assert prov.git_dirty(tmp_path) is False
