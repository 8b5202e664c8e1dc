"""Laws of the engine (issue 4): identities, non-negativity, monotonicity, reproducibility.

Property tests draw lever settings with hypothesis and push them through the vectorized engine;
the identities must hold to float precision, the monotonicity without exception.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.engine.runner import evaluate_params, run, scenario_params
from model.inputs.data import load_data
from model.inputs.scenario import load_scenario

SECTORS = [
    "Steel",
    "Nonferrous Metals",
    "Building Materials",
    "Petrochemicals and Chemicals",
    "Consumer Goods",
    "Equipment Manufacturing",
    "Electronics",
    "Other Industry",
]
CARRIERS = ["Coal", "Coke", "Oil", "Gas", "Electricity", "Heat", "Hydrogen"]
PLAN = load_scenario("plan")
BASELINE = load_scenario("baseline")
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROJ = slice(10, None)  # 2020-2060


def with_rows(scenario, changes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Central params with some keys replaced by (n, 51) rows."""
    params = scenario_params(scenario)
    params.update(changes)
    return params


def ramp(values: list[float]) -> np.ndarray:
    """(n, 51) rows: each value phased in linearly from 2020 to 2030, constant after."""
    w = np.clip((np.arange(2010, 2061) - 2020) / 10, 0, 1)
    return np.array(values)[:, None] * w[None, :]


# ---- identities -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["baseline", "plan", "accelerated", "ccus", "hydrogen"])
def test_hierarchy_adds_up_exactly(name):
    r = run(name)
    for total in (
        "Emissions|CO2|Industry",
        "Emissions|CO2|Industry Indirect",
        "Emissions|CO2|Industry incl. Indirect",
        "Final Energy|Industry",
    ):
        parts = sum(r.get(f"{total}|{s}") for s in SECTORS)
        np.testing.assert_allclose(r.get(total), parts, rtol=1e-12, atol=1e-9)
    for s in SECTORS:
        e = f"Emissions|CO2|Industry|{s}"
        parts = sum(r.get(f"{e}|{k}") for k in ("Combustion", "Process", "Captured"))
        np.testing.assert_allclose(r.get(e), parts, rtol=1e-12, atol=1e-9)
        fuels = sum(r.get(f"{e}|Combustion|{c}") for c in ("Coal", "Coke", "Oil", "Gas"))
        np.testing.assert_allclose(r.get(f"{e}|Combustion"), fuels, rtol=1e-12, atol=1e-9)
        fe = f"Final Energy|Industry|{s}"
        np.testing.assert_allclose(
            r.get(fe), sum(r.get(f"{fe}|{c}") for c in CARRIERS), rtol=1e-12, atol=1e-9
        )
        assert np.all(r.get(f"{e}|Captured")[:, 10:] <= 0)


def test_steel_routes_add_up_to_crude_steel():
    r = run("accelerated")
    routes = sum(
        r.get(f"Production|Crude Steel|{k}") for k in ("BF-BOF", "Scrap-EAF", "H2-DRI-EAF")
    )
    np.testing.assert_allclose(routes[:, 10:], r.get("Production|Crude Steel")[:, 10:], rtol=1e-12)


# ---- properties over random lever settings --------------------------------------------------


shares = st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3)


@FAST
@given(eaf=shares, h2=shares, elec=shares, cov=shares)
def test_activity_and_energy_never_negative(eaf, h2, elec, cov):
    eaf_rows = ramp(eaf) * 0.6
    h2_rows = ramp(h2) * 0.4  # eaf + h2 <= 1
    params = with_rows(
        PLAN,
        {
            "steel.eaf_share": np.maximum(eaf_rows, PLAN.values["steel.eaf_share"][None, :] * 0),
            "steel.h2_dri_share": h2_rows,
            "chemicals.electrified_heat_share": ramp(elec),
            "steel.ccus_max_coverage": np.array(cov)[:, None] * np.ones((1, 51)),
        },
    )
    r = evaluate_params(params, PLAN)
    for v in r.variables:
        if v.startswith(("Production|", "Final Energy|", "Electricity Demand|", "Value Added|")):
            vals = r.get(v)[:, PROJ]
            assert np.all(vals >= -1e-9), v


@FAST
@given(coverage=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=6))
def test_more_capture_never_raises_direct_emissions(coverage):
    cov = np.sort(np.array(coverage))
    rows = cov[:, None] * np.ones((1, 51))
    params = with_rows(
        PLAN,
        {f"{s}.ccus_max_coverage": rows for s in ("steel", "building_materials", "chemicals")},
    )
    direct = evaluate_params(params, PLAN).get("Emissions|CO2|Industry")[:, PROJ]
    assert np.all(np.diff(direct, axis=0) <= 1e-9)


