"""The history and base-year tables, derived at load from the tables a modeller edits.

Inputs (all under assumptions/data/, every row sourced):
- ``ceads_inventory.csv``: the CEADs Shandong inventory as published (47 sectors x fuels,
  2000-2019, Mt CO2);
- ``ceads_sector_map.csv`` and ``ceads_fuel_map.csv``: each CEADs sector mapped to a model
  sector, each fuel to a carrier with the carbon content and oxidation its energy is recovered
  with;
- ``choices.csv``: every hand-chosen number the derivation uses (value, low, high, unit, kind,
  source), one row per choice;
- ``observations.csv``: the observed statistics (2020 outputs, industry value added);
- ``technology.csv``: route intensities (the bottom-up electricity of the heavy sectors).

Outputs, the same frames as before: ``history`` (sector, item, year, value, unit, source, kind:
the CEADs aggregates by model sector and carrier, the recovered energy, the 2020 estimate, the
electricity and heat backcasts, outputs, the grid-factor bridge) and ``base_year`` (sector,
item, value, low, high, unit, source, kind). Pure arithmetic: a modeller edits one cell and the
next run derives the tables again (model.inputs.data caches them by the inputs' content hash).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.inputs.observations import Observations

SECTORS = (
    "steel",
    "nonferrous",
    "building_materials",
    "chemicals",
    "consumer_goods",
    "equipment",
    "electronics",
    "other_industry",
)
GROUPS = (*SECTORS, "power", "non_industry")
FOSSIL = ("Coal", "Coke", "Oil", "Gas")
TJ_PER_TCE = 0.0293076  # GB/T 2589-2020: 1 tce = 29.3076 GJ
C_TO_CO2 = 44.0 / 12.0
ELEC_TCE_PER_MWH = 0.1229  # calorific value of electricity, GB/T 2589-2020
CEADS = (
    "CEADs Shandong provincial CO2 inventory (IPCC sectoral approach) 2000-2019; Shan et al. "
    "2018 Sci Data 5:170201; Shan et al. 2020 Sci Data 7:54; Guan et al. 2021 Earth's Future "
    "9:e2021EF002241; Shan et al. 2016 Applied Energy 184:742"
)
HISTORY_COLUMNS = ["sector", "item", "year", "value", "unit", "source", "kind"]
BASE_COLUMNS = ["sector", "item", "value", "low", "high", "unit", "source", "kind"]


# Every key the derivation reads (model.inputs.data reports a missing one before deriving).
REQUIRED_CHOICES = (
    *(f"value_added.share.{s}" for s in SECTORS),
    *(f"heat.share.{s}" for s in SECTORS),
    *(
        f"electricity.share.{s}"
        for s in ("consumer_goods", "equipment", "electronics", "other_industry")
    ),
    "estimate.secondary_growth_2020",
    "estimate.gdp_growth_2020",
    "estimate.intensity_change_2015_2020",
    "estimate.intensity_range",
    "estimate.steel_high_margin",
    "estimate.building_materials_high_margin",
    "estimate.power_factor",
    "estimate.non_industry_range",
    "electricity.steel_range",
    "electricity.nonferrous_range",
    "electricity.aluminium_products_mwh_per_t",
    "electricity.building_materials_multiplier",
    "electricity.chemicals_multiplier",
    "electricity.backcast_share_drift",
    "electricity.backcast_chemicals_growth",
    "grid.thermal_share_decline",
    "grid.fossil_factor_2022",
    "grid.fossil_factor_drift",
    "history.cement_process_factor",
    *(
        f"base.{k}"
        for k in (
            "steel.eaf_share",
            "nonferrous.primary_aluminium",
            "nonferrous.recycled_aluminium",
            "nonferrous.alumina",
            "nonferrous.copper_primary",
            "nonferrous.copper_recycled",
            "building_materials.clinker_ratio",
            "building_materials.small_line_share",
            "chemicals.refining_throughput",
            "chemicals.ethylene",
            "chemicals.ammonia",
            "chemicals.methanol",
            "chemicals.caustic_soda",
            "chemicals.coke",
            "chemicals.ammonia_gas_share",
            "chemicals.methanol_gas_share",
            "industry.electricity_share_factor",
        )
    ),
)


def emission_factor(carbon_content: float, oxidation: float) -> float:
    """t CO2 per tce from carbon content (tC/TJ) and oxidation rate."""
    return carbon_content * oxidation * C_TO_CO2 * TJ_PER_TCE


@dataclass(frozen=True)
class Choices:
    """choices.csv as look-ups: value, and (low, high) where a range is given."""

    table: pd.DataFrame  # indexed by key

    def __call__(self, key: str) -> float:
        return float(self.table.at[key, "value"])

    def range(self, key: str) -> tuple[float, float]:
        row = self.table.loc[key]
        return float(row["low"]), float(row["high"])

    def source(self, key: str) -> str:
        return str(self.table.at[key, "source"])

    def kind(self, key: str) -> str:
        return str(self.table.at[key, "kind"])

    def prefixed(self, prefix: str) -> dict[str, float]:
        keys = [k for k in self.table.index if k.startswith(prefix)]
        return {k.removeprefix(prefix): self(k) for k in keys}


class _Rows:
    """Collects rows; one place formats numbers (6 decimals, as the committed tables had)."""

    def __init__(self, columns: list[str]):
        self.columns, self.rows = columns, []

    def add(self, **row) -> None:
        for col in ("value", "low", "high"):
            if col in row and row[col] is not None and not isinstance(row[col], str):
                row[col] = round(float(row[col]), 6)
        self.rows.append(row)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)


def derive(
    ceads: pd.DataFrame,
    sector_map: pd.DataFrame,
    fuel_map: pd.DataFrame,
    choices: Choices,
    obs: Observations,
    tech: Mapping[tuple[str, str], float],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, base_year) frames from the inputs (see the module docstring)."""
    hist, base = _Rows(HISTORY_COLUMNS), _Rows(BASE_COLUMNS)
    agg, process, scope1 = _aggregate(ceads, sector_map, fuel_map)
    years = sorted(int(y) for y in ceads["year"].unique())
    _inventory_rows(hist, agg, process, scope1, years, fuel_map)
    h = hist.frame().set_index(["sector", "item", "year"])["value"]

    factors, ranges, sources, kinds = _factors_2020(h, choices, obs)
    en20 = _estimate_2020(hist, h, factors, sources, kinds)
    _base_levels(base, choices, obs, h, factors, ranges, sources, kinds)
    bv = {(r["sector"], r["item"]): r for r in base.rows}
    el, el_src, el_rng = _electricity_2020(bv, choices, obs, tech, en20)
    _electricity_and_heat(hist, base, h, choices, el, el_src, el_rng, en20)
    frame = hist.frame()
    _sum_industry(hist, frame)
    _value_added(hist, base, choices, obs)
    _outputs(hist, choices, obs, h, bv)
    _grid_bridge(hist, base, choices, obs)
    history = hist.frame().sort_values(["sector", "item", "year"], kind="mergesort")
    if history.duplicated(["sector", "item", "year"]).any():
        dup = history[history.duplicated(["sector", "item", "year"], keep=False)]
        raise ValueError(f"duplicate history rows:\n{dup}")
    base_year = base.frame().sort_values(["sector", "item"], kind="mergesort")
    return history.reset_index(drop=True), base_year.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# CEADs by model sector


