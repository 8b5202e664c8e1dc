"""Observations as data (issue 13): the table follows the reference statistics, derived series
follow their rules, and every bad row gets `file: key: value: allowed`, exit 2, nothing written."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.apps.cli import main
from model.inputs.data import load_data
from model.inputs.observations import load_observations
from model.inputs.scenario import default_assumptions_dir

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference-data" / "shandong_observed_2018_2023.csv"
DATA = load_data(default_assumptions_dir())
OBS = DATA.observations


def _rows(assumptions: Path) -> list[dict]:
    with open(assumptions / "data" / "observations.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(assumptions: Path, rows: list[dict]) -> None:
    path = assumptions / "data" / "observations.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _row(**changes: str) -> dict:
    base = {
        "series": "crude_steel",
        "year": "2024",
        "value": "70.0",
        "low": "",
        "high": "",
        "unit": "Mt",
        "kind": "quoted",
        "source": "test: a 2024 communique",
        "note": "",
    }
    return {**base, **changes}


@pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/reference-data not beside the repo")
def test_table_holds_every_reference_figure_as_published():
    ref = pd.read_csv(REFERENCE)
    assert len(ref) == 145
    table = OBS.table.set_index(["series", "year"])
    from scripts.import_observations import SERIES

    for row in ref.itertuples():
        got = table.loc[(SERIES[row.key], row.year)]
        assert got["value"] == pytest.approx(row.value, rel=1e-12), row.key
        assert got["unit"] == row.unit
        assert row.key in got["source"]


def test_every_row_is_sourced_and_inside_its_measurement_range():
    table = OBS.table
    assert table["source"].str.strip().ne("").all()
    assert (table["low"] <= table["value"]).all() and (table["value"] <= table["high"]).all()
    assert set(table["kind"]) <= {"quoted", "derived", "assumption"}


def test_base_year_values_are_the_observed_2020_values():
    """A number a reader checks against a yearbook matches it: 2020 is observed too."""
    for item, series in (
        ("steel.crude_steel", "crude_steel"),
        ("building_materials.cement", "cement"),
        ("building_materials.flat_glass", "flat_glass"),
    ):
        assert DATA.base_value(item) == pytest.approx(
            OBS.values(series, model_units=True)[2020], rel=1e-6
        )
    va = sum(DATA.history_2020(s, "value_added") for s in DATA.sectors)
    assert va == pytest.approx(OBS.values("industry_va")[2020], rel=1e-6)


def test_grid_factor_rule_reproduces_a_published_year():
    """Published 2021 x (thermal / consumption ratio 2022 / 2021) gives the published 2022."""
    ratio = OBS.thermal_ratio
    derived = OBS.values("grid_factor")[2021] * ratio[2022] / ratio[2021]
    assert derived == pytest.approx(OBS.values("grid_factor")[2022], rel=0.006)
    grid = OBS.grid_factor
    assert list(grid.index) == list(range(2020, OBS.through + 1))
    assert grid.loc[2021, "kind"] == "quoted" and grid.loc[2023, "kind"] == "derived"


def test_industrial_electricity_never_reads_the_2019_break_as_growth():
    electricity = OBS.industrial_electricity
    assert electricity.index.min() == 2020  # the provincial series breaks between 2019 and 2020
    assert 2019 in OBS.values("electricity_total").index  # kept in the table, not used


def test_value_added_index_cumulates_the_yearly_growth():
    index = OBS.value_added_index
    growth = OBS.values("industrial_va_growth") / 100
    expected = np.cumprod([1 + growth[y] for y in (2021, 2022, 2023)])
    np.testing.assert_allclose(index["value"], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("bad", "key", "allowed"),
    [
        (_row(series="crude_stel"), "series: crude_stel", "did you mean crude_steel"),
        (_row(source=""), "crude_steel.2024.source", "a non-empty source"),
        (_row(value="-3"), "crude_steel.2024.value: -3", "a number >= 0"),
        (_row(unit="kt"), "crude_steel.2024.unit: kt", "Mt (the series' unit)"),
        (_row(kind="guess"), "crude_steel.2024.kind: guess", "one of"),
        (_row(year="2023", value="74.6"), "crude_steel.2023: 74.559, 74.6", "one row per"),
        (_row(low="75", high="80"), "crude_steel.2024.low/high: 75/80", "low <= value"),
        (_row(series="industrial_va_growth", unit="%", value="80"), "value: 80", "between -50"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(
    assumptions_copy, tmp_path, capsys, bad, key, allowed
):
    _write(assumptions_copy, [*_rows(assumptions_copy), bad])
    out = tmp_path / "plan.csv"
    code = main(["--assumptions", str(assumptions_copy), "run", "plan", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    line = next(line for line in err.splitlines() if key in line)
    assert line.startswith("data/observations.csv: ") and allowed in line
    assert "Traceback" not in err


def test_validate_reports_a_bad_series_declaration(assumptions_copy, capsys):
    path = assumptions_copy / "data" / "observed_series.csv"
    text = path.read_text(encoding="utf-8").replace("crude_steel,driver,", "crude_steel,drivr,", 1)
    path.write_text(text, encoding="utf-8")
    assert main(["--assumptions", str(assumptions_copy), "validate"]) == 2
    err = capsys.readouterr().err
    assert "data/observed_series.csv: crude_steel.role: drivr:" in err


def test_loading_is_the_same_from_the_folder(assumptions_copy):
    again = load_observations(assumptions_copy / "data")
    pd.testing.assert_frame_equal(again.table, OBS.table)
