"""`python -m benchmarks [--quick] [--draws N]`: the engine and analytics timings in one run.

Prints every measurement next to its goal. The batch and explorer benchmarks (other modules of
this package) run too when they exist; `--quick` skips the batch one (it runs notebooks).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from collections.abc import Sequence

from benchmarks.bench_engine import Row, bench_engine, peak_rss_mb


def _format(rows: list[Row]) -> str:
    width = max(len(r.name) for r in rows)
    lines = []
    for r in rows:
        value = (
            f"{r.value * 1000:9.1f} ms"
            if r.unit == "s" and r.value < 1
            else (f"{r.value:9.2f} s " if r.unit == "s" else f"{r.value:9.0f} {r.unit}")
        )
        verdict = "" if r.ok is None else ("OK  " if r.ok else "MISS")
        goal = f"[{verdict} goal {r.goal}]" if r.goal else ""
        lines.append(f"{r.name:<{width}}  {value}  {goal} {r.note}".rstrip())
    return "\n".join(lines)


def _optional(module: str, quick: bool) -> int:
    """Run benchmarks.<module> if that module exists; 0 when absent or fine."""
    try:
        mod = importlib.import_module(f"benchmarks.{module}")
    except ImportError as exc:
        if exc.name != f"benchmarks.{module}":
            raise
        print(f"\n({module}: not present, skipped)")
        return 0
    # Their entry point: main(argv) if the module has one, else a function named like it.
    entry = getattr(mod, "main", None) or getattr(mod, module, None)
    if entry is None:
        print(f"\n({module}: has neither main() nor {module}(), skipped)")
        return 0
    print(f"\n== {module} ==")
    if entry.__name__ == "main":
        try:
            result = entry(["--quick"] if quick else [])
        except TypeError:  # a main() that takes no arguments
            result = entry()
    else:
        result = entry()
    # A dict result (printed by the benchmark itself) is not an exit status.
    return result if isinstance(result, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="skip the batch benchmark")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--sobol-n", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    print(
        f"peakpath benchmarks: Python {platform.python_version()}, {platform.machine()}, "
        f"{platform.system()}"
    )
    print("== engine and analytics ==")
    print(_format(bench_engine(args.draws, args.sobol_n, args.repeat)))
    status = 0
    if not args.quick:
        status |= _optional("bench_batch", args.quick)
        from benchmarks.bench_batch import bench_default_batch

        print("\n== default batch (issue 6: <= 3x floor, >= 1.8x faster than the CLI) ==")
        status |= bench_default_batch()["exit_code"]
    status |= _optional("bench_explorer", args.quick)
    print(f"\npeak RSS at the end: {peak_rss_mb():.0f} MB")
    return status


if __name__ == "__main__":
    sys.exit(main())
