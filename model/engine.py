"""The vectorized engine: parameters (draw x year arrays) -> energy and emissions per sector.

All draws (Monte Carlo, Sobol samples, Shapley coalitions) go through in one call; there is no
Python loop over draws or years. Columns are the projection years 2020-2060, column 0 the base
year, which is calibrated to the data in every draw:
- route fuel intensities x outputs are scaled down per carrier where they exceed the sector's
  2020 energy (CEADs-derived); what remains is the value-added-driven "rest of the sector";
- clinker process CO2 is scaled to CEADs' cement process CO2; every other process CO2 (ammonia
  and methanol feedstock, aluminium anodes, glass carbonates, grey hydrogen) is a modelled
  addition beyond CEADs' scope, reported as such.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from model.data import CARRIERS, FOSSIL, BaseData
from model.levers import (
    apply_alternative_fuels,
    apply_ccus,
    apply_coal_to_gas,
    apply_electric_melting,
    apply_heat_electrification,
    apply_onsite_renewables,
    ccus_coverage,
    efficiency_index,
    hydrogen_supply_co2,
)
from model.sectors import SECTOR_PHYSICS, Physical

H2_TCE_PER_T = 120.0 / 29.3076  # lower heating value of hydrogen, 120 GJ/t, in tce/t
CALIBRATED = (*FOSSIL, "Electricity", "Heat")


def evaluate(
    params: Mapping[str, np.ndarray], data: BaseData, electricity_method: str = "calorific"
) -> dict[str, np.ndarray]:
    """IAMC variable -> array (n, T) over 2020-2060. `params[key]` has shape (n or 1, T)."""
    n = max(a.shape[0] for a in params.values())
    out: dict[str, np.ndarray] = {}
    elec_tce_per_mwh = _electricity_factor(data, electricity_method)
    for sector in data.sectors:
        physical = SECTOR_PHYSICS[sector](params, data.tech)
        out.update(_sector(sector, physical, params, data, elec_tce_per_mwh))
    _add_totals(out, data)
    return {k: np.broadcast_to(v, (n, v.shape[1])) for k, v in out.items()}


def _electricity_factor(data: BaseData, method: str) -> float:
    if method == "calorific":
        return data.tech("global", "conv.elec_calorific")
    return data.tech("global", "conv.elec_coal_equivalent")


def _sector(
    s: str, phys: Physical, p: Mapping[str, np.ndarray], data: BaseData, elec_tce_per_mwh: float
) -> dict[str, np.ndarray]:
    name = data.sector_info.at[s, "iamc_name"]
    eff = efficiency_index(p[f"{s}.efficiency_rate"])
    # Capping a product's output also caps the value added it brings (share declared per sector).
    va_index = p[f"{s}.value_added_index"] * capped_value_added_factor(s, phys, p)

    # Route energy (fossil/heat in Mtce, electricity in TWh, hydrogen in Mt H2).
    route_energy = {r: _route_energy(r, q, phys, data) for r, q in phys.routes.items()}
    for route, key in phys.electric_melting.items():
        fuels = {c: route_energy[route].pop(c) for c in FOSSIL if c in route_energy[route]}
        fuels, extra_twh = apply_electric_melting(
            fuels, p[key], p["building_materials.glass_electric_energy_ratio"]
        )
        route_energy[route].update(fuels)
        route_energy[route]["Electricity"] = route_energy[route].get("Electricity", 0) + extra_twh

    residual: dict[str, np.ndarray] = {}
    for c in CALIBRATED:
        base = data.history_2020(s, "energy|Heat" if c == "Heat" else f"energy|{c}")
        explicit0 = sum((e[c][:, :1] for e in route_energy.values() if c in e), np.zeros((1, 1)))
        scale = np.where(explicit0 > base, base / np.maximum(explicit0, 1e-300), 1.0)
        for e in route_energy.values():
            if c in e:
                e[c] = e[c] * scale * eff
        residual[c] = (base - scale * explicit0) * va_index * eff
    for e in route_energy.values():
        if "Hydrogen" in e:
            e["Hydrogen"] = e["Hydrogen"] * eff

    residual["Coal"], residual["Gas"] = apply_coal_to_gas(
        residual["Coal"], residual["Gas"], p[f"{s}.coal_to_gas_share"]
    )
    fossil_heat = {c: residual[c] for c in ("Coal", "Oil", "Gas")}
    fossil_heat, electrified_twh = apply_heat_electrification(
        fossil_heat,
        p[f"{s}.heat_share_below_1000c"],
        p[f"{s}.electrified_heat_share"],
        p[f"{s}.heat_pump_share"],
        p["heat.heat_pump_cop"],
        p["heat.eboiler_efficiency"],
        p["heat.fossil_boiler_efficiency"],
    )
    residual.update(fossil_heat)
    residual["Electricity"] = residual["Electricity"] + electrified_twh

    ef = {c: _emission_factor(s, c, data) for c in FOSSIL}
    route_comb_by_fuel = {
        r: {c: e[c] * ef[c] for c in FOSSIL if c in e} for r, e in route_energy.items()
    }
    for route, key in phys.alternative_fuel.items():
        route_comb_by_fuel[route] = {
            c: apply_alternative_fuels(v, p[key]) for c, v in route_comb_by_fuel[route].items()
        }
    route_comb = {r: sum(v.values(), 0.0) for r, v in route_comb_by_fuel.items()}
    route_proc = {
        r: _route_process(r, q, phys, route_energy[r], p, data) for r, q in phys.routes.items()
    }
    _calibrate_ceads_process(s, phys, route_proc, data)

    eligible = sum(
        route_proc[r] + (0.0 if phys.ccus_process_only else route_comb[r]) for r in phys.ccus_routes
    )
    captured = np.zeros((1, eff.shape[1]))
    if phys.ccus_routes:
        coverage = ccus_coverage(
            p[f"{s}.ccus_start_year"],
            p[f"{s}.ccus_ramp_years"],
            p[f"{s}.ccus_max_coverage"],
            eff.shape[1],
        )
        captured = apply_ccus(eligible, coverage, p[f"{s}.ccus_capture_rate"])

    energy = {
        c: residual.get(c, 0.0) + sum(e.get(c, 0.0) for e in route_energy.values())
        for c in CARRIERS
    }
    # Capture costs energy: electricity for compression, heat (as gas) for solvent regeneration.
    energy["Electricity"] = energy["Electricity"] - captured * data.tech(
        "global", "ccus.elec_per_tco2"
    )
    penalty_gas = -captured * data.tech("global", "ccus.heat_per_tco2")
    energy["Gas"] = energy["Gas"] + penalty_gas

    combustion_by_fuel = {
        c: residual[c] * ef[c] + sum(v.get(c, 0.0) for v in route_comb_by_fuel.values())
        for c in FOSSIL
    }
    combustion_by_fuel["Gas"] = combustion_by_fuel["Gas"] + penalty_gas * ef["Gas"]
    combustion = sum(combustion_by_fuel.values())
    process = sum(route_proc.values()) if route_proc else np.zeros_like(eff)
    grid_twh = apply_onsite_renewables(energy["Electricity"], p[f"{s}.onsite_renewable_share"])
    indirect_el = grid_twh * p["grid.emission_factor"]
    indirect_heat = energy["Heat"] * p["grid.heat_emission_factor"]
    direct = combustion + process + captured

    mtce = {c: energy[c] for c in ("Coal", "Coke", "Oil", "Gas", "Heat")}
    mtce["Electricity"] = energy["Electricity"] * elec_tce_per_mwh
    mtce["Hydrogen"] = energy["Hydrogen"] * H2_TCE_PER_T
    va = data.history_2020(s, "value_added") * va_index

    out = {
        f"Emissions|CO2|Industry|{name}": direct,
        f"Emissions|CO2|Industry|{name}|Combustion": combustion,
        f"Emissions|CO2|Industry|{name}|Process": process,
        f"Emissions|CO2|Industry|{name}|Captured": captured,
        f"Emissions|CO2|Industry Indirect|{name}": indirect_el + indirect_heat,
        f"Emissions|CO2|Industry Indirect|{name}|Electricity": indirect_el,
        f"Emissions|CO2|Industry Indirect|{name}|Heat": indirect_heat,
        f"Emissions|CO2|Industry incl. Indirect|{name}": direct + indirect_el + indirect_heat,
        f"Final Energy|Industry|{name}": sum(mtce.values()),
        f"Electricity Demand|Industry|{name}": energy["Electricity"],
        f"Hydrogen Demand|Industry|{name}": energy["Hydrogen"],
        f"Value Added|Industry|{name}": va,
    }
    out.update({f"Final Energy|Industry|{name}|{c}": mtce[c] for c in CARRIERS})
    out.update(
        {f"Emissions|CO2|Industry|{name}|Combustion|{c}": combustion_by_fuel[c] for c in FOSSIL}
    )
    out.update({f"Production|{k}": v for k, v in phys.products.items()})
    return {k: _as_2d(v, eff.shape[1]) for k, v in out.items()}


def _as_2d(value: np.ndarray | float, n_years: int) -> np.ndarray:
    """Arrays stay as they are (no copy); scalars and (n, 1) columns widen to the year axis."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == n_years:
        return arr
    return np.broadcast_to(
        arr.reshape(-1, 1) if arr.ndim < 2 else arr,
        (arr.size if arr.ndim < 2 else arr.shape[0], n_years),
    )


