"""The history and base-year tables the model derives at load (model.inputs.derivation) from the
tables a modeller edits: laws of the derivation, and an edited cell changing the run."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.inputs.data import load_data
from model.inputs.derivation import emission_factor

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "assumptions" / "data"
REF = REPO.parent / "shared" / "reference-data"
CEADS = REF / "ceads_shandong_co2_by_sector_fuel_2000_2019.csv"
needs_ref = pytest.mark.skipif(
    not CEADS.exists(),
    reason=f"shared reference data not found at {REF} (only needed to compare the copied "
    "inventory with it; the model runs on assumptions/ alone)",
)

SECTORS = [
    "steel",
    "nonferrous",
    "building_materials",
    "chemicals",
    "consumer_goods",
    "equipment",
    "electronics",
    "other_industry",
]
GROUPS = [*SECTORS, "power", "non_industry"]
FOSSIL = ["Coal", "Coke", "Oil", "Gas"]
KINDS = {"quoted", "derived", "assumption"}
TJ_PER_TCE = 0.0293076


def read(name: str) -> pd.DataFrame:
    """A maintained table, or a derived one (history.csv, base_year.csv:
    model.inputs.derivation)."""
    if name in ("history.csv", "base_year.csv"):
        data = load_data(REPO / "assumptions")
        return (data.history if name == "history.csv" else data.base_year).reset_index()
    return pd.read_csv(DATA / name, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def hist() -> pd.DataFrame:
    return read("history.csv")


@pytest.fixture(scope="module")
def fmap() -> pd.DataFrame:
    fm = read("ceads_fuel_map.csv")
    fossil = fm["carrier"].isin(FOSSIL)
    fm["ef_tco2_per_tce"] = np.nan
    fm.loc[fossil, "ef_tco2_per_tce"] = [
        emission_factor(c, o)
        for c, o in zip(
            fm.loc[fossil, "carbon_content_tc_per_tj"],
            fm.loc[fossil, "oxidation_rate"],
            strict=True,
        )
    ]
    return fm


@pytest.fixture(scope="module")
def smap() -> pd.DataFrame:
    return read("ceads_sector_map.csv")


def co2_direct(hist: pd.DataFrame) -> pd.Series:
    items = [f"co2_combustion|{c}" for c in FOSSIL] + ["co2_process"]
    h = hist[hist["item"].isin(items)]
    return h.groupby(["sector", "year"])["value"].sum()


# ---------------------------------------------------------------------------------------------
def test_every_row_has_source_and_valid_kind():
    files = sorted(DATA.glob("*.csv"))
    assert {
        "choices.csv",
        "technology.csv",
        "ceads_inventory.csv",
        "ceads_sector_map.csv",
        "ceads_fuel_map.csv",
    } <= {f.name for f in files}
    assert not {"history.csv", "base_year.csv"} & {f.name for f in files}  # derived, not kept
    frames = {f.name: pd.read_csv(f, dtype=str, keep_default_na=False) for f in files}
    frames["history.csv"] = read("history.csv").astype(str)
    frames["base_year.csv"] = read("base_year.csv").astype(str)
    for name, df in frames.items():
        assert "source" in df.columns, name
        empty = df[df["source"].str.strip() == ""]
        assert empty.empty, f"{name}: rows without source: {empty.index.tolist()[:5]}"
        if "kind" in df.columns:
            bad = sorted(set(df["kind"]) - KINDS)
            assert not bad, f"{name}: invalid kind {bad}"


def test_sector_map_covers_ceads_exactly_once(smap):
    assert smap["ceads_sector"].is_unique
    assert len(smap) == 48  # 47 CEADs sectors + Total
    assert set(smap["sector"]) <= {*GROUPS, "total"}
    assert set(smap["sector"]) >= {*GROUPS, "total"}
    assert smap.loc[smap["ceads_sector"] == "Total", "sector"].item() == "total"
    assert (smap["sector"] == "total").sum() == 1
    power = smap.loc[smap["sector"] == "power", "ceads_sector"].tolist()
    assert power == ["Production and Supply of Electric Power, Steam and Hot Water"]
    expect = {
        "Smelting and Pressing of Ferrous Metals": "steel",
        "Ferrous Metals Mining and Dressing": "other_industry",
        "Smelting and Pressing of Nonferrous Metals": "nonferrous",
        "Nonmetal Mineral Products": "building_materials",
        "Petroleum Processing and Coking": "chemicals",
        "Papermaking and Paper Products": "consumer_goods",
        "Electronic and Telecommunications Equipment": "electronics",
        "Transportation Equipment": "equipment",
        "Production and Supply of Gas": "other_industry",
        "Production and Supply of Tap Water": "other_industry",
        "Construction": "non_industry",
    }
    got = smap.set_index("ceads_sector")["sector"]
    for k, v in expect.items():
        assert got[k] == v, k


@needs_ref
def test_sector_map_matches_reference_sectors(smap):
    ref = pd.read_csv(CEADS)
    assert set(ref["ceads_sector"]) == set(smap["ceads_sector"])


def test_fuel_map_factors_consistent(fmap):
    fossil = fmap[fmap["carrier"].isin(FOSSIL)]
    assert len(set(fossil["fuel"]) - {"CleanedCoal"}) == 17
    assert set(fmap["carrier"]) <= {*FOSSIL, "process", "skip"}
    assert fmap.loc[fmap["fuel"] == "Process", "carrier"].item() == "process"
    calc = fossil["carbon_content_tc_per_tj"] * fossil["oxidation_rate"] * 44 / 12 * TJ_PER_TCE
    assert ((calc - fossil["ef_tco2_per_tce"]).abs() < 1e-9).all()
    assert fossil["ef_tco2_per_tce"].between(1.0, 4.0).all()
    carriers = fmap.set_index("fuel")["carrier"]
    for f in (
        "Raw_Coal",
        "Cleaned_Coal",
        "Other_Washed_Coal",
        "Briquettes",
        "Other_Coking_Products",
    ):
        assert carriers[f] == "Coal"
    for f in ("Coke", "Coke_Oven_Gas", "Other_Gas"):
        assert carriers[f] == "Coke"
    assert carriers["Natural_Gas"] == "Gas"


@needs_ref
def test_fuel_map_covers_reference_fuels(fmap):
    ref = pd.read_csv(CEADS)
    assert set(ref["fuel"]) <= set(fmap["fuel"])


def test_groups_sum_to_total_internally(hist):
    """Without the reference: the 10 groups add up to the CEADs Total row (to CEADs' 0.001 Mt
    publication rounding) and industry is exactly the sum of the 8 sectors."""
    s = co2_direct(hist)
    for y in range(2000, 2020):
        groups = sum(s[(g, y)] for g in GROUPS)
        assert abs(groups - s[("total", y)]) <= max(1e-6 * s[("total", y)], 2e-3), y
        assert abs(sum(s[(g, y)] for g in SECTORS) - s[("industry", y)]) < 1e-5, y
    # 2020 estimate: total and industry are sums of their parts
    assert abs(sum(s[(g, 2020)] for g in GROUPS) - s[("total", 2020)]) < 1e-5
    assert abs(sum(s[(g, 2020)] for g in SECTORS) - s[("industry", 2020)]) < 1e-5


@needs_ref
def test_groups_sum_to_ceads_total(hist):
    """Per year, the 8 industry sectors + power + non_industry sum to CEADs Total
    (Scope_1_Total). Tolerance: 1e-6 relative, or 0.002 Mt absolute where larger, because CEADs
    publishes every sector-fuel cell and the Total to 0.001 Mt and the rounded cells do not add
    up exactly (largest gap in this release: 0.0008 Mt, 1.2e-6 relative, in 2003). Against the
    sum of the 47 published sector rows the match is exact to float precision."""
    ref = pd.read_csv(CEADS)
    total = ref[(ref["ceads_sector"] == "Total") & (ref["fuel"] == "Scope_1_Total")]
    total = total.set_index("year")["mt_co2"]
    rows47 = ref[
        (ref["ceads_sector"] != "Total")
        & ~ref["fuel"].isin(
            ["Scope_1_Total", "Scope_2_Heat", "Scope_2_Electricity", "Other_Energy"]
        )
    ]
    rows47 = rows47.groupby("year")["mt_co2"].sum()
    s = co2_direct(hist)
    scope1 = hist[hist["item"] == "co2_scope1"].set_index(["sector", "year"])["value"]
    for y in range(2000, 2020):
        groups = sum(s[(g, y)] for g in GROUPS)
        assert abs(groups - rows47[y]) <= 1e-6 * rows47[y], y
        assert abs(groups - total[y]) <= max(1e-6 * total[y], 2e-3), y
        groups_s1 = sum(scope1[(g, y)] for g in GROUPS)
        assert abs(groups_s1 - total[y]) <= max(1e-6 * total[y], 2e-3), y
        assert abs(s[("total", y)] - total[y]) <= 2e-3, y


def test_energy_times_ef_reproduces_co2(hist, fmap):
    efs = fmap[fmap["carrier"].isin(FOSSIL)].groupby("carrier")["ef_tco2_per_tce"]
    lo, hi = efs.min(), efs.max()
    ng = fmap.loc[fmap["fuel"] == "Natural_Gas", "ef_tco2_per_tce"].item()
    h = hist.set_index(["sector", "item", "year"])["value"]
    n = 0
    for (sector, item, year), co2 in h.items():
        if not item.startswith("co2_combustion|"):
            continue
        c = item.split("|")[1]
        en = h[(sector, f"energy|{c}", year)]
        if co2 == 0:
            assert en == 0
            continue
        n += 1
        tol = 5e-6 + 1e-6 * co2  # values are written rounded to 1e-6
        assert lo[c] * en - tol <= co2 <= hi[c] * en + tol, (sector, c, year, co2 / en)
        if c == "Gas":  # a single fuel: exact
            assert abs(en * ng - co2) <= 1e-6 * co2 + 2e-6, (sector, year)
    assert n > 500


@needs_ref
def test_energy_recovery_fuel_by_fuel(hist, fmap, smap):
    ref = pd.read_csv(CEADS).replace({"fuel": {"CleanedCoal": "Cleaned_Coal"}})
    d = ref.merge(smap[["ceads_sector", "sector"]]).merge(
        fmap[["fuel", "carrier", "ef_tco2_per_tce"]]
    )
    d = d[d["carrier"].isin(FOSSIL)]
    d["en"] = d["mt_co2"] / d["ef_tco2_per_tce"]
    g = d.groupby(["sector", "year", "carrier"])[["mt_co2", "en"]].sum()
    h = hist.set_index(["sector", "item", "year"])["value"]
    for (sector, year, c), row in g.iterrows():
        assert abs(h[(sector, f"energy|{c}", year)] - row["en"]) < 1e-5, (sector, year, c)
        assert abs(h[(sector, f"co2_combustion|{c}", year)] - row["mt_co2"]) < 1e-5


def test_process_co2_only_in_building_materials(hist):
    p = hist[(hist["item"] == "co2_process") & (hist["year"] <= 2019)]
    other = p[~p["sector"].isin(["building_materials", "industry", "total"])]
    assert (other["value"] == 0).all()
    bm = p[p["sector"] == "building_materials"].set_index("year")["value"]
    assert (bm > 10).all()


def test_ranges_contain_value():
    for name in ("base_year.csv", "technology.csv"):
        df = read(name)
        assert df[["value", "low", "high"]].notna().all().all(), name
        bad = df[~((df["low"] <= df["value"] + 1e-12) & (df["value"] <= df["high"] + 1e-12))]
        assert bad.empty, f"{name}: {bad[['value', 'low', 'high']].head()}"
        assumed = df[df["kind"] == "assumption"]
        assert (assumed["high"] > assumed["low"]).all(), f"{name}: assumption without range"


def test_2020_values_present(hist):
    h20 = hist[hist["year"] == 2020].set_index(["sector", "item"])["value"]
    items = (
        [f"co2_combustion|{c}" for c in FOSSIL]
        + ["co2_process"]
        + [f"energy|{c}" for c in [*FOSSIL, "Electricity", "Heat", "Hydrogen"]]
        + ["value_added"]
    )
    for s in [*SECTORS, "industry"]:
        for it in items:
            assert (s, it) in h20.index, (s, it)
            assert h20[(s, it)] >= 0
        assert h20[(s, "energy|Electricity")] > 0, s
    for s in ("power", "non_industry", "total"):
        for it in [f"co2_combustion|{c}" for c in FOSSIL] + ["co2_process"]:
            assert (s, it) in h20.index, (s, it)
    va = sum(h20[(s, "value_added")] for s in SECTORS)
    assert abs(va - h20[("industry", "value_added")]) < 1e-3
    assert va < 2861.2  # industrial VA is a part of secondary-industry VA (A14)
    assert (
        abs(
            sum(h20[(s, "energy|Electricity")] for s in SECTORS)
            - h20[("industry", "energy|Electricity")]
        )
        < 1e-4
    )
    # electricity and heat have a 2010-2019 backcast too
    for s in SECTORS:
        for it in ("energy|Electricity", "energy|Heat"):
            yrs = set(hist[(hist["sector"] == s) & (hist["item"] == it)]["year"])
            assert set(range(2010, 2021)) <= yrs, (s, it)
    gf = hist[(hist["sector"] == "power") & (hist["item"] == "grid_factor")]
    assert set(gf["year"]) == set(range(2010, 2021))
    assert gf["value"].between(0.4, 1.2).all()


def test_units_are_declared(hist):
    unit_of = {
        "co2_combustion|": "Mt CO2",
        "co2_process": "Mt CO2",
        "co2_scope1": "Mt CO2",
        "energy|Electricity": "TWh",
        "energy|Heat": "Mtce",
        "energy|Hydrogen": "Mt",
        "energy|": "Mtce",
        "value_added": "bn CNY",
        "output|": "Mt",
        "grid_factor": "tCO2/MWh",
    }
    for item, unit in hist[["item", "unit"]].drop_duplicates().itertuples(index=False):
        want = next(u for p, u in unit_of.items() if item.startswith(p))
        assert unit == want, (item, unit)
    tech = read("technology.csv")
    t_unit = {
        "Coal": "tce/t",
        "Coke": "tce/t",
        "Oil": "tce/t",
        "Gas": "tce/t",
        "Heat": "tce/t",
        "Electricity": "MWh/t",
        "Hydrogen": "t/t",
        "process_co2": "tCO2/t",
    }
    routes = tech[tech["route"] != "global"]
    for carrier, unit in routes[["carrier", "unit"]].itertuples(index=False):
        assert t_unit[carrier] == unit, (carrier, unit)
    assert (routes["value"] > 0).all()
    base = read("base_year.csv")
    for item, unit in base[["item", "unit"]].itertuples(index=False):
        if item.endswith("share"):
            assert unit == "share", item


def test_technology_routes_and_globals():
    tech = read("technology.csv")
    routes = set(tech["route"]) - {"global"}
    expect = {
        "steel.bf_bof",
        "steel.scrap_eaf",
        "steel.h2_dri",
        "nonferrous.primary_aluminium",
        "nonferrous.recycled_aluminium",
        "nonferrous.alumina",
        "nonferrous.copper_primary",
        "nonferrous.copper_recycled",
        "building_materials.clinker",
        "building_materials.cement_grinding",
        "building_materials.flat_glass",
        "chemicals.refining",
        "chemicals.ethylene",
        "chemicals.ammonia_coal",
        "chemicals.ammonia_gas",
        "chemicals.ammonia_green_h2",
        "chemicals.methanol_coal",
        "chemicals.methanol_gas",
        "chemicals.methanol_green_h2",
        "chemicals.caustic_soda",
        "chemicals.coke",
    }
    assert routes == expect
    assert not tech.duplicated(["route", "carrier"]).any()
    g = tech[tech["route"] == "global"].set_index("carrier")
    for k in (
        "ef.Coal",
        "ef.Coke",
        "ef.Oil",
        "ef.Gas",
        "heat.ef",
        "conv.elec_calorific",
        "conv.elec_coal_equivalent",
        "h2.grey_co2",
        "h2.electrolysis_elec",
        "ccus.elec_per_tco2",
        "ccus.heat_per_tco2",
    ):
        assert k in g.index, k
    assert g.loc["conv.elec_calorific", "value"] == pytest.approx(0.1229)
    fm = read("ceads_fuel_map.csv").set_index("fuel")
    ef = {
        f: emission_factor(fm.at[f, "carbon_content_tc_per_tj"], fm.at[f, "oxidation_rate"])
        for f in ("Raw_Coal", "Natural_Gas")
    }
    assert g.loc["ef.Coal", "value"] == pytest.approx(ef["Raw_Coal"])
    assert g.loc["ef.Gas", "value"] == pytest.approx(ef["Natural_Gas"])
    # clinker factor x clinker ratio reproduces CEADs' 0.2906 t CO2 per t cement
    base = read("base_year.csv").set_index(["sector", "item"])["value"]
    clk = tech[
        (tech["route"] == "building_materials.clinker") & (tech["carrier"] == "process_co2")
    ]["value"].item()
    assert clk * base[("building_materials", "clinker_ratio")] == pytest.approx(0.2906, 1e-4)
    for h2_route in ("steel.h2_dri", "chemicals.ammonia_green_h2", "chemicals.methanol_green_h2"):
        assert ((tech["route"] == h2_route) & (tech["carrier"] == "Hydrogen")).any()


def test_base_year_items():
    base = read("base_year.csv")
    have = set(zip(base["sector"], base["item"], strict=True))
    need = {
        ("steel", "crude_steel"),
        ("steel", "eaf_share"),
        ("nonferrous", "primary_aluminium"),
        ("nonferrous", "recycled_aluminium"),
        ("nonferrous", "alumina"),
        ("nonferrous", "copper_primary"),
        ("nonferrous", "copper_recycled"),
        ("nonferrous", "recycled_aluminium_share"),
        ("building_materials", "cement"),
        ("building_materials", "clinker"),
        ("building_materials", "flat_glass"),
        ("building_materials", "clinker_ratio"),
        ("building_materials", "small_line_share"),
        ("chemicals", "refining_throughput"),
        ("chemicals", "ethylene"),
        ("chemicals", "ammonia"),
        ("chemicals", "methanol"),
        ("chemicals", "caustic_soda"),
        ("chemicals", "coke"),
        ("chemicals", "ammonia_gas_share"),
        ("chemicals", "methanol_gas_share"),
        ("power", "grid_factor"),
    }
    assert need <= have, need - have
    assert not base.duplicated(["sector", "item"]).any()
    b = base.set_index(["sector", "item"])
    assert b.loc[("building_materials", "clinker"), "value"] == pytest.approx(
        b.loc[("building_materials", "cement"), "value"]
        * b.loc[("building_materials", "clinker_ratio"), "value"],
        rel=1e-5,
    )
    shares = base[base["item"].str.endswith("share")]
    assert shares[["value", "low", "high"]].apply(lambda s: s.between(0, 1)).all().all()


@needs_ref
def test_the_inventory_is_the_reference_as_published():
    ref = pd.read_csv(CEADS)
    ours = read("ceads_inventory.csv")
    pd.testing.assert_frame_equal(ours[list(ref.columns)], ref, check_exact=False, rtol=1e-12)


def test_every_choice_is_one_row_with_value_unit_source_and_kind():
    choices = read("choices.csv")
    assert choices["key"].is_unique
    assert set(choices["kind"]) <= KINDS
    ranged = choices[choices["low"].notna()]
    assert ((ranged["low"] <= ranged["value"]) & (ranged["value"] <= ranged["high"])).all()
    assumed = choices[choices["kind"] == "assumption"]
    assert assumed["low"].notna().sum() >= len(assumed) * 0.7  # most assumptions carry a range
    assert (choices["unit"].str.strip() != "").all()


def _set_cell(path: Path, key_col: str, key: str, col: str, value: str) -> None:
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hits = [r for r in rows if r[key_col] == key]
    assert len(hits) == 1, key
    hits[0][col] = value
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _run_csv(assumptions: Path, tmp_path: Path, name: str) -> pd.DataFrame:
    from model.apps.cli import main

    out = tmp_path / f"{name}.csv"
    assert main(["--assumptions", str(assumptions), "run", "plan", "--out", str(out)]) == 0
    return pd.read_csv(out).set_index("variable")


def test_editing_one_technology_cell_changes_the_run(assumptions_copy, tmp_path):
    """The electricity of a BF-BOF tonne, edited in technology.csv, reaches the results."""
    before = _run_csv(assumptions_copy, tmp_path, "before")
    with open(assumptions_copy / "data" / "technology.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["route"] == "steel.bf_bof" and r["carrier"] == "Electricity")
    row["value"] = str(float(row["value"]) * 1.2)
    row["high"] = str(max(float(row["high"]), float(row["value"])))
    with open(assumptions_copy / "data" / "technology.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    after = _run_csv(assumptions_copy, tmp_path, "after")
    variable = "Electricity Demand|Industry|Steel"
    assert after.loc[variable, "2020"] > before.loc[variable, "2020"]  # more bottom-up share
    assert after.loc[variable, "2040"] != pytest.approx(before.loc[variable, "2040"])


def test_editing_one_choice_rederives_the_base_year(assumptions_copy, tmp_path):
    """A modeller edits choices.csv and the next run derives history and base year again."""
    before = _run_csv(assumptions_copy, tmp_path, "before")
    path = assumptions_copy / "data" / "choices.csv"
    _set_cell(path, "key", "heat.share.chemicals", "value", "0.3")
    after = _run_csv(assumptions_copy, tmp_path, "after")
    variable = "Final Energy|Industry|Petrochemicals and Chemicals|Heat"
    assert after.loc[variable, "2020"] == pytest.approx(before.loc[variable, "2020"] * 1.5)
    data = load_data(assumptions_copy)
    heat = data.base_year.loc[("chemicals", "energy|Heat")]
    assert heat["value"] == pytest.approx(data.history_2020("chemicals", "energy|Heat"))


def test_a_bad_choice_is_named_and_nothing_is_written(assumptions_copy, tmp_path, capsys):
    from model.apps.cli import main

    _set_cell(assumptions_copy / "data" / "choices.csv", "key", "heat.share.steel", "value", "2")
    out = tmp_path / "plan.csv"
    code = main(["--assumptions", str(assumptions_copy), "run", "plan", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "data/choices.csv: heat.share.steel.value: 2.0: within its range" in err


def test_a_ceads_sector_left_unmapped_is_named(assumptions_copy, capsys):
    from model.apps.cli import main

    path = assumptions_copy / "data" / "ceads_sector_map.csv"
    with open(path, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["ceads_sector"] != "Textile Industry"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["--assumptions", str(assumptions_copy), "validate"]) == 2
    err = capsys.readouterr().err
    assert "data/ceads_sector_map.csv: ceads_sector: Textile Industry: every CEADs sector" in err


def test_derived_tables_are_cached_by_content(assumptions_copy):
    first = load_data(assumptions_copy)
    cache = list((assumptions_copy / ".derived").glob("*.pkl"))
    assert len(cache) == 1
    _set_cell(
        assumptions_copy / "data" / "choices.csv", "key", "heat.share.steel", "value", "0.015"
    )
    second = load_data(assumptions_copy)
    assert list((assumptions_copy / ".derived").glob("*.pkl")) != cache  # a new derivation
    assert second.history_2020("steel", "energy|Heat") == pytest.approx(
        first.history_2020("steel", "energy|Heat") * 1.5, rel=1e-5
    )
