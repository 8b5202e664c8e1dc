"""Scenario files: inheritance, overrides, validation of every class of bad input (issue 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.apps.cli import main
from model.errors import AssumptionError
from model.inputs.scenario import list_scenarios, load_scenario, parse_overrides, validate

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
    # year (model.inputs.nowcast; tests/test_feature_nowcast.py).
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
    # Named as written: the constant itself and the growth path's start, not a year.
    assert sorted(msgs) == [
        "neg.yaml: steel.crude_steel_demand.start: -1: a number >= 0 (.inf means no limit)",
        "neg.yaml: steel.output_cap: -5: a number >= 0 (.inf means no limit)",
    ]


# --- problems name what the file says (issue 14) ---------------------------------------------


def _plan_with(assumptions: Path, old: str, new: str) -> None:
    """Edit the shipped plan.yaml in the copy, as a modeller would."""
    path = assumptions / "scenarios" / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_bad_milestone_is_reported_as_written_not_interpolated(assumptions_copy):
    _plan_with(assumptions_copy, "eaf_share: {2025: 0.12,", "eaf_share: {2025: 1.7,")
    _plan_with(
        assumptions_copy,
        "  onsite_renewable_share: {2020: 0.0, 2030: 0.06, 2060: 0.2}",
        "  onsite_renewable_share: {2020: 0.0, 2030: 0.06, 2060: -5000000}",
    )
    assert sorted(problems_of("plan", assumptions_copy)) == [
        "plan.yaml: other_industry.onsite_renewable_share.2060: -5000000: a share between 0 and 1",
        "plan.yaml: steel.eaf_share.2025: 1.7: a share between 0 and 1",
    ]
    assert sorted(str(p) for p in validate(["plan"], assumptions_copy)) == sorted(
        problems_of("plan", assumptions_copy)
    )


def test_every_bad_milestone_is_reported_with_its_own_year_and_value(assumptions_copy):
    write(
        assumptions_copy,
        "two",
        DESCRIPTION + "steel:\n  h2_dri_share: {2030: 1.4, 2040: 0.2, 2050: -0.5, 2060: .nan}\n",
    )
    msgs = problems_of("two", assumptions_copy)
    assert msgs == [
        "two.yaml: steel.h2_dri_share.2030: 1.4: a share between 0 and 1",
        "two.yaml: steel.h2_dri_share.2050: -0.5: a share between 0 and 1",
        "two.yaml: steel.h2_dri_share.2060: nan: a share between 0 and 1",
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1.5", "steel.h2_dri_share: 1.5: a share between 0 and 1"),
        ("{value: 1.5}", "steel.h2_dri_share.value: 1.5: a share between 0 and 1"),
        ("{milestones: {2035: 1.5}, method: smooth}", "steel.h2_dri_share.2035: 1.5: a share"),
        ("{start: 1.5, growth: 0.0}", "steel.h2_dri_share.start: 1.5: a share between 0 and 1"),
        (
            "{start: 0.2, growth: {2021: 0.01, 2031: -1.5}}",
            "steel.h2_dri_share.growth.2031: -1.5: an annual growth rate >= -1 (-100% a year), "
            "so that the path stays a share between 0 and 1",
        ),
        (
            "{start: 0.2, growth: -2}",
            "steel.h2_dri_share.growth: -2: an annual growth rate >= -1",
        ),
    ],
)
def test_each_spec_form_names_its_written_key(assumptions_copy, spec, expected):
    write(assumptions_copy, "form", DESCRIPTION + f"steel:\n  h2_dri_share: {spec}\n")
    (msg,) = problems_of("form", assumptions_copy)
    assert msg.startswith(f"form.yaml: {expected}")


def test_growth_path_leaving_the_domain_says_it_is_compounded(assumptions_copy):
    # Every written number is valid; only compounding takes the share past 1.
    write(
        assumptions_copy,
        "grow",
        DESCRIPTION + "steel:\n  h2_dri_share: {start: 0.5, growth: {2021: 0.08, 2031: 0.0}}\n",
    )
    (msg,) = problems_of("grow", assumptions_copy)
    # 0.5 * 1.08 ** 9 = 0.9995, 0.5 * 1.08 ** 10 = 1.0795: 2030 is the first year above 1.
    assert msg == (
        f"grow.yaml: steel.h2_dri_share.2030: {round(0.5 * 1.08**10, 6)}: a share between 0 "
        "and 1; compounded from 0.5 in 2020 at the written rates (growth.2021: 0.08, "
        "growth.2031: 0.0)"
    )


def test_base_year_value_out_of_domain_says_it_comes_from_the_data(assumptions_copy):
    # Nothing the scenario wrote is wrong; the 2020 value from the base-year data is.
    path = assumptions_copy / "data" / "choices.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count("\nbase.steel.eaf_share,0.069273,0.04,0.1,") == 1
    path.write_text(
        text.replace(
            "\nbase.steel.eaf_share,0.069273,0.04,0.1,", "\nbase.steel.eaf_share,1.2,1.1,1.3,"
        ),
        encoding="utf-8",
    )
    (msg,) = problems_of("plan", assumptions_copy, ["settings.nowcast=false"])
    assert msg == (
        "plan.yaml: steel.eaf_share.2010: 1.2: a share between 0 and 1; "
        "held at the base year 2020 (base-year data)"
    )


def test_route_shares_above_one_between_valid_milestones_say_interpolated(assumptions_copy):
    write(
        assumptions_copy,
        "routes",
        DESCRIPTION + "extends: plan\nsteel:\n"
        "  eaf_share: {2030: 0.5, 2040: 0.7}\n  h2_dri_share: {2030: 0.3, 2040: 0.5}\n",
    )
    (msg,) = problems_of("routes", assumptions_copy)
    # 0.8 in 2030 rising by 0.04 a year: 1.04 in 2036 is the first year above 1.
    assert msg == (
        "routes.yaml: steel.routes.2036: 1.04: shares steel.eaf_share + steel.h2_dri_share "
        "must sum to at most 1 (bf_bof takes the rest); "
        "interpolated between the milestones 2030 and 2040"
    )


def test_route_shares_above_one_where_every_member_is_written_say_no_interpolation(
    assumptions_copy,
):
    write(
        assumptions_copy,
        "routes",
        DESCRIPTION + "steel:\n  eaf_share: {milestones: {2030: 0.5}, method: step}\n"
        "  h2_dri_share: 0.6\n",
    )
    (msg,) = problems_of("routes", assumptions_copy)
    # 2030 is a milestone of eaf_share and h2_dri_share is a constant: both as written.
    assert msg.startswith("routes.yaml: steel.routes.2030: 1.1: shares ")
    assert msg.endswith("(bf_bof takes the rest)")


def test_route_share_set_on_the_command_line_names_the_interpolated_member(tmp_path, capsys):
    # plan.yaml: eaf_share {2030: 0.18, 2040: 0.28}; --set adds h2_dri_share 2035 = 0.8.
    out = tmp_path / "never.csv"
    assert main(["run", "plan", "--set", "steel.h2_dri_share.2035=0.8", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "--set/plan.yaml: steel.routes.2035: 1.03: shares steel.eaf_share + steel.h2_dri_share "
        "must sum to at most 1 (bf_bof takes the rest); "
        "steel.eaf_share interpolated between the milestones 2030 and 2040"
    )


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("steel.eaf_share.2030=1.5", "--set: steel.eaf_share.2030: 1.5: a share between 0 and 1"),
        ("steel.ccus_max_coverage=-0.1", "--set: steel.ccus_max_coverage: -0.1: a share"),
        (
            "steel.crude_steel_demand.growth=-3",
            "--set: steel.crude_steel_demand.growth: -3: an annual growth rate >= -1",
        ),
    ],
)
def test_cli_set_override_is_named_as_typed(tmp_path, capsys, setting, expected):
    out = tmp_path / "never.csv"
    assert main(["run", "plan", "--set", setting, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(expected) and "\n" not in err
    assert not out.exists()


@settings(max_examples=25, deadline=None)
@given(
    milestones=st.dictionaries(
        st.integers(2021, 2060),
        st.floats(-2, 3, allow_nan=False).map(lambda x: round(x, 3)),
        min_size=1,
        max_size=5,
    )
)
def test_reported_years_and_values_are_the_written_ones(milestones):
    bad = {y: v for y, v in milestones.items() if not 0 <= v <= 1}
    overrides = {"steel.ccus_max_coverage": dict(sorted(milestones.items()))}
    if not bad:
        load_scenario("baseline", overrides)
        return
    with pytest.raises(AssumptionError) as info:
        load_scenario("baseline", overrides)
    reported = {p.key: p.value for p in info.value.problems}
    assert reported == {f"steel.ccus_max_coverage.{y}": v for y, v in sorted(bad.items())}


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
    choices = assumptions_copy / "data" / "choices.csv"
    lines = choices.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("value_added.share.steel,")]
    assert len(kept) == len(lines) - 1
    choices.write_text("".join(kept), encoding="utf-8")
    msgs = problems_of("baseline", assumptions_copy)
    assert msgs == [
        "data/choices.csv: value_added.share.steel: None: a row is required "
        "(model.inputs.derivation reads it)",
        "data/choices.csv: value_added.share.*: 0.93: the central shares sum to 1",
    ]


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
    """model.inputs.yamlload uses libyaml when present: same values, same errors as
    yaml.safe_load."""
    import yaml

    from model.inputs.yamlload import safe_load

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
