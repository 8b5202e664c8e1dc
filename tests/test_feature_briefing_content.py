"""model.report.briefing: headline numbers are the model's, YAML text is escaped, and both
languages are complete (no empty strings, no Chinese in the English output)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import model
from model.analysis.peaks import peak, scope_variable, target_values
from model.inputs.data import load_data
from model.inputs.schema import load_schema
from model.report import briefing as bc
from model.report import charts as plotting

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
SCENARIOS = ["baseline", "plan"]


@pytest.fixture(scope="module")
def setup() -> dict:
    loaded = {s: model.load_scenario(s) for s in SCENARIOS}
    data = load_data(loaded["plan"].assumptions_dir)
    schema = load_schema(loaded["plan"].assumptions_dir / "parameters.yaml", data.sectors)
    results = {s: model.run(sc, draws=40, seed=3) for s, sc in loaded.items()}
    computed = {s: bc.scenario_tables(r, data) for s, r in results.items()}
    tables = bc.merge_tables({}, computed)
    numbers = bc.headline_numbers(
        tables["peaks"], tables["targets"], tables["probability"], SCENARIOS
    )
    return dict(
        loaded=loaded, data=data, schema=schema, results=results, tables=tables, numbers=numbers
    )


def test_headline_numbers_equal_model_results(setup) -> None:
    data = setup["data"]
    for row in setup["numbers"].to_dict("records"):
        res = setup["results"][row["scenario"]]
        arr = res.get(scope_variable("direct_plus_indirect"))
        years, values = peak(arr, res.years)
        assert row["peak_year"] == years[0]
        assert row["peak_value"] == pytest.approx(values[0])
        assert row["peaked_by_2030"] == (years[0] <= 2030)
        assert row["p_peak_by_2030"] == pytest.approx(np.mean(years[1:] <= 2030))
        p = row["p_peak_by_2030"]
        assert row["p_se"] == pytest.approx(np.sqrt(p * (1 - p) / 40))
        assert row["n_draws"] == 40
        direct = peak(res.get(scope_variable("direct"))[:1], res.years)[0][0]
        assert row["direct_peak_year"] == direct
        ei = target_values(res, data, "direct_plus_indirect")["energy_intensity_2025"][0]
        assert row["ei_change_2025"] == pytest.approx(ei)
        assert row["ei_margin"] == pytest.approx(-0.17 - ei)
        assert row["ei_pass"] == (ei <= -0.17)


def test_headline_texts_carry_the_numbers(setup) -> None:
    labels = {s: sc.label["en"] for s, sc in setup["loaded"].items()}
    for row in setup["numbers"].to_dict("records"):
        sentence = bc.headline_sentence(row, labels[row["scenario"]], "en")
        assert str(row["peak_year"]) in sentence
        assert f"{row['peak_value']:,.1f}" in sentence
        assert labels[row["scenario"]] in sentence
    cards = bc.headline_cards(setup["numbers"], labels, "en")
    assert [c["value"] for c in cards[: len(SCENARIOS)]] == list(setup["numbers"]["peak_year"])
    assert all(isinstance(c["status"], bool) for c in cards)
    html = bc.cards_in_columns('<div class="pp-cards"><div class="pp-card"></div></div>', 3)
    assert "repeat(3" in html
    with pytest.raises(ValueError):
        bc.cards_in_columns("", 0)


def test_sector_order_follows_peak_years(setup) -> None:
    d = bc.sector_numbers(setup["tables"]["peaks"], setup["data"], "plan")
    assert list(d["sector_id"]) == list(plotting.SECTOR_IAMC)
    ordered = d.sort_values("order")
    assert ordered["peak_year"].is_monotonic_increasing
    first = d[d["peak_year"] == d["peak_year"].min()]
    assert (first["order"] == 1).all()
    text = bc.staggered_order_text(d, "en")
    assert text.count("→") == d["peak_year"].nunique() - 1


def test_script_in_yaml_description_is_escaped(assumptions_copy: Path) -> None:
    (assumptions_copy / "scenarios" / "evil.yaml").write_text(
        "description:\n"
        '  zh: "<script>alert(1)</script>恶意"\n'
        '  en: "<script>alert(1)</script> & <b>bold</b>"\n'
        "label: {zh: '<img src=x onerror=alert(1)>', en: '<i>x</i>'}\n"
        "extends: baseline\n",
        encoding="utf-8",
    )
    evil = model.load_scenario("evil", assumptions=assumptions_copy)
    base = model.load_scenario("baseline", assumptions=assumptions_copy)
    data = load_data(assumptions_copy)
    schema = load_schema(assumptions_copy / "parameters.yaml", data.sectors)
    for lang in ("zh", "en"):
        html = bc.assumptions_html(evil, base, schema, lang)
        assert "<script" not in html and "<img" not in html and "<i>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_both_languages_are_complete() -> None:
    assert set(bc.UI["zh"]) == set(bc.UI["en"])
    assert set(plotting.TEXT["zh"]) == set(plotting.TEXT["en"])
    for table in (bc.UI, plotting.TEXT, bc.EFFECT_LABELS, plotting.FAMILY_SHORT):
        for lang in ("zh", "en"):
            assert all(isinstance(v, str) and v.strip() for v in table[lang].values())
        assert not [v for v in table["en"].values() if CJK.search(v)]
    assert [t for t, _ in bc.METHODS["zh"]] and len(bc.METHODS["zh"]) == len(bc.METHODS["en"])
    methods_en = bc.methods_html("en")
    assert not CJK.search(methods_en)
    for needle in ("170201", "7:54", "Earth's Future".replace("'", "&#x27;"), "Applied Energy"):
        assert needle in methods_en
    assert "GB" in methods_en and "MEE" in methods_en
    with pytest.raises(ValueError):
        bc.ui("fr")


def test_english_output_has_no_chinese(setup) -> None:
    labels = {s: sc.label["en"] for s, sc in setup["loaded"].items()}
    numbers, tables, data = setup["numbers"], setup["tables"], setup["data"]
    texts = [
        bc.headline_sentence(r, labels[r["scenario"]], "en") for r in numbers.to_dict("records")
    ]
    texts += [json.dumps(c) for c in bc.headline_cards(numbers, labels, "en")]
    texts.append(bc.scope_note(bc.scope_evidence(setup["results"]["plan"]), "en"))
    for df in (
        bc.headline_table(numbers, labels, "en"),
        bc.energy_intensity_table(numbers, labels, "en"),
        bc.sector_table(bc.sector_numbers(tables["peaks"], data, "plan"), "en"),
        bc.key_lever_table(list(setup["loaded"].values()), setup["schema"], "en"),
    ):
        texts.append(df.to_csv(index=False))
    for scen in setup["loaded"].values():
        texts.append(bc.assumptions_html(scen, setup["loaded"]["baseline"], setup["schema"], "en"))
    offenders = [t for t in texts if CJK.search(t)]
    assert offenders == []
    zh = bc.headline_sentence(numbers.iloc[0].to_dict(), "基准情景", "zh")
    assert CJK.search(zh)


def test_key_lever_values_come_from_the_scenarios(setup) -> None:
    scen = list(setup["loaded"].values())
    table = bc.key_lever_table(scen, setup["schema"], "en", year=2030)
    assert len(table) == len([k for k in bc.KEY_LEVERS if k in setup["schema"].parameters])
    eaf = table[table["Key parameter (2030 value)"].str.contains("scrap", case=False)]
    assert eaf["Work Plan"].iloc[0] == pytest.approx(
        setup["loaded"]["plan"].value("steel.eaf_share", 2030), abs=1e-3
    )


def test_upstream_tables_are_read_and_take_precedence(tmp_path: Path, setup) -> None:
    peaks = setup["tables"]["peaks"]
    up = peaks[peaks["scenario"] == "plan"].copy()
    up["peak_value"] = 1.0  # a marker: upstream rows must win over computed ones
    folder = tmp_path / "data" / "industry_overview"
    folder.mkdir(parents=True)
    up.to_csv(folder / bc.PEAKS_CSV, index=False)
    failed = tmp_path / "data" / "failed_job"
    failed.mkdir(parents=True)
    peaks.assign(peak_value=-5.0).to_csv(failed / bc.PEAKS_CSV, index=False)
    jobs = [
        {"name": "industry_overview", "status": "ok", "data_dir": "data/industry_overview"},
        {"name": "uncertainty", "status": "failed", "data_dir": "data/failed_job"},
    ]
    (tmp_path / "manifest.json").write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
    upstream = bc.read_upstream(tmp_path)
    assert set(upstream["peaks"]["scenario"]) == {"plan"}
    computed = {s: bc.scenario_tables(r, setup["data"]) for s, r in setup["results"].items()}
    merged = bc.merge_tables(upstream, computed)["peaks"]
    assert (merged.loc[merged["scenario"] == "plan", "peak_value"] == 1.0).all()
    base = computed["baseline"]["peaks"]["peak_value"].to_numpy()
    assert merged.loc[merged["scenario"] == "baseline", "peak_value"].to_numpy() == pytest.approx(
        base
    )
    assert bc.read_upstream(tmp_path / "nothing")["peaks"].empty
    assert bc.read_upstream("")["peaks"].empty
    assert isinstance(merged, pd.DataFrame)


def test_upstream_folder_needs_a_successful_job_with_the_same_settings(tmp_path) -> None:
    jobs = []
    for name, status, scenario in (
        ("uncertainty", "failed", "plan"),
        ("uncertainty", "ok", "baseline"),
        ("uncertainty", "ok", "plan"),
    ):
        folder = tmp_path / "data" / f"{name}_{status}_{scenario}"
        folder.mkdir(parents=True)
        numbers = {"scenario": scenario, "seed": 7, "overrides": []}
        (folder / "numbers.json").write_text(json.dumps(numbers), encoding="utf-8")
        jobs.append({"name": name, "status": status, "data_dir": str(folder.relative_to(tmp_path))})
    (tmp_path / "manifest.json").write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
    want = {"scenario": "plan", "seed": 7, "overrides": []}
    found = bc.upstream_folder(tmp_path, "uncertainty", "numbers.json", want)
    assert found == tmp_path / "data" / "uncertainty_ok_plan"
    # Any disagreement (seed, overrides, a key the job did not save) means: compute afresh.
    for other in ({**want, "seed": 8}, {**want, "overrides": ["x=1"]}, {**want, "draws": 64}):
        assert bc.upstream_folder(tmp_path, "uncertainty", "numbers.json", other) is None
    assert bc.upstream_folder(tmp_path, "calibration", "numbers.json", want) is None
    assert bc.upstream_folder("", "uncertainty", "numbers.json", want) is None
    assert bc.read_saved_table(found, "missing.csv") is None
    assert bc.read_saved_table(None, "missing.csv") is None


def test_single_lever_scenarios_become_one_table_row_each() -> None:
    from model.analysis.wedges import lever_wedges, wedge_table_for_years

    base = model.load_scenario("baseline")
    falls = {
        name: wedge_table_for_years(lever_wedges(model.load_scenario(name), base)[0], (2030, 2035))
        for name in ("efficiency", "ccus", "plan")
    }
    assert bc.wedge_families(falls["efficiency"]) == ["efficiency"]
    assert len(bc.wedge_families(falls["plan"])) > 1
    single = {k: falls[k] for k in ("efficiency", "ccus")}
    table = bc.single_lever_table(single, {"efficiency": "Eff."}, "en")
    assert table["Scenario"].tolist() == ["Eff.", "ccus"]
    assert table["Lever family"].tolist() == ["Efficiency", "CCUS"]
    variable = "Emissions|CO2|Industry incl. Indirect"
    gap = model.run("baseline").series(variable) - model.run("efficiency").series(variable)
    assert table.loc[0, "Reduction 2030"] == pytest.approx(gap[2030])
    assert table.loc[0, "Reduction 2035"] == pytest.approx(gap[2035])
    with pytest.raises(ValueError, match="plan moves"):
        bc.single_lever_table({"plan": falls["plan"]}, {}, "en")
    zh = bc.single_lever_table(single, {}, "zh")
    assert list(zh.columns) == ["情景", "措施类别", "2030年减排", "2035年减排"]