def _aggregate(ceads: pd.DataFrame, sector_map: pd.DataFrame, fuel_map: pd.DataFrame):
    fm = fuel_map.copy()
    fossil = fm["carrier"].isin(FOSSIL)
    fm["ef"] = np.nan
    fm.loc[fossil, "ef"] = [
        emission_factor(float(c), float(o))
        for c, o in zip(
            fm.loc[fossil, "carbon_content_tc_per_tj"],
            fm.loc[fossil, "oxidation_rate"],
            strict=True,
        )
    ]
    d = ceads.merge(sector_map[["ceads_sector", "sector"]], on="ceads_sector").merge(
        fm[["fuel", "carrier", "ef"]], on="fuel"
    )
    fuels = d[d["carrier"].isin(FOSSIL)].copy()
    fuels["energy"] = fuels["mt_co2"] / fuels["ef"]
    agg = fuels.groupby(["sector", "year", "carrier"])[["mt_co2", "energy"]].sum()
    process = d[d["carrier"] == "process"].groupby(["sector", "year"])["mt_co2"].sum()
    scope1 = d[d["fuel"] == "Scope_1_Total"].groupby(["sector", "year"])["mt_co2"].sum()

    def with_industry(series_or_frame, levels):
        ind = series_or_frame.loc[list(SECTORS)].groupby(level=levels).sum()
        ind = pd.concat({"industry": ind}, names=["sector"])
        return pd.concat([series_or_frame, ind])

    return (
        with_industry(agg, ["year", "carrier"]),
        with_industry(process, ["year"]),
        with_industry(scope1, ["year"]),
    )


