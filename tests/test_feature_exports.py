"""Exports: IAMC CSV/XLSX (DESIGN.md names, hierarchy adds up, loads in pyam), tidy Parquet with
draws and provenance, the Excel workbook for readers without Python, and atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from model.analysis.peaks import peak_table
from model.engine.results import IAMC_INDEX
from model.engine.runner import run
from model.errors import ModelError
from model.inputs.data import CARRIERS, FOSSIL, load_data
from model.inputs.scenario import list_scenarios
from model.report.exports import (
    CEADS_CITATION,
    WORKBOOK_SHEETS,
    atomic_write,
    read_results_parquet,
    write_iamc,
    write_results_parquet,
    write_workbook,
)
from model.report.provenance import assumptions_hash

ASSUMPTIONS = Path(__file__).resolve().parents[1] / "assumptions"
SECTORS = [
    "Steel",
    "Nonferrous Metals",
    "Building Materials",
    "Petrochemicals and Chemicals",
    "Consumer Goods",
    "Equipment Manufacturing",
    "Electronics",
    "Other Industry",
]
DESIGN_VARIABLES = [
    "Emissions|CO2|Industry",
    "Emissions|CO2|Industry|Steel",
    "Emissions|CO2|Industry|Steel|Combustion",
    "Emissions|CO2|Industry|Steel|Process",
    "Emissions|CO2|Industry|Steel|Captured",
    "Emissions|CO2|Industry Indirect|Steel",
    "Final Energy|Industry|Steel|Electricity",
    "Final Energy|Industry|Building Materials|Hydrogen",
    *(f"Production|{p}" for p in ("Crude Steel", "Cement", "Clinker", "Primary Aluminium")),
    "Production|Recycled Aluminium",
    "Production|Alumina",
]
HIERARCHY_ROOTS = (
    "Emissions|CO2|Industry",
    "Emissions|CO2|Industry Indirect",
    "Final Energy|Industry",
)


def hierarchy() -> list[tuple[str, list[str]]]:
    """(total, components) pairs that must add up, from DESIGN.md."""
    pairs = [(root, [f"{root}|{s}" for s in SECTORS]) for root in HIERARCHY_ROOTS]
    for s in SECTORS:
        e = f"Emissions|CO2|Industry|{s}"
        pairs.append((e, [f"{e}|Combustion", f"{e}|Process", f"{e}|Captured"]))
        pairs.append((f"{e}|Combustion", [f"{e}|Combustion|{f}" for f in FOSSIL]))
        fe = f"Final Energy|Industry|{s}"
        pairs.append((fe, [f"{fe}|{c}" for c in CARRIERS]))
    return pairs


@pytest.fixture(scope="module")
def results():
    return [run("baseline"), run("plan")]


@pytest.fixture(scope="module")
def iamc_files(results, tmp_path_factory):
    folder = tmp_path_factory.mktemp("iamc")
    return {s: write_iamc(results, folder / f"iamc{s}") for s in (".csv", ".xlsx")}


def test_iamc_csv_and_xlsx_have_iamc_columns_and_design_variables(iamc_files):
    csv = pd.read_csv(iamc_files[".csv"])
    xlsx = pd.read_excel(iamc_files[".xlsx"], sheet_name="data")
    for df in (csv, xlsx):
        assert list(df.columns[:5]) == IAMC_INDEX
        assert [int(c) for c in df.columns[5:]] == list(range(2010, 2061))
        assert set(df["model"]) == {"peakpath"} and set(df["region"]) == {"Shandong"}
        assert set(df["scenario"]) == {"baseline", "plan"}
        assert set(DESIGN_VARIABLES) <= set(df["variable"])
        units = df.set_index("variable")["unit"]
        assert units["Emissions|CO2|Industry"].iloc[0] == "Mt CO2/yr"
        assert units["Final Energy|Industry"].iloc[0] == "Mtce/yr"
    xlsx.columns = csv.columns
    pd.testing.assert_frame_equal(csv, xlsx, check_dtype=False)


def test_iamc_hierarchy_adds_up(iamc_files):
    df = pd.read_csv(iamc_files[".csv"])
    df.columns = [*df.columns[:5], *(int(c) for c in df.columns[5:])]
    years = [c for c in df.columns if isinstance(c, int)]
    for scenario, part in df.groupby("scenario"):
        wide = part.set_index("variable")[years]
        for total, parts in hierarchy():
            have = wide.loc[total].notna().to_numpy()
            assert have[years.index(2020) :].all(), (scenario, total)
            summed = wide.loc[parts].fillna(0.0).sum().to_numpy()
            np.testing.assert_allclose(
                summed[have], wide.loc[total].to_numpy()[have], rtol=1e-9, atol=1e-9
            )


def _import_pyam():
    try:
        import pyam
    except Exception as exc:  # a broken install raises anything, not only ImportError
        pytest.skip(f"pyam cannot be imported here ({type(exc).__name__}: {exc})")
    return pyam


def test_iamc_files_load_in_pyam_and_pass_check_aggregate(iamc_files):
    pyam = _import_pyam()
    for path in iamc_files.values():
        df = pyam.IamDataFrame(path)
        assert set(df.scenario) == {"baseline", "plan"} and df.region == ["Shandong"]
        assert set(DESIGN_VARIABLES) <= set(df.variable)
        for total, parts in hierarchy():
            assert df.check_aggregate(total, components=parts) is None, (path.suffix, total)


def test_parquet_round_trip_with_draws_and_provenance(tmp_path):
    res = run("plan", draws=4, seed=7)
    path = write_results_parquet(res, tmp_path / "plan.parquet", draws=True)
    df, meta = read_results_parquet(path)
    assert list(df.columns) == ["scenario", "run", "variable", "unit", "year", "value"]
    assert sorted(df["run"].unique()) == [0, 1, 2, 3, 4]
    for var in ("Emissions|CO2|Industry", "Final Energy|Industry|Steel|Coal"):
        got = df[df["variable"] == var].pivot(index="run", columns="year", values="value")
        expected = res.get(var)
        keep = ~np.isnan(expected[0])
        np.testing.assert_array_equal(got.to_numpy(), expected[:, keep])
    prov = meta["provenance"]
    assert prov["assumptions_hash"] == assumptions_hash(ASSUMPTIONS)
    assert prov["seed"] == 7 and "numpy" in prov["packages"]
    assert meta["draws_included"] is True
    assert meta["scenarios"][0]["scenario"] == "plan" and meta["scenarios"][0]["n_draws"] == 4
    central = write_results_parquet(res, tmp_path / "central.parquet")
    df0, meta0 = read_results_parquet(central)
    assert set(df0["run"]) == {0} and meta0["draws_included"] is False


def test_workbook_has_sheets_readme_and_consistent_tables(results, tmp_path):
    path = write_workbook(results, tmp_path / "results.xlsx", ASSUMPTIONS)
    wb = openpyxl.load_workbook(path)
    assert tuple(wb.sheetnames) == WORKBOOK_SHEETS
    for name in WORKBOOK_SHEETS:
        ws = wb[name]
        assert ws["A1"].font.bold, name
        assert ws.freeze_panes is not None and ws.freeze_panes != "A1", name
    readme = pd.read_excel(path, sheet_name="README")
    text = " ".join(readme.fillna("").astype(str).to_numpy().ravel())
    assert CEADS_CITATION[:60] in text and "Scientific Data" in text
    assert "CEADs" in readme.loc[readme["item"] == "scope", "中文"].iloc[0]
    assert "feedstock" in readme.loc[readme["item"] == "scope", "English"].iloc[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert assumptions_hash(ASSUMPTIONS) in text
    assert "provenance: packages.pandas" in set(readme["item"])
    assert "Mt CO2/yr" in text and "Mtce/yr" in text
    # The reader is told which years are inventory, estimated from statistics and projected.
    through = results[1].meta["observed_through"]
    assert through > 2020
    years = readme.loc[readme["item"] == "years", "English"].iloc[0]
    assert f"2020-{through}: estimated from observed statistics" in years
    assert f"{through + 1}-2060: projected" in years and "2010-2019: the CEADs" in years

    data = load_data(ASSUMPTIONS)
    peaks = pd.read_excel(path, sheet_name="peaks")
    expected = peak_table(results[1], data, "direct", 0.02)
    got = peaks[(peaks["scenario"] == "plan") & (peaks["scope"] == "direct")]
    assert got["peak_year"].tolist() == expected["peak_year"].tolist()
    np.testing.assert_allclose(got["peak_value"], expected["peak_value"])
    emissions = pd.read_excel(path, sheet_name="emissions")
    assert set(emissions["scope"]) == {"direct", "direct_plus_indirect"}
    energy = pd.read_excel(path, sheet_name="energy")
    steel = energy[(energy["scenario"] == "plan") & (energy["sector"] == "Steel")]
    total = steel[steel["carrier"] == "Total"][2040].iloc[0]
    assert set(steel["carrier"]) == {"Total", *CARRIERS}
    assert steel[steel["carrier"] != "Total"][2040].sum() == pytest.approx(total, rel=1e-9)
    production = pd.read_excel(path, sheet_name="production")
    assert {"Crude Steel", "Cement", "Primary Aluminium"} <= set(production["product"])
    targets = pd.read_excel(path, sheet_name="targets")
    assert set(targets["target"]) == set(data.targets.index)


def test_bad_suffix_raises_model_error_and_writes_nothing(results, tmp_path):
    attempts = [
        (lambda p: write_results_parquet(results[0], p), "r.csv"),
        (lambda p: write_results_parquet(results[0], p), "r.txt"),
        (lambda p: write_workbook(results, p, ASSUMPTIONS), "w.parquet"),
        (lambda p: write_workbook(results, p, ASSUMPTIONS), "w"),
        (lambda p: write_iamc(results, p), "i.json"),
    ]
    for write, name in attempts:
        with pytest.raises(ModelError, match="output format"):
            write(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_no_file_and_no_temporary(results, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        write_results_parquet(results[0], tmp_path / "r.parquet")
    assert list(tmp_path.iterdir()) == []


def test_written_files_get_the_usual_mode_not_a_private_one(results, tmp_path):
    # mkstemp's 0600 made every export (and every scenario the explorer saves) unreadable to
    # the rest of a team; a plain open() gives 0666 less the umask, and keeps a replaced mode.
    old = os.umask(0o022)
    try:
        csv = write_iamc(results, tmp_path / "r.csv", {"seed": 1})
        assert csv.stat().st_mode & 0o777 == 0o644
        assert csv.with_name("r.provenance.json").stat().st_mode & 0o777 == 0o644
        csv.chmod(0o640)
        write_iamc(results, csv, {"seed": 1})
        assert csv.stat().st_mode & 0o777 == 0o640
        os.umask(0o077)
        private = atomic_write(tmp_path / "p.txt", lambda p: p.write_text("x"))
        assert private.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.txt", "r.csv", "r.provenance.json"]


def test_every_shipped_scenario_exports(tmp_path):
    runs = [run(name) for name in list_scenarios()]
    write_iamc(runs, tmp_path / "all.csv")
    df = pd.read_csv(tmp_path / "all.csv")
    assert set(df["scenario"]) == set(list_scenarios())
    _, meta = read_results_parquet(write_results_parquet(runs, tmp_path / "all.parquet"))
    assert [s["scenario"] for s in meta["scenarios"]] == list_scenarios()
    json.dumps(meta)  # plain JSON all the way down
