"""Levers: each function is named after the lever it applies, and works on arrays (draw x year).

Shares that act "beyond 2020" use their increment over the base year, so the base year always
reproduces the data whatever a scenario sets for 2020 (the base year is history, not a choice).
All arrays broadcast: shape (n, T) or (1, T), with column 0 the base year.
"""

from __future__ import annotations

import numpy as np

from model.inputs.trajectory import BASE_YEAR

MWH_PER_TCE = 29.3076 / 3.6  # 8.141 MWh of heat per tonne of coal equivalent


def increment(share: np.ndarray) -> np.ndarray:
    """Share beyond its base-year value, clipped to [0, 1]."""
    return np.clip(share - share[:, :1], 0.0, 1.0)


def apply_capacity_cap(demand: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Output = min(demand, cap) after the base year; the base year keeps its recorded output."""
    capped = np.minimum(demand, cap)
    capped[:, 0] = np.broadcast_to(demand, capped.shape)[:, 0]
    return capped


def efficiency_index(rate: np.ndarray) -> np.ndarray:
    """Energy per unit relative to 2020: prod over years since 2020 of (1 - rate)."""
    factors = np.where(np.arange(rate.shape[1]) > 0, 1.0 - rate, 1.0)
    return np.cumprod(factors, axis=1)


def apply_coal_to_gas(coal: np.ndarray, gas: np.ndarray, share: np.ndarray):
    """Move a share of coal to gas at equal useful energy (tce for tce: a stated simplification)."""
    moved = increment(share) * coal
    return coal - moved, gas + moved


def apply_heat_electrification(
    fossil: dict[str, np.ndarray],
    heat_share: np.ndarray,
    electrified_share: np.ndarray,
    heat_pump_share: np.ndarray,
    heat_pump_cop: np.ndarray,
    eboiler_efficiency: np.ndarray,
    fossil_boiler_efficiency: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Replace fossil heat below 1000 °C by heat pumps and electric boilers.

    Returns the reduced fossil fuels (Mtce) and the electricity added (TWh): useful heat kept
    equal, electricity = useful heat / (hp_share * COP + (1 - hp_share) * boiler efficiency).
    """
    moved_fraction = heat_share * increment(electrified_share)
    useful_tce = sum(fuel * moved_fraction for fuel in fossil.values()) * fossil_boiler_efficiency
    electric_efficiency = (
        heat_pump_share * heat_pump_cop + (1 - heat_pump_share) * eboiler_efficiency
    )
    electricity_twh = useful_tce * MWH_PER_TCE / electric_efficiency
    return {c: fuel * (1 - moved_fraction) for c, fuel in fossil.items()}, electricity_twh


def apply_electric_melting(
    fuel: dict[str, np.ndarray], electric_share: np.ndarray, electricity_per_fuel: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Glass: an electric-melting share replaces furnace fuel; MWh of electricity per MWh fuel."""
    inc = increment(electric_share)
    replaced_tce = sum(f * inc for f in fuel.values())
    return {
        c: f * (1 - inc) for c, f in fuel.items()
    }, replaced_tce * MWH_PER_TCE * electricity_per_fuel


def hydrogen_supply_co2(
    hydrogen_mt: np.ndarray,
    green_share: np.ndarray,
    grey_factor: np.ndarray,
    green_factor: np.ndarray,
) -> np.ndarray:
    """CO2 of producing the hydrogen used (Mt), counted as the user's process CO2."""
    return hydrogen_mt * ((1 - green_share) * grey_factor + green_share * green_factor)


def ccus_coverage(
    start_year: np.ndarray, ramp_years: np.ndarray, max_coverage: np.ndarray, n_years: int
) -> np.ndarray:
    """Share of eligible CO2 sent to capture: a linear ramp from the start year to full cover."""
    years = BASE_YEAR + np.arange(n_years)
    progress = (years - np.round(start_year) + 1) / np.maximum(ramp_years, 1.0)
    return max_coverage * np.clip(progress, 0.0, 1.0)


def apply_ccus(
    eligible_co2: np.ndarray, coverage: np.ndarray, capture_rate: np.ndarray
) -> np.ndarray:
    """Captured CO2 (Mt, <= 0 by the IAMC sign convention)."""
    return -np.clip(coverage * capture_rate, 0.0, 1.0) * eligible_co2


def apply_onsite_renewables(electricity_twh: np.ndarray, onsite_share: np.ndarray) -> np.ndarray:
    """Electricity still drawn from the grid after on-site PV and green microgrids (TWh)."""
    return electricity_twh * (1 - onsite_share)


def apply_alternative_fuels(kiln_co2: np.ndarray, alternative_share: np.ndarray) -> np.ndarray:
    """Fossil CO2 of kiln fuel once refuse/biomass fuels replace part of it (relative to 2020)."""
    return kiln_co2 * (1 - alternative_share) / (1 - alternative_share[:, :1])


def apply_raw_material_substitution(
    clinker_mt: np.ndarray, process_factor: float, non_carbonate_share: np.ndarray
) -> np.ndarray:
    """Calcination CO2 (Mt): only CaO from carbonates releases CO2."""
    return clinker_mt * process_factor * (1 - non_carbonate_share)