@FAST
@given(rates=st.lists(st.floats(0.0, 0.06), min_size=2, max_size=6))
def test_more_efficiency_never_raises_direct_emissions(rates):
    r = np.sort(np.array(rates))[:, None] * np.ones((1, 51))
    keys = [k for k in PLAN.values if k.endswith(".efficiency_rate")]
    direct = evaluate_params(with_rows(PLAN, dict.fromkeys(keys, r)), PLAN).get(
        "Emissions|CO2|Industry"
    )[:, PROJ]
    assert np.all(np.diff(direct, axis=0) <= 1e-9)


@FAST
@given(green=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=6))
def test_more_green_hydrogen_never_raises_direct_emissions(green):
    g = np.sort(np.array(green))[:, None] * np.ones((1, 51))
    scenario = load_scenario("hydrogen")
    direct = evaluate_params(with_rows(scenario, {"hydrogen.green_share": g}), scenario).get(
        "Emissions|CO2|Industry"
    )[:, PROJ]
    assert np.all(np.diff(direct, axis=0) <= 1e-9)


def test_electrification_lowers_direct_but_raises_electricity():
    a, b = run("baseline"), run("electrification")
    assert np.all(
        b.get("Emissions|CO2|Industry")[0, 11:] <= a.get("Emissions|CO2|Industry")[0, 11:]
    )
    assert np.all(
        b.get("Electricity Demand|Industry")[0, 11:] >= a.get("Electricity Demand|Industry")[0, 11:]
    )


def test_every_lever_at_baseline_values_equals_baseline(assumptions_copy):
    """A scenario that spells out baseline's values for every lever reproduces it exactly."""
    import yaml

    from model.inputs.schema import LEVER_FAMILIES, load_schema

    data = load_data(assumptions_copy)
    schema = load_schema(assumptions_copy / "parameters.yaml", data.sectors)
    body: dict = {"description": {"zh": "全部基准", "en": "all at baseline"}, "extends": "plan"}
    for key, decl in schema.parameters.items():
        if decl.family in LEVER_FAMILIES:
            ns, name = key.split(".", 1)
            body.setdefault(ns, {})[name] = decl.default
    path = assumptions_copy / "scenarios" / "spelled_out.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    spelled = load_scenario("spelled_out", assumptions=assumptions_copy)
    base = load_scenario("baseline", assumptions=assumptions_copy)
    # plan's non-lever parameters equal baseline's, so resetting every lever returns baseline.
    np.testing.assert_array_equal(run(spelled).values, run(base).values)


def test_zero_variance_draws_equal_the_deterministic_run():
    params = scenario_params(PLAN)
    stacked = {
        k: np.repeat(v, 5, axis=0) if k.startswith("steel.") else v for k, v in params.items()
    }
    r = evaluate_params(stacked, PLAN)
    central = run(PLAN).values[0]
    for row in range(5):
        np.testing.assert_array_equal(np.nan_to_num(r.values[row]), np.nan_to_num(central))


def test_same_seed_identical_numbers_different_seed_differs():
    a = run("plan", draws=64, seed=11)
    b = run("plan", draws=64, seed=11)
    c = run("plan", draws=64, seed=12)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)
    lhs = run("plan", draws=64, seed=11, method="lhs")
    assert lhs.values.shape == a.values.shape


def test_draws_keep_the_inventory_and_vary_the_base_year_within_its_ranges():
    r = run("plan", draws=200, seed=3)
    names = load_data(PLAN.assumptions_dir).sector_info["iamc_name"]
    direct = sum(r.get(f"Emissions|CO2|Industry|{n}|Combustion") for n in names)
    first = np.broadcast_to(direct[:1, :10], direct[:, :10].shape)
    np.testing.assert_allclose(direct[:, :10], first, rtol=1e-12)  # CEADs is CEADs
    total = r.get("Emissions|CO2|Industry incl. Indirect")
    assert total[1:, 10].std() > 0  # the 2020 estimate is uncertain (base-year ranges)
    assert total[1:, 40].std() > total[1:, 10].std()  # and the future more so


def test_triangular_sampler_matches_scipy():
    from scipy import stats

    from model.engine.sampling import ppf
    from model.inputs.trajectory import Uncertainty

    u = np.linspace(0.001, 0.999, 999)
    for lo, mode, hi in ((0.8, 1.0, 1.2), (0.5, 0.5, 2.0), (-0.01, 0.0, 0.03)):
        unc = Uncertainty(dist="triangular", low=lo, high=hi, mode=mode, scale="absolute")
        expected = stats.triang.ppf(u, c=(mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        np.testing.assert_allclose(ppf(u, unc), expected, rtol=1e-12, atol=1e-12)