def _inventory_rows(hist, agg, process, scope1, years, fuel_map) -> None:
    for g in (*GROUPS, "industry", "total"):
        what = (
            "sum over the 8 model sectors of"
            if g == "industry"
            else "CEADs 'Total' row,"
            if g == "total"
            else f"sum over the CEADs sectors mapped to '{g}' (ceads_sector_map.csv) of"
        )
        kind = "derived" if g == "industry" else "quoted"
        for y in years:
            for c in FOSSIL:
                co2, en = agg.loc[(g, y, c)] if (g, y, c) in agg.index else (0.0, 0.0)
                fuels = ", ".join(fuel_map.loc[fuel_map["carrier"] == c, "fuel"])
                hist.add(
                    sector=g,
                    item=f"co2_combustion|{c}",
                    year=y,
                    value=co2,
                    unit="Mt CO2",
                    source=f"{what} CEADs fuels {fuels}; {CEADS}",
                    kind=kind,
                )
                hist.add(
                    sector=g,
                    item=f"energy|{c}",
                    year=y,
                    value=en,
                    unit="Mtce",
                    source=f"derived: fuel by fuel CEADs CO2 / (carbon content x oxidation "
                    f"x 44/12 x 0.0293076) of ceads_fuel_map.csv, summed to {c}; {what} the "
                    "CEADs sectors",
                    kind="derived",
                )
            cement = g in ("building_materials", "industry", "total")
            psrc = (
                "CEADs Process (cement clinker calcination) of Nonmetal Mineral Products; "
                if cement
                else "zero: CEADs counts no process CO2 outside cement (the model adds anode, "
                "glass, ammonia/methanol feedstock CO2 from technology.csv process_co2); "
            )
            hist.add(
                sector=g,
                item="co2_process",
                year=y,
                value=float(process.get((g, y), 0.0)),
                unit="Mt CO2",
                source=psrc + CEADS,
                kind=kind,
            )
            hist.add(
                sector=g,
                item="co2_scope1",
                year=y,
                value=float(scope1.get((g, y), 0.0)),
                unit="Mt CO2",
                source=f"{what} CEADs Scope_1_Total (17 fuels + Process, as published); {CEADS}",
                kind=kind,
            )


# ---------------------------------------------------------------------------------------------
# 2020 estimate


