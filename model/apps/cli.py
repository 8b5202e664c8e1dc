"""Command line: `python -m model [--assumptions DIR] COMMAND ...` (contract: DESIGN.md).

User errors (bad assumptions, unknown scenario, bad --set, bad output suffix) exit with code 2,
a one-line reason per problem on stderr, no traceback, and no output file written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from model.errors import AssumptionError, ModelError

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m model",
        description="peakpath: when and how high Shandong's industrial CO2 peaks.",
    )
    parser.add_argument("--assumptions", type=Path, default=None, help="assumptions folder")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check data tables and scenarios (exit 2 if invalid)")
    p.add_argument("scenarios", nargs="*", help="scenario names (default: all)")

    p = sub.add_parser("run", help="run a scenario and write IAMC results")
    p.add_argument("scenario")
    _add_set(p)
    _add_draws(p)
    p.add_argument("--out", required=True, type=Path, help=".csv, .xlsx or .parquet")

    p = sub.add_parser("peaks", help="peak year, value and targets of scenarios")
    p.add_argument("scenarios", nargs="+")
    _add_set(p)
    p.add_argument("--out", type=Path, default=None)

    p = sub.add_parser("diff", help="parameters that differ and their effect on peaks")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--out", type=Path, default=None)

    p = sub.add_parser("uncertainty", help="Monte Carlo: peak distributions, P(peak by 2030)")
    p.add_argument("scenario")
    _add_set(p)
    _add_draws(p, required=True)
    p.add_argument("--out", required=True, type=Path)

    p = sub.add_parser("sensitivity", help="global sensitivity (Sobol, Morris) or OAT tornado")
    p.add_argument("scenario")
    _add_set(p)
    p.add_argument("--method", choices=("sobol", "morris", "oat"), default="sobol")
    p.add_argument("--n", type=int, default=256, help="base sample size (Sobol: power of 2)")
    p.add_argument("--seed", type=int, default=20201231)
    p.add_argument("--out", required=True, type=Path)

    p = sub.add_parser("decompose", help="LMDI decomposition of the emissions change")
    p.add_argument("scenario")
    _add_set(p)
    p.add_argument("--from", dest="year_from", type=int, required=True)
    p.add_argument("--to", dest="year_to", type=int, required=True)
    p.add_argument("--against", default=None, help="compare with this scenario in --to")
    p.add_argument("--out", required=True, type=Path)

    p = sub.add_parser(
        "hindcast", help="project from 2020 with the observations off; errors per observed series"
    )
    p.add_argument("scenario", nargs="?", default="baseline")
    _add_set(p)
    p.add_argument("--draws", type=int, default=0, help="Monte Carlo draws of the hindcast band")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--out", type=Path, default=None, help="year-by-year table (.csv/.xlsx/...)")

    p = sub.add_parser("wedges", help="reduction by lever family against a reference (Shapley)")
    p.add_argument("scenario")
    p.add_argument("--against", default="baseline")
    p.add_argument("--out", required=True, type=Path)

    p = sub.add_parser(
        "costs", help="costs against a reference: per sector and year, per lever family, MAC data"
    )
    p.add_argument("scenario")
    _add_set(p)
    p.add_argument("--against", default="baseline")
    p.add_argument("--year", type=int, default=2030, help="year of the MAC curve (2021-2060)")
    p.add_argument("--draws", type=int, default=0, help="Monte Carlo draws for the ranges")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--out", required=True, type=Path, help=".csv, .xlsx or .parquet")
    return parser


def _add_set(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="K=V",
        help="override a parameter, e.g. steel.eaf_share.2030=0.25 (repeatable)",
    )


def _add_draws(p: argparse.ArgumentParser, required: bool = False) -> None:
    p.add_argument("--draws", type=int, default=0 if not required else None, required=required)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--method", choices=("random", "lhs"), default="random")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AssumptionError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USER_ERROR
    except (ModelError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


def _provenance(args: argparse.Namespace, scenario, seed: int | None = None) -> dict:
    """What every output file records: code version, assumptions hash, seed, packages, call."""
    from datetime import UTC, datetime

    from model.report.provenance import provenance

    return {
        **provenance(scenario.assumptions_dir, seed),
        "command": ["python", "-m", "model", *sys.argv[1:]] if sys.argv else [],
        "scenario": scenario.name,
        "overrides": list(scenario.overrides),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _check_out(path: Path | None) -> None:
    """Refuse a bad suffix before any work, so nothing is half-done."""
    if path is not None:
        from model.report.exports import check_suffix

        check_suffix(path)


def cmd_validate(args: argparse.Namespace) -> int:
    from model.inputs.scenario import list_scenarios, load_scenario, validate

    problems = validate(args.scenarios or None, args.assumptions)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return EXIT_USER_ERROR
    for name in args.scenarios or list_scenarios(args.assumptions):
        _print_notices(load_scenario(name, assumptions=args.assumptions).notices)
    print("ok: assumptions are valid")
    return 0


def _load(name: str, args: argparse.Namespace):
    from model.inputs.scenario import load_scenario

    scenario = load_scenario(name, getattr(args, "overrides", None), args.assumptions)
    _print_notices(scenario.notices)
    return scenario


def _print_notices(notices) -> None:
    """What the observations overrule in a scenario: a note each, on stderr (not an error)."""
    for notice in notices:
        print(f"note: {notice}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from model.engine.runner import run
    from model.report.exports import write_iamc

    _check_out(args.out)
    if args.draws < 0:
        raise ModelError(f"--draws: {args.draws}: a number >= 0")
    scenario = _load(args.scenario, args)
    results = run(scenario, draws=args.draws, seed=args.seed, method=args.method)
    write_iamc(results, args.out, _provenance(args, scenario, results.seed))
    print(_peak_summary([results], scenario.assumptions_dir))
    print(f"wrote {args.out}")
    return 0


def _peak_summary(results_list: list, assumptions: Path) -> str:
    from model.analysis.peaks import summary_table
    from model.inputs.data import load_data

    data = load_data(assumptions)
    frames = [summary_table(r, data) for r in results_list]
    table = pd.concat(frames, ignore_index=True)
    show = table[table["target"].eq("peak_by_2030") & table["sector"].eq("Industry")]
    lines = []
    for _, row in show.iterrows():
        lines.append(
            f"{row['scenario']:<18} {row['scope']:<22} peak {int(row['peak_year'])} "
            f"at {row['peak_value']:.1f} Mt CO2 ({'by 2030' if row['pass'] else 'after 2030'})"
        )
    targets = table[~table["target"].eq("peak_by_2030")]
    for _, row in targets.iterrows():
        unit = str(data.targets.at[row["target"], "unit"])
        value = _in_unit(row["value"], unit)
        target = _in_unit(data.target(row["target"]), unit, with_unit=True)
        lines.append(
            f"{row['scenario']:<18} {row['target']:<22} value {value} (target {target}) "
            f"margin {_margin_in_unit(row['margin'], unit)} {'PASS' if row['pass'] else 'FAIL'}"
        )
    return "\n".join(lines)


def _in_unit(value: float, unit: str, with_unit: bool = False) -> str:
    """A target's measure as people read it: a year, a percentage change, or a count.

    ``with_unit`` adds what the number counts or compares with (targets.csv's unit).
    """
    if unit == "year":
        return f"{value:.0f}"
    if unit.startswith("change"):  # "change vs 2020": a fraction, shown as a percentage
        text = f"{value * 100:+.1f}%"
        return f"{text} {unit.removeprefix('change ')}" if with_unit else text
    return f"{value:g} {unit}" if with_unit else f"{value:g}"


def _margin_in_unit(margin: float, unit: str) -> str:
    """How far a target is beaten (negative: missed): years, percentage points, or a count."""
    if unit == "year":
        return f"{margin:.0f} year{'' if abs(margin) == 1 else 's'}"
    if unit.startswith("change"):
        return f"{margin * 100:.1f} pp"
    return f"{margin:g}"


def cmd_peaks(args: argparse.Namespace) -> int:
    from model.analysis.peaks import summary_table
    from model.engine.runner import run
    from model.inputs.data import load_data
    from model.report.exports import write_table

    _check_out(args.out)
    scenarios = [_load(name, args) for name in args.scenarios]
    results = [run(s) for s in scenarios]
    data = load_data(scenarios[0].assumptions_dir)
    print(_peak_summary(results, scenarios[0].assumptions_dir))
    if args.out:
        table = pd.concat([summary_table(r, data) for r in results], ignore_index=True)
        write_table(table, args.out, _provenance(args, scenarios[0]))
        print(f"wrote {args.out}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from model.analysis.diff import diff_scenarios
    from model.report.exports import write_table

    _check_out(args.out)
    a, b = _load(args.a, args), _load(args.b, args)
    params, effects = diff_scenarios(a, b)
    with pd.option_context("display.width", 160, "display.max_rows", 500):
        print(params.to_string(index=False) if len(params) else "no parameter differs")
        print()
        print(effects.to_string(index=False))
    if args.out:
        write_table(
            pd.concat(
                [params.assign(table="parameters"), effects.assign(table="effects")],
                ignore_index=True,
            ),
            args.out,
        )
        print(f"wrote {args.out}")
    return 0


def cmd_uncertainty(args: argparse.Namespace) -> int:
    from model.analysis.uncertainty import uncertainty_summary
    from model.engine.runner import run
    from model.report.exports import write_table

    _check_out(args.out)
    if args.draws < 1:
        raise ModelError(f"--draws: {args.draws}: a number >= 1")
    scenario = _load(args.scenario, args)
    results = run(scenario, draws=args.draws, seed=args.seed, method=args.method)
    table, text = uncertainty_summary(results)
    write_table(table, args.out, _provenance(args, scenario, results.seed))
    print(text)
    print(f"wrote {args.out}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from model.analysis.sensitivity import scenario_sensitivity
    from model.report.exports import write_table

    _check_out(args.out)
    scenario = _load(args.scenario, args)
    table, text = scenario_sensitivity(scenario, args.method, args.n, args.seed)
    write_table(table, args.out, _provenance(args, scenario, args.seed))
    print(text)
    print(f"wrote {args.out}")
    return 0


def cmd_decompose(args: argparse.Namespace) -> int:
    from model.analysis.decomposition import decompose_scenario
    from model.report.exports import write_table

    _check_out(args.out)
    against = _load(args.against, args) if args.against else None
    scenario = _load(args.scenario, args)
    table, text = decompose_scenario(scenario, args.year_from, args.year_to, against=against)
    write_table(table, args.out, _provenance(args, scenario))
    print(text)
    print(f"wrote {args.out}")
    return 0


def cmd_hindcast(args: argparse.Namespace) -> int:
    from model.analysis.hindcast import hindcast
    from model.report.exports import write_table

    _check_out(args.out)
    if args.draws < 0:
        raise ModelError(f"--draws: {args.draws}: a number >= 0")
    scenario = _load(args.scenario, args)
    result = hindcast(scenario, draws=args.draws, seed=args.seed)
    print(result.text())
    if args.out:
        write_table(result.table, args.out, _provenance(args, scenario, args.seed))
        print(f"wrote {args.out}")
    return 0


def cmd_wedges(args: argparse.Namespace) -> int:
    from model.analysis.wedges import lever_wedges
    from model.report.exports import write_table

    _check_out(args.out)
    scenario = _load(args.scenario, args)
    table, text = lever_wedges(scenario, _load(args.against, args))
    write_table(table, args.out, _provenance(args, scenario))
    print(text)
    print(f"wrote {args.out}")
    return 0


def cmd_costs(args: argparse.Namespace) -> int:
    from model.analysis.costs import (
        cost_runs,
        cost_table,
        family_table,
        lever_costs,
        mac_curve,
        summary_text,
    )
    from model.report.exports import write_table

    _check_out(args.out)
    if args.draws < 0:
        raise ModelError(f"--draws: {args.draws}: a number >= 0")
    if not 2020 < args.year <= 2060:
        raise ModelError(f"--year: {args.year}: a year after 2020 and up to 2060")
    scenario = _load(args.scenario, args)
    against = _load(args.against, args)
    runs = cost_runs(scenario, against, draws=args.draws, seed=args.seed)
    seed = runs.results.seed
    table = cost_table(runs)
    lever = lever_costs(scenario, against, (args.year,), draws=args.draws, seed=seed)
    out = pd.concat(
        [
            table.assign(table="costs"),
            family_table(lever).assign(table="families"),
            mac_curve(lever, args.year).assign(table="mac"),
        ],
        ignore_index=True,
    )
    out.insert(0, "table", out.pop("table"))
    write_table(out, args.out, _provenance(args, scenario, seed))
    print(summary_text(runs, table, lever, args.year))
    print(f"wrote {args.out}")
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "run": cmd_run,
    "peaks": cmd_peaks,
    "diff": cmd_diff,
    "uncertainty": cmd_uncertainty,
    "sensitivity": cmd_sensitivity,
    "decompose": cmd_decompose,
    "hindcast": cmd_hindcast,
    "wedges": cmd_wedges,
    "costs": cmd_costs,
}
