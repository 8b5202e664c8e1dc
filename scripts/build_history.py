#!/usr/bin/env python
"""Import the CEADs inventory into assumptions/data/ and show what the model derives from it.

The model derives its history and base-year tables at load (model.inputs.derivation) from tables a
modeller edits: ``ceads_inventory.csv`` (written here, as published), ``ceads_sector_map.csv``,
``ceads_fuel_map.csv``, ``choices.csv`` (every hand-chosen number, one row each),
``observations.csv`` and ``technology.csv``. This script holds no modelling choice: it copies
the inventory from the shared reference data and prints the derived 2020 summary.

CEADs, cited as its terms ask: Shan et al. (2018) Sci Data 5:170201; Shan et al. (2020) Sci
Data 7:54; Guan et al. (2021) Earth's Future 9:e2021EF002241; Shan et al. (2016) Applied Energy
184:742-750.

Usage: ``python scripts/build_history.py [--reference DIR] [--assumptions DIR]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CEADS_FILE = "ceads_shandong_co2_by_sector_fuel_2000_2019.csv"
SOURCE = "CEADs Shandong inventory (data/README.md)"


def import_inventory(reference: Path, data_dir: Path) -> Path:
    """Copy the CEADs inventory (year, ceads_sector, fuel, mt_co2) with a source per row."""
    ceads = pd.read_csv(reference / CEADS_FILE)
    ceads["source"] = SOURCE
    out = data_dir / "ceads_inventory.csv"
    ceads.to_csv(out, index=False, lineterminator="\n", float_format="%.10g")
    return out


def summary(assumptions: Path) -> pd.DataFrame:
    """Derived 2020 direct CO2, fossil energy, electricity, heat and value added by sector."""
    from model.inputs.data import load_data

    data = load_data(assumptions)
    h = data.history.reset_index()
    s = h[h["year"] == 2020].pivot_table(index="sector", columns="item", values="value")
    fossil = ("Coal", "Coke", "Oil", "Gas")
    s["direct_co2"] = s[[f"co2_combustion|{c}" for c in fossil] + ["co2_process"]].sum(axis=1)
    s["fossil_mtce"] = s[[f"energy|{c}" for c in fossil]].sum(axis=1)
    cols = ["direct_co2", "fossil_mtce", "energy|Electricity", "energy|Heat", "value_added"]
    rows = [*data.sectors, "industry", "power", "non_industry", "total"]
    return s.reindex(rows)[cols].round(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared" / "reference-data")
    parser.add_argument("--assumptions", type=Path, default=REPO / "assumptions")
    args = parser.parse_args(argv)
    out = import_inventory(args.reference, args.assumptions / "data")
    print(f"wrote {out}")
    print(summary(args.assumptions).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
