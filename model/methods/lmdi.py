"""Additive LMDI-I index decomposition (Ang 2004, 2005, 2015).

The aggregate is ``V = sum_i V_i`` with ``V_i = prod_k x_{k,i}`` over sub-categories ``i`` (for
example sector x carrier). The change ``V^T - V^0`` is split into one effect per factor ``k``::

    dV_k = sum_i L(V_i^T, V_i^0) * ln(x_{k,i}^T / x_{k,i}^0)
    L(a, b) = (a - b) / (ln a - ln b),  L(a, a) = a

and ``sum_k dV_k == V^T - V^0`` with no residual ("perfect decomposition").

Closure to float precision: mathematically ``ln(V_i^T/V_i^0) = sum_k ln(x_{k,i}^T/x_{k,i}^0)``.
We compute the weight ``L`` with that same sum of factor log-ratios, so the effects of a
sub-category add up to ``V_i^T - V_i^0`` up to one rounding, whatever the data.

Zeros (Ang & Liu 2007, "Handling zero values in the LMDI decomposition approach", Energy Policy
35:238-246; Wood & Lenzen 2006, Energy Policy 34:1326-1331) use the analytical limits of the
delta-substitution rule (replace 0 by delta, let delta -> 0):

* a sub-category that appears (``V_i^0 = 0 < V_i^T``): its whole ``V_i^T`` goes to the factor(s)
  that were zero at time 0 (split equally when several were, which is the limit with a common
  delta); every other factor gets 0 from that sub-category, since ``L(V^T, delta) -> 0``;
* one that disappears (``V_i^T = 0 < V_i^0``): ``-V_i^0`` to the factor(s) that became zero;
* zero at both ends: contributes nothing.

``zero_handling="delta"`` runs the literal substitution instead, so tests (and sceptical users)
can watch it converge slowly (~1/ln(1/delta)) to the limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

EFFECTS: tuple[str, ...] = (
    "activity",
    "structure",
    "intensity",
    "fuel_mix",
    "emission_factor",
    "process_ccus",
)

# Below this |ln(V^T/V^0)| the log mean is replaced by its Taylor form to avoid 0/0.
_SMALL_LOG = 1e-12


def log_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Logarithmic mean ``L(a, b) = (a - b) / (ln a - ln b)``, ``L(a, a) = a``, ``L(a, 0) = 0``.

    Vectorized over any broadcastable shapes; inputs must be non-negative.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    if np.any(a < 0) or np.any(b < 0):
        raise ValueError("log_mean: inputs must be non-negative")
    pos = (a > 0) & (b > 0)
    sa, sb = np.where(pos, a, 1.0), np.where(pos, b, 1.0)
    d = np.log(sa) - np.log(sb)
    near = np.abs(d) < _SMALL_LOG
    exact = (sa - sb) / np.where(near, 1.0, d)
    # Second-order expansion around a == b is exact to float precision there.
    taylor = np.sqrt(sa * sb) * (1.0 + d * d / 24.0)
    return np.where(pos, np.where(near, taylor, exact), 0.0)


def _stack_factors(
    factors_0: Mapping[str, np.ndarray], factors_T: Mapping[str, np.ndarray]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    if not factors_0:
        raise ValueError("lmdi: at least one factor is needed")
    if list(factors_0) != list(factors_T):
        raise ValueError(
            f"lmdi: factors_0 and factors_T must name the same factors in the same order, "
            f"got {list(factors_0)} and {list(factors_T)}"
        )
    names = list(factors_0)
    arrays = [np.asarray(factors_0[n], dtype=float) for n in names]
    arrays += [np.asarray(factors_T[n], dtype=float) for n in names]
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError as err:
        raise ValueError(f"lmdi: factor arrays do not broadcast together: {err}") from None
    x = np.stack(arrays)  # (2k, ..., m)
    if x.ndim < 2:
        x = x[..., None]  # scalars: one sub-category
    if not np.all(np.isfinite(x)):
        raise ValueError("lmdi: factors must be finite (no NaN or inf)")
    if np.any(x < 0):
        raise ValueError(
            "lmdi: factors must be non-negative; treat signed terms (e.g. capture) additively"
        )
    k = len(names)
    return names, x[:k], x[k:]


def _zero_share(zero: np.ndarray) -> np.ndarray:
    """Equal split of a sub-category's change among the factors that are zero (axis 0)."""
    count = zero.sum(axis=0, keepdims=True)
    return np.where(zero, 1.0 / np.maximum(count, 1), 0.0)


