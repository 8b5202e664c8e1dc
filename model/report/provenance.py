"""Provenance of a model run: which code, which assumptions, which seed, which environment.

Every batch manifest embeds this record so that a number in a briefing can be traced back to
the exact code commit, the exact bytes of the assumption files and the package versions that
produced it. Everything here must work on a machine without git, in a checkout without
commits, and must never raise for those cases: provenance is recorded, not enforced.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# Distribution names as published on PyPI (importlib.metadata looks them up case-insensitively).
KEY_PACKAGES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "SALib",
    "seaborn",
    "matplotlib",
    "papermill",
    "nbconvert",
    "pydantic",
)

# Byte-identical trees must hash identically, but caches (Python's, the derived tables) are not
# assumptions.
_IGNORED_DIRS = frozenset({"__pycache__", ".derived"})  # .derived: model.inputs.data cache
_IGNORED_SUFFIXES = (".pyc",)

# The repository that holds the `model` package: the code whose version we record.
_CODE_ROOT = Path(__file__).resolve().parents[2]


def _git(args: list[str], cwd: Path) -> str | None:
    """Run a read-only git command; None when git is missing, this is no repo, or it fails."""
    env = dict(os.environ)
    # `git status` otherwise refreshes the index and takes .git/index.lock, which can collide
    # with a developer's or another batch's git command running at the same moment.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_commit(repo_dir: Path = _CODE_ROOT) -> str | None:
    """HEAD commit hash, or None without git or before the first commit."""
    out = _git(["rev-parse", "--verify", "--quiet", "HEAD"], repo_dir)
    if out is None:
        return None
    return out.strip() or None


def git_dirty(repo_dir: Path = _CODE_ROOT) -> bool | str:
    """True if the working tree differs from HEAD (incl. untracked files); "unknown" without git."""
    out = _git(["status", "--porcelain"], repo_dir)
    if out is None:
        return "unknown"
    return bool(out.strip())


def _assumption_files(root: Path) -> list[tuple[str, Path]]:
    """(relative POSIX path, absolute path) of every file under root, sorted by relative path."""
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        # Prune in place so os.walk does not descend into caches.
        dirnames[:] = [d for d in dirnames if d not in _IGNORED_DIRS]
        for name in filenames:
            if name.endswith(_IGNORED_SUFFIXES):
                continue
            path = Path(dirpath) / name
            # as_posix() makes the hash identical on Windows and POSIX for the same tree.
            found.append((path.relative_to(root).as_posix(), path))
    found.sort(key=lambda item: item[0])
    return found


def assumptions_hash(assumptions_dir: Path) -> str:
    """SHA-256 over the sorted relative paths and bytes of every file under assumptions_dir.

    Only names and contents enter the hash, never mtimes or permissions, so a fresh clone on
    another machine gives the same value. Each entry is framed (path, NUL, content digest) so
    that moving bytes from one file to the next cannot produce the same hash.
    """
    digest = hashlib.sha256()
    for rel, path in _assumption_files(Path(assumptions_dir)):
        digest.update(rel.encode("utf-8"))
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution, None when it is not installed."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def provenance(
    assumptions_dir: Path, seed: int | None, repo_dir: Path = _CODE_ROOT
) -> dict[str, Any]:
    """Everything needed to reproduce a run, as a JSON-serialisable dict."""
    return {
        "git_commit": git_commit(repo_dir),
        "git_dirty": git_dirty(repo_dir),
        "assumptions_dir": str(Path(assumptions_dir).resolve()),
        "assumptions_hash": assumptions_hash(assumptions_dir),
        "seed": seed,
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": package_versions(),
    }
