"""Engine and analytics timings: deterministic run, 10,000 draws, uncertainty, wedges, Sobol.

Each function returns a list of rows (name, value, unit, goal, ok) so that __main__ prints
them side by side with ratios. Memory is the tracemalloc peak of the 10,000-draw run (numpy
reports its buffers to tracemalloc) and the peak RSS (ru_maxrss) of each big workload run alone
in a fresh process, beside this process's own peak for reference.
"""

from __future__ import annotations

import gc
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

DETERMINISTIC_GOAL_S = 0.100
DRAWS_RATIO_GOAL = 100.0
DRAWS_GOAL_S = 3.0
# Issue 13: 10,000 draws within 2.5x the cost of only writing the same output arrays.
WRITE_RATIO_GOAL = 2.5
MEMORY_GOAL_MB = 2048.0


@dataclass
class Row:
    name: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None
    note: str = ""


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm caches (data tables, schema) once, as a user's second call would
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024**2 if sys.platform == "darwin" else rss / 1024


def write_floor(scenario: Any, draws: int) -> float:
    """Seconds to write every output array of a `draws` run once: one numpy multiply per
    variable into a fresh (runs, years) array, as the engine must at least do."""
    from model.engine.runner import run

    variables = run(scenario).variables
    source = np.ones((draws + 1, 51))
    start = time.perf_counter()
    kept = [np.multiply(source, 1.0001) for _ in variables]
    seconds = time.perf_counter() - start
    del kept
    return seconds


def bench_engine(draws: int = 10_000, sobol_n: int = 256, repeat: int = 20) -> list[Row]:
    import_s, _ = timed(lambda: __import__("model.engine.runner"))
    from model.analysis.decomposition import decompose_scenario
    from model.analysis.sensitivity import scenario_sensitivity
    from model.analysis.uncertainty import uncertainty_summary
    from model.analysis.wedges import differing_parameters, lever_wedges
    from model.engine.runner import run
    from model.inputs.scenario import load_scenario

    load_s, plan = timed(lambda: load_scenario("plan"))
    baseline = load_scenario("baseline")
    det = median_time(lambda: run(plan), repeat)
    rows = [
        Row("import model.engine.runner", import_s, "s"),
        Row("load_scenario('plan') (first, cold caches)", load_s, "s"),
        Row(
            f"run(plan) deterministic, median of {repeat}",
            det,
            "s",
            f"< {DETERMINISTIC_GOAL_S * 1000:.0f} ms",
            det < DETERMINISTIC_GOAL_S,
        ),
    ]

    gc.collect()
    # Median of 3: the first big run also pays the kernel's page faults for ~1 GB.
    draws_s = statistics.median(timed(lambda: run(plan, draws=draws, seed=1))[0] for _ in range(3))
    ratio = draws_s / det
    rows.append(
        Row(
            f"run(plan, draws={draws}), median of 3",
            draws_s,
            "s",
            f"<= {DRAWS_GOAL_S:g} s and <= {DRAWS_RATIO_GOAL:g}x deterministic",
            draws_s <= DRAWS_GOAL_S and ratio <= DRAWS_RATIO_GOAL,
            f"{ratio:.0f}x deterministic; {draws_s / draws * 1e6:.0f} us per draw",
        )
    )
    gc.collect()
    floor_s = statistics.median(write_floor(plan, draws) for _ in range(3))
    write_ratio = draws_s / floor_s
    rows.append(
        Row(
            "  writing the same output arrays (one multiply per variable), median of 3",
            floor_s,
            "s",
            f"run <= {WRITE_RATIO_GOAL:g}x this",
            write_ratio <= WRITE_RATIO_GOAL,
            f"run = {write_ratio:.2f}x writing its outputs",
        )
    )
    gc.collect()
    tracemalloc.start()
    run(plan, draws=draws, seed=1)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    traced_mb = traced / 1024**2
    rows.append(
        Row(
            f"  memory of run(plan, draws={draws}), tracemalloc peak",
            traced_mb,
            "MB",
            f"< {MEMORY_GOAL_MB:.0f} MB",
            traced_mb < MEMORY_GOAL_MB,
        )
    )
    gc.collect()

    def uncertainty() -> Any:
        return uncertainty_summary(run(plan, draws=draws, seed=1))

    unc_s, _ = timed(uncertainty)
    rows.append(
        Row(
            f"uncertainty analysis end to end ({draws} draws + uncertainty_summary)",
            unc_s,
            "s",
            note=f"{unc_s / det:.0f}x deterministic",
        )
    )
    k = len(differing_parameters(plan, baseline))
    wedge_s, _ = timed(lambda: lever_wedges(plan, baseline))
    rows.append(
        Row(
            f"wedges plan vs baseline ({k} families, {2**k} coalitions)",
            wedge_s,
            "s",
            note=f"{wedge_s / det:.0f}x deterministic",
        )
    )
    dec_s, _ = timed(lambda: decompose_scenario(plan, 2020, 2030, against=baseline))
    rows.append(Row("decompose plan vs baseline 2030 (LMDI, 9 x 2 runs)", dec_s, "s"))
    from model.analysis.sensitivity import factors

    n_unc = len(factors(plan))
    sobol_s, _ = timed(lambda: scenario_sensitivity(plan, "sobol", sobol_n, 1))
    rows.append(
        Row(
            f"Sobol n={sobol_n} ({sobol_n * (n_unc + 2)} runs, {n_unc} factors) + SALib analyse",
            sobol_s,
            "s",
            note=f"{sobol_s / det:.0f}x deterministic",
        )
    )
    # What a user's process needs: each workload alone in a fresh interpreter. This process's
    # own peak also holds the write floor's arrays and the freed blocks of earlier workloads.
    workloads = {
        f"run(plan, draws={draws}) + uncertainty_summary": (
            "from model.analysis.uncertainty import uncertainty_summary;"
            f"uncertainty_summary(model.run('plan', draws={draws}, seed=1))"
        ),
        f"Sobol n={sobol_n} sensitivity": (
            "from model.analysis.sensitivity import scenario_sensitivity;"
            f"scenario_sensitivity(model.load_scenario('plan'), 'sobol', {sobol_n}, 1)"
        ),
    }
    for label, code in workloads.items():
        rss = fresh_process_peak_rss_mb(code)
        rows.append(
            Row(
                f"peak RSS of {label}, fresh process",
                rss,
                "MB",
                f"< {MEMORY_GOAL_MB:.0f} MB",
                rss < MEMORY_GOAL_MB,
            )
        )
    rows.append(
        Row(
            "peak RSS of this benchmark process (all of the above, for reference)",
            peak_rss_mb(),
            "MB",
        )
    )
    return rows


def fresh_process_peak_rss_mb(code: str) -> float:
    """Peak RSS (MB) of a new interpreter that imports model and runs `code`.

    Linux: VmHWM of the new process's own memory (ru_maxrss would carry this process's peak
    over fork and exec); elsewhere ru_maxrss.
    """
    script = (
        "import resource, sys\nfrom pathlib import Path\nimport model\n"
        f"{code}\n"
        "status = Path('/proc/self/status')\n"
        "if status.is_file():\n"
        "    line = next(x for x in status.read_text().splitlines() if x.startswith('VmHWM'))\n"
        "    print(int(line.split()[1]) / 1024)\n"
        "else:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])