def capped_value_added_factor(s: str, phys: Physical, p: Mapping[str, np.ndarray]) -> np.ndarray:
    """1 - share + share x (capped output / demanded output) of the sector's capped products."""
    if not phys.capped:
        return np.ones((1, 1))
    capped = sum(q for q, _ in phys.capped)
    demanded = sum(d for _, d in phys.capped)
    ratio = capped / np.maximum(demanded, 1e-12)
    share = p[f"{s}.capped_value_added_share"]
    return 1 - share + share * ratio


def _route_energy(route: str, output: np.ndarray, phys: Physical, data: BaseData) -> dict:
    mult = phys.fuel_multiplier.get(route, 1.0)
    energy = {}
    for c in CARRIERS:
        intensity = data.tech(route, c)
        if intensity:
            energy[c] = output * intensity * (mult if c in FOSSIL else 1.0)
    return energy


def _route_process(
    route: str, output: np.ndarray, phys: Physical, energy: dict, p: Mapping, data: BaseData
) -> np.ndarray:
    process = phys.process_co2.get(route, output * data.tech(route, "process_co2"))
    if "Hydrogen" in energy:
        green = phys.hydrogen_green_share.get(route, p["hydrogen.green_share"])
        process = process + hydrogen_supply_co2(
            energy["Hydrogen"], green, p["hydrogen.grey_co2_factor"], p["hydrogen.green_co2_factor"]
        )
    return process


