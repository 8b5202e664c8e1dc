"""The vectorized engine: parameters (draw x year arrays) -> energy, emissions and costs per sector.

All draws (Monte Carlo, Sobol samples, Shapley coalitions) go through in one call; there is no
Python loop over draws (the cost accounting's vintage stock is one loop over the years,
vectorized over draws and technologies). Columns are the projection years 2020-2060,
column 0 the base year, which is calibrated to the data in every draw:
- route fuel intensities x outputs are scaled down per carrier where they exceed the sector's
  2020 energy (CEADs-derived); what remains is the value-added-driven "rest of the sector";
- clinker process CO2 is scaled to CEADs' cement process CO2; every other process CO2 (ammonia
  and methanol feedstock, aluminium anodes, glass carbonates, grey hydrogen) is a modelled
  addition beyond CEADs' scope, reported as such.

Base-year quantities may come per draw from the inputs ``base.<sector>.<item>`` (the Monte
Carlo draws the base-year table's ranges); without them the data tables' values are used. Two totals
are calibrated to observations (inputs ``obs.*``, see model.engine.runner) in the years they cover,
and the projection starts from the last calibrated year:
- industrial value added (all sectors scaled by one factor per year, keeping their paths);
- industrial electricity: in the base year the sectors' bottom-up estimates are reconciled to
  the top-down total (whole-society consumption x industrial share): the gap goes to the
  sectors in proportion to the variance of their estimates (the widest ranges absorb most);
  in later observed years the value-added-driven rest of each sector's electricity is scaled
  by one factor per year so that the total matches.

Costs come in the same pass (model.engine.costs): each sector's `_State` carries what the
levers deploy (route outputs, electrified heat, captured CO2, hydrogen by colour, switched gas,
alternative fuel, the carbon market's covered CO2) and `cost_outputs` prices it for every draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from model.engine.costs import cost_outputs
from model.engine.levers import (
    apply_alternative_fuels,
    apply_ccus,
    apply_coal_to_gas,
    apply_electric_melting,
    apply_heat_electrification,
    apply_onsite_renewables,
    ccus_coverage,
    efficiency_index,
    hydrogen_supply_co2,
    increment,
)
from model.engine.sectors import SECTOR_PHYSICS, Physical
from model.inputs.data import CARRIERS, FOSSIL, BaseData

H2_TCE_PER_T = 120.0 / 29.3076  # lower heating value of hydrogen, 120 GJ/t, in tce/t
CALIBRATED = (*FOSSIL, "Electricity", "Heat")


def evaluate(
    params: Mapping[str, np.ndarray], data: BaseData, electricity_method: str = "calorific"
) -> dict[str, np.ndarray]:
    """IAMC variable -> array (n, T) over 2020-2060. `params[key]` has shape (n or 1, T or 1)."""
    n = max(a.shape[0] for a in params.values())
    n_years = max(a.shape[1] for a in params.values())
    elec_tce_per_mwh = _electricity_factor(data, electricity_method)
    physics = {s: SECTOR_PHYSICS[s](params, data.tech) for s in data.sectors}
    va_index = value_added_indices(physics, params, data)
    base_el = base_electricity(params, data)
    states = {
        s: _sector(s, physics[s], va_index[s], base_el[s], params, data) for s in data.sectors
    }
    calibration = electricity_calibration(states, params, n_years)
    out: dict[str, np.ndarray] = {}
    for s in data.sectors:
        out.update(_outputs(s, states[s], calibration, params, data, elec_tce_per_mwh))
    _add_totals(out, data)
    out.update(cost_outputs(states, out, params, data))
    return {k: np.broadcast_to(v, (n, v.shape[1])) for k, v in out.items()}


def base_input(p: Mapping[str, np.ndarray], data: BaseData, sector: str, item: str):
    """A base-year quantity: the drawn input `base.<sector>.<item>` (n, 1), else the data's."""
    drawn = p.get(f"base.{sector}.{item}")
    if drawn is not None:
        return drawn
    if item == "co2_2020_vs_2019" or sector == "industry":
        return data.base_value(f"{sector}.{item}")
    return data.history_2020(sector, item)


def _level_2020(p: Mapping[str, np.ndarray], data: BaseData, sector: str):
    """The drawn 2020 level of a sector's fossil energy and CO2 relative to the central one."""
    drawn = p.get(f"base.{sector}.co2_2020_vs_2019")
    if drawn is None:
        return 1.0
    return drawn / data.base_value(f"{sector}.co2_2020_vs_2019")


