"""Benchmark: what moving a control costs in the explorer.

1. Latency of one update (a slider moves -> validation, engine run, share budgets, peak and
   target tables, SVG chart): 20 changes, one per lever family and sector. Goal: <= 0.3 s each.
2. A drag: sliders send values while they move. ipywidgets' browser side sends a widget's next
   value only after the kernel reports idle for the previous one and merges the values produced
   meanwhile (the latest wins); the explorer updates inside the message handler. `simulate_drag`
   replays that protocol in real time against a real explorer: a fast mouse drag (30 slider
   steps in 0.25 s, 120 events/s) and a held arrow key (20 steps at 30 repeats/s). It reports
   the updates run, the values coalesced (never computed: the kernel never queues), the time per
   update, the updates per second the kernel sustains, and the lag from the last event to the
   chart showing it.

Run alone with `python benchmarks/bench_explorer.py`; `python -m benchmarks` calls
`bench_explorer()`.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
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
# A fast mouse drag: EAF share 2060 from 0.40 down to 0.10, one event per slider step.
DRAG_KEY = "steel.eaf_share.2060"
DRAG_VALUES = tuple(round(0.40 - 0.01 * i, 2) for i in range(1, 31))
DRAG_EVENTS_PER_S = 120.0
# A held arrow key (auto-repeat) on the grid factor 2030: 20 steps of 0.01.
KEY_KEY = "grid.emission_factor.2030"
KEY_EVENTS_PER_S = 30.0


def simulate_drag(
    apply: Callable[[float], None],
    values: Sequence[float],
    events_per_s: float,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Replay a drag as ipywidgets' browser side sends it; `apply(value)` is the kernel's
    handling of one message (it returns when the update is drawn, i.e. when the kernel is idle).

    Event i (value i) is produced at i / events_per_s seconds. Whenever the kernel is idle and
    events were produced since the last message, the latest is sent and applied; the ones in
    between are coalesced (merged away in the browser, never computed). Returns the counts, the
    indexes of the values applied, the time per update and the lag from the last event to the
    end of its update.
    """
    n = len(values)
    interval = 1.0 / events_per_s
    start = clock()
    applied: list[int] = []
    times: list[float] = []
    while True:
        now = clock() - start
        produced = min(n, int(now / interval + 1e-9) + 1)  # events 0..produced-1 exist
        latest = produced - 1
        if not applied or latest > applied[-1]:
            t0 = clock()
            apply(values[latest])
            times.append(clock() - t0)
            applied.append(latest)
        elif produced == n:
            break
        else:
            sleep(max(0.0, produced * interval - now))
    end = clock() - start
    busy = sum(times)
    return {
        "events": n,
        "updates": len(applied),
        "coalesced": n - len(applied),
        "applied": applied,
        "duration_s": (n - 1) * interval,
        "update_median_s": statistics.median(times),
        "update_max_s": max(times),
        "updates_per_s": len(applied) / busy if busy else float("inf"),
        "lag_s": end - (n - 1) * interval,
    }


def _drag(explorer: Any, key: str, values: Sequence[float], rate: float) -> dict[str, Any]:
    slider = explorer.controls[key]

    def apply(value: float) -> None:
        slider.value = value  # the observer runs the update synchronously, as in the kernel
        if explorer.problems:
            raise RuntimeError(f"{key}={value} was rejected: {explorer.problems}")

    out = simulate_drag(apply, values, rate)
    if abs(explorer.value(key) - values[-1]) > 1e-9:
        raise RuntimeError(f"{key}: the drag ended at {explorer.value(key)}, not {values[-1]}")
    return out


def bench_explorer(base: str = "plan", lang: str = "zh", verbose: bool = True) -> dict[str, Any]:
    """Update latency over 20 control changes vs the 0.3 s goal, then a simulated mouse drag and
    a held arrow key. Prints a short summary unless `verbose` is False; returns the numbers."""
    from model.apps.explorer import Explorer

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
    explorer.reset()
    drag = _drag(explorer, DRAG_KEY, DRAG_VALUES, DRAG_EVENTS_PER_S)
    first = explorer.value(KEY_KEY)
    keys = tuple(round(first - 0.01 * i, 2) for i in range(1, 21))
    keyboard = _drag(explorer, KEY_KEY, keys, KEY_EVENTS_PER_S)
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
        "drag": {k: v for k, v in drag.items() if k != "applied"},
        "keyboard": {k: v for k, v in keyboard.items() if k != "applied"},
    }
    if verbose:
        verdict = "OK  " if result["ok"] else "MISS"
        median_ms, max_ms = result["median_s"] * 1000, result["max_s"] * 1000
        print(
            f"explorer update (n={len(times)}, base {base})  median {median_ms:.1f} ms"
            f"  max {max_ms:.1f} ms  [{verdict} goal {GOAL_S} s]  (first build {init_s:.2f} s)"
        )
        for name, r in (("mouse drag", drag), ("arrow key held", keyboard)):
            print(
                f"explorer {name}: {r['events']} values in {r['duration_s'] * 1000:.0f} ms "
                f"({r['events'] / max(r['duration_s'], 1e-9):.0f}/s) -> {r['updates']} updates, "
                f"{r['coalesced']} coalesced; {r['update_median_s'] * 1000:.1f} ms per update "
                f"(max {r['update_max_s'] * 1000:.1f}), {r['updates_per_s']:.0f} updates/s "
                f"sustained, chart {r['lag_s'] * 1000:.0f} ms behind the last event"
            )
    return result


if __name__ == "__main__":
    print(json.dumps(bench_explorer(verbose=False), indent=2))