def lmdi_effects_array(
    x0: np.ndarray,
    xT: np.ndarray,
    zero_handling: Literal["limit", "delta"] = "limit",
    delta: float = 1e-20,
) -> np.ndarray:
    """Effects per factor and sub-category, shape ``(k, ..., m)`` for inputs ``(k, ..., m)``.

    Summing over the last axis gives the aggregate effects; summing over axis 0 gives
    ``V_i^T - V_i^0`` per sub-category.
    """
    if zero_handling == "delta":
        if not 0 < delta < 1e-6:
            raise ValueError(f"lmdi: delta must be in (0, 1e-6), got {delta}")
        x0, xT = np.where(x0 == 0, delta, x0), np.where(xT == 0, delta, xT)
    elif zero_handling != "limit":
        raise ValueError(f"lmdi: zero_handling must be 'limit' or 'delta', got {zero_handling!r}")
    v0, vT = np.prod(x0, axis=0), np.prod(xT, axis=0)
    z0, zT = x0 == 0, xT == 0
    pos = ~(z0.any(axis=0) | zT.any(axis=0))
    lr = np.log(np.where(pos, xT, 1.0)) - np.log(np.where(pos, x0, 1.0))  # (k, ..., m)
    s = lr.sum(axis=0)
    near = np.abs(s) < _SMALL_LOG
    # Weight = L(V^T, V^0) computed with the same log sum, so effects add to dV exactly.
    weight = np.where(
        near, np.sqrt(v0 * vT) * (1.0 + s * s / 24.0), (vT - v0) / np.where(near, 1, s)
    )
    both = weight * lr
    appear = (v0 == 0) & (vT > 0)
    vanish = (vT == 0) & (v0 > 0)
    eff = np.where(pos, both, 0.0)
    eff = eff + np.where(appear, vT * _zero_share(z0), 0.0)
    eff = eff - np.where(vanish, v0 * _zero_share(zT), 0.0)
    return eff


def _check_total(name: str, given: np.ndarray | float | None, computed: np.ndarray) -> None:
    if given is None:
        return
    given_arr = np.asarray(given, dtype=float)
    if not np.allclose(given_arr, computed, rtol=1e-6, atol=1e-9):
        raise ValueError(
            f"lmdi: {name} = {given_arr} does not equal sum_i prod_k x_k,i = {computed}; "
            "the factors do not reproduce the aggregate"
        )


