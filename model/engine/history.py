"""History years (2010-2019) of every result variable, from the data tables.

CEADs gives combustion CO2 by carrier and clinker process CO2; energy is recovered from it. The
model adds what CEADs leaves out (electricity and heat use, indirect CO2, and process CO2 outside
cement): those history values are modelled, backcast from 2020 in proportion to the sector's
CEADs combustion CO2, so that the series keeps one scope from 2010 to 2060.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from model.inputs.data import BASE_YEAR, CARRIERS, FOSSIL, BaseData

HISTORY_YEARS = np.arange(2010, BASE_YEAR)
PRODUCT_ITEMS = {
    "Crude Steel": ("steel", "output|crude_steel"),
    "Cement": ("building_materials", "output|cement"),
    "Clinker": ("building_materials", "output|clinker"),
    "Alumina": ("nonferrous", "output|alumina"),
    "Primary Aluminium": ("nonferrous", "output|primary_aluminium"),
}


def _series(data: BaseData, sector: str, item: str) -> np.ndarray:
    return data.history_array(sector, item)[None, : len(HISTORY_YEARS)]


def history_values(
    data: BaseData,
    projection: Mapping[str, np.ndarray],
    params: Mapping[str, np.ndarray],
    elec_tce_per_mwh: float,
) -> dict[str, np.ndarray]:
    """Variable -> (n or 1, 10) for 2010-2019; NaN where nothing is known."""
    grid = _series(data, "power", "grid_factor")
    out: dict[str, np.ndarray] = {}
    for s in data.sectors:
        name = data.sector_info.at[s, "iamc_name"]
        comb = sum(_series(data, s, f"co2_combustion|{c}") for c in FOSSIL)
        comb_2020 = sum(data.history_2020(s, f"co2_combustion|{c}") for c in FOSSIL)
        trend = comb / comb_2020 if comb_2020 > 0 else np.ones_like(comb)
        ceads_process = _series(data, s, "co2_process")
        modelled_extra = projection[f"Emissions|CO2|Industry|{name}|Process"][
            :, :1
        ] - data.history_2020(s, "co2_process")
        process = ceads_process + modelled_extra * trend
        # The backcast keeps each sector's modelled 2020 electricity and heat (reconciled to the
        # top-down total, and drawn): the history scales with it.
        elec = _series(data, s, "energy|Electricity") * (
            projection[f"Electricity Demand|Industry|{name}"][:, :1]
            / data.history_2020(s, "energy|Electricity")
        )
        heat = _series(data, s, "energy|Heat") * _ratio(
            projection[f"Final Energy|Industry|{name}|Heat"][:, :1],
            data.history_2020(s, "energy|Heat"),
        )
        ind_el = elec * grid * (1 - params[f"{s}.onsite_renewable_share"][:, :1])
        ind_heat = heat * params["grid.heat_emission_factor"][:, :1]
        mtce = {c: _series(data, s, f"energy|{c}") for c in FOSSIL}
        mtce["Heat"] = heat
        mtce["Electricity"] = elec * elec_tce_per_mwh
        mtce["Hydrogen"] = np.zeros_like(elec)
        direct = comb + process
        out.update(
            {
                f"Emissions|CO2|Industry|{name}": direct,
                f"Emissions|CO2|Industry|{name}|Combustion": comb,
                f"Emissions|CO2|Industry|{name}|Process": process,
                f"Emissions|CO2|Industry|{name}|Captured": np.zeros_like(comb),
                f"Emissions|CO2|Industry Indirect|{name}": ind_el + ind_heat,
                f"Emissions|CO2|Industry Indirect|{name}|Electricity": ind_el,
                f"Emissions|CO2|Industry Indirect|{name}|Heat": ind_heat,
                f"Emissions|CO2|Industry incl. Indirect|{name}": direct + ind_el + ind_heat,
                f"Final Energy|Industry|{name}": sum(mtce.values()),
                f"Electricity Demand|Industry|{name}": elec,
                f"Hydrogen Demand|Industry|{name}": np.zeros_like(elec),
                f"Value Added|Industry|{name}": np.full_like(elec, np.nan),
            }
        )
        out.update({f"Final Energy|Industry|{name}|{c}": mtce[c] for c in CARRIERS})
        out.update(
            {
                f"Emissions|CO2|Industry|{name}|Combustion|{c}": _series(
                    data, s, f"co2_combustion|{c}"
                )
                for c in FOSSIL
            }
        )
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
    for product, (sector, item) in PRODUCT_ITEMS.items():
        out[f"Production|{product}"] = _series(data, sector, item)
    _observed_production(data, out, projection)
    return out


def _ratio(a: np.ndarray, b: float) -> np.ndarray:
    return a / b if b else np.ones_like(a)


def _observed_production(
    data: BaseData, out: dict[str, np.ndarray], projection: Mapping[str, np.ndarray]
) -> None:
    """History years of observed series (observations.csv) replace history.csv's: a number a
    reader checks against a yearbook matches it."""
    for variable, (years, values) in data.observations.history_points.items():
        if not variable.startswith("Production|") or variable not in projection:
            continue
        keep = (years >= HISTORY_YEARS[0]) & (years < BASE_YEAR)
        if not keep.any():
            continue
        arr = out.get(variable)
        arr = np.full((1, len(HISTORY_YEARS)), np.nan) if arr is None else np.array(arr)
        arr[:, years[keep] - HISTORY_YEARS[0]] = values[keep]
        out[variable] = arr
