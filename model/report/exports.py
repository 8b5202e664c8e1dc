"""Writing results: IAMC tables as CSV, XLSX or Parquet, always atomically.

A file appears complete or not at all: everything is written to a temporary file in the same
folder, then moved into place with os.replace.

Besides the IAMC table (`write_iamc`): `write_results_parquet` (full tidy results, draws on
request, provenance in the Parquet metadata; read back with `read_results_parquet`) and
`write_workbook` (an Excel workbook with a bilingual README for readers without Python).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.engine.results import Results
from model.errors import ModelError
from model.inputs.data import CARRIERS

FORMATS = (".csv", ".xlsx", ".parquet")


def atomic_write(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp_path)` then move the temporary file onto `path`.

    The file gets the mode a plain ``open(path, "w")`` would give it: a replaced file keeps its
    mode, a new one gets 0666 less the umask (0644 under the usual umask 022), readable by
    whoever may read the folder. (`tempfile.mkstemp` would make every output a private 0600.)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp, mode = _new_temp_file(path)
    try:
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(path.stat().st_mode)
        write(tmp)
        os.chmod(tmp, mode)  # whatever `write` did to the file (some writers recreate it)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _new_temp_file(path: Path) -> tuple[Path, int]:
    """An empty `.<name>.<random><suffix>` beside `path`, created with mode 0666 so that the
    umask applies as to any new file; returns it and the mode it got."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{path.suffix}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            return tmp, stat.S_IMODE(os.fstat(fd).st_mode)
        finally:
            os.close(fd)
    raise FileExistsError(f"{path.parent}: no free temporary file name for {path.name}")


def check_suffix(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ModelError(
            f"{path}: output format {suffix or '(none)'!r}: one of {', '.join(FORMATS)}"
        )
    return suffix


def write_table(
    df: pd.DataFrame, path: Path | str, provenance: dict[str, Any] | None = None
) -> Path:
    """A DataFrame in the format its suffix names, with its provenance when given.

    Provenance (code version, assumptions hash, seed, package versions...) goes where the format
    allows: a `provenance` sheet in .xlsx, file metadata in .parquet, and a sidecar
    `<name>.provenance.json` beside a .csv (written first, so a CSV never lacks it).
    """
    suffix = check_suffix(path)
    path = Path(path)
    meta = json.dumps(provenance, ensure_ascii=False, default=str) if provenance else None

    def xlsx(p: Path) -> None:
        with pd.ExcelWriter(p) as writer:
            df.to_excel(writer, index=False, sheet_name="data")
            if provenance:
                flat = pd.DataFrame(
                    [
                        (k, json.dumps(v, ensure_ascii=False, default=str))
                        for k, v in provenance.items()
                    ],
                    columns=["key", "value"],
                )
                flat.to_excel(writer, index=False, sheet_name="provenance")

    def parquet(p: Path) -> None:
        import pyarrow as pa  # deferred, as below: notebooks import this module for CSV/JSON
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        if meta:
            table = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), b"peakpath_provenance": meta.encode()}
            )
        pq.write_table(table, p)

    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda p: df.to_csv(p, index=False),
        ".xlsx": xlsx,
        ".parquet": parquet,
    }
    if meta and suffix == ".csv":
        sidecar = path.with_name(f"{path.stem}.provenance.json")
        atomic_write(sidecar, lambda p: p.write_text(meta + "\n", encoding="utf-8"))
    return atomic_write(path, writers[suffix])


def write_iamc(
    results: Results | list[Results],
    path: Path | str,
    provenance: dict[str, Any] | None = None,
) -> Path:
    """IAMC wide table (model, scenario, region, variable, unit, 2010..2060) of the central runs."""
    runs = results if isinstance(results, list) else [results]
    df = pd.concat([r.to_iamc() for r in runs], ignore_index=True)
    if Path(path).suffix.lower() == ".parquet":
        df.columns = [str(c) for c in df.columns]  # Parquet needs string column names
    return write_table(df, path, provenance)


# ---------------------------------------------------------------------------------------------
# Full tidy results (Parquet, with provenance) and the workbook for readers without Python

