#!/usr/bin/env python
"""Merge the shared reference statistics into ``assumptions/data/observations.csv``.

``observations.csv`` is the maintained table (a modeller adds a 2024 row by hand and re-runs);
this script only (re)writes the rows that come from
``../shared/reference-data/shandong_observed_2018_2023.csv``, so their values, units and sources
stay exactly as published there. Rows of other series or years (added by hand, with their own
source) are kept. Measurement ranges left empty are filled from the series' declared range
(``observed_series.csv``). Run: ``python scripts/import_observations.py [--reference DIR]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "assumptions" / "data"
REFERENCE = REPO.parent / "shared" / "reference-data"
FILE = "shandong_observed_2018_2023.csv"
COLUMNS = ["series", "year", "value", "low", "high", "unit", "kind", "source", "note"]
# Reference key -> series id (observed_series.csv).
SERIES = {
    "O1_crude_steel": "crude_steel",
    "O2_pig_iron": "pig_iron",
    "O3_steel_products": "steel_products",
    "O4_cement": "cement",
    "O5_flat_glass": "flat_glass",
    "O6_ten_nonferrous": "ten_nonferrous",
    "O7_aluminium_products": "aluminium_products",
    "O8_chemical_fibres": "chemical_fibres",
    "O9_motor_vehicles": "motor_vehicles",
    "E1_electricity_total": "electricity_total",
    "N1_cn_electricity_total": "cn_electricity_total",
    "N2_cn_electricity_secondary": "cn_electricity_secondary",
    "F1_grid_mee": "grid_factor",
    "F2_grid_north": "grid_factor_north_china",
    "F3_grid_national": "grid_factor_national",
    "G1_thermal_generation": "thermal_generation",
    "G2_solar_generation": "solar_generation",
    "G3_hydro_generation": "hydro_generation",
    "C1_thermal_capacity": "thermal_capacity",
    "C2_wind_capacity": "wind_capacity",
    "C3_solar_capacity": "solar_capacity",
    "C4_wind_hours": "wind_hours",
    "M1_gdp": "gdp",
    "M2_secondary_va": "secondary_va",
    "M3_industry_va": "industry_va",
    "M4_gdp_real_growth": "gdp_real_growth",
    "I4_industrial_va_growth": "industrial_va_growth",
    "I5_industrial_va_growth_avg": "industrial_va_growth_avg",
    "I1_energy_intensity": "energy_intensity_change",
    "I2_energy_total_growth": "energy_total_growth",
    "I3_electricity_intensity": "electricity_intensity_change",
}


def reference_rows(reference: Path) -> pd.DataFrame:
    ref = pd.read_csv(reference / FILE, keep_default_na=False)
    unknown = sorted(set(ref["key"]) - set(SERIES))
    if unknown:
        raise SystemExit(f"{FILE}: keys without a series id: {unknown}")
    kind = ref["kind"].str.split(" ").str[0]  # "derived (unit conversion only)" -> derived
    note = ref["note"].where(ref["note"].eq(""), " " + ref["note"])
    return pd.DataFrame(
        {
            "series": ref["key"].map(SERIES),
            "year": ref["year"].astype(int),
            "value": ref["value"].astype(float),
            "unit": ref["unit"],
            "kind": kind,
            "source": ref["source"] + f" (reference {FILE}, key " + ref["key"] + ")",
            "note": (ref["confidence"] + " confidence." + note).str.strip(),
        }
    )


def fill_ranges(rows: pd.DataFrame, declared: pd.DataFrame) -> pd.DataFrame:
    """Empty low/high get the series' declared range (relative or absolute half-width)."""
    decl = declared.set_index("series").loc[rows["series"]]
    half = decl["range"].to_numpy(float)
    relative = decl["range_scale"].eq("relative").to_numpy()
    value = rows["value"].to_numpy(float)
    width = abs(value) * half * relative + half * ~relative
    out = rows.copy()
    for col, sign in (("low", -1), ("high", 1)):
        given = pd.to_numeric(out.get(col), errors="coerce") if col in out else None
        filled = value + sign * width
        out[col] = filled if given is None else given.fillna(pd.Series(filled, index=out.index))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    args = parser.parse_args(argv)
    declared = pd.read_csv(DATA / "observed_series.csv", keep_default_na=False)
    new = reference_rows(args.reference)
    table_path = DATA / "observations.csv"
    if table_path.exists():
        kept = pd.read_csv(table_path, keep_default_na=False)
        replaced = new.set_index(["series", "year"]).index
        kept = kept[~kept.set_index(["series", "year"]).index.isin(replaced)]
        kept = kept.replace("", pd.NA)
        new = pd.concat([new, kept], ignore_index=True)
    table = fill_ranges(new, declared)
    order = {s: i for i, s in enumerate(declared["series"])}
    table = table.sort_values(
        ["series", "year"], key=lambda c: c.map(order) if c.name == "series" else c
    )
    table[COLUMNS].to_csv(table_path, index=False, float_format="%.10g")
    print(f"wrote {table_path.relative_to(REPO)}: {len(table)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
