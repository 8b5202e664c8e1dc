"""Benchmark: latency of one explorer update (a slider moves -> chart, peak table, targets).

Goal: every update within 0.3 s. Each change below goes through the real path: the widget's
value changes, its observer validates the overrides with `load_scenario`, reruns the engine,
recomputes the peak and target tables and redraws the SVG chart.

Run alone with `python benchmarks/bench_explorer.py`; `python -m benchmarks` calls
`bench_explorer()`.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

GOAL_S = 0.3
# (override key, new value): one move per lever family and sector, 20 in all.
CHANGES: tuple[tuple[str, float], ...] = (
    ("steel.eaf_share.2030", 0.25),
    ("steel.output_cap.2030", 60.0),
    ("steel.h2_dri_share.2060", 0.35),
    ("nonferrous.primary_aluminium_cap.2030", 4.0),
    ("building_materials.cement_cap.2030", 110.0),
    ("building_materials.clinker_ratio.2030", 0.5),
    ("chemicals.coke_cap.2030", 24.0),
    ("chemicals.ccus_max_coverage", 0.7),
    ("steel.ccus_start_year", 2035),
    ("consumer_goods.electrified_heat_share.2030", 0.35),
    ("equipment.electrified_heat_share.2060", 0.95),
    ("electronics.efficiency_rate", 0.05),
    ("other_industry.efficiency_rate", 0.035),
    ("grid.emission_factor.2030", 0.55),
    ("grid.emission_factor.2060", 0.15),
    ("hydrogen.green_share.2030", 0.8),
    ("nonferrous.electrified_heat_share.2060", 0.8),
    ("building_materials.ccus_max_coverage", 0.4),
    ("chemicals.electrified_heat_share.2030", 0.3),
    ("steel.eaf_share.2060", 0.5),
)


def bench_explorer(base: str = "plan", lang: str = "zh", verbose: bool = True) -> dict[str, Any]:
    """Median and max latency of an explorer update over 20 control changes vs the 0.3 s goal.

    Prints a short summary unless `verbose` is False; returns the numbers as a dict.
    """
    from model.explorer import Explorer

    start = time.perf_counter()
    explorer = Explorer(base, lang=lang)
    init_s = time.perf_counter() - start
    times = []
    for key, value in CHANGES:
        t0 = time.perf_counter()
        explorer.controls[key].value = value  # the observer runs update() synchronously
        times.append(time.perf_counter() - t0)
        if explorer.problems:
            raise RuntimeError(f"benchmark change {key}={value} was rejected: {explorer.problems}")
    result = {
        "name": "explorer_update",
        "base": base,
        "n_changes": len(times),
        "median_s": round(statistics.median(times), 4),
        "max_s": round(max(times), 4),
        "min_s": round(min(times), 4),
        "goal_s": GOAL_S,
        "ok": max(times) <= GOAL_S,
        "init_s": round(init_s, 3),
    }
    if verbose:
        verdict = "OK  " if result["ok"] else "MISS"
        median_ms, max_ms = result["median_s"] * 1000, result["max_s"] * 1000
        print(
            f"explorer update (n={len(times)}, base {base})  median {median_ms:.1f} ms"
            f"  max {max_ms:.1f} ms  [{verdict} goal {GOAL_S} s]  (first build {init_s:.2f} s)"
        )
    return result


if __name__ == "__main__":
    print(json.dumps(bench_explorer(verbose=False), indent=2))