def _factors_2020(h, choices: Choices, obs: Observations):
    """Per group: 2020/2019 factor, its range, source and kind."""
    pig = obs.values("pig_iron")
    crude = obs.values("crude_steel")
    cement = obs.values("cement")
    g_steel = pig[2020] / pig[2019]
    g_bm = cement[2020] / cement[2019]
    sec_g = choices("estimate.secondary_growth_2020")
    gdp_g = choices("estimate.gdp_growth_2020")
    i_rate = (1 + choices("estimate.intensity_change_2015_2020")) ** (1 / 5) - 1
    f_ind, f_non = (1 + sec_g) * (1 + i_rate), (1 + gdp_g) * (1 + i_rate)
    lo_i, hi_i = choices.range("estimate.intensity_range")
    factors = dict.fromkeys(SECTORS, f_ind)
    ranges = dict.fromkeys(SECTORS, ((1 + sec_g) * lo_i, (1 + sec_g) * hi_i))
    factors.update(
        steel=g_steel,
        building_materials=g_bm,
        power=choices("estimate.power_factor"),
        non_industry=f_non,
    )
    ranges.update(
        steel=(crude[2020] / crude[2019], g_steel + choices("estimate.steel_high_margin")),
        building_materials=(f_ind, g_bm + choices("estimate.building_materials_high_margin")),
        power=choices.range("estimate.power_factor"),
        non_industry=choices.range("estimate.non_industry_range"),
    )
    generic = (
        f"assumption: 2019 x {f_ind:.4f} = (1 + secondary-industry real growth {sec_g:.1%}, "
        f"choices.csv estimate.secondary_growth_2020) x (1 + intensity change {i_rate:.4f}/yr, "
        "the 13th-FYP target annualised, estimate.intensity_change_2015_2020)"
    )
    sources = dict.fromkeys(SECTORS, generic)
    sources["steel"] = (
        f"derived: 2019 x {g_steel:.4f} = NBS pig iron 2020 / 2019 ({pig[2020]} / {pig[2019]} "
        "Mt, observations.csv): BF-BOF CO2 follows the hot metal made, intensity constant; range "
        "from the crude-steel ratio (choices.csv estimate.steel_high_margin)"
    )
    sources["building_materials"] = (
        f"derived: 2019 x {g_bm:.4f} = NBS cement output 2020 / 2019 ({cement[2020]} / "
        f"{cement[2019]} Mt, observations.csv): kiln fuel and calcination follow cement; range "
        "from the generic factor (choices.csv estimate.building_materials_high_margin)"
    )
    sources["power"] = choices.source("estimate.power_factor")
    sources["non_industry"] = (
        f"assumption: 2019 x {f_non:.4f} = (1 + GDP real growth {gdp_g:.1%}) x (1 + "
        f"{i_rate:.4f}); {choices.source('estimate.non_industry_range')}"
    )
    kinds = dict.fromkeys(GROUPS, "assumption")
    kinds.update(steel="derived", building_materials="derived")
    return factors, ranges, sources, kinds


def _estimate_2020(hist, h, factors, sources, kinds) -> dict[str, float]:
    """2020 CO2 and energy by carrier = 2019 x the group's factor; the 2020 fossil energy."""
    for g in GROUPS:
        for c in FOSSIL:
            hist.add(
                sector=g,
                item=f"co2_combustion|{c}",
                year=2020,
                value=h[(g, f"co2_combustion|{c}", 2019)] * factors[g],
                unit="Mt CO2",
                source=sources[g],
                kind=kinds[g],
            )
            hist.add(
                sector=g,
                item=f"energy|{c}",
                year=2020,
                value=h[(g, f"energy|{c}", 2019)] * factors[g],
                unit="Mtce",
                source=sources[g] + "; same factor as the CO2, so the implied ef is 2019's",
                kind=kinds[g],
            )
        hist.add(
            sector=g,
            item="co2_process",
            year=2020,
            value=h[(g, "co2_process", 2019)] * factors[g],
            unit="Mt CO2",
            source=sources[g]
            if g == "building_materials"
            else "zero: CEADs counts no process CO2 outside cement",
            kind=kinds[g],
        )
    return {g: sum(h[(g, f"energy|{c}", 2019)] for c in FOSSIL) * factors[g] for g in GROUPS}


