"""The analytics commands of `python -m model`: they write their file and exit 0; bad input
exits 2 and writes nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from model.apps.cli import main


@pytest.mark.parametrize(
    ("argv", "columns"),
    [
        (["uncertainty", "plan", "--draws", "50", "--seed", "1"], {"table", "statistic"}),
        (["sensitivity", "plan", "--method", "oat"], {"parameter", "swing"}),
        (["sensitivity", "plan", "--method", "sobol", "--n", "4"], {"S1", "ST"}),
        (["decompose", "plan", "--from", "2020", "--to", "2030"], {"effect", "value"}),
        (
            ["decompose", "plan", "--from", "2020", "--to", "2030", "--against", "baseline"],
            {"effect", "reference"},
        ),
        (["wedges", "plan", "--against", "baseline"], {"family", "wedge"}),
    ],
)
def test_command_writes_its_file(tmp_path, capsys, argv, columns):
    out = tmp_path / "out.csv"
    assert main([*argv, "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) > 0 and columns <= set(df.columns)
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["decompose", "plan", "--from", "2015", "--to", "2030"],
        ["decompose", "plan", "--from", "2020", "--to", "2030", "--against", "nosuch"],
        ["wedges", "nosuch", "--against", "baseline"],
        ["wedges", "plan", "--against", "nosuch"],
        ["uncertainty", "nosuch", "--draws", "10"],
        ["uncertainty", "plan", "--draws", "0"],
        ["sensitivity", "plan", "--method", "sobol", "--n", "100"],
    ],
)
def test_bad_argument_exits_2_and_writes_nothing(tmp_path, capsys, argv):
    out = tmp_path / "out.csv"
    assert main([*argv, "--out", str(out)]) == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err