def _hold_after_last(factor: np.ndarray) -> np.ndarray:
    """Years before the first finite value -> 1; after the last finite value -> that value."""
    finite = np.isfinite(factor).any(axis=0)
    if not finite.any():
        return np.ones_like(factor)
    last = int(np.flatnonzero(finite)[-1])
    out = np.where(np.isfinite(factor), factor, 1.0)
    out[:, last + 1 :] = out[:, last : last + 1]
    return out


def value_added_indices(
    physics: Mapping[str, Physical], p: Mapping[str, np.ndarray], data: BaseData
) -> dict[str, np.ndarray]:
    """Each sector's value-added index (2020 = 1), caps included, calibrated to the observed
    industrial index (`obs.industrial_va_index`) in its years and held after the last.

    Sectors whose output is observed (a driver series in observed_series.csv: steel, building
    materials) keep their own paths; the other sectors share one factor per year so that the
    total matches the observation.
    """
    common = p.get("industry.value_added_growth")
    common = 1.0 if common is None else np.cumprod(1.0 + common, axis=1) / (1.0 + common[:, :1])
    idx = {
        s: p[f"{s}.value_added_index"] * capped_value_added_factor(s, physics[s], p) * common
        for s in data.sectors
    }
    observed = p.get("obs.industrial_va_index")
    if observed is None:
        return idx
    fixed = observed_output_sectors(data)
    va0 = {s: base_input(p, data, s, "value_added") for s in data.sectors}
    total = observed * sum(va0.values())
    kept = sum((va0[s] * idx[s] for s in data.sectors if s in fixed), 0.0)
    free = sum(va0[s] * idx[s] for s in data.sectors if s not in fixed)
    with np.errstate(invalid="ignore"):
        factor = _hold_after_last((total - kept) / free)
    return {s: v if s in fixed else v * factor for s, v in idx.items()}


def observed_output_sectors(data: BaseData) -> frozenset[str]:
    """Sectors with an observed output driving them (their value added keeps its own path)."""
    obs = data.observations
    return frozenset(
        d.parameter.split(".")[0]
        for d in obs.series.values()
        if d.role == "driver" and d.parameter.split(".")[0] in data.sectors
    )


def base_electricity(p: Mapping[str, np.ndarray], data: BaseData) -> dict[str, np.ndarray]:
    """2020 electricity per sector (TWh): bottom-up estimates reconciled to the top-down total.

    Top-down: `obs.industrial_electricity` in 2020 x `base.industry.electricity_share_factor`.
    The gap goes to the sectors in proportion to the variance of their bottom-up estimates
    (range / 4 as the standard deviation), the least-squares reconciliation under a fixed
    total. Without a 2020 observation the bottom-up estimates stand.
    """
    bottom_up = {s: base_input(p, data, s, "energy|Electricity") for s in data.sectors}
    observed = p.get("obs.industrial_electricity")
    if observed is None or not np.isfinite(observed[:, :1]).all():
        return bottom_up
    total = observed[:, :1] * base_input(p, data, "industry", "electricity_share_factor")
    variance = {s: _variance(data, s, "energy|Electricity") for s in data.sectors}
    weight = sum(variance.values())
    gap = total - sum(bottom_up.values())
    return {s: np.maximum(bottom_up[s] + variance[s] / weight * gap, 0.0) for s in data.sectors}


def _variance(data: BaseData, sector: str, item: str) -> float:
    row = data.base_year.loc[(sector, item)]
    return float(((row["high"] - row["low"]) / 4.0) ** 2)


