"""Physical activity of each sector: products, process routes and their outputs (Mt).

One function per sector maps parameters (arrays draw x year, column 0 = 2020) to route outputs.
Energy, calibration and emissions are generic (model.engine.accounting); what is specific lives
here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from model.engine.levers import apply_capacity_cap

Params = Mapping[str, np.ndarray]


@dataclass
class Physical:
    """Route outputs and the sector-specific rules the generic engine needs."""

    routes: dict[str, np.ndarray] = field(default_factory=dict)
    products: dict[str, np.ndarray] = field(default_factory=dict)
    # Multiplier on a route's fuel intensities (e.g. small clinker lines use more fuel).
    fuel_multiplier: dict[str, np.ndarray] = field(default_factory=dict)
    # Routes whose CO2 can be captured, and whether combustion CO2 counts or process only.
    ccus_routes: tuple[str, ...] = ()
    ccus_process_only: bool = False
    # Process CO2 per route computed by a lever (replaces output x table factor).
    process_co2: dict[str, np.ndarray] = field(default_factory=dict)
    # Routes whose process CO2 CEADs already counts (calibrated to it in 2020).
    ceads_process_routes: tuple[str, ...] = ()
    # Routes with electric melting replacing fuel (share parameter key).
    electric_melting: dict[str, str] = field(default_factory=dict)
    # Route whose kiln fuel can be replaced by alternative fuels (share parameter key).
    alternative_fuel: dict[str, str] = field(default_factory=dict)
    hydrogen_green_share: dict[str, np.ndarray] = field(default_factory=dict)
    # (output after cap, output demanded) of each capped product: caps also cut value added.
    capped: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    # National ETS coverage (model.engine.costs): the product the benchmark is per tonne of,
    # and the routes whose direct CO2 is covered (None: the whole sector).
    ets_product: str | None = None
    ets_routes: tuple[str, ...] | None = None


def steel(p: Params, tech: Callable[[str, str], float]) -> Physical:
    demand = p["steel.crude_steel_demand"]
    crude = apply_capacity_cap(demand, p["steel.output_cap"])
    eaf = crude * p["steel.eaf_share"]
    h2 = crude * p["steel.h2_dri_share"]
    bof = crude - eaf - h2
    products = {
        "Crude Steel": crude,
        "Crude Steel|BF-BOF": bof,
        "Crude Steel|Scrap-EAF": eaf,
        "Crude Steel|H2-DRI-EAF": h2,
    }
    hot_metal = p.get("base.steel.hot_metal_ratio")  # t pig iron per t BF-BOF steel (2020)
    if hot_metal is not None:
        products["Pig Iron"] = bof * hot_metal
    return Physical(
        routes={"steel.bf_bof": bof, "steel.scrap_eaf": eaf, "steel.h2_dri": h2},
        products=products,
        ccus_routes=("steel.bf_bof",),
        hydrogen_green_share={"steel.h2_dri": p["hydrogen.green_share"]},
        capped=[(crude, demand)],
        ets_product="Crude Steel",
    )


def nonferrous(p: Params, tech: Callable[[str, str], float]) -> Physical:
    total = p["nonferrous.aluminium_demand"]
    recycled = total * p["nonferrous.recycled_aluminium_share"]
    primary_demand = total - recycled
    primary = apply_capacity_cap(primary_demand, p["nonferrous.primary_aluminium_cap"])
    copper = p["nonferrous.copper_demand"]
    copper_recycled = copper * p["nonferrous.recycled_copper_share"]
    alumina = p["nonferrous.alumina_output"]
    return Physical(
        routes={
            "nonferrous.primary_aluminium": primary,
            "nonferrous.recycled_aluminium": recycled,
            "nonferrous.alumina": alumina,
            "nonferrous.copper_primary": copper - copper_recycled,
            "nonferrous.copper_recycled": copper_recycled,
        },
        products={
            "Primary Aluminium": primary,
            "Recycled Aluminium": recycled,
            "Alumina": alumina,
            "Copper": copper,
            "Copper|Recycled": copper_recycled,
        },
        capped=[(primary, primary_demand)],
        ets_product="Primary Aluminium",
        ets_routes=("nonferrous.primary_aluminium",),
    )


def building_materials(p: Params, tech: Callable[[str, str], float]) -> Physical:
    cement_demand = p["building_materials.cement_demand"]
    cement = apply_capacity_cap(cement_demand, p["building_materials.cement_cap"])
    clinker = cement * p["building_materials.clinker_ratio"]
    glass = p["building_materials.glass_demand"]
    small = p["building_materials.small_line_share"]
    penalty = p["building_materials.small_line_energy_penalty"]
    process = (
        clinker
        * tech("building_materials.clinker", "process_co2")
        * (1 - p["building_materials.non_carbonate_share"])
    )
    return Physical(
        routes={
            "building_materials.clinker": clinker,
            "building_materials.cement_grinding": cement,
            "building_materials.flat_glass": glass,
        },
        products={"Cement": cement, "Clinker": clinker, "Flat Glass": glass},
        fuel_multiplier={"building_materials.clinker": 1 + small * penalty},
        ccus_routes=("building_materials.clinker",),
        process_co2={"building_materials.clinker": process},
        ceads_process_routes=("building_materials.clinker",),
        electric_melting={
            "building_materials.flat_glass": "building_materials.glass_electric_share"
        },
        alternative_fuel={
            "building_materials.clinker": "building_materials.alternative_fuel_share"
        },
        capped=[(cement, cement_demand)],
        ets_product="Clinker",
        ets_routes=("building_materials.clinker",),
    )


def chemicals(p: Params, tech: Callable[[str, str], float]) -> Physical:
    refining = apply_capacity_cap(p["chemicals.refining_throughput"], p["chemicals.refining_cap"])
    coke = apply_capacity_cap(p["chemicals.coke_output"], p["chemicals.coke_cap"])
    routes = {
        "chemicals.refining": refining,
        "chemicals.ethylene": p["chemicals.ethylene_output"],
        "chemicals.caustic_soda": p["chemicals.caustic_soda_output"],
        "chemicals.coke": coke,
    }
    products = {
        "Crude Oil Throughput": refining,
        "Ethylene": p["chemicals.ethylene_output"],
        "Caustic Soda": p["chemicals.caustic_soda_output"],
        "Coke": coke,
    }
    for chem, label in (("ammonia", "Ammonia"), ("methanol", "Methanol")):
        out = p[f"chemicals.{chem}_output"]
        gas = p[f"chemicals.{chem}_gas_share"]
        green = p[f"chemicals.{chem}_green_h2_share"]
        routes[f"chemicals.{chem}_gas"] = out * gas
        routes[f"chemicals.{chem}_green_h2"] = out * green
        routes[f"chemicals.{chem}_coal"] = out * (1 - gas - green)
        products[label] = out
    green_h2 = {f"chemicals.{c}_green_h2": np.ones((1, 1)) for c in ("ammonia", "methanol")}
    return Physical(
        routes=routes,
        products=products,
        ccus_routes=tuple(r for r in routes if r.split(".")[1].startswith(("ammonia", "methanol"))),
        ccus_process_only=True,  # high-purity streams: feedstock CO2, not flue gas
        hydrogen_green_share=green_h2,
        capped=[
            (refining, p["chemicals.refining_throughput"]),
            (coke, p["chemicals.coke_output"]),
        ],
    )


def value_added_only(p: Params, tech: Callable[[str, str], float]) -> Physical:
    """Consumer goods, equipment, electronics, other industry: driven by value added alone."""
    return Physical()


SECTOR_PHYSICS: dict[str, Callable[[Params, Callable[[str, str], float]], Physical]] = {
    "steel": steel,
    "nonferrous": nonferrous,
    "building_materials": building_materials,
    "chemicals": chemicals,
    "consumer_goods": value_added_only,
    "equipment": value_added_only,
    "electronics": value_added_only,
    "other_industry": value_added_only,
}
