"""Every notebook runs top to bottom under papermill, saves its numbers, and those numbers are
the model's; the briefing renders to an offline page with no code in both languages.

One test per notebook so pytest-xdist spreads the kernel starts (~2-4 s each) over workers.
Small parameters keep each run short (50 draws, two scenarios).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import papermill
import pytest

import model
from model.analysis.peaks import peak, scope_variable
from model.inputs.data import load_data
from model.report import briefing as bc
from model.report import html as report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DRAWS, SEED = 50, 11


def execute(name: str, tmp_path: Path, **parameters: object) -> tuple[Path, Path]:
    """Run notebooks/<name>.ipynb into tmp_path; returns (executed notebook, output_dir)."""
    out_dir = tmp_path / "out"
    executed = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(executed),
        parameters={**parameters, "output_dir": str(out_dir)},
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
        start_timeout=120,
    )
    return executed, out_dir


def industry_peak_year(results: model.Results, scope: str, sector: str = "Industry") -> int:
    return int(peak(results.get(scope_variable(scope, sector))[:1], results.years)[0][0])


def test_sector_pathway_runs_and_saves_the_sector_peak(tmp_path: Path) -> None:
    _, out = execute("sector_pathway", tmp_path, sector="chemicals", scenario="plan", lang="en")
    numbers = json.loads((out / "sector_numbers.json").read_text(encoding="utf-8"))
    results = model.run("plan")
    for scope in ("direct", "direct_plus_indirect"):
        expected = industry_peak_year(results, scope, "Petrochemicals and Chemicals")
        assert numbers["peaks"][scope]["peak_year"] == expected
    assert set(numbers["wedges_mt"]) == {"2030", "2035"}
    series = pd.read_csv(out / "sector_timeseries.csv", index_col="year")
    assert series.loc[2030, "Emissions|Process"] == pytest.approx(
        results.series("Emissions|CO2|Industry|Petrochemicals and Chemicals|Process")[2030]
    )
    assert (out / "sector_wedges.csv").is_file()


def test_industry_overview_runs_and_saves_peaks_targets_iamc(tmp_path: Path) -> None:
    scenarios = ["baseline", "accelerated"]
    _, out = execute("industry_overview", tmp_path, scenarios=scenarios, lang="en")
    peaks = pd.read_csv(out / "peaks.csv")
    targets = pd.read_csv(out / "targets.csv")
    for name in scenarios:
        results = model.run(name)
        for scope in ("direct", "direct_plus_indirect"):
            row = peaks[
                (peaks["scenario"] == name)
                & (peaks["scope"] == scope)
                & (peaks["sector"] == "Industry")
            ]
            assert int(row["peak_year"].iloc[0]) == industry_peak_year(results, scope)
        assert set(targets[targets["scenario"] == name]["target"]) >= {"energy_intensity_2025"}
        iamc = pd.read_csv(out / f"iamc_{name}.csv")
        assert {"model", "scenario", "region", "variable", "unit", "2030"} <= set(iamc.columns)
        value = iamc.loc[iamc["variable"] == "Emissions|CO2|Industry", "2030"].iloc[0]
        assert value == pytest.approx(results.series("Emissions|CO2|Industry")[2030])


def test_uncertainty_runs_and_saves_the_probability(tmp_path: Path) -> None:
    _, out = execute("uncertainty", tmp_path, scenario="plan", draws=DRAWS, seed=SEED)
    numbers = json.loads((out / "uncertainty_numbers.json").read_text(encoding="utf-8"))
    results = model.run("plan", draws=DRAWS, seed=SEED)
    years = peak(results.get(scope_variable("direct_plus_indirect")), results.years)[0][1:]
    p = float(np.mean(years <= 2030))
    assert numbers["p_peak_by_2030"] == pytest.approx(p)
    assert numbers["p_peak_by_2030_se"] == pytest.approx(np.sqrt(p * (1 - p) / DRAWS))
    prob = pd.read_csv(out / "peak_probability.csv")
    assert set(prob["scenario"]) == {"plan"}
    for name in ("uncertainty_summary.csv", "sensitivity.csv", "decomposition_2020_2030.csv"):
        assert (out / name).is_file(), name
    assert (out / "decomposition_vs_baseline_2030.csv").is_file()
    # The lever cost attribution the batch's briefings reuse, with the settings they check.
    assert numbers["cost_draws"] == bc.COST_DRAWS
    assert numbers["cost_years"] == list(bc.COST_YEARS)
    saved = pd.read_csv(out / "lever_costs.csv")
    assert set(saved["scenario"]) == {"plan"} and set(saved["against"]) == {"baseline"}


def test_briefing_in_a_batch_reuses_the_upstream_costs_and_hindcast(tmp_path: Path) -> None:
    from model.analysis.costs import lever_costs
    from model.analysis.hindcast import hindcast

    run_dir = tmp_path / "run"
    plan, baseline = model.load_scenario("plan"), model.load_scenario("baseline")
    # Upstream tables from cheaper settings than the briefing's: if the briefing shows these
    # numbers, it read them rather than computing its own.
    lever = lever_costs(plan, baseline, bc.COST_YEARS, draws=2, seed=SEED)
    back = hindcast("baseline", draws=4, seed=SEED)
    unc, cal = run_dir / "data" / "uncertainty", run_dir / "data" / "calibration"
    unc.mkdir(parents=True)
    cal.mkdir(parents=True)
    lever.table.to_csv(unc / "lever_costs.csv", index=False)
    back.table.to_csv(cal / "hindcast.csv", index=False)
    back.summary.to_csv(cal / "hindcast_summary.csv", index=False)
    common = {"seed": SEED, "overrides": []}
    unc_numbers = {**common, "scenario": "plan", "cost_draws": bc.COST_DRAWS}
    unc_numbers["cost_years"] = list(bc.COST_YEARS)
    cal_numbers = {**common, "scenario": "baseline", "draws": DRAWS}
    (unc / "uncertainty_numbers.json").write_text(json.dumps(unc_numbers), encoding="utf-8")
    (cal / "calibration_numbers.json").write_text(json.dumps(cal_numbers), encoding="utf-8")
    jobs = [
        {"name": "uncertainty", "status": "ok", "data_dir": "data/uncertainty"},
        {"name": "calibration", "status": "ok", "data_dir": "data/calibration"},
    ]
    (run_dir / "manifest.json").write_text(json.dumps({"jobs": jobs}), encoding="utf-8")

    _, out = execute(
        "briefing",
        tmp_path,
        lang="en",
        scenarios=["baseline", "plan"],
        draws=DRAWS,
        seed=SEED,
        run_dir=str(run_dir),
    )
    numbers = json.loads((out / "briefing_numbers_en.json").read_text(encoding="utf-8"))
    assert numbers["reused"] == {"lever_costs": True, "hindcast": True}
    costs = json.loads((out / "costs_en.json").read_text(encoding="utf-8"))
    shown = pd.DataFrame(costs["families"]).set_index("family")["cost_per_t"]
    upstream = lever.table.query("sector == 'Industry' and year == @bc.COST_YEARS[0]")
    expected = upstream.set_index("family")["cost_per_t"]
    pd.testing.assert_series_equal(shown, expected, check_names=False, rtol=1e-12)


_CODE_SNIPPETS = ("import ", "bc.headline", "report.table_html", "plotting.", "def figure")


@pytest.mark.parametrize(("lang", "html_lang"), [("zh", "zh-CN"), ("en", "en")])
def test_briefing_runs_and_renders_offline(tmp_path: Path, lang: str, html_lang: str) -> None:
    scenarios = ["baseline", "plan"]
    executed, out = execute(
        "briefing", tmp_path, lang=lang, scenarios=scenarios, draws=DRAWS, seed=SEED
    )
    page = report.render_briefing(executed, tmp_path / f"briefing_{lang}.html", lang)
    html = page.read_text(encoding="utf-8")

    assert f'<html lang="{html_lang}">' in html
    assert report.offline_violations(html) == []
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.IGNORECASE)
    assert 'class="pp-error' not in html and "Traceback" not in html
    for snippet in _CODE_SNIPPETS:
        assert snippet not in html, snippet
    assert html.count("<img") >= 5  # sectors, scenarios, wedges, fan, peak-year histogram

    # The headline the reader sees is built from the model's own results.
    data = load_data(model.load_scenario("plan").assumptions_dir)
    results = {s: model.run(s, draws=DRAWS, seed=SEED) for s in scenarios}
    tables = bc.merge_tables({}, {s: bc.scenario_tables(r, data) for s, r in results.items()})
    numbers = bc.headline_numbers(
        tables["peaks"], tables["targets"], tables["probability"], scenarios
    )
    saved = pd.read_csv(out / f"headline_{lang}.csv")
    assert list(saved["peak_year"]) == [
        industry_peak_year(results[s], "direct_plus_indirect") for s in scenarios
    ]
    label = model.load_scenario("plan").label[lang]
    plan = numbers[numbers["scenario"] == "plan"].iloc[0].to_dict()
    assert report.html_escape(bc.headline_sentence(plan, label, lang)) in html
    assert report.html_escape(report.ui(lang)["default_title"]) in html
    if lang == "en":
        visible = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])
        visible = re.sub(r"data:image/[^\"']+", "", visible)
        assert not re.search(r"[\u4e00-\u9fff]", visible)

    # The real briefing in a real browser: no request, no console error, no broken image.
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed here (scripts/ensure_chromium.sh installs it)")
    from model.report.browser_check import check_briefing_in_browser

    shot = tmp_path / f"briefing_{lang}.png"
    seen = check_briefing_in_browser(page, shot, report.ui(lang)["default_title"], html_lang)
    assert seen["ok"], seen["problems"]
    assert seen["image_count"] >= 5 and shot.is_file()


def test_statistical_baselines_runs_and_saves_proposals_and_stirpat(tmp_path: Path) -> None:
    from model.analysis.baselines import (
        implied_affluence_elasticity,
        propose_baselines,
        stirpat_crosscheck,
    )

    fast = ["loglinear", "logistic_saturation"]
    sectors = ["steel", "electronics"]
    _, out = execute(
        "statistical_baselines",
        tmp_path,
        sectors=sectors,
        candidates=fast,
        scenarios=["plan"],
        lang="en",
    )
    saved = pd.read_csv(out / "trend_proposals.csv")
    expected = propose_baselines(series=["combustion_co2"], sectors=sectors, candidates=fast)
    assert saved["sector"].tolist() == sectors
    assert saved["method"].tolist() == expected["method"].tolist()
    stirpat = pd.read_csv(out / "stirpat.csv", index_col="term")
    fit = stirpat_crosscheck()
    np.testing.assert_allclose(stirpat["ols"], fit.coefficients.loc[stirpat.index], rtol=1e-9)
    numbers = json.loads((out / "statistics_numbers.json").read_text(encoding="utf-8"))
    assert numbers["stirpat"]["window"] == "2000-2012"
    assert numbers["scenario_affluence_elasticity"]["plan 2020-2030"] == pytest.approx(
        implied_affluence_elasticity(model.run("plan"))
    )