def _base_levels(
    base, choices: Choices, obs: Observations, h, factors, ranges, sources, kinds
) -> None:
    """base_year rows: choices.csv's `base.*` rows, observed 2020 outputs, cement and clinker."""
    for key in choices.table.index[choices.table.index.str.startswith("base.")]:
        sector, item = key.removeprefix("base.").split(".", 1)
        lo, hi = choices.range(key)
        base.add(
            sector=sector,
            item=item,
            value=choices(key),
            low=lo,
            high=hi,
            unit=choices.table.at[key, "unit"],
            source=choices.source(key),
            kind=choices.kind(key),
        )
    prim, rec = (
        choices("base.nonferrous.primary_aluminium"),
        choices("base.nonferrous.recycled_aluminium"),
    )
    (p_lo, p_hi), (r_lo, r_hi) = (
        choices.range("base.nonferrous.primary_aluminium"),
        choices.range("base.nonferrous.recycled_aluminium"),
    )
    base.add(
        sector="nonferrous",
        item="recycled_aluminium_share",
        value=rec / (prim + rec),
        low=r_lo / (p_hi + r_lo),
        high=r_hi / (p_lo + r_hi),
        unit="share",
        source="derived: recycled / (primary + recycled) aluminium (choices.csv); range from "
        "their ranges",
        kind="derived",
    )
    for series, sector, item in (
        ("crude_steel", "steel", "crude_steel"),
        ("cement", "building_materials", "cement"),
        ("flat_glass", "building_materials", "flat_glass"),
    ):
        decl = obs.series[series]
        row = obs.bounds(series, model_units=True).loc[2020]
        base.add(
            sector=sector,
            item=item,
            value=row["value"],
            low=row["low"],
            high=row["high"],
            unit=decl.model_unit,
            source=f"observed: observations.csv {series} 2020 "
            f"({decl.source.split(';')[0]}); range: its measurement range",
            kind="quoted",
        )
    cement = obs.bounds("cement", model_units=True).loc[2020]
    ratio, (q_lo, q_hi) = (
        choices("base.building_materials.clinker_ratio"),
        choices.range("base.building_materials.clinker_ratio"),
    )
    proc20 = h[("building_materials", "co2_process", 2019)] * factors["building_materials"]
    base.add(
        sector="building_materials",
        item="clinker",
        value=cement["value"] * ratio,
        low=cement["low"] * q_lo,
        high=cement["high"] * q_hi,
        unit="Mt",
        source=f"derived: cement x clinker ratio {ratio:.4f}; the engine scales clinker "
        f"process CO2 to the CEADs-consistent 2020 figure {proc20:.2f} Mt",
        kind="derived",
    )
    for g in SECTORS:
        base.add(
            sector=g,
            item="co2_2020_vs_2019",
            value=factors[g],
            low=ranges[g][0],
            high=ranges[g][1],
            unit="ratio",
            source=sources[g],
            kind=kinds[g],
        )


# ---------------------------------------------------------------------------------------------
# Electricity and heat 2020, backcast 2010-2019