def _calibrate_ceads_process(s: str, phys: Physical, route_proc: dict, data: BaseData) -> None:
    """Scale the routes CEADs covers so that 2020 process CO2 equals CEADs' figure."""
    if not phys.ceads_process_routes:
        return
    ceads = data.history_2020(s, "co2_process")
    modelled0 = sum(route_proc[r][:, :1] for r in phys.ceads_process_routes)
    scale = np.where(modelled0 > 0, ceads / np.maximum(modelled0, 1e-300), 0.0)
    for r in phys.ceads_process_routes:
        route_proc[r] = route_proc[r] * scale


def _emission_factor(s: str, carrier: str, data: BaseData) -> float:
    """The sector's own 2020 CO2 per tce (CEADs fuel mix within the carrier), else the default."""
    energy = data.history_2020(s, f"energy|{carrier}")
    if energy > 0:
        return data.history_2020(s, f"co2_combustion|{carrier}") / energy
    return data.tech("global", f"ef.{carrier}")


def _add_totals(out: dict[str, np.ndarray], data: BaseData) -> None:
    names = [data.sector_info.at[s, "iamc_name"] for s in data.sectors]
    for total in (
        "Emissions|CO2|Industry",
        "Emissions|CO2|Industry Indirect",
        "Emissions|CO2|Industry incl. Indirect",
        "Final Energy|Industry",
        "Electricity Demand|Industry",
        "Hydrogen Demand|Industry",
        "Value Added|Industry",
    ):
        out[total] = sum(out[f"{total}|{n}"] for n in names)
    out["Production|Copper|Primary"] = out["Production|Copper"] - out["Production|Copper|Recycled"]
