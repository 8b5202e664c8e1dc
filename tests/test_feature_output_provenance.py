"""Every output of the CLI records code version, assumptions hash, seed and package versions."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq

from model.apps.cli import main
from model.inputs.scenario import default_assumptions_dir
from model.report.provenance import assumptions_hash

KEYS = {"git_commit", "git_dirty", "assumptions_hash", "seed", "packages", "scenario", "overrides"}


def test_csv_gets_a_provenance_sidecar(tmp_path):
    out = tmp_path / "plan.csv"
    argv = ["run", "plan", "--draws", "20", "--seed", "5", "--set", "steel.eaf_share.2030=0.2"]
    assert main([*argv, "--out", str(out)]) == 0
    meta = json.loads((tmp_path / "plan.provenance.json").read_text(encoding="utf-8"))
    assert KEYS <= set(meta)
    assert meta["seed"] == 5 and meta["scenario"] == "plan"
    assert meta["overrides"] == ["steel.eaf_share.2030=0.2"]
    assert meta["assumptions_hash"] == assumptions_hash(default_assumptions_dir())
    assert "numpy" in meta["packages"] and "pandas" in meta["packages"]


def test_xlsx_and_parquet_carry_provenance_inside(tmp_path):
    xlsx, parquet = tmp_path / "w.xlsx", tmp_path / "w.parquet"
    assert main(["wedges", "plan", "--against", "baseline", "--out", str(xlsx)]) == 0
    sheet = pd.read_excel(xlsx, sheet_name="provenance")
    assert KEYS <= set(sheet["key"])
    assert main(["run", "baseline", "--out", str(parquet)]) == 0
    meta = json.loads(pq.read_schema(parquet).metadata[b"peakpath_provenance"])
    assert KEYS <= set(meta) and meta["scenario"] == "baseline"
    assert not list(tmp_path.glob("*.provenance.json"))  # sidecars are for CSV only