def _electricity_2020(bv, choices: Choices, obs: Observations, tech, en20):
    def v(sector, item):
        return bv[(sector, item)]["value"]

    el, src, rng = {}, {}, {}
    crude, eaf = v("steel", "crude_steel"), v("steel", "eaf_share")
    el["steel"] = crude * (
        (1 - eaf) * tech[("steel.bf_bof", "Electricity")]
        + eaf * tech[("steel.scrap_eaf", "Electricity")]
    )
    src["steel"] = f"crude steel {crude:.2f} Mt x route electricity (EAF share {eaf:.3f})"
    rng["steel"] = choices.range("electricity.steel_range")
    semis = obs.values("aluminium_products")[2020]
    routes = (
        "primary_aluminium",
        "recycled_aluminium",
        "alumina",
        "copper_primary",
        "copper_recycled",
    )
    el["nonferrous"] = sum(
        v("nonferrous", r) * tech[(f"nonferrous.{r}", "Electricity")] for r in routes
    )
    el["nonferrous"] += semis * choices("electricity.aluminium_products_mwh_per_t")
    src["nonferrous"] = (
        f"base-year outputs x route electricity + aluminium products {semis:.2f} "
        "Mt (observations.csv) x electricity.aluminium_products_mwh_per_t"
    )
    rng["nonferrous"] = choices.range("electricity.nonferrous_range")
    bm = (
        v("building_materials", "clinker") * tech[("building_materials.clinker", "Electricity")]
        + v("building_materials", "cement")
        * tech[("building_materials.cement_grinding", "Electricity")]
        + v("building_materials", "flat_glass")
        * tech[("building_materials.flat_glass", "Electricity")]
    )
    m = choices("electricity.building_materials_multiplier")
    el["building_materials"] = bm * m
    src["building_materials"] = (
        f"clinker, cement grinding and flat glass x route electricity = "
        f"{bm:.1f} TWh, x {m} (electricity.building_materials_multiplier)"
    )
    lo, hi = choices.range("electricity.building_materials_multiplier")
    rng["building_materials"] = (lo / m, hi / m)
    ag, mg = v("chemicals", "ammonia_gas_share"), v("chemicals", "methanol_gas_share")
    chem = (
        v("chemicals", "refining_throughput") * tech[("chemicals.refining", "Electricity")]
        + v("chemicals", "ethylene") * tech[("chemicals.ethylene", "Electricity")]
        + v("chemicals", "ammonia")
        * (
            (1 - ag) * tech[("chemicals.ammonia_coal", "Electricity")]
            + ag * tech[("chemicals.ammonia_gas", "Electricity")]
        )
        + v("chemicals", "methanol")
        * (
            (1 - mg) * tech[("chemicals.methanol_coal", "Electricity")]
            + mg * tech[("chemicals.methanol_gas", "Electricity")]
        )
        + v("chemicals", "caustic_soda") * tech[("chemicals.caustic_soda", "Electricity")]
        + v("chemicals", "coke") * tech[("chemicals.coke", "Electricity")]
    )
    m = choices("electricity.chemicals_multiplier")
    el["chemicals"] = chem * m
    src["chemicals"] = (
        f"products x route electricity = {chem:.1f} TWh, x {m} (electricity.chemicals_multiplier)"
    )
    lo, hi = choices.range("electricity.chemicals_multiplier")
    rng["chemicals"] = (lo / m, hi / m)
    for g, s in choices.prefixed("electricity.share.").items():
        lo, hi = choices.range(f"electricity.share.{g}")

        def twh(share, g=g):
            return en20[g] * share / (1 - share) / ELEC_TCE_PER_MWH

        el[g] = twh(s)
        src[g] = (
            f"fossil energy 2020 {en20[g]:.3f} Mtce x s/(1-s) / 0.1229, s = "
            f"electricity.share.{g} {s}"
        )
        rng[g] = (twh(lo) / el[g], twh(hi) / el[g])
    return el, src, rng