PARQUET_META_KEY = b"peakpath"
WORKBOOK_SHEETS = (
    "README",
    "peaks",
    "targets",
    "emissions",
    "energy",
    "production",
    "costs",
    "iamc",
    "sources",
)
# First columns that label rows (kept in view by freezing the panes) per data sheet.
_LABEL_COLUMNS = {"emissions": 5, "energy": 5, "production": 4, "costs": 5, "iamc": 5}
# The cost variables (model.engine.costs) the costs sheet lists, in this order.
COST_PREFIXES = ("Investment|", "Cost|", "Revenue|", "Carbon Market|", "Price|Carbon|")

CEADS_CITATION = (
    "CEADs (China Emission Accounts and Datasets, ceads.net), Shandong provincial inventory, "
    "IPCC sectoral approach. Shan Y. et al. (2018) China CO2 emission accounts 1997-2015, "
    "Scientific Data 5:170201; Shan Y. et al. (2020) China CO2 emission accounts 2016-2017, "
    "Scientific Data 7:54; Guan Y. et al. (2021) Assessment to China's recent emission pattern "
    "shifts, Earth's Future 9:e2021EF002241; Shan Y. et al. (2016) New provincial CO2 emission "
    "inventories in China based on apparent energy consumption data and updated emission "
    "factors, Applied Energy 184:742-750."
)
SCOPE_NOTE = {
    "zh": (
        "口径说明：CEADs 清单只计入水泥熟料的工业过程排放，未计入化工原料（合成氨、甲醇等）及其他"
        "工业过程 CO2，也不含外购电力和热力的间接排放；本模型补充了这些排放。"
        "“直接排放”= 燃烧 + 工业过程 − 碳捕集；“含间接排放”另加外购电力和热力排放。"
        "仅看直接排放的达峰会误导判断：电气化把排放转移到电力部门。"
    ),
    "en": (
        "Scope note: CEADs counts process CO2 of cement clinker only; it leaves out chemical "
        "feedstock (ammonia, methanol ...) and other process CO2, and indirect emissions from "
        "purchased electricity and heat. The model adds them. Direct = combustion + process - "
        "captured; 'incl. Indirect' adds purchased electricity and heat. Direct-only peaks "
        "mislead: electrification moves CO2 into the power sector."
    ),
}


def _as_list(results: Results | list[Results]) -> list[Results]:
    return list(results) if isinstance(results, list | tuple) else [results]


def _require_suffix(path: Path | str, suffix: str) -> None:
    got = check_suffix(path)
    if got != suffix:
        raise ModelError(f"{path}: output format {got!r}: this export writes {suffix} only")