def electricity_calibration(
    states: Mapping[str, _State], p: Mapping[str, np.ndarray], n_years: int
) -> np.ndarray:
    """(n, T) factor on the value-added-driven rest of each sector's electricity: the total
    matches the top-down industrial electricity in its observed years, held after the last."""
    observed = p.get("obs.industrial_electricity")
    if observed is None:
        return np.ones((1, n_years))
    share = p.get("base.industry.electricity_share_factor", 1.0)
    target = observed * share
    rest = sum(st.rest_electricity for st in states.values())
    fixed = sum(st.energy["Electricity"] for st in states.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = 1 + (target - fixed - rest) / rest
    return np.maximum(_hold_after_last(np.atleast_2d(factor)), 0.0)


def _electricity_factor(data: BaseData, method: str) -> float:
    if method == "calorific":
        return data.tech("global", "conv.elec_calorific")
    return data.tech("global", "conv.elec_coal_equivalent")


@dataclass
class _State:
    """A sector's energy and CO2 before the electricity calibration (model.engine.accounting),
    and what the cost accounting (model.engine.costs) needs of it."""

    energy: dict[str, np.ndarray]  # carrier -> Mtce (fossil, heat), TWh, Mt H2; without rest_el
    rest_electricity: np.ndarray  # the value-added-driven electricity (TWh), calibrated later
    combustion_by_fuel: dict[str, np.ndarray]
    process: np.ndarray
    captured: np.ndarray
    value_added: np.ndarray
    products: dict[str, np.ndarray]
    # For the costs: route outputs (Mt), the efficiency index (2020 = 1), useful heat from heat
    # pumps and electric boilers (TWh), gas burnt because of coal-to-gas switching (Mtce), green
    # hydrogen (Mt), alternative kiln fuel beyond its 2020 share (Mtce), and the carbon market's
    # covered direct CO2 (Mt; None: the whole sector) and benchmark output (Mt; None: not covered).
    routes: dict[str, np.ndarray] = field(default_factory=dict)
    efficiency: np.ndarray | float = 1.0
    heat_pump_twh: np.ndarray | float = 0.0
    eboiler_twh: np.ndarray | float = 0.0
    gas_switched_tce: np.ndarray | float = 0.0
    hydrogen_green: np.ndarray | float = 0.0
    alternative_fuel_tce: np.ndarray | float = 0.0
    ets_direct: np.ndarray | None = None
    ets_output: np.ndarray | None = None


def _sector(
    s: str,
    phys: Physical,
    va_index: np.ndarray,
    base_el: np.ndarray,
    p: Mapping[str, np.ndarray],
    data: BaseData,
) -> _State:
    eff = efficiency_index(p[f"{s}.efficiency_rate"])
    level = _level_2020(p, data, s)

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
        if c == "Electricity":
            base = base_el
        elif c == "Heat":
            base = base_input(p, data, s, "energy|Heat")
        else:
            base = data.history_2020(s, f"energy|{c}") * level
        explicit0 = sum((e[c][:, :1] for e in route_energy.values() if c in e), np.zeros((1, 1)))
        scale = np.where(explicit0 > base, base / np.maximum(explicit0, 1e-300), 1.0)
        for e in route_energy.values():
            if c in e:
                e[c] = e[c] * scale * eff
        residual[c] = (base - scale * explicit0) * va_index * eff
    for e in route_energy.values():
        if "Hydrogen" in e:
            e["Hydrogen"] = e["Hydrogen"] * eff

    coal_before = residual["Coal"]
    residual["Coal"], residual["Gas"] = apply_coal_to_gas(
        residual["Coal"], residual["Gas"], p[f"{s}.coal_to_gas_share"]
    )
    switched_gas = coal_before - residual["Coal"]
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
    # Useful heat by device, and the switched gas still burnt once part of the heat is electric.
    hp_share = p[f"{s}.heat_pump_share"]
    heat_pump_twh = electrified_twh * hp_share * p["heat.heat_pump_cop"]
    eboiler_twh = electrified_twh * (1 - hp_share) * p["heat.eboiler_efficiency"]
    switched_gas = switched_gas * (
        1 - p[f"{s}.heat_share_below_1000c"] * increment(p[f"{s}.electrified_heat_share"])
    )
    residual.update(fossil_heat)
    rest_electricity = residual.pop("Electricity")
    residual["Electricity"] = electrified_twh

    ef = {c: _emission_factor(s, c, data) for c in FOSSIL}
    route_comb_by_fuel = {
        r: {c: e[c] * ef[c] for c in FOSSIL if c in e} for r, e in route_energy.items()
    }
    for route, key in phys.alternative_fuel.items():
        route_comb_by_fuel[route] = {
            c: apply_alternative_fuels(v, p[key]) for c, v in route_comb_by_fuel[route].items()
        }
    route_comb = {r: sum(v.values(), 0.0) for r, v in route_comb_by_fuel.items()}
    alternative_tce: np.ndarray | float = 0.0
    for route, key in phys.alternative_fuel.items():
        fossil = sum(route_energy[route].get(c, 0.0) for c in FOSSIL)
        share = p[key]
        alternative_tce = alternative_tce + fossil * (1 - (1 - share) / (1 - share[:, :1]))
    route_proc = {
        r: _route_process(r, q, phys, route_energy[r], p, data) for r, q in phys.routes.items()
    }
    _calibrate_ceads_process(s, phys, route_proc, data, level)

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
    process = sum(route_proc.values()) if route_proc else np.zeros_like(eff)
    va = base_input(p, data, s, "value_added") * va_index
    hydrogen_green = sum(
        (
            e["Hydrogen"] * phys.hydrogen_green_share.get(r, p["hydrogen.green_share"])
            for r, e in route_energy.items()
            if "Hydrogen" in e
        ),
        0.0,
    )
    ets_direct = None
    if phys.ets_product is not None and phys.ets_routes is not None:
        ets_direct = sum(route_comb[r] + route_proc[r] for r in phys.ets_routes)
        if phys.ccus_routes and set(phys.ccus_routes) <= set(phys.ets_routes):
            ets_direct = ets_direct + captured + penalty_gas * ef["Gas"]
    return _State(
        energy=energy,
        rest_electricity=rest_electricity,
        combustion_by_fuel=combustion_by_fuel,
        process=process,
        captured=captured,
        value_added=va,
        products=phys.products,
        routes=phys.routes,
        efficiency=eff,
        heat_pump_twh=heat_pump_twh,
        eboiler_twh=eboiler_twh,
        gas_switched_tce=switched_gas,
        hydrogen_green=hydrogen_green,
        alternative_fuel_tce=alternative_tce,
        ets_direct=ets_direct,
        ets_output=phys.products.get(phys.ets_product) if phys.ets_product else None,
    )


def _outputs(
    s: str,
    st: _State,
    calibration: np.ndarray,
    p: Mapping[str, np.ndarray],
    data: BaseData,
    elec_tce_per_mwh: float,
) -> dict[str, np.ndarray]:
    name = data.sector_info.at[s, "iamc_name"]
    n_years = calibration.shape[1]
    energy = dict(st.energy)
    energy["Electricity"] = energy["Electricity"] + st.rest_electricity * calibration
    combustion = sum(st.combustion_by_fuel.values())
    grid_twh = apply_onsite_renewables(energy["Electricity"], p[f"{s}.onsite_renewable_share"])
    indirect_el = grid_twh * p["grid.emission_factor"]
    indirect_heat = energy["Heat"] * p["grid.heat_emission_factor"]
    direct = combustion + st.process + st.captured

    mtce = {c: energy[c] for c in ("Coal", "Coke", "Oil", "Gas", "Heat")}
    mtce["Electricity"] = energy["Electricity"] * elec_tce_per_mwh
    mtce["Hydrogen"] = energy["Hydrogen"] * H2_TCE_PER_T

    out = {
        f"Emissions|CO2|Industry|{name}": direct,
        f"Emissions|CO2|Industry|{name}|Combustion": combustion,
        f"Emissions|CO2|Industry|{name}|Process": st.process,
        f"Emissions|CO2|Industry|{name}|Captured": st.captured,
        f"Emissions|CO2|Industry Indirect|{name}": indirect_el + indirect_heat,
        f"Emissions|CO2|Industry Indirect|{name}|Electricity": indirect_el,
        f"Emissions|CO2|Industry Indirect|{name}|Heat": indirect_heat,
        f"Emissions|CO2|Industry incl. Indirect|{name}": direct + indirect_el + indirect_heat,
        f"Final Energy|Industry|{name}": sum(mtce.values()),
        f"Electricity Demand|Industry|{name}": energy["Electricity"],
        f"Hydrogen Demand|Industry|{name}": energy["Hydrogen"],
        f"Value Added|Industry|{name}": st.value_added,
    }
    out.update({f"Final Energy|Industry|{name}|{c}": mtce[c] for c in CARRIERS})
    out.update(
        {f"Emissions|CO2|Industry|{name}|Combustion|{c}": st.combustion_by_fuel[c] for c in FOSSIL}
    )
    out.update({f"Production|{k}": v for k, v in st.products.items()})
    return {k: _as_2d(v, n_years) for k, v in out.items()}


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


def _calibrate_ceads_process(
    s: str, phys: Physical, route_proc: dict, data: BaseData, level: np.ndarray | float = 1.0
) -> None:
    """Scale the routes CEADs covers so that 2020 process CO2 equals CEADs' figure (times the
    drawn 2020 level)."""
    if not phys.ceads_process_routes:
        return
    ceads = data.history_2020(s, "co2_process") * level
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
