"""Costs, in the engine's vectorized pass: what the levers cost and what the carbon market charges.

Called by model.engine.accounting.evaluate for every block of draws, after energy and emissions.
All money is billion CNY of 2020 per year (inputs ``cost.<technology>.<parameter>`` from
costs.csv through model.inputs.costs, and the ``economics`` parameters of parameters.yaml).

Per sector and year, for every draw:

- **Investment** in the capacity the routes and levers need. Each technology is a stock:
  required capacity = activity / utilisation (or useful heat / full-load hours for boilers,
  heat pumps, PV and electrolysers; annual savings for efficiency retrofits). The base-year
  stock retires evenly over its lifetime; a vintage added in year t retires after its
  lifetime; additions = max(required - surviving, 0) each year (growth plus replacement).
  Investment = additions x capex of the year (capex may change at a stated annual rate).
  The stock is the one loop over the 41 years, vectorized over draws and technologies.
- **Capital**: each vintage's investment x the capital recovery factor
  ``CRF = r / (1 - (1 + r)^-L)`` (discount rate r of its year, lifetime L), paid for L years.
- **Operation**: fixed O&M (per unit of required capacity, or a share of capex), variable
  O&M (heat per MWh, CO2 transport and storage per t), and the materials that decide a route
  (iron ore and scrap for steel; supplementary materials, non-carbonate CaO, alternative kiln
  fuel and the recycled aluminium premium).
- **Energy**: prices x energy by carrier; electricity only for what the grid supplies (on-site
  PV is counted as capital and O&M), grey hydrogen bought at its price, green hydrogen as
  electrolysers (capital) plus the electricity of dedicated renewables (here).

The national ETS (steel, cement clinker, primary aluminium smelting; power through the
pass-through line only):

- covered CO2 = coverage x the covered activity's direct CO2 (net of capture);
- free allocation: equal to verified emissions before the benchmark year; from it,
  benchmark x output, the benchmark = the covered intensity of the last observed year
  (`cost.reference_year`, the same in every scenario) x the benchmark level, falling by the
  tightening rate each year; times (1 - auctioned share);
- compliance cost = price x max(covered - free, 0): a higher price or a stricter benchmark
  never lowers it; the value of any surplus, price x max(free - covered, 0), is reported
  separately (``Revenue|Carbon Market``), never netted;
- electricity pass-through = share x price x CO2 of purchased grid electricity (from 2021,
  when the power sector's compliance began): purchased electricity is otherwise priced
  through the power sector, not here.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engine.levers import MWH_PER_TCE, increment
from model.inputs.trajectory import BASE_YEAR

TO_BN = 1e-3  # Mt (or Mtce, TWh/MWh) x CNY per t = million CNY -> billion CNY
POWER_ETS_FIRST_YEAR = 2021  # trading and the power sector's price signal began in July 2021
CAPTURE = {
    "steel": "ccus.capture_steel",
    "building_materials": "ccus.capture_cement",
    "chemicals": "ccus.capture_chemicals",
}
# Steel routes (model.engine.sectors) and their cost technologies share their names.
STEEL_ROUTES = ("steel.bf_bof", "steel.scrap_eaf", "steel.h2_dri")
FUEL_PRICES = {"Coal": "coal", "Coke": "coke", "Oil": "oil", "Gas": "gas", "Heat": "heat"}


_BUFFERS = threading.local()


def _buffer(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A scratch array reused by the same thread from one engine block to the next (its
    contents are whatever the last use left: callers overwrite it). Fresh large arrays cost
    page faults that dominate the cost accounting's time."""
    store = _BUFFERS.__dict__.setdefault("arrays", {})
    array = store.get(name)
    if array is None or array.shape != shape:
        array = np.empty(shape)
        store[name] = array
    return array


@dataclass(frozen=True)
class Stock:
    """One technology's capacity in one sector: (n or 1, T) in its capacity unit, and the factor
    that turns capacity x CNY per unit into billion CNY (1e-3 for Mt-based units, 1 for TW)."""

    sector: str
    technology: str
    capacity: np.ndarray
    scale: float


def c(p: Mapping[str, np.ndarray], technology: str, parameter: str) -> np.ndarray:
    """A cost input, (n or 1, 1)."""
    return p[f"cost.{technology}.{parameter}"]