def _electricity_and_heat(hist, base, h, choices, el, el_src, el_rng, en20) -> None:
    heat = choices.prefixed("heat.share.")
    drift = choices("electricity.backcast_share_drift")
    chem_growth = choices("electricity.backcast_chemicals_growth")
    for g in SECTORS:
        lo, hi = el_rng[g]
        src = f"assumption: bottom-up: {el_src[g]}; range x{lo:.2f}-x{hi:.2f} (choices.csv)"
        hist.add(
            sector=g,
            item="energy|Electricity",
            year=2020,
            value=el[g],
            unit="TWh",
            source=src + "; the engine reconciles it to the top-down total",
            kind="assumption",
        )
        base.add(
            sector=g,
            item="energy|Electricity",
            value=el[g],
            low=el[g] * lo,
            high=el[g] * hi,
            unit="TWh",
            source=src,
            kind="assumption",
        )
        hv = en20[g] * heat[g]
        h_lo, h_hi = choices.range(f"heat.share.{g}")
        hsrc = (
            f"assumption: purchased heat = heat.share.{g} {heat[g]} x 2020 fossil energy "
            f"{en20[g]:.3f} Mtce (choices.csv)"
        )
        hist.add(
            sector=g,
            item="energy|Heat",
            year=2020,
            value=hv,
            unit="Mtce",
            source=hsrc,
            kind="assumption",
        )
        base.add(
            sector=g,
            item="energy|Heat",
            value=hv,
            low=en20[g] * h_lo,
            high=en20[g] * h_hi,
            unit="Mtce",
            source=hsrc,
            kind="assumption",
        )
        hist.add(
            sector=g,
            item="energy|Hydrogen",
            year=2020,
            value=0.0,
            unit="Mt",
            source="assumption: no hydrogen bought as an energy carrier in 2020; grey H2 "
            "made inside ammonia/methanol/refining is counted through its fuel input",
            kind="assumption",
        )
        for y in range(2010, 2020):
            if g == "chemicals":
                ratio = (1 / (1 + chem_growth)) ** (2020 - y)
                hratio = ratio
                rule = "2020 value / (1 + electricity.backcast_chemicals_growth)^(2020-y)"
            else:
                fe = sum(h[(g, f"energy|{c}", y)] for c in FOSSIL)
                ratio = fe / en20[g] * (1 / (1 + drift)) ** (2020 - y)
                hratio = fe / en20[g]
                rule = (
                    "2020 value x (fossil energy y / 2020) / (1 + "
                    "electricity.backcast_share_drift)^(2020-y)"
                )
            hist.add(
                sector=g,
                item="energy|Electricity",
                year=y,
                value=el[g] * ratio,
                unit="TWh",
                source=f"assumption: backcast {rule}",
                kind="assumption",
            )
            hist.add(
                sector=g,
                item="energy|Heat",
                year=y,
                value=en20[g] * heat[g] * hratio,
                unit="Mtce",
                source="assumption: backcast with the electricity rule, without the share drift",
                kind="assumption",
            )


def _sum_industry(hist, frame: pd.DataFrame) -> None:
    """Industry and total rows for the 2020 estimate and the modelled carriers."""
    items20 = [
        *(f"co2_combustion|{c}" for c in FOSSIL),
        *(f"energy|{c}" for c in FOSSIL),
        "co2_process",
    ]
    plan = [
        (items20, [2020], "industry", SECTORS),
        (items20, [2020], "total", (*SECTORS, "power", "non_industry")),
        (["energy|Electricity", "energy|Heat"], range(2010, 2021), "industry", SECTORS),
        (["energy|Hydrogen"], [2020], "industry", SECTORS),
    ]
    for items, years, target, members in plan:
        sel = frame[
            frame["item"].isin(items)
            & frame["year"].isin(list(years))
            & frame["sector"].isin(members)
        ]
        for (item, year), grp in sel.groupby(["item", "year"], sort=True):
            hist.add(
                sector=target,
                item=item,
                year=int(year),
                value=grp["value"].sum(),
                unit=grp["unit"].iloc[0],
                source=f"derived: sum over {', '.join(members)}",
                kind="derived",
            )


def _value_added(hist, base, choices: Choices, obs: Observations) -> None:
    total = obs.values("industry_va")[2020]
    shares = choices.prefixed("value_added.share.")
    for g, share in shares.items():
        lo, hi = choices.range(f"value_added.share.{g}")
        src = (
            f"assumption: industry value added 2020 {total} bn CNY (current prices, "
            f"observations.csv industry_va, quoted) x value_added.share.{g} {share} "
            "(choices.csv)"
        )
        hist.add(
            sector=g,
            item="value_added",
            year=2020,
            value=total * share,
            unit="bn CNY",
            source=src,
            kind="assumption",
        )
        base.add(
            sector=g,
            item="value_added",
            value=total * share,
            low=total * lo,
            high=total * hi,
            unit="bn CNY",
            source=src,
            kind="assumption",
        )
    hist.add(
        sector="industry",
        item="value_added",
        year=2020,
        value=total,
        unit="bn CNY",
        source="quoted: observations.csv industry_va 2020; equals the sum of the 8 sectors",
        kind="quoted",
    )