def _json_default(obj: object) -> object:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def write_results_parquet(
    results: Results | list[Results],
    path: Path | str,
    draws: bool = False,
    assumptions_dir: Path | str | None = None,
) -> Path:
    """Tidy results (scenario, run, variable, unit, year, value) as Parquet.

    Run 0 is the central case; with `draws=True` the Monte Carlo runs 1..n follow. The file's
    schema metadata (key `peakpath`, JSON) holds the provenance (code version, assumptions
    hash, seed, package versions) and each scenario's meta, so the numbers stay traceable.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from model.inputs.scenario import default_assumptions_dir
    from model.report.provenance import provenance

    _require_suffix(path, ".parquet")
    runs = _as_list(results)
    root = Path(assumptions_dir) if assumptions_dir is not None else default_assumptions_dir()
    df = pd.concat([r.to_long(draws=draws) for r in runs], ignore_index=True)
    seeds = [r.seed for r in runs if r.seed is not None]
    meta = {
        "format": "peakpath tidy results v1",
        "draws_included": bool(draws),
        "provenance": provenance(root, seeds[0] if seeds else None),
        "scenarios": [
            {"scenario": r.scenario, "n_draws": r.n_draws, "seed": r.seed, "meta": r.meta}
            for r in runs
        ],
    }
    table = pa.Table.from_pandas(df, preserve_index=False)
    existing = dict(table.schema.metadata or {})
    existing[PARQUET_META_KEY] = json.dumps(meta, ensure_ascii=False, default=_json_default)
    table = table.replace_schema_metadata(existing)
    return atomic_write(path, lambda p: pq.write_table(table, p))


def read_results_parquet(path: Path | str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(tidy results, metadata dict) from a file written by `write_results_parquet`."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(PARQUET_META_KEY)
    if raw is None:
        raise ModelError(
            f"{path}: not a peakpath results file (no '{PARQUET_META_KEY.decode()}' metadata)"
        )
    return table.to_pandas(), json.loads(raw)


def workbook_tables(
    results_list: list[Results], assumptions_dir: Path | str
) -> dict[str, pd.DataFrame]:
    """The data sheets of the workbook (all but README), as DataFrames."""
    from model.analysis.peaks import SCOPES, peak_table, target_table
    from model.inputs.data import load_data

    data = load_data(assumptions_dir)
    sectors = [(s, data.sector_info.at[s, "iamc_name"]) for s in data.sectors]
    peaks, targets, emissions, energy, production, costs, iamc = [], [], [], [], [], [], []
    for r in results_list:
        settings = r.meta.get("settings", {})
        tolerance = float(settings.get("plateau_tolerance", 0.02))
        headline = settings.get("headline_scope", "direct_plus_indirect")
        for scope in SCOPES:
            peaks.append(peak_table(r, data, scope, tolerance).assign(unit="Mt CO2/yr"))
        tt = target_table(r, data, headline)
        tt["unit"] = tt["target"].map(data.targets["unit"])
        tt["rule"] = tt["target"].map(data.targets["rule"])
        targets.append(tt)
        wide = r.to_iamc()
        iamc.append(wide)
        by_var = wide.set_index("variable")
        for scope, root in SCOPES.items():
            for sector, name in [("industry", "Industry"), *sectors]:
                var = root if sector == "industry" else f"{root}|{name}"
                emissions.append(_sheet_row(by_var, var, scope=scope, sector=name))
        for sector, name in [("industry", "Industry"), *sectors]:
            total = "Final Energy|Industry" + ("" if sector == "industry" else f"|{name}")
            energy.append(_sheet_row(by_var, total, sector=name, carrier="Total"))
            if sector != "industry":
                for carrier in CARRIERS:
                    var = f"{total}|{carrier}"
                    if var in by_var.index:
                        energy.append(_sheet_row(by_var, var, sector=name, carrier=carrier))
        for var in by_var.index[by_var.index.str.startswith("Production|")]:
            production.append(_sheet_row(by_var, var, product=var.removeprefix("Production|")))
        for prefix in COST_PREFIXES:
            for var in by_var.index[by_var.index.str.startswith(prefix)]:
                costs.append(_sheet_row(by_var, var, item=prefix.split("|")[0]))
    return {
        "peaks": _front(pd.concat(peaks, ignore_index=True), ["scenario", "sector", "scope"]),
        "targets": pd.concat(targets, ignore_index=True),
        "emissions": pd.DataFrame(emissions),
        "energy": pd.DataFrame(energy),
        "production": pd.DataFrame(production),
        "costs": _without_history(pd.DataFrame(costs)),
        "iamc": pd.concat(iamc, ignore_index=True),
        "sources": _sources_table(Path(assumptions_dir), data),
    }


def _without_history(df: pd.DataFrame) -> pd.DataFrame:
    """Costs are projections: drop the year columns before the base year (all empty)."""
    from model.inputs.trajectory import BASE_YEAR

    return df[[c for c in df.columns if not isinstance(c, int) or c >= BASE_YEAR]]


def _front(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    return df[first + [c for c in df.columns if c not in first]]


def _sheet_row(by_var: pd.DataFrame, variable: str, **labels: str) -> dict[str, Any]:
    row = by_var.loc[variable]
    years = [c for c in by_var.columns if isinstance(c, int)]
    return {
        "scenario": row["scenario"],
        **labels,
        "variable": variable,
        "unit": row["unit"],
        **{y: row[y] for y in years},
    }


def _sources_table(root: Path, data: Any) -> pd.DataFrame:
    """Where every parameter's default and every target comes from."""
    from model.inputs.schema import load_schema

    schema = load_schema(root / "parameters.yaml", data.sectors)
    rows = [
        {
            "kind": "parameter",
            "key": key,
            "family": d.family,
            "unit": d.unit,
            "zh": d.zh,
            "en": d.en,
            "clause": d.clause or "",
            "source": d.source,
        }
        for key, d in schema.parameters.items()
    ]
    for row in data.costs.table.itertuples(index=False):
        money = f" ({row.currency} of {row.money_year})" if row.currency else ""
        rows.append(
            {
                "kind": f"cost data ({row.kind})",
                "key": f"{row.technology}.{row.parameter}",
                "family": "costs.csv",
                "unit": f"{row.model_unit}; as written: {row.value} {row.unit}{money}",
                "zh": "",
                "en": f"{row.model_value:.6g} (range {row.model_low:.6g}-{row.model_high:.6g})",
                "clause": "",
                "source": row.source,
            }
        )
    for row in data.costs.money.itertuples(index=False):
        rows.append(
            {
                "kind": f"money ({row.kind})",
                "key": f"{row.currency}.{row.year}",
                "family": "money.csv",
                "unit": f"CNY2020 per {row.currency} of {row.year}",
                "zh": "",
                "en": f"{row.value:.6g}",
                "clause": "",
                "source": row.source,
            }
        )
    for name, t in data.targets.iterrows():
        rows.append(
            {
                "kind": "target",
                "key": name,
                "family": "",
                "unit": t["unit"],
                "zh": "",
                "en": t["rule"],
                "clause": "",
                "source": t["source"],
            }
        )
    return pd.DataFrame(rows)