def lmdi_additive(
    factors_0: Mapping[str, np.ndarray],
    factors_T: Mapping[str, np.ndarray],
    total_0: np.ndarray | float | None = None,
    total_T: np.ndarray | float | None = None,
    zero_handling: Literal["limit", "delta"] = "limit",
    delta: float = 1e-20,
) -> pd.Series | pd.DataFrame | dict[str, np.ndarray]:
    """Additive LMDI-I decomposition of ``V = sum_i prod_k x_{k,i}`` between periods 0 and T.

    Parameters
    ----------
    factors_0, factors_T:
        ``{factor name: array}``; arrays broadcast together, the LAST axis runs over
        sub-categories ``i`` (e.g. sector x carrier flattened). Extra leading axes (e.g. draws)
        are decomposed independently, all at once. Values must be finite and >= 0.
    total_0, total_T:
        Optional observed aggregates; if given they must equal ``sum_i prod_k x_{k,i}`` (rtol
        1e-6), which catches factor sets that do not multiply back to the data.
    zero_handling:
        ``"limit"`` (default, analytical limits of Ang & Liu 2007) or ``"delta"`` (substitute
        ``delta`` for zeros; converges to the limits as ``delta -> 0``).

    Returns
    -------
    ``pd.Series`` indexed by factor for 1-D inputs; ``pd.DataFrame`` (rows = leading axis,
    columns = factors) for 2-D inputs; ``{factor: array}`` for more dimensions. In every case
    the effects sum to ``V^T - V^0`` to float precision.
    """
    names, x0, xT = _stack_factors(factors_0, factors_T)
    _check_total("total_0", total_0, np.prod(x0, axis=0).sum(axis=-1))
    _check_total("total_T", total_T, np.prod(xT, axis=0).sum(axis=-1))
    eff = lmdi_effects_array(x0, xT, zero_handling=zero_handling, delta=delta).sum(axis=-1)
    if eff.ndim == 1:
        return pd.Series(eff, index=pd.Index(names, name="factor"), name="effect")
    if eff.ndim == 2:
        return pd.DataFrame(eff.T, columns=pd.Index(names, name="factor"))
    return {n: eff[j] for j, n in enumerate(names)}


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num/den with 0 where den == 0 (filled from the other period by the caller)."""
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den != 0)


def _fill_pair(r0: np.ndarray, rT: np.ndarray, d0: np.ndarray, dT: np.ndarray):
    """Ratios undefined in one period (zero denominator) borrow the other period's value.

    That way a carrier or sector that appears is attributed to its share factor (fuel mix or
    structure), not split with an undefined intensity or emission factor.
    """
    f0 = np.where(d0 != 0, r0, np.where(dT != 0, rT, 1.0))
    fT = np.where(dT != 0, rT, np.where(d0 != 0, r0, 1.0))
    return f0, fT


def decompose_emissions(
    frame: pd.DataFrame,
    year_0: int,
    year_T: int,
    *,
    year: str = "year",
    sector: str = "sector",
    carrier: str = "carrier",
) -> pd.Series:
    """Decompose the change in direct industrial CO2 between two years into six effects.

    The sum over rows of :func:`decompose_emissions_rows`; see there for the identity.
    Returns a Series indexed by ``EFFECTS`` with attributes ``total_0`` and ``total_T``.
    """
    rows = decompose_emissions_rows(
        frame, year_0, year_T, year=year, sector=sector, carrier=carrier
    )
    totals = rows.sum()
    out = totals[list(EFFECTS)].astype(float)
    out.index = pd.Index(EFFECTS, name="effect")
    out.name = "effect"
    out.attrs["total_0"] = float(totals["total_0"])
    out.attrs["total_T"] = float(totals["total_T"])
    return out


def decompose_emissions_rows(
    frame: pd.DataFrame,
    year_0: int,
    year_T: int,
    *,
    year: str = "year",
    sector: str = "sector",
    carrier: str = "carrier",
) -> pd.DataFrame:
    """The six effects of each (sector, carrier) row; they add up to the aggregate ones.

    Identity, per sector ``s`` and carrier ``c`` (Q = total value added)::

        C = sum_{s,c} Q * (Q_s/Q) * (E_s/Q_s) * (E_sc/E_s) * (C_sc/E_sc)  +  P
            activity   structure   intensity   fuel_mix     emission_factor  process_ccus

    where ``E`` is final energy, ``C_sc`` combustion CO2 and ``P = process + captured`` (captured
    is <= 0, the IAMC sign convention). The five multiplicative factors are split by additive
    LMDI-I; ``P`` enters additively, so its effect is just its change. The six effects add up to
    ``C^T - C^0`` to float precision.

    ``frame`` is tidy, one row per (year, sector, carrier) with columns ``value_added`` (sector
    total, repeated on each carrier row of the sector), ``energy``, ``co2`` and optionally
    ``process`` and ``captured`` (additive, so any split across a sector's rows is fine).
    Carriers with zero energy (electricity's direct CO2 is zero too) and sectors or carriers
    that appear or disappear are handled by the zero rules of :func:`lmdi_additive`.

    Returns a frame indexed by (sector, carrier) with one column per effect in ``EFFECTS``
    (activity, structure, intensity, fuel_mix, emission_factor, process_ccus) plus ``total_0``
    and ``total_T`` (the row's CO2 in each year). LMDI-I is consistent in aggregation: summing
    rows gives the aggregate decomposition, and a sector's rows its exact contribution.
    """
    required = [year, sector, carrier, "value_added", "energy", "co2"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"decompose_emissions: missing columns {missing}")
    df = frame.copy()
    for col in ("process", "captured"):
        if col not in df.columns:
            df[col] = 0.0
    numeric = ["value_added", "energy", "co2", "process", "captured"]
    if df[numeric].isna().to_numpy().any():
        raise ValueError("decompose_emissions: NaN in value_added/energy/co2/process/captured")
    if (df[["value_added", "energy", "co2", "process"]] < 0).to_numpy().any():
        raise ValueError("decompose_emissions: value_added, energy, co2, process must be >= 0")
    if (df["captured"] > 0).any():
        raise ValueError("decompose_emissions: captured must be <= 0 (IAMC sign convention)")
    years = set(df[year].unique())
    for y in (year_0, year_T):
        if y not in years:
            raise ValueError(f"decompose_emissions: year {y} not in frame (has {sorted(years)})")
    df = df[df[year].isin([year_0, year_T])]
    if df.duplicated([year, sector, carrier]).any():
        raise ValueError("decompose_emissions: duplicate (year, sector, carrier) rows")
    va_spread = df.groupby([year, sector])["value_added"].agg(lambda s: s.max() - s.min())
    if (va_spread > 1e-9 * df["value_added"].abs().max()).any():
        raise ValueError(
            "decompose_emissions: value_added must be the same on every carrier row of a sector"
        )

    # Align both years on the union of (sector, carrier) so appearing rows get zeros.
    wide = df.pivot_table(
        index=[sector, carrier],
        columns=year,
        values=["energy", "co2", "process", "captured"],
        aggfunc="sum",
        fill_value=0.0,
    )
    va = df.groupby([year, sector])["value_added"].first().unstack(year).fillna(0.0)
    sectors = wide.index.get_level_values(0)
    va0 = va[year_0].reindex(sectors).fillna(0.0).to_numpy()
    vaT = va[year_T].reindex(sectors).fillna(0.0).to_numpy()
    e0, eT = wide["energy"][year_0].to_numpy(), wide["energy"][year_T].to_numpy()
    c0, cT = wide["co2"][year_0].to_numpy(), wide["co2"][year_T].to_numpy()
    es0 = pd.Series(e0).groupby(np.asarray(sectors)).transform("sum").to_numpy()
    esT = pd.Series(eT).groupby(np.asarray(sectors)).transform("sum").to_numpy()
    if np.any(((e0 > 0) & (va0 == 0)) | ((eT > 0) & (vaT == 0))):
        raise ValueError("decompose_emissions: energy > 0 in a sector with zero value_added")
    q0, qT = va[year_0].sum(), va[year_T].sum()
    if q0 <= 0 or qT <= 0:
        raise ValueError("decompose_emissions: total value added must be positive in both years")

    s0, sT = va0 / q0, vaT / qT
    i0, iT = _fill_pair(_ratio(es0, va0), _ratio(esT, vaT), va0, vaT)
    m0, mT = _fill_pair(_ratio(e0, es0), _ratio(eT, esT), es0, esT)
    f0, fT = _fill_pair(_ratio(c0, e0), _ratio(cT, eT), e0, eT)
    names = EFFECTS[:5]
    x0 = dict(zip(names, (np.full_like(s0, q0), s0, i0, m0, f0), strict=True))
    xT = dict(zip(names, (np.full_like(sT, qT), sT, iT, mT, fT), strict=True))
    # Combustion CO2 that the factors must reproduce (rows with C > 0 need E > 0).
    if np.any((c0 > 0) & (e0 == 0)) or np.any((cT > 0) & (eT == 0)):
        raise ValueError("decompose_emissions: co2 > 0 on a row with zero energy")
    _, f_0, f_T = _stack_factors(x0, xT)
    _check_total("total_0", c0.sum(), np.prod(f_0, axis=0).sum(axis=-1))
    _check_total("total_T", cT.sum(), np.prod(f_T, axis=0).sum(axis=-1))
    per_row = lmdi_effects_array(f_0, f_T)  # (5 factors, rows)
    p0 = (wide["process"][year_0] + wide["captured"][year_0]).to_numpy()
    pT = (wide["process"][year_T] + wide["captured"][year_T]).to_numpy()
    rows = pd.DataFrame(
        np.vstack([per_row, pT - p0]).T, index=wide.index, columns=pd.Index(EFFECTS, name="effect")
    )
    rows["total_0"] = c0 + p0
    rows["total_T"] = cT + pT
    return rows
