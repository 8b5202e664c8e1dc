#!/usr/bin/env python
"""Build the history and base-year data tables under ``assumptions/data/``.

Reads the CEADs Shandong inventory and the other sourced figures in the shared reference data
(``../shared/reference-data`` relative to the repository root, or ``--reference DIR``) and
writes, deterministically:

- ``ceads_sector_map.csv``  CEADs' 47 sectors + Total -> model sector / power / non_industry
- ``ceads_fuel_map.csv``    CEADs fuels -> carriers, with the emission factors used
- ``history.csv``           tidy history 2000-2019 (CEADs) + 2020 estimate, by model sector
- ``base_year.csv``         2020 activity levels and shares, with ranges
- ``technology.csv``        route intensities at 2020 and global conversion factors

The model engine reads only the written CSVs; this script is tooling so that the derivation is
reproducible. Every number written carries a ``source``; estimates are marked ``assumption``
with a rationale and a (low, high) range. CEADs must be cited as its terms ask: Shan et al.
(2018) Sci Data 5:170201; Shan et al. (2020) Sci Data 7:54; Guan et al. (2021) Earth's Future
9:e2021EF002241; Shan et al. (2016) Applied Energy 184:742-750.

Usage: ``python scripts/build_history.py [--reference DIR] [--out DIR]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference-data"
DEFAULT_OUT = REPO / "assumptions" / "data"
CEADS_FILE = "ceads_shandong_co2_by_sector_fuel_2000_2019.csv"
OBSERVED_FILE = "shandong_observed_2018_2023.csv"
NBS = "NBS provincial output, December year-to-date (observations.csv; reference key {key})"
MEASURED = 0.02  # measurement range of NBS outputs, observed_series.csv (assumption)
GLASS_MT_PER_MILLION_CASES = 0.05  # one weight case = 50 kg (observed_series.csv)

TJ_PER_TCE = 0.0293076  # 1 tce = 29.3076 GJ (7000 kcal/kgce), GB/T 2589-2020
C_TO_CO2 = 44.0 / 12.0
# calorific value (当量值), GB/T 2589-2020 (reference conv.elec.calorific)
ELEC_TCE_PER_MWH = 0.1229

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

CEADS_CITE = (
    "CEADs Shandong provincial CO2 inventory (IPCC sectoral approach) 2000-2019; Shan et al. 2018 "
    "Sci Data 5:170201; Shan et al. 2020 Sci Data 7:54; Guan et al. 2021 Earth's Future "
    "9:e2021EF002241; Shan et al. 2016 Applied Energy 184:742"
)

# --------------------------------------------------------------------------------------------
# 1. CEADs sector map
# --------------------------------------------------------------------------------------------
MAP_SRC = (
    "modelling classification (Work Plan sector actions 三(十)1-7, see sectors.csv) of the CEADs "
    "47-sector list (Shan et al. 2018 Sci Data 5:170201, Table of sectors)"
)
SECTOR_MAP: list[tuple[str, str, str]] = [
    (
        "Farming, Forestry, Animal Husbandry, Fishery and Water Conservancy",
        "non_industry",
        "primary sector",
    ),
    ("Coal Mining and Dressing", "other_industry", "mining"),
    ("Petroleum and Natural Gas Extraction", "other_industry", "mining (oil and gas extraction)"),
    (
        "Ferrous Metals Mining and Dressing",
        "other_industry",
        "iron-ore mining kept out of steel: the Work Plan's steel action covers smelting and "
        "pressing",
    ),
    ("Nonferrous Metals Mining and Dressing", "other_industry", "mining"),
    ("Nonmetal Minerals Mining and Dressing", "other_industry", "mining (limestone quarries etc.)"),
    ("Other Minerals Mining and Dressing", "other_industry", "mining"),
    (
        "Logging and Transport of Wood and Bamboo",
        "other_industry",
        "classed as extractive industry in the CEADs/NBS list; emissions ~0",
    ),
    ("Food Processing", "other_industry", "food"),
    ("Food Production", "other_industry", "food"),
    ("Beverage Production", "other_industry", "beverage"),
    ("Tobacco Processing", "other_industry", "tobacco"),
    ("Textile Industry", "consumer_goods", "textiles (Work Plan 三(十)5 consumer goods)"),
    ("Garments and Other Fiber Products", "consumer_goods", "textile wearing apparel"),
    ("Leather, Furs, Down and Related Products", "consumer_goods", "leather and furs"),
    (
        "Timber Processing, Bamboo, Cane, Palm Fiber & Straw Products",
        "other_industry",
        "timber processing",
    ),
    ("Furniture Manufacturing", "other_industry", "furniture"),
    ("Papermaking and Paper Products", "consumer_goods", "paper and paper products"),
    ("Printing and Record Medium Reproduction", "consumer_goods", "printing"),
    (
        "Cultural, Educational and Sports Articles",
        "consumer_goods",
        "light consumer manufactures (stationery, sports goods)",
    ),
    (
        "Petroleum Processing and Coking",
        "chemicals",
        "refining and coking (incl. independent coke plants); Work Plan 三(十)4",
    ),
    (
        "Raw Chemical Materials and Chemical Products",
        "chemicals",
        "energy use only, not feedstock; series breaks in 2013 in the source itself",
    ),
    ("Medical and Pharmaceutical Products", "chemicals", "pharmaceuticals"),
    ("Chemical Fiber", "chemicals", "chemical fibres"),
    ("Rubber Products", "chemicals", "rubber (tyres)"),
    ("Plastic Products", "chemicals", "plastics"),
    (
        "Nonmetal Mineral Products",
        "building_materials",
        "cement, glass, ceramics, bricks; the only sector with CEADs Process CO2 (cement)",
    ),
    ("Smelting and Pressing of Ferrous Metals", "steel", "iron and steel (Work Plan 三(十)1)"),
    (
        "Smelting and Pressing of Nonferrous Metals",
        "nonferrous",
        "alumina, aluminium, copper etc. (Work Plan 三(十)2)",
    ),
    ("Metal Products", "equipment", "metal products"),
    ("Ordinary Machinery", "equipment", "general-purpose machinery"),
    ("Equipment for Special Purposes", "equipment", "special-purpose machinery"),
    ("Transportation Equipment", "equipment", "vehicles, ships, rail equipment"),
    ("Electric Equipment and Machinery", "equipment", "electrical machinery"),
    (
        "Electronic and Telecommunications Equipment",
        "electronics",
        "communication equipment, computers, electronics (Work Plan 三(十)7)",
    ),
    ("Instruments, Meters, Cultural and Office Machinery", "equipment", "instruments"),
    ("Other Manufacturing Industry", "other_industry", "other manufacturing"),
    ("Scrap and waste", "other_industry", "recycling of scrap and waste"),
    (
        "Production and Supply of Electric Power, Steam and Hot Water",
        "power",
        "power and heat supply: kept out of industry's direct emissions; represented by the grid "
        "factor (electricity) and heat.ef (purchased heat)",
    ),
    (
        "Production and Supply of Gas",
        "other_industry",
        "decision: an industrial utility in the NBS industry classification (not power); small "
        "(0.4-0.9 Mt CO2/yr); kept in other_industry",
    ),
    (
        "Production and Supply of Tap Water",
        "other_industry",
        "decision: industrial utility in the NBS industry classification; ~0.05 Mt CO2/yr; "
        "kept in other_industry",
    ),
    ("Construction", "non_industry", "construction is secondary sector but not industry"),
    ("Transportation, Storage, Post and Telecommunication Services", "non_industry", "transport"),
    ("Wholesale, Retail Trade and Catering Services", "non_industry", "services"),
    ("Others", "non_industry", "other services"),
    ("Urban", "non_industry", "urban households"),
    ("Rural", "non_industry", "rural households"),
    ("Total", "total", "CEADs provincial total (all sectors); used only for checks"),
]

# --------------------------------------------------------------------------------------------
# 2. CEADs fuel map and emission factors
# --------------------------------------------------------------------------------------------
# CEADs' own factor table (Shan et al. 2018 Sci Data Table 'NCV and emission factors'; coal
# factors from Liu et al. 2015 Nature 524:335) could NOT be retrieved in this environment.
# Stand-ins, per fuel: China provincial-guideline values where available in the reference data
# or public tables, else IPCC 2006 defaults (reference sourced_figures.csv D1-D6). The CO2 in
# history.csv is CEADs as published; only the *recovered energy* depends on these factors.
NOT_CEADS = (
    "CEADs' own factor table (Shan et al. 2018 Sci Data 5:170201; coal per Liu et al. 2015 "
    "Nature 524:335) not retrievable here, so this stand-in is used; recovered energy carries "
    "about +-5% from the factor choice"
)
COAL_CC, COAL_O = 26.65, 0.93  # back-calculated from 1.9003 tCO2/t raw coal at 20.908 GJ/t, O=0.93
FUELS: list[dict] = [
    dict(
        fuel="Raw_Coal",
        carrier="Coal",
        ncv=20.908,
        ncv_unit="GJ/t",
        cc=COAL_CC,
        o=COAL_O,
        source="China provincial GHG inventory guideline raw-coal factor 1.9003 tCO2/t with "
        "oxidation 0.93 (reference technology_parameters.csv ef.rawcoal.co2, low confidence) at "
        "NCV 20.908 GJ/t (China Energy Statistical Yearbook 0.7143 kgce/kg x 29.3076; same NCV in "
        "Heliyon 2023 9:e21241 Table 2): CC = 1.9003/(0.020908 x 0.93 x 44/12) = 26.65 tC/TJ. "
        "Alternatives: 26.1 tC/TJ & 0.93 (ef.bituminous.ncv row) -> 2.608 tCO2/tce; 26.4 & 0.98 "
        "(Heliyon 2023 Table 2) -> 2.780. " + NOT_CEADS,
    ),
    dict(
        fuel="Cleaned_Coal",
        carrier="Coal",
        ncv=26.344,
        ncv_unit="GJ/t",
        cc=COAL_CC,
        o=COAL_O,
        source="assumption: same carbon per unit energy and oxidation as Raw_Coal (washing "
        "removes ash, not carbon per GJ); NCV from China Energy Statistical Yearbook 0.9000 "
        "kgce/kg x 29.3076 (as quoted in public code). " + NOT_CEADS,
    ),
    dict(
        fuel="CleanedCoal",
        carrier="Coal",
        ncv=26.344,
        ncv_unit="GJ/t",
        cc=COAL_CC,
        o=COAL_O,
        source="spelling of Cleaned_Coal in the CEADs 2018-2019 workbooks (all zero for "
        "Shandong in those years); same factors as Cleaned_Coal",
    ),
    dict(
        fuel="Other_Washed_Coal",
        carrier="Coal",
        ncv=8.373,
        ncv_unit="GJ/t",
        cc=COAL_CC,
        o=COAL_O,
        source="assumption: same carbon per GJ and oxidation as Raw_Coal; NCV from China Energy "
        "Statistical Yearbook middlings 0.2857 kgce/kg x 29.3076 (as quoted in public code). "
        + NOT_CEADS,
    ),
    dict(
        fuel="Briquettes",
        carrier="Coal",
        ncv=17.585,
        ncv_unit="GJ/t",
        cc=COAL_CC,
        o=COAL_O,
        source="assumption: same carbon per GJ and oxidation as Raw_Coal; NCV from China Energy "
        "Statistical Yearbook 0.6000 kgce/kg x 29.3076 (as quoted in public code). " + NOT_CEADS,
    ),
    dict(
        fuel="Other_Coking_Products",
        carrier="Coal",
        ncv=None,
        ncv_unit="GJ/t",
        cc=22.0,
        o=1.0,
        source="IPCC 2006 Vol.2 Ch.2 Table 2.2 default for coal tar 80,700 kg CO2/TJ (as "
        "reproduced in South Africa Carbon Tax Act Schedule 1, k-mos.com/?p=21090) = 22.0 tC/TJ, "
        "full oxidation; NCV not needed for a per-tce factor. " + NOT_CEADS,
    ),
    dict(
        fuel="Coke",
        carrier="Coke",
        ncv=28.435,
        ncv_unit="GJ/t",
        cc=29.5,
        o=0.93,
        source="China provincial GHG inventory guideline coke NCV 28.435 GJ/t, carbon content "
        "29.5 tC/TJ, oxidation 0.93 (reference technology_parameters.csv ef.coke.ncv; same in "
        "Heliyon 2023 9:e21241 Table 2). " + NOT_CEADS,
    ),
    dict(
        fuel="Coke_Oven_Gas",
        carrier="Coke",
        ncv=173.54,
        ncv_unit="GJ/10^4 m3",
        cc=12.109,
        o=1.0,
        source="IPCC 2006 default coke oven gas 44,400 kg CO2/TJ (reference sourced_figures.csv "
        "D6_IPCC) = 12.109 tC/TJ, full oxidation; NCV midpoint of China Energy Statistical "
        "Yearbook 16,726-17,981 kJ/m3. " + NOT_CEADS,
    ),
    dict(
        fuel="Other_Gas",
        carrier="Coke",
        ncv=None,
        ncv_unit="GJ/10^4 m3",
        cc=34.091,
        o=1.0,
        source="assumption: 125 t CO2/TJ (= 34.091 tC/TJ, full oxidation). CEADs Other_Gas is "
        "'other coal gas' (blast furnace and converter gas per Shan et al. 2018 Table 1, and in "
        "China's energy statistics also producer/water gas from coal gasifiers). In Shandong it "
        "is burnt mostly by Nonferrous (24.5 Mt CO2 in 2019, alumina calcination) and Power "
        "(26.4), steel only 3.0, so the IPCC blast-furnace-gas default 260 t/TJ (reference "
        "D6_IPCC) would badly understate the energy. 125 t/TJ is the stoichiometric CO2 of "
        "air-blown coal producer gas (~28% CO, 4% CO2, 3% CH4, LHV ~5.5 MJ/Nm3: 0.35/22.4 x 44 "
        "= 0.69 kg CO2/Nm3 / 5.5 MJ). Range 44.4 (coke-oven/gas-works gas, D6_IPCC) to 260 (BF "
        "gas, D6_IPCC). Cross-check: gives ~9.4 Mtce fossil energy for nonferrous in 2019 vs "
        "~10 Mtce bottom-up for 28 Mt alumina. " + NOT_CEADS,
    ),
    dict(
        fuel="Crude_Oil",
        carrier="Oil",
        ncv=41.816,
        ncv_unit="GJ/t",
        cc=20.1,
        o=0.98,
        source="China guideline values NCV 41,816 kJ/kg, 20.1 tC/TJ, oxidation 0.98 as tabulated "
        "in Heliyon 2023 9:e21241 Table 2 (pmc.ncbi.nlm.nih.gov/articles/PMC10632432). "
        + NOT_CEADS,
    ),
    dict(
        fuel="Gasoline",
        carrier="Oil",
        ncv=43.070,
        ncv_unit="GJ/t",
        cc=18.9,
        o=0.98,
        source="China guideline values NCV 43,070 kJ/kg, 18.9 tC/TJ, oxidation 0.98 (Heliyon "
        "2023 9:e21241 Table 2). " + NOT_CEADS,
    ),
    dict(
        fuel="Kerosene",
        carrier="Oil",
        ncv=43.070,
        ncv_unit="GJ/t",
        cc=19.6,
        o=0.98,
        source="China guideline values NCV 43,070 kJ/kg, 19.6 tC/TJ, oxidation 0.98 (Heliyon "
        "2023 9:e21241 Table 2). " + NOT_CEADS,
    ),
    dict(
        fuel="Diesel_Oil",
        carrier="Oil",
        ncv=42.652,
        ncv_unit="GJ/t",
        cc=20.2,
        o=0.98,
        source="NCV 42,652 kJ/kg and oxidation 0.98 (Heliyon 2023 9:e21241 Table 2, which lists "
        "20.3 tC/TJ); carbon content 20.2 tC/TJ = IPCC gas/diesel oil default (Revised 1996 IPCC "
        "GL Vol.3 Table 1-1; IPCC 2006 74,100 kg/TJ, reference D5). " + NOT_CEADS,
    ),
    dict(
        fuel="Fuel_Oil",
        carrier="Oil",
        ncv=41.816,
        ncv_unit="GJ/t",
        cc=21.1,
        o=0.98,
        source="China guideline values NCV 41,816 kJ/kg, 21.1 tC/TJ, oxidation 0.98 (Heliyon "
        "2023 9:e21241 Table 2; IPCC 2006 77,400 kg/TJ, reference D5). " + NOT_CEADS,
    ),
    dict(
        fuel="LPG",
        carrier="Oil",
        ncv=50.242,
        ncv_unit="GJ/t",
        cc=17.209,
        o=1.0,
        source="IPCC 2006 default LPG 63,100 kg CO2/TJ (reference sourced_figures.csv D5_IPCC) "
        "= 17.209 tC/TJ, full oxidation; NCV China Energy Statistical Yearbook 1.7143 kgce/kg x "
        "29.3076. " + NOT_CEADS,
    ),
    dict(
        fuel="Refinery_Gas",
        carrier="Oil",
        ncv=46.054,
        ncv_unit="GJ/t",
        cc=15.709,
        o=1.0,
        source="IPCC 2006 default refinery gas 57,600 kg CO2/TJ (reference sourced_figures.csv "
        "D6_IPCC) = 15.709 tC/TJ, full oxidation; NCV China Energy Statistical Yearbook 1.5714 "
        "kgce/kg x 29.3076. " + NOT_CEADS,
    ),
    dict(
        fuel="Other_Petroleum_Products",
        carrier="Oil",
        ncv=None,
        ncv_unit="GJ/t",
        cc=20.0,
        o=0.98,
        source="CEADs Other_Petroleum_Products = naphtha, lubricants, paraffin, white spirit, "
        "bitumen, petroleum coke (Shan et al. 2018 Table 1); IPCC 'other oil' 20.0 tC/TJ "
        "(Revised 1996 IPCC GL Vol.3 Table 1-1) with the China liquid-fuel oxidation 0.98; "
        "petroleum coke alone would be 27.5 tC/TJ. " + NOT_CEADS,
    ),
    dict(
        fuel="Natural_Gas",
        carrier="Gas",
        ncv=389.31,
        ncv_unit="GJ/10^4 m3",
        cc=15.3,
        o=0.99,
        source="China guideline natural gas NCV 389.31 GJ/10^4 Nm3, 15.3 tC/TJ, oxidation 0.99 "
        "(reference technology_parameters.csv ef.ng.ncv; same in Heliyon 2023 Table 2). "
        + NOT_CEADS,
    ),
    dict(
        fuel="Process",
        carrier="process",
        ncv=None,
        ncv_unit="",
        cc=None,
        o=None,
        source="CEADs Process = cement clinker calcination only (reference README; Shan et al. "
        "2018); 0.2906 t CO2 per t cement convention (reference D7_cement_EF)",
    ),
    dict(
        fuel="Scope_1_Total",
        carrier="skip",
        ncv=None,
        ncv_unit="",
        cc=None,
        o=None,
        source="CEADs sum of the 17 fuels + Process; used only for checks",
    ),
    dict(
        fuel="Scope_2_Electricity",
        carrier="skip",
        ncv=None,
        ncv_unit="",
        cc=None,
        o=None,
        source="zero in this CEADs release (reference README); indirect CO2 is computed by the "
        "model from electricity use x grid factor",
    ),
    dict(
        fuel="Scope_2_Heat",
        carrier="skip",
        ncv=None,
        ncv_unit="",
        cc=None,
        o=None,
        source="zero in this CEADs release (reference README); model uses energy|Heat x heat.ef",
    ),
    dict(
        fuel="Other_Energy",
        carrier="skip",
        ncv=None,
        ncv_unit="",
        cc=None,
        o=None,
        source="zero in this CEADs release (reference README)",
    ),
]


def ef_per_tce(cc: float, o: float) -> float:
    """t CO2 per tce from carbon content (tC/TJ) and oxidation rate."""
    return round(cc * o * C_TO_CO2 * TJ_PER_TCE, 6)


def fuel_map() -> pd.DataFrame:
    rows = []
    for f in FUELS:
        ef = ef_per_tce(f["cc"], f["o"]) if f["cc"] is not None else None
        src = f["source"]
        if ef is not None:
            src = (
                f"ef = {f['cc']} tC/TJ x {f['o']} x 44/12 x 0.0293076 TJ/tce = {ef:.4f} "
                f"tCO2/tce; " + src
            )
        rows.append(
            dict(
                fuel=f["fuel"],
                carrier=f["carrier"],
                ncv=f["ncv"],
                ncv_unit=f["ncv_unit"],
                carbon_content_tc_per_tj=f["cc"],
                oxidation_rate=f["o"],
                ef_tco2_per_tce=ef,
                source=src,
            )
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
class Ref:
    """The shared reference figures the script uses (read once)."""

    def __init__(self, ref_dir: Path):
        self.dir = ref_dir
        ceads = pd.read_csv(ref_dir / CEADS_FILE)
        ceads["fuel"] = ceads["fuel"].astype(str)
        ceads["ceads_sector"] = ceads["ceads_sector"].astype(str)
        self.ceads = ceads
        self.figs = pd.read_csv(ref_dir / "sourced_figures.csv")
        self.tech = pd.read_csv(ref_dir / "technology_parameters.csv")
        self.gen = pd.read_csv(ref_dir / "shandong_power_generation_by_fuel_1994_2012.csv")
        self.observed = pd.read_csv(ref_dir / OBSERVED_FILE)

    def ob(self, key: str, year: int) -> float:
        """A figure of the observed statistics 2018-2023 (as in data/observations.csv)."""
        f = self.observed[(self.observed["key"] == key) & (self.observed["year"] == year)]
        if len(f) != 1:
            raise KeyError(f"{key} {year}: {len(f)} rows")
        return float(f["value"].iloc[0])

    def fig(self, key: str, year: int | None = None, item_contains: str | None = None) -> float:
        f = self.figs[self.figs["key"] == key]
        if year is not None:
            f = f[pd.to_numeric(f["year"], errors="coerce") == year]
        if item_contains is not None:
            f = f[f["item"].str.contains(item_contains, regex=False)]
        if len(f) != 1:
            raise KeyError(f"{key} {year} {item_contains}: {len(f)} rows")
        return float(f["value"].iloc[0])

    def tp(self, key: str, col: str = "value") -> float:
        f = self.tech[self.tech["key"] == key]
        if len(f) != 1:
            raise KeyError(key)
        return float(f[col].iloc[0])


def r6(x: float) -> float:
    return round(float(x), 6)


# --------------------------------------------------------------------------------------------
# 3. base-year activity (2020) and route intensities: defined first, history uses them
# --------------------------------------------------------------------------------------------
def build_base_year(ref: Ref) -> list[dict]:
    rows: list[dict] = []

    def add(sector, item, value, low, high, unit, source, kind):
        rows.append(
            dict(
                sector=sector,
                item=item,
                value=r6(value),
                low=r6(low),
                high=r6(high),
                unit=unit,
                source=source,
                kind=kind,
            )
        )

    steel20 = ref.ob("O1_crude_steel", 2020)
    add(
        "steel",
        "crude_steel",
        steel20,
        steel20 * (1 - MEASURED),
        steel20 * (1 + MEASURED),
        "Mt",
        f"quoted: {NBS.format(key='O1_crude_steel')}; range +-2% (measurement, assumption)",
        "quoted",
    )
    s1 = ref.figs[ref.figs["key"] == "S1_steelcap"]["value"].astype(float).tolist()
    eaf = s1[0] / (s1[0] + s1[1])
    add(
        "steel",
        "eaf_share",
        eaf,
        0.04,
        0.10,
        "share",
        f"derived: EAF/(EAF+BOF) capacity 2022 = {s1[0]:.0f}/({s1[0]:.0f}+{s1[1]:.0f}) = "
        f"{eaf:.4f} (S1_steelcap, zzzzty29 model data, no primary source, low confidence); used "
        "as the 2020 output share, range 0.04-0.10 (EAF utilisation usually below BOF)",
        "derived",
    )

    # nonferrous
    hq = ref.fig("E10_Hongqiao", 2019)
    add(
        "nonferrous",
        "primary_aluminium",
        7.0,
        5.5,
        8.5,
        "Mt",
        f"assumption: Hongqiao licensed capacity {hq} Mt/yr in Binzhou (E10_Hongqiao) at an "
        "assumed 85-95% utilisation = 5.5-6.1 Mt, plus other Shandong smelters (not sourced "
        "here, assumed 0.5-2.5 Mt). No Shandong primary aluminium output in reference data",
        "assumption",
    )
    add(
        "nonferrous",
        "recycled_aluminium",
        1.0,
        0.5,
        2.0,
        "Mt",
        "assumption: no Shandong secondary aluminium output in reference data; order of "
        "magnitude from the Work Plan's push for recycled aluminium (三(十)2) and the 11.38 Mt of "
        "aluminium products (A11_Al_semis) whose scrap is remelted",
        "assumption",
    )
    add(
        "nonferrous",
        "recycled_aluminium_share",
        1.0 / 8.0,
        0.06,
        0.25,
        "share",
        "assumption: recycled/(primary+recycled) = 1.0/(7.0+1.0) from the two rows above; range "
        "from their ranges",
        "assumption",
    )
    alu = ref.fig("A10_alumina", 2020)
    add(
        "nonferrous",
        "alumina",
        alu,
        26.0,
        30.0,
        "Mt",
        "quoted: Shandong alumina output 2020 28 Mt (national 73.13) NBS via yuenseng.com "
        "(A10_alumina, medium confidence); range +-7% for the news-site transcription",
        "quoted",
    )
    add(
        "nonferrous",
        "copper_primary",
        1.2,
        0.6,
        2.0,
        "Mt",
        "assumption: no Shandong refined copper output in reference data; Shandong hosts several "
        "large copper smelters (Work Plan 三(十)2 'strictly control electrolytic copper "
        "capacity'); generous range",
        "assumption",
    )
    add(
        "nonferrous",
        "copper_recycled",
        0.3,
        0.1,
        0.6,
        "Mt",
        "assumption: not in reference data; small relative to primary copper",
        "assumption",
    )

    # building materials
    c_ef = ref.fig("D7_cement_EF")
    clk_ef = ref.tp("cement.clinker.process_co2.ipcc_cao")
    ratio = c_ef / clk_ef
    add(
        "building_materials",
        "clinker_ratio",
        ratio,
        c_ef / 0.53,
        c_ef / 0.5089,
        "t/t",
        f"derived: CEADs convention {c_ef} t process CO2 per t cement (D7_cement_EF) / {clk_ef} "
        "t CO2 per t clinker (IPCC 2006 Tier 2 CaO 0.65 x 0.7848, technology_parameters "
        f"cement.clinker.process_co2.ipcc_cao) = {ratio:.4f}; range from 0.53 (MgO/CKD "
        "included, assumption) to 0.5089 (IPCC EFDB). Keeps clinker x factor = CEADs process CO2",
        "derived",
    )
    add(
        "building_materials",
        "small_line_share",
        0.20,
        0.10,
        0.35,
        "share",
        "assumption: share of clinker from lines <=2500 t/d before their closure by end-2024 "
        "(E14_cement); E16_cement puts ~70% of clinker lines (265,500 t/d) in the first "
        "energy-efficiency list, so small lines are a minority of output",
        "assumption",
    )
    cases = ref.ob("O5_flat_glass", 2020)
    glass20 = cases * GLASS_MT_PER_MILLION_CASES
    add(
        "building_materials",
        "flat_glass",
        glass20,
        glass20 * (1 - MEASURED),
        glass20 * (1 + MEASURED),
        "Mt",
        f"derived: {cases:.3f} million weight cases x 0.05 Mt per million cases (one weight case "
        f"= 50 kg of 2 mm glass); {NBS.format(key='O5_flat_glass')}; range +-2% (measurement)",
        "derived",
    )

    # chemicals
    add(
        "chemicals",
        "refining_throughput",
        140.0,
        100.0,
        180.0,
        "Mt",
        "assumption: no Shandong crude throughput in reference data. Independent refineries ran "
        "at 70.4% in 2020 (A13_refinery); 25 Mt/yr (~500 kb/d) of them is to close for Yulong "
        "(E13_teapots); Shandong is China's largest refining province. Generous range",
        "assumption",
    )
    add(
        "chemicals",
        "ethylene",
        2.0,
        1.0,
        3.0,
        "Mt",
        "assumption: not in reference data (Yulong's 3 Mt/yr cracker came after 2020, E12_Yulong)",
        "assumption",
    )
    add(
        "chemicals",
        "ammonia",
        4.0,
        2.5,
        5.5,
        "Mt",
        "assumption: not in reference data; Shandong is a large coal-based fertiliser producer",
        "assumption",
    )
    add(
        "chemicals",
        "methanol",
        5.0,
        3.0,
        7.0,
        "Mt",
        "assumption: not in reference data; coal-to-methanol plants in Shandong",
        "assumption",
    )
    add(
        "chemicals",
        "caustic_soda",
        7.5,
        5.0,
        10.0,
        "Mt",
        "assumption: not in reference data (100% NaOH basis); Shandong is a leading chlor-alkali "
        "province",
        "assumption",
    )
    coke_cap = ref.fig("E6_coke", 2022)
    add(
        "chemicals",
        "coke",
        34.0,
        30.0,
        40.0,
        "Mt",
        f"assumption: coke output cap {coke_cap:.0f} Mt in 2022 (E6_coke) after 28.0 Mt of coking "
        "capacity was eliminated 2016-2020 (E1_steelcap), so 2020 output is put slightly above "
        "the 2022 cap",
        "assumption",
    )
    add(
        "chemicals",
        "ammonia_gas_share",
        0.10,
        0.0,
        0.25,
        "share",
        "assumption: coal gasification dominates Shandong ammonia; gas-based share small",
        "assumption",
    )
    add(
        "chemicals",
        "methanol_gas_share",
        0.05,
        0.0,
        0.15,
        "share",
        "assumption: coal (and coke-oven gas) dominate Shandong methanol",
        "assumption",
    )
    return rows


TECH_SRC_GB = "(as transcribed in public code; verify against the standard's text)"


def build_technology(
    ref: Ref, ef_global: dict[str, tuple[float, float, float, str, str]]
) -> list[dict]:
    rows: list[dict] = []
    gj = 29.3076

    def add(route, carrier, value, low, high, unit, region, source, kind):
        assert low <= value <= high, (route, carrier, low, value, high)
        rows.append(
            dict(
                route=route,
                carrier=carrier,
                value=r6(value),
                low=r6(low),
                high=r6(high),
                unit=unit,
                region=region,
                source=source,
                kind=kind,
            )
        )

    e = ELEC_TCE_PER_MWH
    # ---- steel
    v, lo = ref.tp("steel.bfbof.coke.avg"), ref.tp("steel.bfbof.coke.avg", "low")
    add(
        "steel.bf_bof",
        "Coke",
        v / gj,
        lo / gj,
        1.3 * v / gj,
        "tce/t",
        "global",
        f"technology_parameters steel.bfbof.coke.avg {v} GJ/t (MPP Avg BF-BOF; low = BAT {lo}) "
        "/29.3076; high = x1.3 (assumption: Chinese coke rates above the global average)",
        "derived",
    )
    v, lo = ref.tp("steel.bfbof.thermal_coal.avg"), ref.tp("steel.bfbof.thermal_coal.avg", "low")
    add(
        "steel.bf_bof",
        "Coal",
        v / gj,
        lo / gj,
        1.5 * v / gj,
        "tce/t",
        "global",
        f"technology_parameters steel.bfbof.thermal_coal.avg {v} GJ/t (PCI/sinter; low = BAT "
        f"{lo}) /29.3076; high x1.5 (assumption: high PCI rates in China). Met coal for coking "
        "is in chemicals.coke",
        "derived",
    )
    add(
        "steel.bf_bof",
        "Electricity",
        0.45,
        0.15,
        0.55,
        "MWh/t",
        "China",
        "assumption: gross electricity use ~450 kWh/t crude steel (rationale: integrated mills "
        "use ~400-550 kWh/t incl. oxygen plant and rolling); low 0.15 = purchased-only value of "
        "the China provincial model (steel.bfbof.elec.china_model, low confidence) since much is "
        "self-generated from BF/BOF gas (MPP net -283 kWh/t, steel.bfbof.elec_net.avg)",
        "assumption",
    )
    add(
        "steel.scrap_eaf",
        "Electricity",
        ref.tp("steel.eaf.elec.china_model") / 1000,
        0.45,
        ref.tp("steel.eaf.elec") / 1000,
        "MWh/t",
        "China",
        "steel.eaf.elec.china_model 555 kWh/t /1000 (China provincial model, low confidence); "
        "high = steel.eaf.elec 635 kWh/t (MPP, global); low 0.45 assumption (efficient 100 t "
        "furnaces with scrap preheating)",
        "derived",
    )
    v = ref.tp("steel.eaf.ng")
    add(
        "steel.scrap_eaf",
        "Gas",
        v / gj,
        0.02,
        0.07,
        "tce/t",
        "global",
        f"steel.eaf.ng {v} GJ/t (MPP EAF) /29.3076; range assumption",
        "derived",
    )
    co2_eaf = ref.tp("steel.eaf.co2") - v * 0.0561
    add(
        "steel.scrap_eaf",
        "process_co2",
        0.08,
        0.05,
        0.10,
        "tCO2/t",
        "global",
        f"derived: MPP EAF scope-1 {ref.tp('steel.eaf.co2')} tCO2/t minus its natural gas "
        f"{v} GJ x 0.0561 t/GJ = {co2_eaf:.3f} (electrodes, charge carbon); China model total "
        "0.08 (steel.eaf.co2.china_model)",
        "derived",
    )
    add(
        "steel.h2_dri",
        "Hydrogen",
        0.063,
        ref.tp("steel.h2dri.h2", "low") / 1000,
        ref.tp("steel.h2dri.h2") / 1000,
        "t/t",
        "global",
        "steel.h2dri.h2: 63 kg/t (technology-data, MPP documentation) with low 51 kg (Vogl et "
        "al. 2018) and high 73 kg (MPP business case), /1000",
        "derived",
    )
    add(
        "steel.h2_dri",
        "Electricity",
        ref.tp("steel.h2dri.elec") / 1000,
        0.877,
        ref.tp("steel.h2dri.elec") / 1000,
        "MWh/t",
        "global",
        "steel.h2dri.elec 1663 kWh/t excl. electrolysis (MPP) /1000; low = HYBRIT shaft 322 "
        "kWh/t + EAF 555 kWh/t (derived)",
        "derived",
    )
    add(
        "steel.h2_dri",
        "process_co2",
        ref.tp("steel.h2dri.co2"),
        ref.fig("D17_H2DRI") / 1000,
        ref.tp("steel.h2dri.co2"),
        "tCO2/t",
        "global",
        "steel.h2dri.co2 0.0816 (MPP, electrodes/charge carbon); low 53 kg/t (D17_H2DRI, "
        "Bellona/Roland Berger)",
        "quoted",
    )

    # ---- nonferrous
    add(
        "nonferrous.primary_aluminium",
        "Electricity",
        ref.tp("al.gb21346.ingot_comprehensive_ac") / 1000,
        ref.tp("al.gb21346.ingot_comprehensive_ac", "low") / 1000,
        ref.tp("al.gb21346.ingot_comprehensive_ac", "high") / 1000,
        "MWh/t",
        "China",
        "GB 21346-2022 aluminium ingot comprehensive AC power, levels 1/2/3 = 13300/13400/13750 "
        "kWh/t (al.gb21346.ingot_comprehensive_ac) " + TECH_SRC_GB + "; NDRC 2021 baseline 13350 "
        "(D15_Al)",
        "quoted",
    )
    add(
        "nonferrous.primary_aluminium",
        "process_co2",
        1.5,
        1.4,
        1.7,
        "tCO2/t",
        "China",
        "assumption (not in reference data): prebake anode net carbon ~0.40-0.45 t C/t Al x "
        "44/12 = 1.47-1.65 tCO2/t; anode carbon is non-energy use, NOT in CEADs, so the model "
        "adds it",
        "assumption",
    )
    add(
        "nonferrous.recycled_aluminium",
        "Gas",
        0.10,
        0.06,
        0.15,
        "tce/t",
        "China",
        "assumption (reference data: 'recycled aluminium energy not found'): remelting ~3 GJ/t "
        "(1.8-4.4)",
        "assumption",
    )
    add(
        "nonferrous.recycled_aluminium",
        "Electricity",
        0.20,
        0.10,
        0.35,
        "MWh/t",
        "China",
        "assumption: furnaces, handling, casting",
        "assumption",
    )
    a, al, ah = (ref.tp("alumina.gb21346.bayer", c) / 1000 for c in ("value", "low", "high"))
    add(
        "nonferrous.alumina",
        "Electricity",
        0.25,
        0.18,
        0.35,
        "MWh/t",
        "China",
        "assumption: Bayer-process electricity (grinding, pumping, calcination fans)",
        "assumption",
    )
    add(
        "nonferrous.alumina",
        "Coal",
        a - 0.25 * e,
        al - 0.25 * e,
        ah - 0.25 * e,
        "tce/t",
        "China",
        f"derived: GB 21346-2022 Bayer comprehensive energy {a * 1000:.0f} ({al * 1000:.0f}-"
        f"{ah * 1000:.0f}) kgce/t (alumina.gb21346.bayer) {TECH_SRC_GB} minus 0.25 MWh x 0.1229 "
        "tce/MWh; steam and calcination assumed coal/coal-gas based (Coal carrier)",
        "derived",
    )
    add(
        "nonferrous.copper_primary",
        "Coal",
        0.15,
        0.08,
        0.25,
        "tce/t",
        "China",
        "assumption (copper energy not in reference data): smelting+refining fuel",
        "assumption",
    )
    add(
        "nonferrous.copper_primary",
        "Electricity",
        1.0,
        0.6,
        1.5,
        "MWh/t",
        "China",
        "assumption: smelting, oxygen plant and electrorefining",
        "assumption",
    )
    add(
        "nonferrous.copper_recycled",
        "Gas",
        0.10,
        0.05,
        0.20,
        "tce/t",
        "China",
        "assumption (not in reference data)",
        "assumption",
    )
    add(
        "nonferrous.copper_recycled",
        "Electricity",
        0.4,
        0.2,
        0.8,
        "MWh/t",
        "China",
        "assumption (not in reference data)",
        "assumption",
    )

    # ---- building materials
    k = "cement.gb16780.clinker_coal"
    add(
        "building_materials.clinker",
        "Coal",
        ref.tp(k) / 1000,
        ref.tp(k, "low") / 1000,
        ref.tp(k, "high") / 1000,
        "tce/t",
        "China",
        f"GB 16780-2021 clinker comprehensive coal, levels 94/100/109 kgce/t ({k}) {TECH_SRC_GB}; "
        "NDRC 2021 benchmark/baseline 100/117 kgce/t comprehensive (D16_clinker)",
        "quoted",
    )
    k = "cement.gb16780.clinker_elec"
    add(
        "building_materials.clinker",
        "Electricity",
        ref.tp(k) / 1000,
        ref.tp(k, "low") / 1000,
        ref.tp(k, "high") / 1000,
        "MWh/t",
        "China",
        f"GB 16780-2021 clinker comprehensive electricity 48/57/61 kWh/t ({k}) {TECH_SRC_GB}",
        "quoted",
    )
    add(
        "building_materials.clinker",
        "process_co2",
        ref.tp("cement.clinker.process_co2.ipcc_cao"),
        0.5089,
        0.53,
        "tCO2/t",
        "global",
        "IPCC 2006 Vol.3 Ch.2 Tier 2: 0.7848 tCO2/t CaO x CaO 0.65 = 0.51 "
        "(cement.clinker.process_co2.ipcc_cao); low 0.5089 IPCC EFDB; high 0.53 assumption "
        "(MgO, CKD). 0.51 x clinker ratio 0.570 = CEADs' 0.2906 t/t cement",
        "quoted",
    )
    k = "cement.gb16780.grinding_elec"
    add(
        "building_materials.cement_grinding",
        "Electricity",
        ref.tp(k) / 1000,
        ref.tp(k, "low") / 1000,
        ref.tp(k, "high") / 1000,
        "MWh/t",
        "China",
        f"GB 16780-2021 cement grinding section 26/29/34 kWh/t cement ({k}) {TECH_SRC_GB}",
        "quoted",
    )
    g_el = 0.08
    add(
        "building_materials.flat_glass",
        "Electricity",
        g_el,
        0.05,
        0.12,
        "MWh/t",
        "China",
        "assumption: float-line electricity (not in reference data)",
        "assumption",
    )
    g_mid = (ref.tp("glass.gb21340.float_gt800") + ref.tp("glass.gb21340.float_500_800")) / 2
    add(
        "building_materials.flat_glass",
        "Gas",
        g_mid / 50 - g_el * e,
        ref.tp("glass.gb21340.float_gt800", "low") / 50 - g_el * e,
        ref.tp("glass.gb21340.float_500_800", "high") / 50 - g_el * e,
        "tce/t",
        "China",
        f"derived: GB 21340-2019 float glass {g_mid} kgce per weight case (mean of >800 t/d 10.0 "
        "and 500-800 t/d 11.5; range 8.0-13.5) / 50 kg per weight case, minus electricity at "
        f"0.1229 tce/MWh {TECH_SRC_GB}; fuel shown as Gas though Shandong lines also burn coal "
        "gas and petroleum coke (assumption)",
        "derived",
    )
    add(
        "building_materials.flat_glass",
        "process_co2",
        0.17,
        0.12,
        0.21,
        "tCO2/t",
        "China",
        "assumption (reference: 'glass carbonate process CO2 not found'): soda ash + limestone/"
        "dolomite ~0.2 tCO2/t melted glass less ~20% cullet; NOT in CEADs (Process = cement only)",
        "assumption",
    )

    # ---- chemicals
    ef_c = ef_global["ef.Coal"][0]
    coal_c_full = COAL_CC * TJ_PER_TCE  # tC per tce, full oxidation in gasification
    gas_c_full = 15.3 * TJ_PER_TCE
    r_el = 0.07
    r_f = [ref.tp("refining.gb30251.energy_factor", c) for c in ("value", "low", "high")]
    ef_f = (9.0, 7.0, 11.0)
    tot = [r_f[i] * ef_f[i] * 1.4286 / 1000 for i in range(3)]
    add(
        "chemicals.refining",
        "Electricity",
        r_el,
        0.05,
        0.10,
        "MWh/t",
        "China",
        "assumption: refinery electricity ~70 kWh/t crude",
        "assumption",
    )
    for car, sh in (("Oil", 0.85), ("Gas", 0.15)):
        add(
            "chemicals.refining",
            car,
            (tot[0] - r_el * e) * sh,
            (tot[1] - r_el * e) * sh,
            (tot[2] - r_el * e) * sh,
            "tce/t",
            "China",
            f"derived: GB 30251-2024 {r_f[0]} ({r_f[1]}-{r_f[2]}) kgoe/(t x energy factor) "
            f"(refining.gb30251.energy_factor) {TECH_SRC_GB} x assumed energy factor 9 (7-11) x "
            f"1.4286 kgce/kgoe = {tot[0] * 1000:.1f} kgce/t, minus electricity at 0.1229, split "
            f"{sh:.0%} to {car} (assumption: refinery gas/petroleum coke vs natural gas)",
            "derived",
        )
    eth_el = 0.12
    eth = [ref.tp("ethylene.gb30251", c) * 1.4286 / 1000 for c in ("value", "low", "high")]
    add(
        "chemicals.ethylene",
        "Electricity",
        eth_el,
        0.05,
        0.20,
        "MWh/t",
        "China",
        "assumption: steam-cracker electricity (compressors mostly steam-driven)",
        "assumption",
    )
    add(
        "chemicals.ethylene",
        "Oil",
        eth[0] - eth_el * e,
        eth[1] - eth_el * e,
        eth[2] - eth_el * e,
        "tce/t",
        "China",
        f"derived: GB 30251-2024 ethylene 590 (580-640) kgoe/t (ethylene.gb30251) {TECH_SRC_GB} "
        "x 1.4286 kgce/kgoe minus electricity at 0.1229; cracker fuel gas counted as Oil "
        "(refinery gas). Feedstock carbon stays in products: no process_co2",
        "derived",
    )

    def feed_split(
        route,
        carrier,
        key,
        key_low,
        key_high,
        el,
        el_lo,
        el_hi,
        share,
        sh_lo,
        sh_hi,
        c_per_tce,
        product_c,
        ef_comb,
        el_src,
        region_el,
    ):
        tot_v = ref.tp(key) / 1000
        tot_lo = ref.tp(*key_low) / 1000
        tot_hi = ref.tp(*key_high) / 1000
        add(
            route,
            "Electricity",
            el,
            el_lo,
            el_hi,
            "MWh/t",
            region_el,
            el_src,
            "assumption" if region_el == "China" else "quoted",
        )
        net = [tot_v - el * e, tot_lo - el * e, tot_hi - el * e]
        fuel = [net[0] * (1 - share), net[1] * (1 - sh_hi), net[2] * (1 - sh_lo)]
        add(
            route,
            carrier,
            fuel[0],
            fuel[1],
            fuel[2],
            "tce/t",
            "China",
            f"derived: comprehensive energy {tot_v * 1000:.0f} "
            f"({tot_lo * 1000:.0f}-{tot_hi * 1000:.0f}) "
            f"kgce/t ({key}, {key_low[0]}, {key_high[0]}; GB levels) {TECH_SRC_GB}, minus "
            f"electricity {el} MWh x 0.1229, x fuel share {1 - share:.2f} (assumption: feedstock "
            f"share {share} ({sh_lo}-{sh_hi}) of the {carrier} input is gasification/reforming "
            "feed, not combustion). Only this fuel part is energy use in CEADs "
            f"(combustion ~{fuel[0] * ef_comb:.2f} tCO2/t)",
            "derived",
        )
        pc = [
            max(0.0, (net[0] * share * c_per_tce - product_c) * C_TO_CO2),
            max(0.0, (net[1] * sh_lo * c_per_tce - product_c) * C_TO_CO2),
            max(0.0, (net[2] * sh_hi * c_per_tce - product_c) * C_TO_CO2),
        ]
        if pc[0] > 0:
            add(
                route,
                "process_co2",
                pc[0],
                pc[1],
                pc[2],
                "tCO2/t",
                "China",
                f"derived: feedstock {net[0] * share:.3f} tce/t x {c_per_tce:.4f} tC/tce (full "
                f"oxidation) minus carbon in product {product_c} tC/t, x 44/12. Feedstock CO2 is "
                "NOT in CEADs (Raw Chemical Materials counts energy use only): the model adds it. "
                "Urea uptake of CO2 ignored (re-released on field application)",
                "derived",
            )
        return fuel[0], pc[0]

    f_, p_ = feed_split(
        "chemicals.ammonia_coal",
        "Coal",
        "nh3.gb21344.powder_coal",
        ("nh3.gb21344.premium_anthracite",),
        ("nh3.gb21344.powder_coal", "high"),
        1.1,
        0.8,
        1.4,
        0.65,
        0.55,
        0.75,
        coal_c_full,
        0.0,
        ef_c,
        "assumption: coal-based ammonia electricity (air separation, "
        "compression) 1.1 MWh/t (0.8-1.4)",
        "China",
    )
    rmi = ref.tp("nh3.coal.co2")
    rows[-1]["source"] += (
        f"; check: fuel {f_:.3f} tce x {ef_c:.3f} + process {p_:.2f} = "
        f"{f_ * ef_c + p_:.2f} tCO2/t direct, + ~0.9 indirect, vs RMI 2025 {rmi} "
        "(4.4-4.8) total (nh3.coal.co2)"
    )
    feed_split(
        "chemicals.ammonia_gas",
        "Gas",
        "nh3.gb21344.natural_gas",
        ("nh3.gb21344.natural_gas", "low"),
        ("nh3.gb21344.natural_gas", "high"),
        0.7,
        0.5,
        0.9,
        0.60,
        0.50,
        0.70,
        gas_c_full,
        0.0,
        ef_global["ef.Gas"][0],
        "nh3.smr.gas note: 0.7 MWh_el/t NH3 (PyPSA-Eur, CEPS 2008; EU stands in for China); "
        "range assumption",
        "EU",
    )
    add(
        "chemicals.ammonia_green_h2",
        "Hydrogen",
        ref.tp("nh3.green.h2"),
        ref.tp("nh3.green.h2"),
        ref.tp("nh3.green.h2"),
        "t/t",
        "global",
        "nh3.green.h2: 178 kg H2/t NH3 (DECHEMA 2017 via technology-data)",
        "quoted",
    )
    add(
        "chemicals.ammonia_green_h2",
        "Electricity",
        ref.tp("nh3.green.elec"),
        ref.tp("nh3.green.elec"),
        ref.tp("nh3.green.elec") * 5.166,
        "MWh/t",
        "global",
        "nh3.green.elec 0.2473 MWh/t (PyPSA-Eur field per t NH3, Wang et al. 2018); high = 0.2473 "
        "per MWh_NH3 x 5.166 MWh/t LHV (the technology-data reading; unit ambiguity flagged in "
        "the reference)",
        "quoted",
    )
    f_, p_ = feed_split(
        "chemicals.methanol_coal",
        "Coal",
        "meoh.gb29436.bituminous",
        ("meoh.gb29436.bituminous", "low"),
        ("meoh.gb29436.bituminous", "high"),
        0.75,
        0.5,
        1.0,
        0.65,
        0.55,
        0.75,
        coal_c_full,
        0.375,
        ef_c,
        "assumption: coal-to-methanol electricity 0.75 MWh/t (0.5-1.0)",
        "China",
    )
    rows[-1]["source"] += (
        "; reference: 'coal-to-methanol CO2 not found', so this split is the project's estimate"
    )
    me_tot = [ref.tp("meoh.gb29436.natural_gas", c) / 1000 for c in ("value", "low", "high")]
    me_el = 0.167
    feed_tce = 0.375 / gas_c_full
    add(
        "chemicals.methanol_gas",
        "Electricity",
        me_el,
        me_el,
        0.3,
        "MWh/t",
        "EU",
        "meoh.gas.inputs: 0.167 MWh_el/t MeOH (DECHEMA 2017 via PyPSA-Eur; EU stands in); high "
        "0.3 assumption",
        "quoted",
    )
    add(
        "chemicals.methanol_gas",
        "Gas",
        me_tot[0] - me_el * e - feed_tce,
        me_tot[1] - me_el * e - feed_tce,
        me_tot[2] - me_el * e - feed_tce,
        "tce/t",
        "China",
        f"derived: GB 29436-2023 natural-gas methanol 1150 (1130-1380) kgce/t {TECH_SRC_GB} minus "
        "electricity x 0.1229 minus feedstock carbon kept in product 0.375 tC/t / "
        f"{gas_c_full:.4f} tC/tce = {feed_tce:.3f} tce; the rest is burnt (combustion ~"
        f"{(me_tot[0] - me_el * e - feed_tce) * ef_global['ef.Gas'][0]:.2f} tCO2/t, cf. 0.55 in "
        "meoh.gas.co2_process_derived), so no separate process_co2",
        "derived",
    )
    add(
        "chemicals.methanol_green_h2",
        "Hydrogen",
        ref.tp("meoh.green.h2"),
        ref.tp("meoh.green.h2"),
        ref.tp("meoh.green.h2"),
        "t/t",
        "global",
        "meoh.green.h2: 189 kg H2/t MeOH (DECHEMA 2017); also needs 1.37 tCO2/t as feedstock "
        "(meoh.green.co2_in), not modelled as an energy carrier",
        "quoted",
    )
    add(
        "chemicals.methanol_green_h2",
        "Electricity",
        ref.tp("meoh.green.elec") * 5.528,
        0.5,
        1.6,
        "MWh/t",
        "global",
        "derived: meoh.green.elec 0.271 MWh_el/MWh_MeOH x 5.528 MWh/t LHV (DECHEMA 2017); range "
        "assumption",
        "derived",
    )
    cs = [ref.tp("caustic.gb21257.liquid30", c) / 1000 for c in ("value", "low", "high")]
    cl = ref.tp("chlor.elec")
    add(
        "chemicals.caustic_soda",
        "Electricity",
        2.35,
        2.2,
        cl / 1.128,
        "MWh/t",
        "China",
        f"derived/assumption: GB 21257-2024 liquid caustic soda {cs[0] * 1000:.0f} "
        f"({cs[1] * 1000:.0f}-{cs[2] * 1000:.0f}) kgce/t {TECH_SRC_GB} is mostly electricity: "
        f"2.35 MWh x 0.1229 = 0.289 tce; high = EU chlor-alkali {cl} MWh/t Cl2 "
        "(chlor.elec) / 1.128 t NaOH per t Cl2",
        "assumption",
    )
    add(
        "chemicals.caustic_soda",
        "Heat",
        cs[0] - 2.35 * e,
        0.01,
        cs[2] - 2.2 * e,
        "tce/t",
        "China",
        "derived: GB 21257-2024 comprehensive energy minus electricity at 0.1229 = evaporation "
        "steam (purchased heat)",
        "derived",
    )
    ck = [ref.tp("coke.gb21342.top_charging", c) / 1000 for c in ("value", "low", "high")]
    add(
        "chemicals.coke",
        "Electricity",
        0.03,
        0.02,
        0.05,
        "MWh/t",
        "China",
        "assumption: coke-oven electricity",
        "assumption",
    )
    add(
        "chemicals.coke",
        "Coke",
        ck[0] - 0.03 * e,
        ck[1] - 0.03 * e,
        ck[2] - 0.03 * e + 0.005,
        "tce/t",
        "China",
        f"derived: GB 21342-2025 top-charging coke oven {ck[0] * 1000:.0f} ({ck[1] * 1000:.0f}-"
        f"{ck[2] * 1000:.0f}) kgce/t {TECH_SRC_GB} minus electricity; underfiring with coke-oven "
        "gas (Coke carrier). Coal charged for coking is transformation input, not listed",
        "derived",
    )

    # ---- global factors
    for name, (v, lo, hi, src, kind) in ef_global.items():
        add("global", name, v, lo, hi, "tCO2/tce", "China", src, kind)
    hv = ef_global["ef.Coal"][0]
    add(
        "global",
        "heat.ef",
        hv / 0.85,
        hv / 0.92,
        hv / 0.75,
        "tCO2/tce",
        "China",
        f"assumption: purchased heat from coal-fired boilers/CHP: ef.Coal {hv:.3f} / heat "
        "efficiency 0.85 (0.75-0.92)",
        "assumption",
    )
    add(
        "global",
        "conv.elec_calorific",
        0.1229,
        0.1229,
        0.1229,
        "tce/MWh",
        "China",
        "GB/T 2589-2020 calorific value 0.1229 kgce/kWh (conv.elec.calorific)",
        "quoted",
    )
    add(
        "global",
        "conv.elec_coal_equivalent",
        0.305,
        ref.tp("conv.elec.equivalent"),
        ref.tp("conv.elec.equivalent", "high"),
        "tce/MWh",
        "China",
        "assumption for 2020 inside conv.elec.equivalent 0.300 (GB 30251-2024 Annex A) - 0.315 "
        "(public code citing NEA statistics)",
        "assumption",
    )
    add(
        "global",
        "h2.grey_co2",
        ref.tp("h2.coal_gasif.co2_derived"),
        ref.tp("h2.smr.co2_derived"),
        ref.tp("h2.coal_gasif.co2_derived"),
        "tCO2/t",
        "China",
        "h2.coal_gasif.co2_derived 18.1 kg/kg (coal gasification, Shandong-typical); low = SMR "
        "8.7 (h2.smr.co2_derived); both computed from PyPSA technology-data, low confidence",
        "derived",
    )
    add(
        "global",
        "h2.electrolysis_elec",
        ref.tp("h2.electrolysis.aec_dea"),
        ref.tp("h2.electrolysis.aec_dea", "low"),
        ref.tp("h2.electrolysis.aec_dea", "high"),
        "MWh/t",
        "EU",
        "h2.electrolysis.aec_dea 53.6 (44.3-53.6) kWh/kg = MWh/t H2 (DEA AEC; EU stands in)",
        "quoted",
    )
    add(
        "global",
        "ccus.elec_per_tco2",
        ref.tp("cement.ccs.elec"),
        ref.tp("cement.ccs.elec", "low"),
        ref.tp("cement.ccs.elec", "high"),
        "MWh/tCO2",
        "EU (DK) / US",
        "cement.ccs.elec: capture 0.022 + compression 0.085 MWh/tCO2 (DEA 401.c); "
        "high 0.16 NPC retrofit (also steel.ccs_retrofit.elec)",
        "quoted",
    )
    hv = ref.tp("cement.ccs.heat") * 3.6 / gj
    add(
        "global",
        "ccus.heat_per_tco2",
        hv,
        0.07,
        0.12,
        "tce/tCO2",
        "EU (DK)",
        f"derived: cement.ccs.heat 0.72 MWh_th/tCO2 x 3.6/29.3076 = {hv:.4f} tce (DEA 401.c); "
        "steel retrofit 0.76 MWh gas = 0.093 (steel.ccs_retrofit.gas); range assumption (2.0-3.5 "
        "GJ/t solvents)",
        "derived",
    )
    return rows


# --------------------------------------------------------------------------------------------
# 4. history
# --------------------------------------------------------------------------------------------
def build(ref: Ref, out: Path) -> None:
    smap = pd.DataFrame(SECTOR_MAP, columns=["ceads_sector", "sector", "note"])
    smap["source"] = MAP_SRC
    fmap = fuel_map()
    ceads = ref.ceads
    unknown = set(ceads["ceads_sector"]) - set(smap["ceads_sector"])
    if unknown or len(set(ceads["ceads_sector"])) != len(smap):
        raise SystemExit(f"sector map does not match CEADs sectors: {sorted(unknown)}")
    unknown = set(ceads["fuel"]) - set(fmap["fuel"])
    if unknown:
        raise SystemExit(f"fuel map misses CEADs fuels: {sorted(unknown)}")

    d = ceads.merge(smap[["ceads_sector", "sector"]], on="ceads_sector").merge(
        fmap[["fuel", "carrier", "ef_tco2_per_tce"]], on="fuel"
    )
    rows: list[dict] = []

    def add(sector, item, year, value, unit, source, kind):
        rows.append(
            dict(
                sector=sector,
                item=item,
                year=int(year),
                value=r6(value),
                unit=unit,
                source=source,
                kind=kind,
            )
        )

    fossil = d[d["carrier"].isin(FOSSIL)].copy()
    fossil["energy"] = fossil["mt_co2"] / fossil["ef_tco2_per_tce"]
    agg = fossil.groupby(["sector", "year", "carrier"])[["mt_co2", "energy"]].sum()
    proc = d[d["carrier"] == "process"].groupby(["sector", "year"])["mt_co2"].sum()
    scope1 = d[d["fuel"] == "Scope_1_Total"].groupby(["sector", "year"])["mt_co2"].sum()
    years = sorted(ceads["year"].unique())

    # industry = sum of the 8 sectors
    ind = agg.loc[SECTORS].groupby(level=["year", "carrier"]).sum()
    ind.index = pd.MultiIndex.from_tuples(
        [("industry", y, c) for y, c in ind.index], names=agg.index.names
    )
    agg = pd.concat([agg, ind])
    p_ind = proc.loc[SECTORS].groupby(level="year").sum()
    proc = pd.concat(
        [
            proc,
            pd.Series(
                p_ind.values,
                index=pd.MultiIndex.from_tuples(
                    [("industry", y) for y in p_ind.index], names=proc.index.names
                ),
            ),
        ]
    )
    s_ind = scope1.loc[SECTORS].groupby(level="year").sum()
    scope1 = pd.concat(
        [
            scope1,
            pd.Series(
                s_ind.values,
                index=pd.MultiIndex.from_tuples(
                    [("industry", y) for y in s_ind.index], names=scope1.index.names
                ),
            ),
        ]
    )

    all_groups = [*GROUPS, "industry", "total"]
    for g in all_groups:
        what = (
            "sum over the 8 model sectors of"
            if g == "industry"
            else "CEADs 'Total' row,"
            if g == "total"
            else f"sum over the CEADs sectors mapped to '{g}' (ceads_sector_map.csv) of"
        )
        for y in years:
            for c in FOSSIL:
                co2, en = agg.loc[(g, y, c)] if (g, y, c) in agg.index else (0.0, 0.0)
                fuels = ", ".join(fmap.loc[fmap["carrier"] == c, "fuel"])
                add(
                    g,
                    f"co2_combustion|{c}",
                    y,
                    co2,
                    "Mt CO2",
                    f"{what} CEADs fuels {fuels}; {CEADS_CITE}",
                    "quoted" if g != "industry" else "derived",
                )
                add(
                    g,
                    f"energy|{c}",
                    y,
                    en,
                    "Mtce",
                    f"derived: fuel by fuel CEADs CO2 / ef_tco2_per_tce (ceads_fuel_map.csv; "
                    f"stand-in factors, CEADs' own table not retrieved), summed to {c}; {what} "
                    "the CEADs sectors",
                    "derived",
                )
            pv = float(proc.get((g, y), 0.0))
            psrc = (
                "CEADs Process (cement clinker calcination) of Nonmetal Mineral Products; "
                if g in ("building_materials", "industry", "total")
                else "zero: CEADs counts no process CO2 outside cement (no anode, glass, "
                "ammonia/methanol feedstock or lime CO2: the model adds these from "
                "technology.csv process_co2); "
            )
            add(
                g,
                "co2_process",
                y,
                pv,
                "Mt CO2",
                psrc + CEADS_CITE,
                "quoted" if g != "industry" else "derived",
            )
            add(
                g,
                "co2_scope1",
                y,
                float(scope1.get((g, y), 0.0)),
                "Mt CO2",
                f"{what} CEADs Scope_1_Total (17 fuels + Process, as published; differs from the "
                f"fuel sum only by CEADs' 0.001 Mt rounding); {CEADS_CITE}",
                "quoted" if g != "industry" else "derived",
            )

    hist = pd.DataFrame(rows)
    h = hist.set_index(["sector", "item", "year"])["value"]

    # ---------------- 2020 estimate
    s18, s19, s20 = (ref.ob("O1_crude_steel", y) for y in (2018, 2019, 2020))
    pig19, pig20 = (ref.ob("O2_pig_iron", y) for y in (2019, 2020))
    cem19, cem20 = (ref.ob("O4_cement", y) for y in (2019, 2020))
    # Steel's 2020 CO2 follows the hot metal made (the blast furnace is the emitter).
    g_steel = pig20 / pig19
    g_bm = cem20 / cem19
    sec_g = 0.033  # A14: secondary industry real growth 2020
    gdp_g = 0.036  # A14: GDP real growth 2020
    b6 = ref.fig("B6_13FYP", 2020)
    i_rate = (1 + b6) ** (1 / 5) - 1
    f_ind = (1 + sec_g) * (1 + i_rate)
    f_non = (1 + gdp_g) * (1 + i_rate)
    factors = {g: f_ind for g in SECTORS}
    factors["steel"] = g_steel
    factors["building_materials"] = g_bm
    factors["power"] = 1.0
    factors["non_industry"] = f_non
    factor_range = {g: ((1 + sec_g) * 0.94, 1 + sec_g) for g in SECTORS}
    factor_range["steel"] = (s20 / s19, g_steel + 0.02)
    factor_range["building_materials"] = (f_ind, g_bm + 0.02)
    steel_src = (
        f"derived: 2019 x {g_steel:.4f} = NBS pig iron 2020 / 2019 ({pig20} / {pig19} Mt, "
        f"{NBS.format(key='O2_pig_iron')}): BF-BOF CO2 follows the hot metal made, intensity "
        f"constant 2019-2020. Range {s20 / s19:.4f} (crude steel {s20} / {s19} Mt, O1) to "
        f"{g_steel + 0.02:.4f}"
    )
    bm_src = (
        f"derived: 2019 x {g_bm:.4f} = NBS cement output 2020 / 2019 ({cem20} / {cem19} Mt, "
        f"{NBS.format(key='O4_cement')}): kiln fuel and calcination follow cement, intensity "
        "constant 2019-2020 (NBS and CEADs disagreed by 9 points on 2018-2019 growth, so the "
        f"range is wide); range {f_ind:.4f} (the generic factor) to {g_bm + 0.02:.4f}"
    )
    gen_src = (
        f"assumption: 2019 x {f_ind:.4f} = (1 + secondary-industry real growth 3.3%, A14_GDP) x "
        f"(1 + intensity change {i_rate:.4f}/yr, the 13th-FYP industrial energy-intensity target "
        f"-20% 2015-2020 (B6_13FYP) annualised and used for CO2 intensity); range factor "
        f"{(1 + sec_g) * 0.94:.3f}-{1 + sec_g:.3f} (intensity -6%..0%)"
    )
    non_src = (
        f"assumption: 2019 x {f_non:.4f} = (1 + GDP real growth 3.6%, A14_GDP) x (1 + "
        f"{i_rate:.4f}); COVID-hit transport makes this an upper-side estimate; range "
        "0.93-1.02"
    )
    pow_src = (
        "assumption: 2019 x 1.0 (power-sector CO2 flat: demand growth offset by net "
        "imports, 53.3 TWh in H1 2020 (B14_import_power), and renewables); range 0.95-1.05"
    )
    srcs = {g: gen_src for g in SECTORS}
    srcs["steel"] = steel_src
    srcs["building_materials"] = bm_src
    srcs["power"] = pow_src
    srcs["non_industry"] = non_src
    kinds = {g: "assumption" for g in GROUPS}
    kinds["steel"] = "derived"
    kinds["building_materials"] = "derived"

    new: list[dict] = []

    def add20(sector, item, value, unit, source, kind):
        new.append(
            dict(
                sector=sector,
                item=item,
                year=2020,
                value=r6(value),
                unit=unit,
                source=source,
                kind=kind,
            )
        )

    for g in GROUPS:
        for c in FOSSIL:
            add20(
                g,
                f"co2_combustion|{c}",
                h[(g, f"co2_combustion|{c}", 2019)] * factors[g],
                "Mt CO2",
                srcs[g],
                kinds[g],
            )
            add20(
                g,
                f"energy|{c}",
                h[(g, f"energy|{c}", 2019)] * factors[g],
                "Mtce",
                srcs[g] + "; same factor as the CO2, so the implied ef is the 2019 one",
                kinds[g],
            )
        add20(
            g,
            "co2_process",
            h[(g, "co2_process", 2019)] * factors[g],
            "Mt CO2",
            srcs[g]
            if g == "building_materials"
            else "zero: CEADs counts no process CO2 outside cement",
            kinds[g],
        )

    # ---------------- base year, cement and clinker 2020
    by = build_base_year(ref)
    c_ef = ref.fig("D7_cement_EF")
    proc20 = h[("building_materials", "co2_process", 2019)] * factors["building_materials"]
    cement20 = cem20
    ratio = next(r["value"] for r in by if r["item"] == "clinker_ratio")
    clinker20 = cement20 * ratio
    cem_lo, cem_hi = cement20 * (1 - MEASURED), cement20 * (1 + MEASURED)
    r_lo = next(r["low"] for r in by if r["item"] == "clinker_ratio")
    r_hi = next(r["high"] for r in by if r["item"] == "clinker_ratio")
    by += [
        dict(
            sector="building_materials",
            item="cement",
            value=r6(cement20),
            low=r6(cem_lo),
            high=r6(cem_hi),
            unit="Mt",
            source=(
                f"quoted: {NBS.format(key='O4_cement')}; range +-2% (measurement, assumption). "
                f"CEADs-consistent 2020 process CO2 is {proc20:.2f} Mt (2019 x {g_bm:.4f}), i.e. "
                f"{proc20 / cement20:.4f} t CO2/t cement against the CEADs national convention "
                f"{c_ef} (D7_cement_EF): the engine scales clinker process CO2 to CEADs"
            ),
            kind="quoted",
        ),
        dict(
            sector="building_materials",
            item="clinker",
            value=r6(clinker20),
            low=r6(cem_lo * r_lo),
            high=r6(cem_hi * r_hi),
            unit="Mt",
            source=(
                f"derived: cement {cement20:.2f} Mt x clinker ratio {ratio:.4f} (row "
                "clinker_ratio); range combines the cement and ratio ranges"
            ),
            kind="derived",
        ),
    ]
    byd = {(r["sector"], r["item"]): r for r in by}

    def bv(sector, item, col="value"):
        return byd[(sector, item)][col]

    # ---------------- global emission factors (consistent with the fuel map)
    ind19 = {
        c: (h[("industry", f"co2_combustion|{c}", 2019)], h[("industry", f"energy|{c}", 2019)])
        for c in FOSSIL
    }
    efm = fmap.set_index("fuel")["ef_tco2_per_tce"]
    ef_global = {
        "ef.Coal": (
            efm["Raw_Coal"],
            ef_per_tce(26.1, 0.93),
            ef_per_tce(26.4, 0.98),
            "ceads_fuel_map.csv Raw_Coal factor (all Coal-carrier fuels except "
            "Other_Coking_Products share it); low 26.1 tC/TJ x 0.93 (ef.bituminous.ncv), "
            "high 26.4 x 0.98 (Heliyon 2023 Table 2)",
            "derived",
        ),
        "ef.Coke": (
            ind19["Coke"][0] / ind19["Coke"][1],
            efm["Coke_Oven_Gas"],
            efm["Other_Gas"],
            f"derived: industry 2019 CEADs Coke-carrier CO2 {ind19['Coke'][0]:.2f} Mt / "
            f"recovered energy {ind19['Coke'][1]:.2f} Mtce (coke, coke-oven gas, blast "
            "furnace/converter gas mix; history.csv); range = coke-oven gas to BF gas "
            "factor",
            "derived",
        ),
        "ef.Oil": (
            ind19["Oil"][0] / ind19["Oil"][1],
            efm["Refinery_Gas"],
            efm["Fuel_Oil"],
            f"derived: industry 2019 CEADs Oil-carrier CO2 {ind19['Oil'][0]:.2f} Mt / "
            f"recovered energy {ind19['Oil'][1]:.2f} Mtce; range refinery gas to fuel oil",
            "derived",
        ),
        "ef.Gas": (
            efm["Natural_Gas"],
            efm["Natural_Gas"] * 0.98,
            efm["Natural_Gas"] * 1.02,
            "ceads_fuel_map.csv Natural_Gas factor (15.3 tC/TJ x 0.99, ef.ng.ncv); range "
            "+-2% assumption",
            "derived",
        ),
    }
    ef_global = {
        k: (r6(v[0]), r6(min(v[1], v[0])), r6(max(v[2], v[0])), v[3], v[4])
        for k, v in ef_global.items()
    }
    tech = build_technology(ref, ef_global)
    tv = {(t["route"], t["carrier"]): t["value"] for t in tech}

    # ---------------- electricity and heat 2020
    en19 = {g: sum(h[(g, f"energy|{c}", 2019)] for c in FOSSIL) for g in all_groups}
    en20 = {g: en19[g] * factors.get(g, 1.0) for g in GROUPS}
    el = {}
    el_src = {}
    el_rng = {}
    st = bv("steel", "crude_steel")
    es = bv("steel", "eaf_share")
    el["steel"] = st * (
        (1 - es) * tv[("steel.bf_bof", "Electricity")] + es * tv[("steel.scrap_eaf", "Electricity")]
    )
    el_src["steel"] = (
        f"crude steel {st:.2f} Mt x [(1-{es:.3f}) x BF-BOF 0.45 + {es:.3f} x EAF "
        "0.555 MWh/t] (base_year.csv, technology.csv)"
    )
    el_rng["steel"] = (0.45, 1.25)
    nf = {
        "primary_aluminium": "nonferrous.primary_aluminium",
        "recycled_aluminium": "nonferrous.recycled_aluminium",
        "alumina": "nonferrous.alumina",
        "copper_primary": "nonferrous.copper_primary",
        "copper_recycled": "nonferrous.copper_recycled",
    }
    semis = ref.fig("A11_Al_semis", 2020)
    el["nonferrous"] = sum(bv("nonferrous", p) * tv[(r, "Electricity")] for p, r in nf.items())
    el["nonferrous"] += semis * 0.3
    el_src["nonferrous"] = (
        "sum of base-year outputs x route electricity (primary Al 13.4, "
        "recycled Al 0.2, alumina 0.25, copper 1.0/0.4 MWh/t) + aluminium "
        f"products {semis} Mt (A11_Al_semis) x 0.3 MWh/t rolling/extrusion "
        "(assumption)"
    )
    el_rng["nonferrous"] = (0.8, 1.2)
    fg = bv("building_materials", "flat_glass")
    bm = (
        clinker20 * tv[("building_materials.clinker", "Electricity")]
        + cement20 * tv[("building_materials.cement_grinding", "Electricity")]
        + fg * tv[("building_materials.flat_glass", "Electricity")]
    )
    el["building_materials"] = bm * 1.5
    el_src["building_materials"] = (
        f"(clinker {clinker20:.1f} Mt x 0.057 + cement {cement20:.1f} "
        f"Mt x 0.029 + flat glass {fg} Mt x 0.08 MWh/t) x 1.5 "
        "(assumption: +50% for ceramics, bricks, glass fibre, lime, "
        "concrete products; range +10%..+150%)"
    )
    el_rng["building_materials"] = (1.1 / 1.5, 2.5 / 1.5)
    amm, meo = bv("chemicals", "ammonia"), bv("chemicals", "methanol")
    ag, mg = bv("chemicals", "ammonia_gas_share"), bv("chemicals", "methanol_gas_share")
    chem = (
        bv("chemicals", "refining_throughput") * tv[("chemicals.refining", "Electricity")]
        + bv("chemicals", "ethylene") * tv[("chemicals.ethylene", "Electricity")]
        + amm
        * (
            (1 - ag) * tv[("chemicals.ammonia_coal", "Electricity")]
            + ag * tv[("chemicals.ammonia_gas", "Electricity")]
        )
        + meo
        * (
            (1 - mg) * tv[("chemicals.methanol_coal", "Electricity")]
            + mg * tv[("chemicals.methanol_gas", "Electricity")]
        )
        + bv("chemicals", "caustic_soda") * tv[("chemicals.caustic_soda", "Electricity")]
        + bv("chemicals", "coke") * tv[("chemicals.coke", "Electricity")]
    )
    el["chemicals"] = chem * 1.8
    el_src["chemicals"] = (
        f"products (refining, ethylene, ammonia, methanol, caustic soda, coke) "
        f"x route electricity = {chem:.1f} TWh, x 1.8 (assumption: +80% for "
        "tyres/rubber, plastics, pharmaceuticals, fibres and other chemicals, "
        "range +30%..+150%)"
    )
    el_rng["chemicals"] = (1.3 / 1.8, 2.5 / 1.8)
    shares = {  # electricity share of final energy (calorific basis, excl. heat)
        "consumer_goods": (0.40, 0.25, 0.55),
        "equipment": (0.55, 0.40, 0.70),
        "electronics": (0.75, 0.60, 0.90),
        "other_industry": (0.25, 0.15, 0.40),
    }
    for g, (s, lo, hi) in shares.items():

        def elec(sh, g=g):
            return en20[g] * sh / (1 - sh) / ELEC_TCE_PER_MWH

        el[g] = elec(s)
        el_src[g] = (
            f"fossil energy 2020 {en20[g]:.3f} Mtce x s/(1-s) / 0.1229 tce/MWh, s = "
            f"electricity share of final energy (calorific) {s} ({lo}-{hi}) "
            "(assumption: light manufacturing is electricity-heavy)"
        )
        el_rng[g] = (elec(lo) / el[g], elec(hi) / el[g])
    heat_sh = {
        "steel": 0.01,
        "nonferrous": 0.05,
        "building_materials": 0.01,
        "chemicals": 0.20,
        "consumer_goods": 0.30,
        "equipment": 0.05,
        "electronics": 0.10,
        "other_industry": 0.08,
    }
    el_tot = sum(el.values())
    gen12 = ref.gen[ref.gen["year"] == 2012]["value"].sum() / 10
    imp = ref.fig("B14_import_power", 2020)
    tot_src = (
        f" Industry total {el_tot:.0f} TWh. Order-of-magnitude check: Shandong "
        f"generation was {gen12:.0f} TWh in 2012 (CPSY via gcamdata) and net imports "
        f"{imp} TWh in H1 2020 alone (B14_import_power); no sourced Shandong total or "
        "industrial consumption for 2020 is in the reference data (known gap)"
    )
    for g in SECTORS:
        lo_f, hi_f = el_rng[g]
        add20(
            g,
            "energy|Electricity",
            el[g],
            "TWh",
            f"assumption: {el_src[g]}; range x{lo_f:.2f}-x{hi_f:.2f} (base_year.csv)." + tot_src,
            "assumption",
        )
        by.append(
            dict(
                sector=g,
                item="energy|Electricity",
                value=r6(el[g]),
                low=r6(el[g] * lo_f),
                high=r6(el[g] * hi_f),
                unit="TWh",
                source=f"assumption: see history.csv 2020 energy|Electricity: {el_src[g]}",
                kind="assumption",
            )
        )
        hv = en20[g] * heat_sh[g]
        hsrc = (
            f"assumption: purchased heat = {heat_sh[g]} (x0.5-x2) x 2020 fossil energy "
            f"{en20[g]:.3f} Mtce (heat not in CEADs scope 2 in this release; mainly steam for "
            "chemicals, paper, textiles, food)"
        )
        add20(g, "energy|Heat", hv, "Mtce", hsrc, "assumption")
        by.append(
            dict(
                sector=g,
                item="energy|Heat",
                value=r6(hv),
                low=r6(hv * 0.5),
                high=r6(hv * 2),
                unit="Mtce",
                source=hsrc,
                kind="assumption",
            )
        )
        add20(
            g,
            "energy|Hydrogen",
            0.0,
            "Mt",
            "assumption: no hydrogen bought as an energy carrier in 2020; grey H2 made inside "
            "ammonia/methanol/refining is counted through its coal, gas or oil input",
            "assumption",
        )
        by.append(
            dict(
                sector=g,
                item="co2_2020_vs_2019",
                value=r6(factors[g]),
                low=r6(factor_range[g][0]),
                high=r6(factor_range[g][1]),
                unit="ratio",
                source=srcs[g],
                kind=kinds[g],
            )
        )

    # backcast 2010-2019 electricity and heat
    for g in SECTORS:
        for y in range(2010, 2020):
            if g == "chemicals":
                ratio_y = (1 / 1.04) ** (2020 - y)
                rule = (
                    "2020 value / 1.04^(2020-y) (assumption: 4%/yr growth, range 2-6%; CEADs "
                    "chemical energy breaks in 2013 so it is not used as a scaler)"
                )
                hratio = ratio_y
            else:
                fe = sum(h[(g, f"energy|{c}", y)] for c in FOSSIL)
                ratio_y = fe / en20[g] * (1 / 1.01) ** (2020 - y)
                hratio = fe / en20[g]
                rule = (
                    "2020 value x (fossil energy y / 2020) x 1.01^-(2020-y) (assumption: "
                    "electricity moves with the sector's CEADs fossil energy while its share "
                    "rises ~1%/yr; range 0-2%/yr)"
                )
            add(
                g,
                "energy|Electricity",
                y,
                el[g] * ratio_y,
                "TWh",
                f"assumption: backcast {rule}",
                "assumption",
            )
            add(
                g,
                "energy|Heat",
                y,
                en20[g] * heat_sh[g] * hratio,
                "Mtce",
                "assumption: backcast with the same rule as electricity but without the share "
                "drift (heat share of fossil energy constant)",
                "assumption",
            )
    rows_now = rows + new
    hist = pd.DataFrame(rows_now)

    # industry and total for 2020 and the backcast carriers
    def sum_rows(items, years_, target, base):
        for it in items:
            for y in years_:
                sel = hist[(hist["item"] == it) & (hist["year"] == y) & hist["sector"].isin(base)]
                if sel.empty:
                    continue
                unit = sel["unit"].iloc[0]
                add(
                    target,
                    it,
                    y,
                    sel["value"].sum(),
                    unit,
                    f"derived: sum over {', '.join(base)}",
                    "derived",
                )

    items20 = (
        [f"co2_combustion|{c}" for c in FOSSIL] + [f"energy|{c}" for c in FOSSIL] + ["co2_process"]
    )
    sum_rows(items20, [2020], "industry", SECTORS)
    sum_rows(items20, [2020], "total", [*SECTORS, "power", "non_industry"])
    sum_rows(["energy|Electricity", "energy|Heat"], range(2010, 2021), "industry", SECTORS)
    sum_rows(["energy|Hydrogen"], [2020], "industry", SECTORS)

    # ---------------- value added 2020
    ind_va = ref.ob("M3_industry_va", 2020)
    m3 = (
        "Shandong Provincial Bureau of Statistics via Wind (observations.csv industry_va, "
        "key M3_industry_va)"
    )
    va_sh = {
        "steel": 0.07,
        "nonferrous": 0.05,
        "building_materials": 0.07,
        "chemicals": 0.20,
        "consumer_goods": 0.14,
        "equipment": 0.25,
        "electronics": 0.05,
        "other_industry": 0.17,
    }
    assert abs(sum(va_sh.values()) - 1) < 1e-12
    for g in SECTORS:
        v = ind_va * va_sh[g]
        src = (
            f"assumption: industry (secondary excluding construction) VA 2020 {ind_va} bn CNY "
            f"current prices (quoted, {m3}) x sector share {va_sh[g]} (x0.7-x1.3; rationale: "
            "Shandong's heavy/chemical-oriented structure, chemicals and equipment largest; no "
            "sourced Shandong split by sector exists in the reference data)"
        )
        add(g, "value_added", 2020, v, "bn CNY", src, "assumption")
        by.append(
            dict(
                sector=g,
                item="value_added",
                value=r6(v),
                low=r6(v * 0.7),
                high=r6(v * 1.3),
                unit="bn CNY",
                source=src,
                kind="assumption",
            )
        )
    add(
        "industry",
        "value_added",
        2020,
        ind_va,
        "bn CNY",
        f"quoted: {m3}; equals the sum of the 8 sectors",
        "quoted",
    )
    by.append(
        dict(
            sector="industry",
            item="electricity_share_factor",
            value=0.98,
            low=0.88,
            high=1.06,
            unit="ratio",
            source=(
                "assumption: Shandong industry's share of whole-society electricity relative to "
                "the national secondary-industry share of the same year (observations.csv "
                "cn_electricity_secondary / cn_electricity_total, 68% in 2020). 0.98 leaves out "
                "construction (about 2% of secondary-industry use, an assumption); range "
                "0.88-1.06 because no Shandong industrial electricity series was found (the "
                "reference data's known gap). The top-down anchor of industrial electricity "
                "(model.engine.base_electricity)"
            ),
            kind="assumption",
        )
    )

    # ---------------- outputs
    for y, v in ((2018, s18), (2019, s19), (2020, s20)):
        src = f"quoted: {NBS.format(key='O1_crude_steel')}"
        add("steel", "output|crude_steel", y, v, "Mt", src, "quoted")
    for y in (2010, 2015):
        add(
            "building_materials",
            "output|cement",
            y,
            ref.fig("A1_cement_implied", y),
            "Mt",
            "derived: CEADs cement process CO2 / 0.2906 t CO2 per t cement (A1_cement_implied)",
            "derived",
        )
    for y in (2018, 2019, 2020):
        add(
            "building_materials",
            "output|cement",
            y,
            ref.ob("O4_cement", y),
            "Mt",
            f"quoted: {NBS.format(key='O4_cement')}",
            "quoted",
        )
    add(
        "building_materials",
        "output|clinker",
        2020,
        clinker20,
        "Mt",
        byd[("building_materials", "clinker")]["source"],
        "derived",
    )
    add(
        "nonferrous",
        "output|alumina",
        2020,
        ref.fig("A10_alumina", 2020),
        "Mt",
        "quoted: NBS via yuenseng.com (A10_alumina, medium confidence)",
        "quoted",
    )
    add(
        "nonferrous",
        "output|aluminium_products",
        2020,
        semis,
        "Mt",
        "quoted: aluminium products (semis, not primary metal), NBS via yuenseng.com "
        "(A11_Al_semis)",
        "quoted",
    )

    # ---------------- grid factor
    gen = ref.gen.copy()
    gen["twh"] = gen["value"] / 10.0
    gtot = gen.groupby("year")["twh"].sum()
    gth = gen[gen["item"].str.contains("coal/thermal")].groupby("year")["twh"].sum()
    d10 = ref.fig("D10_grid", 2022)
    d11 = ref.fig("D11_grid", 2022)
    drift = 0.008
    th18 = ref.fig("R2_thermal", 2018)
    for y in (2010, 2011, 2012):
        pw = sum(h[("power", f"co2_combustion|{c}", y)] for c in FOSSIL)
        add(
            "power",
            "grid_factor_raw",
            y,
            pw / gtot[y],
            "tCO2/MWh",
            f"derived: CEADs power-sector CO2 {pw:.1f} Mt / Shandong generation {gtot[y]:.1f} TWh "
            "(CPSY via gcamdata). Upper bound, NOT a grid factor: CEADs 'Power, Steam and Hot "
            "Water' also covers heat supply (CHP), and imports are ignored",
            "derived",
        )
    for y in range(2010, 2021):
        if y <= 2012:
            th = gth[y] / gtot[y]
            th_src = f"thermal share {th:.4f} (CPSY generation by fuel)"
        elif y <= 2018:
            th12 = gth[2012] / gtot[2012]
            th = th12 + (th18 - th12) * (y - 2012) / 6
            th_src = (
                f"thermal share {th:.4f} interpolated between 2012 (CPSY) and 2018 "
                f"{th18} (R2_thermal)"
            )
        else:
            th = th18 - 0.015 * (y - 2018)
            th_src = (
                f"thermal share {th:.4f} = 2018 {th18} (R2_thermal) - 1.5 pp/yr "
                "(assumption, renewables growth)"
            )
        fo = d10 * (1 + drift) ** (2022 - y)
        v = th * fo
        add(
            "power",
            "grid_factor",
            y,
            v,
            "tCO2/MWh",
            f"assumption (bridge): {th_src} x fossil-only factor {fo:.4f} = national fossil-only "
            f"2022 {d10} (D10_grid, MEE/NBS) x (1+{drift})^(2022-y) (assumption: supply-side "
            "efficiency gains 0.5-1.2%/yr). Production-based; imported power (mostly coal-based "
            f"UHV) assumed similar. Range low = North China 2022 {d11} (D11_grid) to high = x1.05; "
            "check: 2010-2012 values are ~0.69 of grid_factor_raw, i.e. ~30% of power-sector CO2 "
            "is heat supply, plausible for Shandong's CHP",
            "assumption",
        )
        if y == 2020:
            by.append(
                dict(
                    sector="power",
                    item="grid_factor",
                    value=r6(v),
                    low=r6(d11),
                    high=r6(v * 1.05),
                    unit="tCO2/MWh",
                    source=(
                        "assumption: see history.csv power grid_factor 2020; low = "
                        f"North China regional factor 2022 {d11} (D11_grid); national "
                        f"2021 {ref.fig('D8_grid', 2021)} (D8_grid) for reference"
                    ),
                    kind="assumption",
                )
            )

    hist = pd.DataFrame(rows + new)
    hist = hist.sort_values(["sector", "item", "year"], kind="mergesort").reset_index(drop=True)
    if hist.duplicated(["sector", "item", "year"]).any():
        dup = hist[hist.duplicated(["sector", "item", "year"], keep=False)]
        raise SystemExit(f"duplicate history rows:\n{dup}")

    tech = pd.DataFrame(tech)
    byf = pd.DataFrame(by)
    byf = byf.sort_values(["sector", "item"], kind="mergesort").reset_index(drop=True)

    out.mkdir(parents=True, exist_ok=True)
    kw = dict(index=False, lineterminator="\n")
    smap.to_csv(out / "ceads_sector_map.csv", index=False, lineterminator="\n")
    fmap.to_csv(out / "ceads_fuel_map.csv", index=False, lineterminator="\n")
    hist.to_csv(out / "history.csv", index=False, lineterminator="\n")
    byf.to_csv(out / "base_year.csv", **kw)
    tech.to_csv(out / "technology.csv", **kw)

    # summary for the log
    s = hist[hist["year"] == 2020].pivot_table(index="sector", columns="item", values="value")
    s["direct_co2"] = s[[f"co2_combustion|{c}" for c in FOSSIL] + ["co2_process"]].sum(axis=1)
    s["fossil_mtce"] = s[[f"energy|{c}" for c in FOSSIL]].sum(axis=1)
    cols = ["direct_co2", "fossil_mtce", "energy|Electricity", "energy|Heat", "value_added"]
    print(
        s.reindex([*SECTORS, "industry", "power", "non_industry", "total"])[cols]
        .round(2)
        .to_string()
    )
    i19 = hist[
        (hist["sector"] == "industry")
        & (hist["year"] == 2019)
        & hist["item"].str.startswith("co2_")
    ]
    i19 = i19[i19["item"] != "co2_scope1"]["value"].sum()
    print(
        f"industry direct CO2 2019 (CEADs): {i19:.2f} Mt; steel factor {g_steel:.4f}, "
        f"generic factor {f_ind:.4f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="shared reference-data directory (default ../shared/reference-data)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    a = ap.parse_args(argv)
    if not (a.reference / CEADS_FILE).exists():
        print(f"reference data not found: {a.reference / CEADS_FILE}", file=sys.stderr)
        return 2
    build(Ref(a.reference), a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