_PERIOD_TEXT = {
    "inventory": ("{a}—{b}年：CEADs排放清单", "{a}-{b}: the CEADs inventory"),
    "estimated": (
        "{a}—{b}年：由统计数据（产量、用电量、电网排放因子、增加值）估算",
        "{a}-{b}: estimated from observed statistics (output, electricity, grid factor, "
        "value added)",
    ),
    "projected": ("{a}—{b}年：模型预测", "{a}-{b}: projected"),
}


def _years_row(results_list: list[Results]) -> tuple[str, str, str]:
    """Which years are inventory, estimated from statistics and projected (the README row)."""
    from model.analysis.standing import observed_through, period_spans

    through = max((observed_through(r) for r in results_list), default=0)
    spans = period_spans(through)
    zh = "；".join(_PERIOD_TEXT[p][0].format(a=a, b=b) for p, a, b in spans)
    en = "; ".join(_PERIOD_TEXT[p][1].format(a=a, b=b) for p, a, b in spans)
    return ("years", zh, en)


def readme_table(
    results_list: list[Results], assumptions_dir: Path | str, prov: dict[str, Any]
) -> pd.DataFrame:
    """The README sheet: what the workbook holds, units, scope, sources and provenance."""
    rows: list[tuple[str, str, str]] = [
        (
            "title",
            "peakpath：山东省工业领域二氧化碳排放达峰模型结果",
            "peakpath: when and how high Shandong's industrial CO2 emissions peak (model results)",
        ),
        ("region / model", "山东省 / peakpath", "Shandong / peakpath"),
        _years_row(results_list),
    ]
    for r in results_list:
        desc = r.meta.get("description", {})
        label = r.meta.get("label", {})
        rows.append(
            (
                f"scenario: {r.scenario}",
                f"{label.get('zh', r.scenario)}：{desc.get('zh', '')}",
                f"{label.get('en', r.scenario)}: {desc.get('en', '')}",
            )
        )
    rows += [
        (
            "sheet: peaks",
            "各行业及工业整体的达峰年份、峰值、平台期及2020/2030年排放（两种口径）",
            "Peak year, peak value, plateau and 2020/2030 emissions per sector and for "
            "industry (both scopes)",
        ),
        (
            "sheet: targets",
            "工作方案目标检验（标题口径）：数值、差距、是否达标、蒙特卡洛达标概率",
            "Work Plan target checks (headline scope): value, margin, pass, "
            "Monte Carlo probability",
        ),
        (
            "sheet: emissions",
            "分行业排放：直接排放与含间接排放两种口径",
            "Emissions by sector: direct, and direct plus indirect",
        ),
        ("sheet: energy", "分行业、分品种终端能源消费", "Final energy by sector and carrier"),
        ("sheet: production", "主要产品产量", "Production of the main products"),
        (
            "sheet: costs",
            "分行业投资、年化资本成本、运行成本、能源成本，全国碳市场履约成本、电价传导、"
            "覆盖排放与免费配额，碳价（2020年不变价）",
            "Investment, annualised capital, operation and energy cost by sector; the national "
            "carbon market's compliance cost, electricity pass-through, covered emissions and "
            "free allocation; the allowance price (constant 2020 CNY)",
        ),
        ("sheet: iamc", "全部变量（IAMC 格式）", "All variables (IAMC format)"),
        (
            "sheet: sources",
            "各参数默认值及目标的数据来源",
            "Sources of every parameter default and target",
        ),
        ("unit: emissions", "百万吨 CO2/年（Mt CO2/yr）", "Mt CO2/yr"),
        (
            "unit: energy",
            "百万吨标准煤/年（Mtce/yr）；电力折标方法见 settings",
            "Mtce/yr; electricity converted as in settings (calorific or coal-equivalent)",
        ),
        ("unit: production", "百万吨/年（Mt/yr）", "Mt/yr"),
        (
            "unit: costs",
            "十亿元/年（2020年价，billion CNY2020/yr）；碳价：元/吨CO2（2020年价）。"
            "货币年份与币种在载入时经 money.csv 换算"
            "（山东GDP平减指数；外币先按本币价格折至2020年，再按2020年汇率）",
            "billion CNY2020/yr; carbon price CNY2020/t CO2. Money years and currencies are "
            "converted at load through money.csv (Shandong's GDP deflator; foreign money brought "
            "to 2020 in its own prices, then at the 2020 exchange rate)",
        ),
        (
            "costs: scope",
            "外购电力按电力行业的碳价计入（传导比例默认为0）；产能控制的增加值损失另列，不与技术成本相抵",
            "Purchased electricity is priced through the power sector (pass-through share 0 by "
            "default); the value added capacity control costs is reported apart, never netted "
            "against technology cost",
        ),
        ("unit: value added", "十亿元（2020年价格）", "billion CNY at 2020 prices"),
        ("scope", SCOPE_NOTE["zh"], SCOPE_NOTE["en"]),
        (
            "source: emissions history",
            "CEADs 中国碳核算数据库（山东省清单），引用如右",
            CEADS_CITATION,
        ),
        (
            "source: assumptions",
            "假设数据见 assumptions/（每行均注明 source），参数来源见 sources 表",
            "Assumptions in assumptions/ (every row has a source); parameter sources in "
            "the sheet 'sources'",
        ),
    ]
    for r in results_list:
        settings = r.meta.get("settings", {})
        rows.append(
            (
                f"settings: {r.scenario}",
                ", ".join(f"{k}={v}" for k, v in settings.items()),
                f"draws={r.n_draws}, seed={r.seed}",
            )
        )
    for key, value in prov.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                rows.append((f"provenance: {key}.{sub}", str(v), str(v)))
        else:
            rows.append((f"provenance: {key}", str(value), str(value)))
    return pd.DataFrame(rows, columns=["item", "中文", "English"])


