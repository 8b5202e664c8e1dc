"""`python -m model peaks`: the terminal shows years as years and shares as percentages; the
file written with --out keeps the numbers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from model.analysis.peaks import summary_table
from model.apps.cli import main
from model.engine.runner import run
from model.inputs.data import load_data
from model.inputs.scenario import default_assumptions_dir

SCENARIOS = ("plan", "baseline")


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    data = load_data(default_assumptions_dir())
    table = pd.concat([summary_table(run(s), data) for s in SCENARIOS], ignore_index=True)
    targets = table[table["target"] != "peak_by_2030"].copy()
    targets["unit"] = targets["target"].map(data.targets["unit"])
    targets["target_value"] = targets["target"].map(data.targets["value"])
    return targets


def _target_lines(text: str) -> dict[tuple[str, str], str]:
    lines = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[2] == "value":
            lines[(parts[0], parts[1])] = line
    return lines


def test_years_print_as_years_and_shares_as_percentages(capsys, expected) -> None:
    assert main(["peaks", *SCENARIOS]) == 0
    lines = _target_lines(capsys.readouterr().out)
    rows = expected.to_dict("records")
    assert set(lines) == {(r["scenario"], r["target"]) for r in rows}
    units = set(expected["unit"])
    assert {"year", "change vs 2020"} <= units
    for row in rows:
        line = lines[(row["scenario"], row["target"])]
        # Never a year or a share printed as a bare decimal such as +2020.000 or -0.237.
        assert not re.search(r"\d\.\d{3}", line), line
        if row["unit"] == "year":
            margin = round(row["margin"])
            plural = "" if abs(margin) == 1 else "s"
            assert f"value {int(row['value'])} (target {int(row['target_value'])})" in line
            assert f"margin {margin} year{plural} " in line
        elif row["unit"] == "change vs 2020":
            value, target = row["value"] * 100, row["target_value"] * 100
            assert f"value {value:+.1f}% (target {target:+.1f}% vs 2020)" in line
            assert f"margin {row['margin'] * 100:.1f} pp " in line
        else:
            assert f"value {row['value']:g} (target {row['target_value']:g} {row['unit']})" in line
            assert f"margin {row['margin']:g} " in line
        assert line.endswith("PASS" if row["pass"] else "FAIL")


def test_year_margin_reads_10_years_and_share_margin_in_points(capsys) -> None:
    # The defect as reported: `value +2020.000 margin +10.000` for the peak-year target.
    assert main(["peaks", "plan"]) == 0
    out = capsys.readouterr().out
    found = re.search(
        r"industry_peak_year\s+value (\d{4}) \(target 2030\) margin (-?\d+) years", out
    )
    assert found, out
    year, margin = int(found.group(1)), int(found.group(2))
    assert margin == 2030 - year
    assert re.search(
        r"energy_intensity_2025\s+value -\d+\.\d% \(target -17\.0% vs 2020\) "
        r"margin \d+\.\d pp PASS",
        out,
    )


def test_csv_keeps_numbers(tmp_path, capsys, expected) -> None:
    out = tmp_path / "peaks.csv"
    assert main(["peaks", *SCENARIOS, "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert "%" not in out.read_text(encoding="utf-8")
    table = pd.read_csv(out)
    for column in ("peak_year", "peak_value", "value", "margin"):
        assert pd.api.types.is_float_dtype(table[column]), column
    written = table[table["target"] != "peak_by_2030"].reset_index(drop=True)
    pd.testing.assert_series_equal(
        written["value"], expected["value"].reset_index(drop=True), check_names=False
    )
    pd.testing.assert_series_equal(
        written["margin"], expected["margin"].reset_index(drop=True), check_names=False
    )
    peak_year = table.loc[table["target"] == "industry_peak_year", "value"]
    assert peak_year.between(2020, 2060).all()
