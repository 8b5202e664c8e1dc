"""Scenario files: inheritance, overrides, validation of every class of bad input (issue 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.cli import main
from model.errors import AssumptionError
from model.scenario import list_scenarios, load_scenario, parse_overrides, validate

SHIPPED = [
    "baseline",
    "capacity_control",
    "efficiency",
    "electrification",
    "hydrogen",
    "ccus",
    "materials",
    "plan",
    "accelerated",
]
DESCRIPTION = "description: {zh: 测试, en: test}\n"


def write(assumptions: Path, name: str, text: str) -> Path:
    path = assumptions / "scenarios" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(name: str, assumptions: Path, overrides=None) -> list[str]:
    with pytest.raises(AssumptionError) as info:
        load_scenario(name, overrides, assumptions=assumptions)
    return [str(p) for p in info.value.problems]


def test_every_shipped_scenario_is_present_and_valid():
    assert set(SHIPPED) <= set(list_scenarios())
    assert validate(SHIPPED) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_has_bilingual_description_and_lever_scenarios_extend(name):
    s = load_scenario(name)
    assert s.description["zh"] and s.description["en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in s.description["zh"])
    if name not in ("baseline", "plan", "accelerated"):
        assert s.chain == ("baseline", name)


def test_inheritance_overrides_only_what_differs():
    base, plan, acc = (load_scenario(n) for n in ("baseline", "plan", "accelerated"))
    assert acc.chain == ("baseline", "plan", "accelerated")
    # accelerated does not set the nonferrous cap: it inherits plan's, not baseline's.
    cap = "nonferrous.primary_aluminium_cap"
    assert np.array_equal(acc.values[cap], plan.values[cap])
    assert not np.array_equal(plan.values[cap], base.values[cap])
    assert acc.origin[cap] == "plan.yaml"


def test_values_are_immutable():
    s = load_scenario("plan")
    with pytest.raises(ValueError):
        s.values["steel.eaf_share"][20] = 0.9
    with pytest.raises(TypeError):
        s.values["steel.eaf_share"] = np.zeros(51)


def test_milestones_interpolate_and_override_sets_one_milestone():
    # Without the nowcast the path runs from the base year; with it, from the last observed
    # year (model.nowcast; tests/test_feature_nowcast.py).
    s = load_scenario("baseline", ["steel.eaf_share.2030=0.25", "settings.nowcast=false"])
    eaf = s.values["steel.eaf_share"]
    assert s.value("steel.eaf_share", 2030) == pytest.approx(0.25)
    base_2020 = s.value("steel.eaf_share", 2020)
    assert s.value("steel.eaf_share", 2025) == pytest.approx((base_2020 + 0.25) / 2)
    assert np.all(np.diff(eaf[10:21]) >= 0)  # 2020-2030 rises monotonically
    now = load_scenario("baseline", ["steel.eaf_share.2030=0.25"])
    last = now.observed_through
    start = now.value("steel.eaf_share", last)
    mid = (last + 2030) // 2
    expected = start + (0.25 - start) * (mid - last) / (2030 - last)
    assert now.value("steel.eaf_share", mid) == pytest.approx(expected)


def test_override_syntax_dict_and_list_agree():
    a = load_scenario("plan", ["steel.crude_steel_demand.growth=-0.03"])
    b = load_scenario("plan", {"steel.crude_steel_demand.growth": -0.03})
    assert np.array_equal(
        a.values["steel.crude_steel_demand"], b.values["steel.crude_steel_demand"]
    )
    last = a.observed_through  # the growth compounds from the last observed value
    assert a.value("steel.crude_steel_demand", last + 2) == pytest.approx(
        a.value("steel.crude_steel_demand", last + 1) * 0.97
    )


def test_override_of_settings():
    s = load_scenario("plan", ["settings.electricity_method=coal_equivalent"])
    assert s.settings.electricity_method == "coal_equivalent"


def test_growth_constant_and_named_method_forms(assumptions_copy):
    write(
        assumptions_copy,
        "forms",
        DESCRIPTION
        + "extends: baseline\n"
        + "steel:\n  crude_steel_demand: {growth: -0.01}\n"
        + "  output_cap: 90\n"
        + "  h2_dri_share: {milestones: {2030: 0.0, 2040: 0.1, 2050: 0.3}, method: smooth}\n",
    )
    s = load_scenario("forms", assumptions=assumptions_copy)
    d = s.values["steel.crude_steel_demand"]
    after = s.observed_through - 2010 + 1  # the first projected year's index
    assert d[after + 1] / d[after] == pytest.approx(0.99)
    assert np.all(s.values["steel.output_cap"][after:] == 90)  # no cap on observed output
    h2 = s.values["steel.h2_dri_share"]
    assert h2[20] == 0 and h2[30] == pytest.approx(0.1) and h2[40] == pytest.approx(0.3)
    assert np.all(np.diff(h2) >= -1e-12) and h2.max() <= 0.3 + 1e-12  # smooth: no overshoot


def test_a_modeller_copies_plan_changes_one_value_and_runs_it_by_name(assumptions_copy, tmp_path):
    text = (assumptions_copy / "scenarios" / "plan.yaml").read_text(encoding="utf-8")
    text = text.replace("ccus_max_coverage: 0.2   ", "ccus_max_coverage: 0.35  ", 1)
    assert "ccus_max_coverage: 0.35" in text
    write(assumptions_copy, "my_plan", text)
    out = tmp_path / "my_plan.csv"
    code = main(["--assumptions", str(assumptions_copy), "run", "my_plan", "--out", str(out)])
    assert code == 0 and out.is_file()
    assert load_scenario("my_plan", assumptions=assumptions_copy).value(
        "steel.ccus_max_coverage", 2040
    ) == pytest.approx(0.35)


# ---- bad input: every class gets `file: key: value: what is allowed` -------------------------


def test_unknown_key_is_not_silently_ignored(assumptions_copy):
    write(assumptions_copy, "typo", DESCRIPTION + "extends: baseline\nsteel:\n  eaf_shar: 0.2\n")
    msgs = problems_of("typo", assumptions_copy)
    assert msgs == [
        "typo.yaml: steel.eaf_shar: 0.2: unknown parameter; did you mean steel.eaf_share?"
    ]


def test_text_where_a_number_belongs(assumptions_copy):
    write(assumptions_copy, "text", DESCRIPTION + "steel:\n  eaf_share: {2030: lots}\n")
    (msg,) = problems_of("text", assumptions_copy)
    assert msg.startswith("text.yaml: steel.eaf_share.2030: lots: ") and "number" in msg


def test_share_outside_unit_interval(assumptions_copy):
    write(assumptions_copy, "share", DESCRIPTION + "steel:\n  h2_dri_share: {2030: 1.4}\n")
    (msg,) = problems_of("share", assumptions_copy)
    assert msg.startswith("share.yaml: steel.h2_dri_share.20")
    assert "a share between 0 and 1" in msg


def test_route_shares_must_not_exceed_one(assumptions_copy):
    write(
        assumptions_copy,
        "routes",
        DESCRIPTION + "steel:\n  eaf_share: {2040: 0.7}\n  h2_dri_share: {2040: 0.5}\n",
    )
    (msg,) = problems_of("routes", assumptions_copy)
    assert msg.startswith("routes.yaml: steel.routes.")
    assert "must sum to at most 1 (bf_bof takes the rest)" in msg


def test_negative_activity_and_capacity(assumptions_copy):
    write(
        assumptions_copy,
        "neg",
        DESCRIPTION + "steel:\n  output_cap: -5\n  crude_steel_demand: {start: -1, growth: 0}\n",
    )
    msgs = problems_of("neg", assumptions_copy)
    assert any(m.startswith("neg.yaml: steel.output_cap.2010: -5.0: a number >= 0") for m in msgs)
    assert any(m.startswith("neg.yaml: steel.crude_steel_demand.") for m in msgs)


def test_milestone_years_out_of_order_or_out_of_range(assumptions_copy):
    write(
        assumptions_copy,
        "years",
        DESCRIPTION + "steel:\n  h2_dri_share: {2040: 0.1, 2030: 0.05}\n"
        "  ccus_max_coverage: {2030: 0.1, 2070: 0.2}\n",
    )
    msgs = problems_of("years", assumptions_copy)
    assert any("steel.h2_dri_share" in m and "increasing order" in m for m in msgs)
    assert any("steel.ccus_max_coverage" in m and "2010-2060" in m for m in msgs)


def test_all_problems_in_a_file_are_reported_together(assumptions_copy):
    write(
        assumptions_copy,
        "many",
        DESCRIPTION + "steel:\n  eaf_shar: 0.2\n  h2_dri_share: 2\nnonferrous:\n  foo: 1\n",
    )
    msgs = problems_of("many", assumptions_copy)
    assert len(msgs) == 3


def test_base_year_value_cannot_be_changed_silently(assumptions_copy):
    write(assumptions_copy, "pin", DESCRIPTION + "steel:\n  eaf_share: {2020: 0.3, 2030: 0.4}\n")
    (msg,) = problems_of("pin", assumptions_copy)
    assert msg.startswith("pin.yaml: steel.eaf_share.2020: 0.3: 2020 is the base year")


def test_missing_base_year_data(assumptions_copy):
    history = assumptions_copy / "data" / "history.csv"
    lines = history.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("steel,energy|Coal,2020,")]
    assert len(kept) == len(lines) - 1
    history.write_text("".join(kept), encoding="utf-8")
    msgs = problems_of("baseline", assumptions_copy)
    assert msgs == ["data/history.csv: steel.energy|Coal.2020: None: a base-year value is required"]


def test_unknown_sector_and_unknown_scenario(assumptions_copy):
    write(assumptions_copy, "sector", DESCRIPTION + "textiles:\n  efficiency_rate: 0.02\n")
    (msg,) = problems_of("sector", assumptions_copy)
    assert msg.startswith("sector.yaml: textiles: dict: unknown key; one of:")
    (msg,) = problems_of("no_such_scenario", assumptions_copy)
    assert msg.startswith("--set: scenario: no_such_scenario: one of: accelerated, baseline")


def test_extends_missing_scenario(assumptions_copy):
    write(assumptions_copy, "orphan", DESCRIPTION + "extends: nowhere\n")
    (msg,) = problems_of("orphan", assumptions_copy)
    assert msg.startswith("orphan.yaml: extends: nowhere: one of:")


@pytest.mark.parametrize(
    "files",
    [{"selfish": "selfish"}, {"ping": "pong", "pong": "ping"}],
    ids=["extends-itself", "two-file-cycle"],
)
def test_inheritance_cycles(assumptions_copy, files):
    for name, parent in files.items():
        write(assumptions_copy, name, DESCRIPTION + f"extends: {parent}\n")
    (msg,) = problems_of(next(iter(files)), assumptions_copy)
    assert ": extends: " in msg and "no cycle" in msg


def test_malformed_yaml(assumptions_copy):
    write(assumptions_copy, "broken", DESCRIPTION + "steel:\n  eaf_share: {2030: 0.2\n")
    (msg,) = problems_of("broken", assumptions_copy)
    assert msg.startswith("broken.yaml: line ") and "well-formed YAML" in msg


def test_yaml_tags_that_construct_objects_are_refused(assumptions_copy, tmp_path):
    marker = tmp_path / "pwned"
    write(
        assumptions_copy,
        "evil",
        DESCRIPTION + f"steel: !!python/object/apply:os.system ['touch {marker}']\n",
    )
    (msg,) = problems_of("evil", assumptions_copy)
    assert msg.startswith("evil.yaml: <tag>:") and "no object tags" in msg
    assert not marker.exists()


@pytest.mark.parametrize("name", ["../../etc/passwd", "Plan", "plan.yaml", "a-b", ""])
def test_scenario_names_must_be_safe(name):
    with pytest.raises(AssumptionError) as info:
        load_scenario(name)
    assert "a name matching [a-z0-9_]+" in str(info.value)


def test_bad_override_syntax():
    with pytest.raises(AssumptionError, match="KEY=VALUE"):
        parse_overrides(["steel.eaf_share.2030"])
    msgs = problems_of("plan", None, ["steel.eaf_share.2030=abc"])
    assert msgs[0].startswith("--set: steel.eaf_share.2030: abc:")


def test_cli_user_errors_exit_2_without_traceback_or_output(assumptions_copy, tmp_path, capsys):
    write(assumptions_copy, "typo", DESCRIPTION + "steel:\n  eaf_shar: 0.2\n")
    out = tmp_path / "never.csv"
    for argv in (
        ["--assumptions", str(assumptions_copy), "run", "typo", "--out", str(out)],
        ["run", "nope", "--out", str(out)],
        ["run", "plan", "--set", "steel.eaf_share.2030=2", "--out", str(out)],
        ["run", "plan", "--out", str(tmp_path / "never.txt")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.strip()
    assert not out.exists() and not (tmp_path / "never.txt").exists()
    assert main(["--assumptions", str(assumptions_copy), "validate", "typo"]) == 2
    assert main(["validate"]) == 0


def test_fast_yaml_reader_gives_safe_load_values_and_errors() -> None:
    """model.yamlload uses libyaml when present: same values, same errors as yaml.safe_load."""
    import yaml

    from model.yamlload import safe_load

    root = Path(__file__).resolve().parents[1] / "assumptions"
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert safe_load(text) == yaml.safe_load(text), path.name
    for bad in ("a: [1, 2\nb: 3\n", "x: !!python/object:os.system 1\n", "a: 1\n  b: 2\n"):
        with pytest.raises(yaml.YAMLError) as ours:
            safe_load(bad)
        with pytest.raises(yaml.YAMLError) as theirs:
            yaml.safe_load(bad)
        assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)