def write_workbook(
    results_list: Results | list[Results], path: Path | str, assumptions_dir: Path | str
) -> Path:
    """An Excel workbook for readers who do not use Python: README (zh/en) plus one sheet per
    table (peaks, targets, emissions, energy, production, costs, all variables, sources)."""
    from model.report.provenance import provenance

    _require_suffix(path, ".xlsx")
    runs = _as_list(results_list)
    if not runs:
        raise ModelError(f"{path}: no results to write")
    seeds = [r.seed for r in runs if r.seed is not None]
    prov = provenance(Path(assumptions_dir), seeds[0] if seeds else None)
    sheets = {"README": readme_table(runs, assumptions_dir, prov)}
    sheets.update(workbook_tables(runs, assumptions_dir))

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name in WORKBOOK_SHEETS:
                sheets[name].to_excel(xl, sheet_name=name, index=False)
                _format_sheet(xl.sheets[name], sheets[name], name)

    return atomic_write(path, write)


def _format_sheet(ws: Any, df: pd.DataFrame, name: str) -> None:
    """Bold shaded headers, sensible widths, frozen header row and label columns."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DDE5F0")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, col in enumerate(df.columns, start=1):
        letter = get_column_letter(i)
        if isinstance(col, int):  # a year column
            width = 9
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "0.00"
        else:
            longest = max([len(str(col)), *(len(str(v)) for v in df[col].head(500))])
            width = min(max(10, longest + 2), 80 if name in ("README", "sources") else 45)
        ws.column_dimensions[letter].width = width
    if name in ("README", "sources"):
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
    frozen_cols = _LABEL_COLUMNS.get(name, 1 if name != "README" else 0)
    ws.freeze_panes = ws.cell(row=2, column=frozen_cols + 1)
