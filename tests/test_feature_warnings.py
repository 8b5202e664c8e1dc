"""Warnings raised from the project's own code fail the test suite.

pyproject.toml's filterwarnings turns any warning attributed to a module of `model`, `scripts`
or `benchmarks` into an error, including one that a library raises because of our call
(pandas and numpy attribute their FutureWarning/DeprecationWarning to the calling frame). This
runs pytest with the project's real configuration on probe tests whose code belongs to such
modules, and to look-alikes that are not ours.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBES = textwrap.dedent(
    '''
    import warnings

    import pandas as pd

    SOURCE = """
    def concat_all_na():
        # pandas >= 2.1: FutureWarning about empty or all-NA entries, attributed to this frame
        frames = [pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [pd.NA]})]
        return pd.concat(frames, ignore_index=True)

    def warn():
        warnings.warn("probe", UserWarning, stacklevel=1)
    """


    def functions(module_name):
        """Functions compiled as if they lived in `module_name`."""
        namespace = {"__name__": module_name, "pd": pd, "warnings": warnings}
        path = "/probe/" + module_name.replace(".", "/") + ".py"
        exec(compile(SOURCE, path, "exec"), namespace)
        return namespace


    def test_pandas_futurewarning_caused_by_model_code():
        functions("model.analysis.uncertainty")["concat_all_na"]()


    def test_own_warning_in_model_package_root():
        functions("model")["warn"]()


    def test_own_warning_in_scripts():
        functions("scripts.run_batch")["warn"]()


    def test_own_warning_in_benchmarks():
        functions("benchmarks.bench_engine")["warn"]()


    def test_third_party_warning_is_reported_not_raised():
        functions("somelib.core")["warn"]()


    def test_lookalike_module_name_is_not_ours():
        functions("modelling.core")["concat_all_na"]()
    '''
)


def test_project_config_has_the_filter() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    filters = config["tool"]["pytest"]["ini_options"]["filterwarnings"]
    assert "error::Warning:(model|scripts|benchmarks)(\\.|$)" in filters


def test_warnings_from_our_modules_fail_their_test(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBES, encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-q",
            "-rA",
            str(probe),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    outcome = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED") and "::" in rest:
            outcome[rest.split("::")[1].split(" ")[0]] = word
    assert outcome == {
        "test_pandas_futurewarning_caused_by_model_code": "FAILED",
        "test_own_warning_in_model_package_root": "FAILED",
        "test_own_warning_in_scripts": "FAILED",
        "test_own_warning_in_benchmarks": "FAILED",
        "test_third_party_warning_is_reported_not_raised": "PASSED",
        "test_lookalike_module_name_is_not_ours": "PASSED",
    }, proc.stdout + proc.stderr
    assert "FutureWarning: The behavior of DataFrame concatenation" in proc.stdout


def test_child_processes_inherit_the_rule(tmp_path: Path) -> None:
    """CLI runs, batch workers and notebook kernels started by tests raise on such a warning
    too (tests/conftest.py passes the rule on in PYTHONWARNINGS)."""
    code = textwrap.dedent(
        """
        import sys, pandas as pd
        sys.argv[1:] = []
        frames = [pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [pd.NA]})]
        pd.concat(frames, ignore_index=True)
        print("no error")
        """
    )

    def run_as(module: str) -> subprocess.CompletedProcess[str]:
        runner = f"exec(compile({code!r}, 'probe.py', 'exec'), {{'__name__': {module!r}}})"
        return subprocess.run(
            [sys.executable, "-c", runner], capture_output=True, text=True, timeout=120
        )

    ours = run_as("model.analysis.uncertainty")
    assert ours.returncode != 0 and "FutureWarning" in ours.stderr, ours.stdout + ours.stderr
    theirs = run_as("somelib.core")
    assert theirs.returncode == 0 and "no error" in theirs.stdout, theirs.stderr