def _outputs(hist, choices: Choices, obs: Observations, h, bv) -> None:
    factor = choices("history.cement_process_factor")
    for y in (2010, 2015):
        hist.add(
            sector="building_materials",
            item="output|cement",
            year=y,
            value=h[("building_materials", "co2_process", y)] / factor,
            unit="Mt",
            source="derived: CEADs cement process CO2 / history.cement_process_factor "
            "(choices.csv)",
            kind="derived",
        )
    for series, sector, item in (
        ("crude_steel", "steel", "output|crude_steel"),
        ("cement", "building_materials", "output|cement"),
    ):
        for y, value in obs.values(series, model_units=True).items():
            if y <= 2020:
                hist.add(
                    sector=sector,
                    item=item,
                    year=int(y),
                    value=value,
                    unit="Mt",
                    source=f"observed: observations.csv {series}",
                    kind="quoted",
                )
    clinker = bv[("building_materials", "clinker")]
    hist.add(
        sector="building_materials",
        item="output|clinker",
        year=2020,
        value=clinker["value"],
        unit="Mt",
        source=clinker["source"],
        kind="derived",
    )
    alumina = bv[("nonferrous", "alumina")]
    hist.add(
        sector="nonferrous",
        item="output|alumina",
        year=2020,
        value=alumina["value"],
        unit="Mt",
        source=alumina["source"],
        kind="quoted",
    )
    hist.add(
        sector="nonferrous",
        item="output|aluminium_products",
        year=2020,
        value=obs.values("aluminium_products")[2020],
        unit="Mt",
        source="observed: observations.csv aluminium_products (semis, not primary metal)",
        kind="quoted",
    )


def _grid_bridge(hist, base, choices: Choices, obs: Observations) -> None:
    """The grid-factor history: thermal share x a fossil-only factor (model.inputs.data puts it on
    the MEE/NBS basis at load)."""
    shares = {int(k): v for k, v in choices.prefixed("grid.thermal_share.").items()}
    first = min(shares)
    anchor = max(y for y in shares if y > first + 5)
    decline = choices("grid.thermal_share_decline")
    fossil22, drift = choices("grid.fossil_factor_2022"), choices("grid.fossil_factor_drift")
    known = sorted(y for y in shares if y < anchor)
    for y in range(2010, 2021):
        if y in shares:
            th = shares[y]
        elif y < anchor:
            y0 = max(known)
            th = shares[y0] + (shares[anchor] - shares[y0]) * (y - y0) / (anchor - y0)
        else:
            th = shares[anchor] - decline * (y - anchor)
        value = th * fossil22 * (1 + drift) ** (2022 - y)
        hist.add(
            sector="power",
            item="grid_factor",
            year=y,
            value=value,
            unit="tCO2/MWh",
            source=f"assumption (bridge): thermal share {th:.4f} (choices.csv grid.*) x "
            "fossil-only factor grid.fossil_factor_2022 x (1 + grid.fossil_factor_drift)"
            "^(2022-y); put on the MEE/NBS basis at load (model.inputs.data)",
            kind="assumption",
        )
        if y == 2020:
            north = obs.values("grid_factor_north_china")
            base.add(
                sector="power",
                item="grid_factor",
                value=value,
                low=float(north.iloc[-1]) if len(north) else value * 0.95,
                high=value * 1.05,
                unit="tCO2/MWh",
                source="assumption: the bridge's 2020 value (history.csv); replaced at load "
                "by the MEE/NBS-basis factor",
                kind="assumption",
            )
