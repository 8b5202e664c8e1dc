"""Cost data as data: technology costs and prices, in constant 2020 CNY, checked at load.

Two tables under assumptions/data/ (model.inputs.data loads them with the others, cached by
content hash):

- ``costs.csv``: one row per technology x parameter (``technology, parameter, value, low, high,
  unit, money_year, currency, region, kind, source``), as published: the money of its year and
  currency, the unit the source writes. :data:`TECHNOLOGIES` declares every technology the
  levers deploy, its parameters and their dimension; every declared row is required.
- ``money.csv``: CNY of 2020 per unit of a currency of a year (``currency, year, value, low,
  high, kind, source``). CNY rows of ``kind = derived`` with no value are Shandong's GDP
  deflator, derived here from observations.csv (nominal ``gdp`` over real ``gdp_real_growth``
  compounded from 2020); foreign currencies are brought to 2020 in their own prices, then
  converted at the 2020 exchange rate (the rows say how).

At load every number becomes its model unit (:data:`DIMENSIONS`: CNY2020 per t/yr, per kW,
per tce, per MWh...; shares; years; hours). The Monte Carlo draws each row's low/high as a
relative factor (model.engine.runner: inputs ``cost.<technology>.<parameter>``), except
lifetimes (the vintage stock needs one whole number of years) and annual capex changes (a
rate, not a level): their ranges are documented only. The money table's ranges are
documentation too.

Bad input is reported as ``data/costs.csv: key: value: what is allowed``, every problem at
once: unknown technology or parameter, a lifetime <= 0, a missing money year, an unknown
currency, a money year the money table does not convert, an unknown unit, a missing row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import AssumptionError, Problem
from model.inputs.observations import Observations
from model.inputs.tables import read_csv

MONEY_BASE = ("CNY", 2020)
COST_FILE = "costs.csv"
MONEY_FILE = "money.csv"
COST_COLUMNS = (
    "technology",
    "parameter",
    "value",
    "low",
    "high",
    "unit",
    "money_year",
    "currency",
    "region",
    "kind",
    "source",
)
MONEY_COLUMNS = ("currency", "year", "value", "low", "high", "kind", "source")
KINDS = ("quoted", "derived", "assumption")

GJ_PER_TCE = 29.3076  # GB/T 2589-2020: 1 kgce = 29.3076 MJ
TCE_PER_T_COKE = 0.9714  # GB/T 2589-2020 reference coefficient for coke
TCE_PER_T_CRUDE = 1.4286  # GB/T 2589-2020 reference coefficient for crude oil
TCE_PER_M3_GAS = 1.2143e-3  # GB/T 2589-2020 reference coefficient for natural gas (per m3)
BBL_PER_T_CRUDE = 7.33  # assumption: a typical crude (the range of crudes is 7.0-7.6 bbl/t)
M3_PER_T_GAS = 1380.0  # assumption: LNG regasified, 1 t = 1360-1400 m3
TCE_PER_T_COAL_5500 = 5500 / 7000  # 5500 kcal/kg against 7000 kcal/kg for standard coal

# Dimension -> (model unit, {unit as written: factor to the model unit}). Money dimensions
# (those in MONEY_DIMENSIONS) are converted to 2020 CNY as well.
DIMENSIONS: dict[str, tuple[str, dict[str, float]]] = {
    "capex_t": ("CNY2020 per t/yr", {"per t/yr": 1.0}),
    "opex_t": ("CNY2020 per t/yr per yr", {"per t/yr per yr": 1.0}),
    "capex_tco2": ("CNY2020 per tCO2/yr", {"per tCO2/yr": 1.0, "per tCO2/h": 1 / 8760}),
    "capex_kw": ("CNY2020 per kW", {"per kW": 1.0, "per MW": 1e-3}),
    "capex_tce": ("CNY2020 per tce/yr", {"per tce/yr": 1.0}),
    "per_t": ("CNY2020/t", {"per t": 1.0, "per kg": 1000.0}),
    "per_tco2": ("CNY2020/t CO2", {"per tCO2": 1.0}),
    "per_mwh": ("CNY2020/MWh", {"per MWh": 1.0, "per kWh": 1000.0}),
    "per_tce": ("CNY2020/tce", {"per tce": 1.0, "per GJ": GJ_PER_TCE}),
    "coal": (
        "CNY2020/tce",
        {
            "per tce": 1.0,
            "per GJ": GJ_PER_TCE,
            "per t coal (5500 kcal/kg)": 1 / TCE_PER_T_COAL_5500,
        },
    ),
    "coke": (
        "CNY2020/tce",
        {"per tce": 1.0, "per GJ": GJ_PER_TCE, "per t coke": 1 / TCE_PER_T_COKE},
    ),
    "oil": (
        "CNY2020/tce",
        {
            "per tce": 1.0,
            "per GJ": GJ_PER_TCE,
            "per t crude": 1 / TCE_PER_T_CRUDE,
            "per bbl crude": BBL_PER_T_CRUDE / TCE_PER_T_CRUDE,
        },
    ),
    "gas": (
        "CNY2020/tce",
        {
            "per tce": 1.0,
            "per GJ": GJ_PER_TCE,
            "per m3": 1 / TCE_PER_M3_GAS,
            "per t natural gas": 1 / (M3_PER_T_GAS * TCE_PER_M3_GAS),
        },
    ),
    "share_per_yr": ("share of capex per yr", {"share/yr": 1.0, "%/yr": 0.01}),
    "years": ("yr", {"yr": 1.0}),
    "share": ("share", {"share": 1.0}),
    "hours": ("h/yr", {"h/yr": 1.0}),
    "t_per_t": ("t/t", {"t/t": 1.0}),
    "mwh_per_t": ("MWh/t", {"MWh/t": 1.0, "kWh/kg": 1.0}),
    "rate": ("1/yr", {"1/yr": 1.0, "%/yr": 0.01}),
}
MONEY_DIMENSIONS = frozenset(
    {
        "capex_t",
        "opex_t",
        "capex_tco2",
        "capex_kw",
        "capex_tce",
        "per_t",
        "per_tco2",
        "per_mwh",
        "per_tce",
        "coal",
        "coke",
        "oil",
        "gas",
    }
)
# (lowest allowed, highest allowed, text) for the value and its range, in the model unit.
BOUNDS: dict[str, tuple[float, float, str]] = {
    "years": (1e-9, 200.0, "a number of years > 0"),
    "share": (1e-9, 1.0, "a share > 0 and <= 1"),
    "hours": (1.0, 8760.0, "hours per year between 1 and 8760"),
    "share_per_yr": (0.0, 1.0, "a share of capex per year between 0 and 1 (0-100 %/yr)"),
    "rate": (-0.2, 0.2, "an annual rate between -0.2 and 0.2"),
    "t_per_t": (0.0, 10.0, "tonnes per tonne between 0 and 10"),
    "mwh_per_t": (1e-9, 200.0, "MWh per t > 0"),
}
MONEY_BOUNDS = (0.0, float("inf"), "a cost or price >= 0")

_PRODUCT_PLANT = {
    "capex": "capex_t",
    "fixed_opex": "opex_t",
    "lifetime": "years",
    "utilisation": "share",
}
_CAPTURE = {
    "capex": "capex_tco2",
    "fixed_opex_share": "share_per_yr",
    "lifetime": "years",
    "utilisation": "share",
}
_HEAT = {
    "capex": "capex_kw",
    "fixed_opex_share": "share_per_yr",
    "variable_opex": "per_mwh",
    "lifetime": "years",
    "full_load_hours": "hours",
}
# Every technology the levers deploy, its parameters and their dimensions (all rows required).
TECHNOLOGIES: dict[str, dict[str, str]] = {
    "steel.bf_bof": {**_PRODUCT_PLANT, "iron_ore": "t_per_t", "scrap": "t_per_t"},
    "steel.scrap_eaf": {**_PRODUCT_PLANT, "scrap": "t_per_t"},
    "steel.h2_dri": {**_PRODUCT_PLANT, "iron_ore": "t_per_t"},
    "ccus.capture_steel": dict(_CAPTURE),
    "ccus.capture_cement": dict(_CAPTURE),
    "ccus.capture_chemicals": dict(_CAPTURE),
    "ccus.transport": {"variable_opex": "per_tco2"},
    "ccus.storage": {"variable_opex": "per_tco2"},
    "heat.heat_pump": dict(_HEAT),
    "heat.electric_boiler": dict(_HEAT),
    "heat.gas_boiler": {**_HEAT, "efficiency": "share"},
    "glass.electric_melting": {
        "capex": "capex_t",
        "fixed_opex_share": "share_per_yr",
        "lifetime": "years",
        "utilisation": "share",
    },
    "hydrogen.electrolyser": {
        "capex": "capex_kw",
        "fixed_opex_share": "share_per_yr",
        "lifetime": "years",
        "full_load_hours": "hours",
        "electricity_use": "mwh_per_t",
        "capex_change": "rate",
    },
    "power.onsite_pv": {
        "capex": "capex_kw",
        "fixed_opex_share": "share_per_yr",
        "lifetime": "years",
        "full_load_hours": "hours",
        "capex_change": "rate",
    },
    "efficiency.measures": {"capex": "capex_tce", "lifetime": "years"},
    "materials.clinker_substitution": {"variable_opex": "per_t"},
    "materials.non_carbonate": {"variable_opex": "per_t"},
    "materials.alternative_fuel": {
        "capex": "capex_tce",
        "lifetime": "years",
        "variable_opex": "per_tce",
    },
    "materials.recycled_aluminium": {
        "capex": "capex_t",
        "lifetime": "years",
        "utilisation": "share",
        "variable_opex": "per_t",
    },
    "price": {
        "coal": "coal",
        "coke": "coke",
        "oil": "oil",
        "gas": "gas",
        "electricity": "per_mwh",
        "heat": "per_tce",
        "hydrogen_grey": "per_t",
        "renewable_electricity": "per_mwh",
        "scrap": "per_t",
        "iron_ore": "per_t",
    },
}
# Parameters whose range is documented but never drawn (see the module docstring).
NOT_DRAWN = frozenset({"lifetime", "capex_change"})
# Labels for the briefing and the workbook.
TECHNOLOGY_LABELS: dict[str, dict[str, str]] = {
    "steel.bf_bof": {"zh": "高炉-转炉（大修改造）", "en": "BF-BOF (renewal)"},
    "steel.scrap_eaf": {"zh": "废钢-电炉短流程", "en": "Scrap-EAF"},
    "steel.h2_dri": {"zh": "氢基竖炉-电炉", "en": "H2-DRI-EAF"},
    "ccus.capture_steel": {"zh": "钢铁碳捕集", "en": "CO2 capture, steel"},
    "ccus.capture_cement": {"zh": "水泥窑碳捕集", "en": "CO2 capture, cement kilns"},
    "ccus.capture_chemicals": {"zh": "化工高浓度碳捕集", "en": "CO2 capture, high-purity streams"},
    "ccus.transport": {"zh": "CO2运输", "en": "CO2 transport"},
    "ccus.storage": {"zh": "CO2封存", "en": "CO2 storage"},
    "heat.heat_pump": {"zh": "工业热泵", "en": "Industrial heat pumps"},
    "heat.electric_boiler": {"zh": "电锅炉", "en": "Electric boilers"},
    "heat.gas_boiler": {"zh": "燃气锅炉（煤改气）", "en": "Gas boilers (coal-to-gas)"},
    "glass.electric_melting": {"zh": "玻璃电熔", "en": "Electric glass melting"},
    "hydrogen.electrolyser": {"zh": "电解水制氢", "en": "Electrolysers (green H2)"},
    "power.onsite_pv": {"zh": "厂区分布式光伏", "en": "On-site PV"},
    "efficiency.measures": {"zh": "节能改造", "en": "Efficiency retrofits"},
    "materials.clinker_substitution": {"zh": "熟料替代", "en": "Clinker substitution"},
    "materials.non_carbonate": {"zh": "非碳酸盐原料", "en": "Non-carbonate raw materials"},
    "materials.alternative_fuel": {"zh": "水泥窑替代燃料", "en": "Alternative kiln fuels"},
    "materials.recycled_aluminium": {"zh": "再生铝", "en": "Recycled aluminium"},
    "price": {"zh": "能源与原料价格", "en": "Energy and material prices"},
}


@dataclass(frozen=True)
class CostData:
    """The checked cost table and money table, numbers in model units (2020 CNY)."""

    table: pd.DataFrame  # costs.csv as written plus model_value, model_low, model_high, model_unit
    money: pd.DataFrame  # money.csv with the derived CNY factors filled in
    _values: dict[tuple[str, str], tuple[float, float, float]]

    def value(self, technology: str, parameter: str) -> float:
        """The central value in its model unit (KeyError for an undeclared key)."""
        return self._values[(technology, parameter)][1]

    def bounds(self, technology: str, parameter: str) -> tuple[float, float, float]:
        """(low, value, high) in the model unit; low = high = value without a range."""
        return self._values[(technology, parameter)]

    def entries(self) -> list[tuple[str, str]]:
        return sorted(self._values)

    def drawn(self, technology: str, parameter: str) -> bool:
        """Whether the Monte Carlo draws this row (a range, a positive value, not a lifetime)."""
        low, value, high = self._values[(technology, parameter)]
        return parameter not in NOT_DRAWN and value > 0 and low < high


def engine_key(technology: str, parameter: str) -> str:
    """The engine input of a cost row: ``cost.<technology>.<parameter>``."""
    return f"cost.{technology}.{parameter}"


def shandong_deflator(obs: Observations) -> pd.Series:
    """Year -> Shandong's GDP deflator relative to 2020 (nominal GDP over real GDP at 2020
    prices, the real path compounded from the observed real growth rates)."""
    gdp = obs.values("gdp")
    growth = obs.values("gdp_real_growth") / 100.0
    if 2020 not in gdp.index:
        return pd.Series(dtype=float)
    out = {}
    for year in sorted(gdp.index):
        span = range(2021, year + 1) if year > 2020 else range(year + 1, 2021)
        if any(y not in growth.index for y in span):
            continue
        real = float(np.prod([1 + growth[y] for y in span])) if span else 1.0
        real = real if year >= 2020 else 1 / real
        out[int(year)] = float(gdp[year] / gdp[2020]) / real
    return pd.Series(out, dtype=float)


def load_costs(data_dir: Path, obs: Observations) -> CostData:
    """Read, check and convert costs.csv and money.csv (AssumptionError with every problem)."""
    problems: list[Problem] = []
    money = _read(data_dir / MONEY_FILE, MONEY_COLUMNS, problems)
    costs = _read(data_dir / COST_FILE, COST_COLUMNS, problems)
    if problems:
        raise AssumptionError(problems)
    money = _money_table(money, obs, problems)
    factors = {
        (c, int(y)): float(v)
        for c, y, v in zip(money["currency"], money["year"], money["value"], strict=True)
        if pd.notna(v)
    }
    values: dict[tuple[str, str], tuple[float, float, float]] = {}
    converted = []
    seen: set[tuple[str, str]] = set()
    for i, row in costs.iterrows():
        out = _cost_row(i, row, factors, seen, problems)
        if out is not None:
            key, triple, unit = out
            values[key] = triple
            converted.append((i, *triple, unit))
    for tech, params in TECHNOLOGIES.items():
        for param in params:
            if (tech, param) not in seen:
                problems.append(
                    Problem(
                        f"data/{COST_FILE}",
                        f"{tech}.{param}",
                        None,
                        "a row is required (the cost accounting reads it)",
                    )
                )
    if problems:
        raise AssumptionError(problems)
    extra = pd.DataFrame(
        converted, columns=["_i", "model_low", "model_value", "model_high", "model_unit"]
    ).set_index("_i")
    table = costs.join(extra)
    return CostData(table=table.reset_index(drop=True), money=money, _values=values)


def _read(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame:
    df = read_csv(path, columns, problems)
    if df is None:
        return pd.DataFrame(columns=list(columns))
    return df.apply(lambda col: col.str.strip())


def _number(text: str) -> float | None:
    """A number, NaN for an empty cell, None when the text is not a number."""
    if text == "":
        return float("nan")
    try:
        return float(text)
    except ValueError:
        return None


def _money_table(df: pd.DataFrame, obs: Observations, problems: list[Problem]) -> pd.DataFrame:
    name = f"data/{MONEY_FILE}"
    deflator = shandong_deflator(obs)
    rows = []
    seen: set[tuple[str, int]] = set()
    for i, row in df.iterrows():
        where = f"row {i + 2}"
        currency = row["currency"]
        if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
            problems.append(
                Problem(name, f"{where}.currency", currency, "a currency code, e.g. CNY")
            )
            continue
        year = _number(row["year"])
        if year is None or not np.isfinite(year) or year != int(year):
            problems.append(Problem(name, f"{currency}.{where}.year", row["year"], "a year"))
            continue
        key = f"{currency}.{int(year)}"
        if (currency, int(year)) in seen:
            problems.append(Problem(name, key, row["year"], "one row per currency and year"))
            continue
        seen.add((currency, int(year)))
        if not row["source"]:
            problems.append(Problem(name, f"{key}.source", "", "a non-empty source"))
        if row["kind"] not in KINDS:
            problems.append(Problem(name, f"{key}.kind", row["kind"], f"one of {list(KINDS)}"))
        value, low, high = (_number(row[c]) for c in ("value", "low", "high"))
        if any(v is None for v in (value, low, high)):
            problems.append(
                Problem(
                    name,
                    key,
                    f"{row['value']}/{row['low']}/{row['high']}",
                    "value, low and high are numbers (low/high may be empty)",
                )
            )
            continue
        if np.isnan(value):
            if currency == MONEY_BASE[0] and row["kind"] == "derived":
                d = deflator.get(int(year))
                if d is None or not d > 0:
                    problems.append(
                        Problem(
                            name,
                            f"{key}.value",
                            "",
                            "a number, or observations.csv gdp and gdp_real_growth for the "
                            "year to derive the Shandong GDP deflator from",
                        )
                    )
                    continue
                value = 1.0 / d
            else:
                problems.append(
                    Problem(name, f"{key}.value", "", "a number > 0 (CNY of 2020 per unit)")
                )
                continue
        if not value > 0:
            problems.append(Problem(name, f"{key}.value", value, "a number > 0"))
            continue
        if (currency, int(year)) == MONEY_BASE and value != 1.0:
            problems.append(Problem(name, f"{key}.value", value, "1 (the model's money)"))
        problems += _range_problems(name, key, low, value, high)
        rows.append(
            {
                "currency": currency,
                "year": int(year),
                "value": value,
                "low": low,
                "high": high,
                "kind": row["kind"],
                "source": row["source"],
            }
        )
    if MONEY_BASE not in seen:
        problems.append(Problem(name, "CNY.2020", None, "a row with value 1 is required"))
    return pd.DataFrame(rows, columns=list(MONEY_COLUMNS))


def _range_problems(name: str, key: str, low: float, value: float, high: float) -> list[Problem]:
    if np.isnan(low) != np.isnan(high):
        return [Problem(name, f"{key}.low/high", f"{low}/{high}", "both or neither")]
    if not np.isnan(low) and not low <= value <= high:
        return [Problem(name, f"{key}.value", value, f"within its range {low:g}-{high:g}")]
    return []


def _cost_row(
    i: int,
    row: pd.Series,
    factors: dict[tuple[str, int], float],
    seen: set[tuple[str, str]],
    problems: list[Problem],
) -> tuple[tuple[str, str], tuple[float, float, float], str] | None:
    name = f"data/{COST_FILE}"
    tech, param = row["technology"], row["parameter"]
    if tech not in TECHNOLOGIES:
        problems.append(
            Problem(name, f"row {i + 2}.technology", tech, f"one of {', '.join(TECHNOLOGIES)}")
        )
        return None
    if param not in TECHNOLOGIES[tech]:
        allowed = ", ".join(TECHNOLOGIES[tech])
        problems.append(Problem(name, f"{tech}.parameter", param, f"one of {allowed}"))
        return None
    key = f"{tech}.{param}"
    if (tech, param) in seen:
        problems.append(Problem(name, key, row["value"], "one row per technology and parameter"))
        return None
    seen.add((tech, param))
    before = len(problems)
    if not row["source"]:
        problems.append(Problem(name, f"{key}.source", "", "a non-empty source"))
    if row["kind"] not in KINDS:
        problems.append(Problem(name, f"{key}.kind", row["kind"], f"one of {list(KINDS)}"))
    dimension = TECHNOLOGIES[tech][param]
    model_unit, units = DIMENSIONS[dimension]
    if row["unit"] not in units:
        problems.append(Problem(name, f"{key}.unit", row["unit"], f"one of: {'; '.join(units)}"))
    numbers = [_number(row[c]) for c in ("value", "low", "high")]
    for col, number in zip(("value", "low", "high"), numbers, strict=True):
        if number is None:
            problems.append(Problem(name, f"{key}.{col}", row[col], "a number"))
    if any(n is None for n in numbers):
        return None
    value, low, high = numbers
    if np.isnan(value):
        problems.append(Problem(name, f"{key}.value", "", "a number"))
        return None
    factor = 1.0
    if dimension in MONEY_DIMENSIONS:
        factor = _money_factor(name, key, row, factors, problems)
    elif row["money_year"] or row["currency"]:
        problems.append(
            Problem(
                name,
                f"{key}.currency",
                f"{row['currency']} {row['money_year']}".strip(),
                f"empty: a {dimension} parameter carries no money",
            )
        )
    problems += _range_problems(name, key, low, value, high)
    if len(problems) > before:
        return None
    scale = factor * units[row["unit"]]
    written = {"value": value, "low": low, "high": high}
    model = {col: float(number * scale) for col, number in written.items()}
    lo, hi, text = BOUNDS.get(dimension, MONEY_BOUNDS)
    for col, number in model.items():
        if np.isfinite(number) and not lo <= number <= hi:
            where = key if col == "value" else f"{key}.{col}"
            problems.append(Problem(name, where, row[col], text))
            return None
    central = model["value"]
    if np.isnan(model["low"]):
        return (tech, param), (central, central, central), model_unit
    return (tech, param), (model["low"], central, model["high"]), model_unit


def _money_factor(
    name: str,
    key: str,
    row: pd.Series,
    factors: dict[tuple[str, int], float],
    problems: list[Problem],
) -> float:
    """CNY of 2020 per unit of the row's money (1.0 after reporting a problem)."""
    currency, year_text = row["currency"], row["money_year"]
    currencies = sorted({c for c, _ in factors})
    if not year_text:
        problems.append(
            Problem(
                name,
                f"{key}.money_year",
                "",
                "the year the money is of (a year money.csv converts; 'not stated' in the "
                "source: choose one and say so in the source)",
            )
        )
    if currency not in currencies:
        problems.append(
            Problem(name, f"{key}.currency", currency, f"one of {', '.join(currencies)}")
        )
    if not year_text or currency not in currencies:
        return 1.0
    year = _number(year_text)
    years = sorted(y for c, y in factors if c == currency)
    if year is None or not np.isfinite(year) or (currency, int(year)) not in factors:
        problems.append(
            Problem(
                name,
                f"{key}.money_year",
                year_text,
                f"a year money.csv converts for {currency}: {', '.join(map(str, years))}",
            )
        )
        return 1.0
    return factors[(currency, int(year))]