def crf(rate: np.ndarray, lifetime: np.ndarray) -> np.ndarray:
    """Capital recovery factor r / (1 - (1 + r)^-L); 1 / L where r = 0."""
    rate = np.asarray(rate, dtype=float)
    lifetime = np.asarray(lifetime, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = rate / (1 - (1 + rate) ** -lifetime)
    return np.where(rate == 0, 1 / lifetime, out)


def levelised_cost(
    capex: float, fixed: float, variable: float, rate: float, lifetime: float, output: float
) -> float:
    """Levelised cost per unit of output: (capex x CRF + fixed) / annual output + variable."""
    return float((capex * crf(rate, lifetime) + fixed) / output + variable)


def vintage_costs(
    capacity: np.ndarray,
    lifetime: np.ndarray,
    unit_capex: np.ndarray,
    rate: np.ndarray,
    group_of: np.ndarray,
    n_groups: int,
    fixed_rate: np.ndarray | None = None,
    change: np.ndarray | None = None,
    fixed_share: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Investment, capital charge and fixed O&M of S technology stocks, summed into groups.

    `capacity` (T, S, n) is the capacity each stock needs (T years from the base year, n
    draws); `lifetime` (S,) years; `unit_capex` and `fixed_rate` (per unit of capacity per
    year) (S, n); `change` (T, S) capex relative to the base year; `fixed_share` (S, n) fixed
    O&M as a share of capex per year; `rate` (n, T) the discount rate; `group_of` (S,) the
    group (0..G-1) each stock's costs are summed into.

    The base-year stock retires evenly over its lifetime; a vintage added in year t retires in
    year t + L and pays investment x CRF(r_t, L) in years t..t+L-1. Additions = max(required -
    surviving, 0): the one recurrence, a loop over the years on (S, n) slices (stocks sorted
    by lifetime make each lifetime a slice); everything else is vectorized. Every operation is
    elementwise per draw and group sums add stock by stock, so a draw's numbers never depend
    on the other draws in its block. Returns three (G, n, T) arrays (no additions, so no
    investment or capital charge, in the base year). `capacity` is used as scratch space.
    """
    n_years, n_stocks, n = capacity.shape
    life = np.maximum(np.round(lifetime).astype(int), 1)
    order = np.argsort(life, kind="stable")
    if (order != np.arange(n_stocks)).any():
        capacity, life, unit_capex = capacity[:, order], life[order], unit_capex[order]
        group_of = np.asarray(group_of)[order]
        fixed_rate = None if fixed_rate is None else fixed_rate[order]
        fixed_share = None if fixed_share is None else fixed_share[order]
        change = None if change is None else change[:, order]
    group_of = np.asarray(group_of)
    values, starts = np.unique(life, return_index=True)
    slices = [
        (int(years), slice(a, b))
        for years, a, b in zip(values, starts, [*starts[1:], n_stocks], strict=True)
    ]

    def by_group(x: np.ndarray) -> np.ndarray:
        """(T, S, n) -> (G, n, T), adding stock by stock (deterministic per draw)."""
        out = np.zeros((n_groups, n_years, n))
        for j in range(n_stocks):
            out[group_of[j]] += x[:, j, :]
        return out.transpose(0, 2, 1)

    # Fixed O&M on the required capacity (per unit, plus a share of the year's capex).
    per_unit = np.zeros((n_stocks, n)) if fixed_rate is None else fixed_rate
    if fixed_share is not None:
        per_unit = per_unit + fixed_share
    fixed = by_group(capacity * per_unit[None])
    if fixed_share is not None and change is not None:
        for j in np.flatnonzero((change != 1).any(axis=0)):  # shares of the year's capex
            fixed[group_of[j]] += (
                capacity[:, j, :] * fixed_share[j][None, :] * (change[:, j] - 1)[:, None]
            ).T
    # Additions. `alive` = the vintages since the base year still in service; each year it
    # becomes max(required beyond the surviving base-year stock, last year's less retirements),
    # and the additions are the difference. Fresh memory is what costs most here, so the
    # required capacity becomes that gap in place, and the additions' history (needed for the
    # retirements) is a buffer reused from block to block.
    remaining = np.clip(1 - np.arange(n_years)[:, None] / life[None, :], 0.0, 1.0)  # (T, S)
    gap = capacity
    base = capacity[0].copy()
    for k in range(n_years):
        gap[k] -= base * remaining[k][:, None]
    adds = _buffer("adds", gap.shape)
    adds[0] = 0.0
    alive = np.zeros((n_stocks, n))
    before = np.empty((n_stocks, n))
    for k in range(1, n_years):
        np.copyto(before, alive)
        for years, rows in slices:
            if k - years >= 1:
                before[rows] -= adds[k - years, rows]
        np.maximum(gap[k], before, out=alive)
        np.subtract(alive, before, out=adds[k])
    spent = adds
    spent *= unit_capex[None]
    changing = [] if change is None else np.flatnonzero((change != 1).any(axis=0))
    for j in changing:  # capex of the year
        spent[:, j, :] *= change[:, j][:, None]
    investment = by_group(spent)
    # Payments (investment x CRF of its year and lifetime), each due for L years from then:
    # the running sum of payments less the running sum L years back.
    paid = spent
    for years, rows in slices:
        paid[:, rows, :] *= crf(rate, years).T[:, None, :]
    due = gap  # scratch
    due[0] = paid[0]
    for k in range(1, n_years):
        np.add(due[k - 1], paid[k], out=due[k])
    for years, rows in slices:
        if years < n_years:  # overlapping in place: numpy buffers the right-hand side
            due[years:, rows] -= due[:-years, rows]
    return investment, by_group(due), fixed


def cost_outputs(
    states: Mapping[str, Any], out: Mapping[str, np.ndarray], p: Mapping[str, np.ndarray], data
) -> dict[str, np.ndarray]:
    """IAMC cost variables for every sector and the industry totals (see the module docstring)."""
    n = max(a.shape[0] for a in p.values())
    n_years = out["Emissions|CO2|Industry"].shape[1]
    years = BASE_YEAR + np.arange(n_years)
    names = {s: data.sector_info.at[s, "iamc_name"] for s in data.sectors}
    # Every stock that needs any capacity (empty ones dropped: they cost nothing).
    stocks = [
        stock
        for s in data.sectors
        for stock in _stocks(s, states[s], out, p, names[s])
        if np.any(stock.capacity)
    ]
    investment, capital, fixed = _stock_costs(stocks, list(data.sectors), p, n, years)
    result: dict[str, np.ndarray | float] = {}
    price = np.broadcast_to(p["ets.allowance_price"], (n, n_years))
    # Price x share of the power sector's carbon cost passed on, billion CNY per Mt CO2 of
    # purchased electricity; None when nothing is passed through (the default).
    share = p["ets.electricity_pass_through"]
    passed = None
    if np.any(share):
        passed = share * p["ets.allowance_price"] * (years >= POWER_ETS_FIRST_YEAR) * TO_BN
    for i, s in enumerate(data.sectors):
        name = names[s]
        inv, cap = investment[i], capital[i]
        operation = fixed[i] + _variable_opex(s, states[s], p)
        energy = _energy_cost(s, states[s], out, p, name, (n, n_years))
        compliance, surplus, covered, free = _carbon_market(s, states[s], out, p, name, years)
        pass_through: np.ndarray | float = 0.0
        if passed is not None:
            indirect = out[f"Emissions|CO2|Industry Indirect|{name}|Electricity"]
            pass_through = passed * indirect
        market = compliance if _is_zero(pass_through) else compliance + pass_through
        result.update(
            {
                f"Investment|Industry|{name}": inv,
                f"Cost|Industry|{name}": cap + operation + energy,
                f"Cost|Industry|{name}|Capital": cap,
                f"Cost|Industry|{name}|Operation": operation,
                f"Cost|Industry|{name}|Energy": energy,
                f"Cost|Carbon Market|{name}": market,
                f"Cost|Carbon Market|{name}|Compliance": compliance,
                f"Cost|Carbon Market|{name}|Electricity Pass-through": pass_through,
            }
        )
        if covered is not None:
            result.update(
                {
                    f"Revenue|Carbon Market|{name}": surplus,
                    f"Carbon Market|Covered Emissions|{name}": covered,
                    f"Carbon Market|Free Allocation|{name}": free,
                }
            )
    _totals(result, list(names.values()))
    full = {k: _full(v, n, n_years) for k, v in result.items()}
    full["Price|Carbon|National ETS"] = price
    return full


def _full(value: np.ndarray | float, n: int, n_years: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (n, n_years))


def _is_zero(value: np.ndarray | float) -> bool:
    """A term known to be zero without looking at an array (a plain 0.0)."""
    return isinstance(value, float) and value == 0.0


def _totals(result: dict[str, np.ndarray], names: list[str]) -> None:
    """Industry totals, summing like the emission variables."""
    for total, part in (
        ("Investment|Industry", "Investment|Industry|{}"),
        ("Cost|Industry", "Cost|Industry|{}"),
        ("Cost|Industry|Capital", "Cost|Industry|{}|Capital"),
        ("Cost|Industry|Operation", "Cost|Industry|{}|Operation"),
        ("Cost|Industry|Energy", "Cost|Industry|{}|Energy"),
        ("Cost|Carbon Market", "Cost|Carbon Market|{}"),
        ("Cost|Carbon Market|Compliance", "Cost|Carbon Market|{}|Compliance"),
        (
            "Cost|Carbon Market|Electricity Pass-through",
            "Cost|Carbon Market|{}|Electricity Pass-through",
        ),
        ("Revenue|Carbon Market", "Revenue|Carbon Market|{}"),
        ("Carbon Market|Covered Emissions", "Carbon Market|Covered Emissions|{}"),
        ("Carbon Market|Free Allocation", "Carbon Market|Free Allocation|{}"),
    ):
        parts = [result[part.format(n)] for n in names if part.format(n) in result]
        terms = [v for v in parts if not _is_zero(v)]
        result[total] = sum(terms[1:], terms[0]) if terms else 0.0


def _stocks(s: str, st: Any, out: Mapping, p: Mapping, name: str) -> list[Stock]:
    """Every technology stock of a sector with its required capacity."""
    stocks: list[Stock] = []

    def add(tech: str, capacity: np.ndarray | float, scale: float) -> None:
        stocks.append(Stock(s, tech, np.asarray(capacity, dtype=float), scale))

    for route in STEEL_ROUTES:
        if route in st.routes:
            add(route, st.routes[route] / c(p, route, "utilisation"), TO_BN)
    if "nonferrous.recycled_aluminium" in st.routes:
        tech = "materials.recycled_aluminium"
        add(tech, st.routes["nonferrous.recycled_aluminium"] / c(p, tech, "utilisation"), TO_BN)
    if s in CAPTURE:
        tech = CAPTURE[s]
        add(tech, -st.captured / c(p, tech, "utilisation"), TO_BN)
    if "Flat Glass" in st.products:
        tech = "glass.electric_melting"
        melted = st.products["Flat Glass"] * increment(p[f"{s}.glass_electric_share"])
        add(tech, melted / c(p, tech, "utilisation"), TO_BN)
    if s == "building_materials":
        add("materials.alternative_fuel", st.alternative_fuel_tce, TO_BN)
    # Heat (TWh useful / h = TW; CNY per kW x TW = billion CNY).
    add("heat.heat_pump", st.heat_pump_twh / c(p, "heat.heat_pump", "full_load_hours"), 1.0)
    add(
        "heat.electric_boiler",
        st.eboiler_twh / c(p, "heat.electric_boiler", "full_load_hours"),
        1.0,
    )
    add(
        "heat.gas_boiler", _gas_boiler_heat(st, p) / c(p, "heat.gas_boiler", "full_load_hours"), 1.0
    )
    onsite = out[f"Electricity Demand|Industry|{name}"] * p[f"{s}.onsite_renewable_share"]
    add("power.onsite_pv", onsite / c(p, "power.onsite_pv", "full_load_hours"), 1.0)
    tech = "hydrogen.electrolyser"
    electrolysis_twh = st.hydrogen_green * c(p, tech, "electricity_use")
    add(tech, electrolysis_twh / c(p, tech, "full_load_hours"), 1.0)
    saved = out[f"Final Energy|Industry|{name}"] * (1 / st.efficiency - 1)
    add("efficiency.measures", saved, TO_BN)
    return stocks


def _gas_boiler_heat(st: Any, p: Mapping) -> np.ndarray | float:
    """Useful heat (TWh) of the gas boilers coal-to-gas switching needs."""
    return st.gas_switched_tce * MWH_PER_TCE * c(p, "heat.gas_boiler", "efficiency")


def _stock_costs(
    stocks: list[Stock], sectors: list[str], p: Mapping, n: int, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sectors, n, T) investment, capital charge and fixed O&M in billion CNY."""
    n_stocks, n_years = len(stocks), len(years)
    if not n_stocks:
        zero = np.zeros((len(sectors), n, n_years))
        return zero, zero, zero
    # Sorted by lifetime (each lifetime a slice in vintage_costs, no reordering copy).
    stocks = sorted(stocks, key=lambda st: float(np.ravel(p[f"cost.{st.technology}.lifetime"])[0]))
    capacity = _buffer("capacity", (n_years, n_stocks, n))
    unit_capex = np.empty((n_stocks, n))  # billion CNY per unit of capacity (scale folded in)
    fixed_rate = np.zeros((n_stocks, n))
    fixed_share = np.zeros((n_stocks, n))
    change = np.ones((n_years, n_stocks))
    lifetime = np.empty(n_stocks)
    group_of = np.array([sectors.index(st.sector) for st in stocks])

    def per_draw(key: str) -> np.ndarray:
        return np.broadcast_to(p[key], (n, 1))[:, 0]

    for j, st in enumerate(stocks):
        np.maximum(np.broadcast_to(st.capacity, (n, n_years)).T, 0.0, out=capacity[:, j, :])
        tech = st.technology
        unit_capex[j] = per_draw(f"cost.{tech}.capex") * st.scale
        if f"cost.{tech}.capex_change" in p:
            rate = float(np.asarray(p[f"cost.{tech}.capex_change"]).ravel()[0])
            change[:, j] = (1 + rate) ** (years - BASE_YEAR)
        if f"cost.{tech}.fixed_opex" in p:
            fixed_rate[j] = per_draw(f"cost.{tech}.fixed_opex") * st.scale
        if f"cost.{tech}.fixed_opex_share" in p:
            fixed_share[j] = per_draw(f"cost.{tech}.fixed_opex_share") * unit_capex[j]
        lifetime[j] = float(np.asarray(p[f"cost.{tech}.lifetime"]).ravel()[0])
    rate = np.broadcast_to(p["finance.discount_rate"], (n, n_years))
    return vintage_costs(
        capacity,
        lifetime,
        unit_capex,
        rate,
        group_of,
        len(sectors),
        fixed_rate,
        change if (change != 1).any() else None,
        fixed_share,
    )


def _variable_opex(s: str, st: Any, p: Mapping) -> np.ndarray | float:
    """Variable O&M and the materials that decide a route (billion CNY)."""
    total: np.ndarray | float = 0.0
    ore, scrap = c(p, "price", "iron_ore"), c(p, "price", "scrap")
    for route in STEEL_ROUTES:
        tech = route
        if route not in st.routes:
            continue
        per_t = 0.0
        if f"cost.{tech}.iron_ore" in p:
            per_t = per_t + c(p, tech, "iron_ore") * ore
        if f"cost.{tech}.scrap" in p:
            per_t = per_t + c(p, tech, "scrap") * scrap
        total = total + st.routes[route] * per_t * TO_BN
    if "nonferrous.recycled_aluminium" in st.routes:
        premium = c(p, "materials.recycled_aluminium", "variable_opex")
        total = total + st.routes["nonferrous.recycled_aluminium"] * premium * TO_BN
    if s in CAPTURE:
        per_t = c(p, "ccus.transport", "variable_opex") + c(p, "ccus.storage", "variable_opex")
        total = total - st.captured * per_t * TO_BN
    if s == "building_materials":
        ratio = p[f"{s}.clinker_ratio"]
        replaced = st.products["Cement"] * np.maximum(ratio[:, :1] - ratio, 0.0)
        total = total + replaced * c(p, "materials.clinker_substitution", "variable_opex") * TO_BN
        non_carbonate = st.products["Clinker"] * increment(p[f"{s}.non_carbonate_share"])
        total = total + non_carbonate * c(p, "materials.non_carbonate", "variable_opex") * TO_BN
        total = (
            total
            + st.alternative_fuel_tce * c(p, "materials.alternative_fuel", "variable_opex") * TO_BN
        )
    total = (
        total
        + (
            st.heat_pump_twh * c(p, "heat.heat_pump", "variable_opex")
            + st.eboiler_twh * c(p, "heat.electric_boiler", "variable_opex")
            + _gas_boiler_heat(st, p) * c(p, "heat.gas_boiler", "variable_opex")
        )
        * TO_BN
    )
    return total


def _energy_cost(
    s: str, st: Any, out: Mapping, p: Mapping, name: str, shape: tuple[int, int]
) -> np.ndarray:
    """Purchased energy (billion CNY): fuels and heat, grid electricity, grey hydrogen, and the
    dedicated renewable electricity of green hydrogen. Alternative kiln fuel beyond 2020 is not
    bought as coal (it is an operating cost)."""
    total = np.zeros(shape)
    total += out[f"Final Energy|Industry|{name}|Coal"] * c(p, "price", "coal")
    if not _is_zero(st.alternative_fuel_tce):
        total -= st.alternative_fuel_tce * c(p, "price", "coal")
    for carrier in ("Coke", "Oil", "Gas", "Heat"):
        total += out[f"Final Energy|Industry|{name}|{carrier}"] * c(
            p, "price", FUEL_PRICES[carrier]
        )
    grid_price = (1 - p[f"{s}.onsite_renewable_share"]) * c(p, "price", "electricity")
    total += out[f"Electricity Demand|Industry|{name}"] * grid_price
    if not _is_zero(st.hydrogen_green) or np.any(out[f"Hydrogen Demand|Industry|{name}"]):
        grey = out[f"Hydrogen Demand|Industry|{name}"] - st.hydrogen_green
        total += grey * c(p, "price", "hydrogen_grey")
        electrolysis = c(p, "hydrogen.electrolyser", "electricity_use")
        total += st.hydrogen_green * (electrolysis * c(p, "price", "renewable_electricity"))
    total *= TO_BN
    return total


def _carbon_market(
    s: str, st: Any, out: Mapping, p: Mapping, name: str, years: np.ndarray
) -> tuple[np.ndarray | float, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(compliance cost, surplus value, covered Mt, free allocation Mt) of a covered sector;
    (0, None, None, None) for the others."""
    if st.ets_output is None:
        return 0.0, None, None, None
    direct = out[f"Emissions|CO2|Industry|{name}"] if st.ets_direct is None else st.ets_direct
    coverage = p[f"{s}.ets_coverage"]
    output = np.asarray(st.ets_output, dtype=float)
    n_years = len(years)
    ref = int(np.clip(np.asarray(p["cost.reference_year"]).ravel()[0] - BASE_YEAR, 0, n_years - 1))
    direct = np.broadcast_to(direct, np.broadcast_shapes(direct.shape, (1, n_years)))
    output = np.broadcast_to(output, np.broadcast_shapes(output.shape, (1, n_years)))
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.where(
            output[:, ref : ref + 1] > 0, direct[:, ref : ref + 1] / output[:, ref : ref + 1], 0.0
        )
    start = p["ets.benchmark_start_year"]
    factors = np.where(years > start, 1 - p["ets.benchmark_tightening"], 1.0)
    benchmark = p[f"{s}.ets_benchmark_level"] * intensity * np.cumprod(factors, axis=1)
    covered = coverage * direct
    free = np.where(years < start, covered, coverage * benchmark * output)
    free = free * (1 - p["ets.auction_share"])
    inside = years >= p[f"{s}.ets_start_year"]
    covered = np.where(inside, covered, 0.0)
    free = np.where(inside, free, 0.0)
    price = p["ets.allowance_price"]
    compliance = price * np.maximum(covered - free, 0.0) * TO_BN
    surplus = price * np.maximum(free - covered, 0.0) * TO_BN
    return compliance, surplus, covered, free
