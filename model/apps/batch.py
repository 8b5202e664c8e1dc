"""Run a matrix of parameterized notebooks (notebooks x scenarios x parameters) unattended.

A batch file (``batch.yaml``) lists notebooks, each with fixed ``parameters`` and an optional
``matrix`` whose cartesian product expands into one job per combination. Every run writes to
its own folder and never touches another run::

    outputs/runs/<run_id>/
        manifest.json            provenance + one entry per job (rewritten atomically as jobs end)
        batch.log                runner log, papermill log and kernel stderr of local workers
        notebooks/<job_id>.ipynb executed notebooks (a failing one keeps its error cell)
        data/<job_id>/           where each notebook saves its numbers (injected as output_dir)
        <job_id>.html            briefing pages (jobs with ``render: briefing``)
        index.html               offline overview page for decision-makers
    outputs/latest -> runs/<run_id>   moved atomically, only when every job of the run succeeded

Design choices, and why:

* Everything the user can get wrong (batch schema, unknown notebook, a parameter the notebook
  does not declare, bad ``--set``, unknown scenario) is checked before anything runs, and such
  errors write nothing: a cron job must not leave half-made run folders behind.
* Notebook parameters are passed as papermill parameters (values are serialised by papermill's
  translator, never pasted in as code; papermill's raw ``-r`` mode is never used).
* Each notebook runs in a separate worker process with its own kernel. Many kernels started at
  the same moment can race for ZMQ ports (papermill issues #239, #511): the kernel dies before
  answering ``kernel_info`` or never answers. On Linux and macOS kernels therefore talk over
  Unix sockets in a private folder (no ports, and no plain-TCP warning in the log). A kernel
  start failure is still retried once after a random pause; any other error is the
  notebook's own and is recorded, not retried.
* A failing notebook never stops the others; jobs that depend on it (``after:``) are skipped.
* With the local executor at most one job per worker is submitted at a time, so a free worker
  takes the most urgent ready job: jobs others wait for first, then those that waited
  (briefings), then file order.
  Briefings are rendered in a thread of the runner as soon as a worker has nothing to run.
* Workers save a running notebook at most every few seconds (papermill saves it before and
  after every cell); the first and the final save are always made.
* Kernels are stopped without the graceful shutdown handshake after the last cell (ipykernel 7
  sometimes hangs there until jupyter_client kills it, ~3.5 s lost on about one kernel in ten).
* With one worker per CPU (the default ``--workers``), each worker and the kernels it starts
  are bound to one CPU (Linux; ``--no-pin`` turns it off): two kernels, two papermill clients
  and the runner otherwise bounce between the CPUs and lose their caches (~4% of a batch).
  The model package's bytecode is written before the kernels start, so none of them compiles
  it again; ``output_dir``/``run_dir`` go only to notebooks that declare them.
* The manifest is rewritten after every finished job, so a notebook that runs ``after:`` others
  can read ``<run_dir>/manifest.json`` to find their ``data/`` folders, and a crashed run still
  leaves an honest record.
* A runner killed outright (SIGKILL: the OOM killer, a reboot) cannot write its end: its
  manifest stays ``"running"``. So the manifest records the runner (host, pid, the process's
  start time, boot id, pid namespace), and the next batch and `list_runs` (``--runs``) mark a
  run whose runner is gone ``"abandoned"`` (with when and why) and give it an index page.
  A run on another host is left as it is: its processes cannot be checked from here.

When ``--executor dask`` is worth it: the local executor (a spawn-based process pool) is the
right default for one machine; it has no extra moving parts. Use dask.distributed when the batch
outgrows one machine: large Monte Carlo ensembles split across notebooks, many scenario and
sensitivity combinations, or workers on more than one machine (``--scheduler tcp://host:8786``).
With ``--executor dask`` and no scheduler a LocalCluster (one single-threaded process per
worker) is started, which mainly serves to test the same code path locally. Requirements for a
remote cluster: every worker has this package and a ``python3`` kernel installed, and sees the
repository and the ``outputs/`` folder at the same paths (shared file system), because
papermill writes the executed notebooks and data directly. Start dask workers with
``--nthreads 1``: papermill changes the process working directory while it runs a notebook.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import logging
import multiprocessing
import os
import random
import re
import secrets
import shutil
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO
from urllib.parse import quote

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from model.report.provenance import provenance

try:  # POSIX only; without it the swap of `latest` is still atomic, just not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "BatchResult",
    "BatchUserError",
    "PlannedJob",
    "build_parser",
    "list_runs",
    "load_batch",
    "main",
    "new_run_id",
    "parse_overrides",
    "plan_batch",
    "publish_latest",
    "run_batch",
    "runner_identity",
    "runner_state",
]

# Parameters the runner injects itself; a batch file may not set them.
INJECTED = ("output_dir", "run_dir")
KERNEL_NAME = "python3"
TAIL_LINES = 12  # traceback lines kept in the manifest and on the index page
STATUS_OK, STATUS_FAILED, STATUS_SKIPPED, STATUS_PENDING = "ok", "failed", "skipped", "pending"
# Run (manifest) statuses besides ok/failed: "interrupted" is written by a runner that stops on
# an exception; "abandoned" by whoever finds a "running" run whose runner is gone (SIGKILL).
STATUS_RUNNING, STATUS_INTERRUPTED, STATUS_ABANDONED = "running", "interrupted", "abandoned"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCENARIO_RE = re.compile(r"^[a-z0-9_]+$")
# Dotted keys as in DESIGN.md, e.g. steel.eaf_share.2030 (later segments may be years).
_DOTTED_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_.=-]")

# Messages jupyter_client raises from wait_for_ready() when a kernel never came up. This is the
# start race under parallel load; nbclient's DeadKernelError ("Kernel died") is deliberately not
# listed: a kernel dying mid-run (e.g. out of memory) is the notebook's failure, not a race.
_KERNEL_START_FAILURES = (
    "Kernel died before replying to kernel_info",
    "Kernel didn't respond in",
    "Kernel didn't respond to heartbeats",
)


class BatchUserError(Exception):
    """A mistake in the batch file or the options: exit code 2, nothing written."""


# --------------------------------------------------------------------------------------------
# Batch file schema
# --------------------------------------------------------------------------------------------

Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BatchDefaults(_Strict):
    """Values passed to every notebook that declares the parameter."""

    draws: int = Field(default=1000, ge=0)
    seed: int | None = 20201231


class JobSpec(_Strict):
    """One entry of ``jobs:``; expands into one job per combination of ``matrix`` values."""

    notebook: str
    name: str | None = None  # defaults to the notebook's file stem; `after:` refers to it
    parameters: dict[str, Any] = Field(default_factory=dict)
    matrix: dict[str, list[Scalar]] = Field(default_factory=dict)
    render: Literal["briefing"] | None = None
    after: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str | None) -> str | None:
        if value is not None and not _NAME_RE.match(value):
            raise ValueError("must be letters, digits and _ (not starting with a digit)")
        return value

    @field_validator("parameters", "matrix")
    @classmethod
    def _keys_are_identifiers(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not _NAME_RE.match(key):
                raise ValueError(f"parameter name {key!r} is not a Python identifier")
            if key in INJECTED:
                raise ValueError(f"{key!r} is set by the runner and cannot be given")
        return value

    @field_validator("matrix")
    @classmethod
    def _axes_not_empty(cls, value: dict[str, list[Scalar]]) -> dict[str, list[Scalar]]:
        for key, values in value.items():
            if not values:
                raise ValueError(f"matrix axis {key!r} has no values")
        return value

    @property
    def job_name(self) -> str:
        return self.name or Path(self.notebook).stem


class BatchSpec(_Strict):
    defaults: BatchDefaults = Field(default_factory=BatchDefaults)
    jobs: list[JobSpec] = Field(min_length=1)


def _loc(parts: Sequence[int | str]) -> str:
    """('jobs', 1, 'matrix') -> 'jobs[1].matrix'."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_batch(path: Path) -> tuple[BatchSpec, dict[str, Any]]:
    """Parse and validate a batch file; returns the model and the raw mapping (for the manifest)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchUserError(f"{path}: batch file not found") from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "cannot parse"
        raise BatchUserError(f"{path}: invalid YAML: {first}") from None
    if not isinstance(raw, dict):
        raise BatchUserError(f"{path}: (top level): {_short(raw)}: expected a mapping with jobs:")
    try:
        spec = BatchSpec.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"{path}: {_loc(err['loc'])}: {_short(err.get('input'))}: {err['msg']}"
            for err in exc.errors()
        ]
        raise BatchUserError("\n".join(lines)) from None
    return spec, raw


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------


def parse_overrides(items: Sequence[str]) -> list[str]:
    """Validate ``K=V`` strings (K a dotted key); returns them normalised as ``K=V``."""
    parsed: list[str] = []
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _DOTTED_KEY_RE.match(key) or not value:
            raise BatchUserError(
                f"--set {item!r}: expected K=V with K a dotted key, e.g. steel.eaf_share.2030=0.25"
            )
        parsed.append(f"{key}={value}")
    return parsed


def parse_scenarios(text: str | Sequence[str] | None) -> list[str] | None:
    """'a,b' or ['a', 'b'] -> ['a', 'b'] after checking the names."""
    if text is None:
        return None
    names = [s.strip() for s in text.split(",")] if isinstance(text, str) else list(text)
    names = [n for n in names if n]
    if not names:
        raise BatchUserError("--scenarios: give at least one scenario name")
    for name in names:
        if not _SCENARIO_RE.match(name):
            raise BatchUserError(f"--scenarios: {name!r}: names are [a-z0-9_]+")
    return list(dict.fromkeys(names))  # keep order, drop repeats


def _apply_scenarios(job: JobSpec, scenarios: list[str]) -> JobSpec:
    """Replace the job's scenario lists with `scenarios`.

    A ``scenario`` matrix axis and a ``scenarios`` list parameter are replaced; a fixed
    ``scenario`` parameter becomes the given scenario, or a matrix axis over several.
    """
    params, matrix = dict(job.parameters), dict(job.matrix)
    if "scenario" in matrix:
        matrix["scenario"] = list(scenarios)
    if isinstance(params.get("scenarios"), list):
        params["scenarios"] = list(scenarios)
    if "scenario" in params:
        if len(scenarios) == 1:
            params["scenario"] = scenarios[0]
        else:
            del params["scenario"]
            matrix["scenario"] = list(scenarios)
    return job.model_copy(update={"parameters": params, "matrix": matrix})


# --------------------------------------------------------------------------------------------
# Plan: expand the matrix, check every parameter against what each notebook declares
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedJob:
    id: str
    name: str
    notebook: Path  # absolute path of the source notebook
    notebook_label: str  # as written in the batch file
    parameters: dict[str, Any]  # everything but the injected output_dir / run_dir
    injected: tuple[str, ...] = INJECTED  # those of them the notebook declares
    after: tuple[str, ...] = ()  # job ids this job waits for
    after_names: tuple[str, ...] = ()
    render: str | None = None

    def parameters_with(self, output_dir: str, run_dir: str) -> dict[str, Any]:
        """The parameters plus the injected paths this notebook declares (papermill logs a
        warning for every parameter a notebook does not declare)."""
        paths = {"output_dir": output_dir, "run_dir": run_dir}
        return {**self.parameters, **{k: paths[k] for k in self.injected}}

    @property
    def scenario(self) -> Any:
        return self.parameters.get("scenario", self.parameters.get("scenarios"))

    @property
    def lang(self) -> str:
        return str(self.parameters.get("lang", "zh"))


def _job_id(name: str, combo: dict[str, Scalar]) -> str:
    parts = [name, *(f"{k}={v}" for k, v in combo.items())]
    # Ids become file names and URLs: keep them to a portable character set.
    return _UNSAFE_ID_CHARS.sub("-", "__".join(parts))


def _declared_parameters(notebook: Path) -> set[str]:
    import papermill  # deferred: importing papermill costs ~0.5 s, --help should not pay it

    return set(papermill.inspect_notebook(str(notebook)))


def _known_scenarios(assumptions_dir: Path) -> set[str] | None:
    """Scenario names shipped in assumptions/scenarios/, or None when there are none to check."""
    names = {p.stem for p in (assumptions_dir / "scenarios").glob("*.yaml")}
    return names or None


def _scenario_values(job: JobSpec) -> list[Any]:
    values = list(job.matrix.get("scenario", []))
    if "scenario" in job.parameters:
        values.append(job.parameters["scenario"])
    scenarios = job.parameters.get("scenarios")
    if isinstance(scenarios, list):
        values.extend(scenarios)
    return values


def _check_scenarios(batch: Path, index: int, job: JobSpec, known: set[str] | None) -> None:
    if known is None:
        return
    for value in _scenario_values(job):
        if value not in known:
            raise BatchUserError(
                f"{batch}: jobs[{index}] ({job.job_name}): scenario {value!r}: "
                f"not in assumptions/scenarios ({', '.join(sorted(known))})"
            )


def _resolve_parameters(
    job: JobSpec,
    combo: dict[str, Scalar],
    declared: set[str],
    defaults: BatchDefaults,
    cli: dict[str, Any],
) -> dict[str, Any]:
    """Precedence: batch defaults < job parameters < matrix values < command-line options."""
    params: dict[str, Any] = {}
    for key, value in (("draws", defaults.draws), ("seed", defaults.seed)):
        if key in declared:
            params[key] = value
    params.update(job.parameters)
    params.update(combo)
    for key, value in cli.items():
        if key in declared and value is not None:
            params[key] = value
    return params


def plan_batch(
    batch_path: Path,
    spec: BatchSpec,
    *,
    scenarios: list[str] | None = None,
    overrides: list[str] | None = None,
    draws: int | None = None,
    seed: int | None = None,
    assumptions_dir: Path | None = None,
) -> list[PlannedJob]:
    """Expand the batch into jobs; raise BatchUserError for anything that would fail later."""
    base = batch_path.resolve().parent
    known = _known_scenarios(assumptions_dir) if assumptions_dir else None
    # assumptions_dir goes to notebooks that declare it, so --assumptions reaches the model and
    # the hash in the manifest describes the files the notebooks actually read.
    cli = {
        "draws": draws,
        "seed": seed,
        "overrides": overrides or None,
        "assumptions_dir": str(assumptions_dir.resolve()) if assumptions_dir else None,
    }
    names = [job.job_name for job in spec.jobs]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise BatchUserError(f"{batch_path}: jobs: name {dup!r} used twice; give one a `name:`")

    jobs: list[PlannedJob] = []
    ids_by_name: dict[str, list[str]] = {}
    for index, raw_job in enumerate(spec.jobs):
        job = _apply_scenarios(raw_job, scenarios) if scenarios else raw_job
        _check_scenarios(batch_path, index, job, known)
        notebook = (base / job.notebook).resolve()
        if not notebook.is_file():
            raise BatchUserError(
                f"{batch_path}: jobs[{index}].notebook: {job.notebook!r}: notebook not found"
            )
        declared = _declared_parameters(notebook)
        for where, keys in (("parameters", job.parameters), ("matrix", job.matrix)):
            for key in keys:
                if key not in declared:
                    raise BatchUserError(
                        f"{batch_path}: jobs[{index}].{where}.{key}: {_short(keys[key])}: "
                        f"{job.notebook} declares no parameter {key!r} "
                        f"(declared: {', '.join(sorted(declared)) or 'none'})"
                    )
        for dep in job.after:
            if dep not in names or dep == job.job_name:
                raise BatchUserError(
                    f"{batch_path}: jobs[{index}].after: {dep!r}: must name another job "
                    f"({', '.join(n for n in names if n != job.job_name)})"
                )
        axes = list(job.matrix)
        for values in itertools.product(*(job.matrix[a] for a in axes)) if axes else [()]:
            combo = dict(zip(axes, values, strict=True))
            planned = PlannedJob(
                id=_job_id(job.job_name, combo),
                name=job.job_name,
                notebook=notebook,
                notebook_label=job.notebook,
                parameters=_resolve_parameters(job, combo, declared, spec.defaults, cli),
                injected=tuple(k for k in INJECTED if k in declared),
                after_names=tuple(job.after),
                render=job.render,
            )
            jobs.append(planned)
            ids_by_name.setdefault(job.job_name, []).append(planned.id)

    _check_unique_ids(batch_path, jobs)
    if overrides and not any("overrides" in j.parameters for j in jobs):
        raise BatchUserError("--set given, but no notebook in the batch declares `overrides`")
    jobs = [_with_dependencies(j, ids_by_name) for j in jobs]
    _check_acyclic(batch_path, jobs)
    return jobs


def _check_unique_ids(batch_path: Path, jobs: list[PlannedJob]) -> None:
    seen: set[str] = set()
    for job in jobs:
        if job.id in seen:
            raise BatchUserError(f"{batch_path}: jobs: two jobs expand to the same id {job.id!r}")
        seen.add(job.id)


def _with_dependencies(job: PlannedJob, ids_by_name: dict[str, list[str]]) -> PlannedJob:
    after = tuple(i for name in job.after_names for i in ids_by_name[name])
    return PlannedJob(**{**job.__dict__, "after": after})


def _check_acyclic(batch_path: Path, jobs: list[PlannedJob]) -> None:
    """Kahn's algorithm: a job set with a cycle in `after:` would otherwise wait forever."""
    remaining = {j.id: set(j.after) for j in jobs}
    while remaining:
        ready = [i for i, deps in remaining.items() if not deps & remaining.keys()]
        if not ready:
            cycle = ", ".join(sorted({j.name for j in jobs if j.id in remaining}))
            raise BatchUserError(f"{batch_path}: jobs.after: cycle between {cycle}")
        for i in ready:
            del remaining[i]


def format_plan(jobs: list[PlannedJob], batch_path: Path, out: TextIO) -> None:
    """Human-readable plan for --dry-run."""
    print(
        f"plan: {len(jobs)} notebook runs from {batch_path} (dry run: nothing is run or written)",
        file=out,
    )
    for job in jobs:
        print(f"- {job.id}", file=out)
        print(f"    notebook:   {job.notebook_label}", file=out)
        shown = job.parameters_with(f"<run_dir>/data/{job.id}", "<run_dir>")
        print(f"    parameters: {json.dumps(shown, ensure_ascii=False)}", file=out)
        if job.after:
            print(f"    after:      {', '.join(job.after)}", file=out)
        if job.render:
            print(f"    render:     {job.render} ({job.lang}) -> <run_dir>/{job.id}.html", file=out)


# --------------------------------------------------------------------------------------------
# Worker side: runs in a worker process (local pool or dask worker). Must stay importable and
# picklable by reference, and must never raise for a notebook's own failure.
# --------------------------------------------------------------------------------------------


def is_kernel_start_failure(exc: BaseException) -> bool:
    """True for the kernel start race (worth one retry), False for everything else."""
    return isinstance(exc, RuntimeError) and any(m in str(exc) for m in _KERNEL_START_FAILURES)


def _error_record(exc: BaseException) -> dict[str, Any]:
    """Exception type, message and the last traceback lines, as plain JSON."""
    from papermill.exceptions import PapermillExecutionError, strip_color

    if isinstance(exc, PapermillExecutionError):
        lines = strip_color("\n".join(exc.traceback)).splitlines()
        return {
            "type": exc.ename,
            "message": str(exc.evalue),
            "cell": exc.exec_count,
            "traceback_tail": lines[-TAIL_LINES:],
        }
    lines = "".join(traceback.format_exception(exc)).splitlines()
    return {"type": type(exc).__name__, "message": str(exc), "traceback_tail": lines[-TAIL_LINES:]}


@contextmanager
def _papermill_log_to(log_file: str, job_id: str) -> Iterator[None]:
    """Send papermill's logger to the run's batch.log while this job runs."""
    logger = logging.getLogger("papermill")
    handler = logging.FileHandler(log_file, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s [{job_id}] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()


def _redirect_std_fds(log_file: str) -> None:
    """Point this worker's stdout/stderr (inherited by its kernels) at batch.log.

    Kernels print warnings and, when they lose the start race, a ZMQ traceback on stderr; under
    cron that would land in the mail instead of next to the run it belongs to. Only done in our
    own pool processes, never in a dask worker we do not own.
    """
    fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


ENGINE_NAME = "peakpath"
SAVE_EVERY_S = 5.0  # the least time between two saves of a running notebook


def _register_engine() -> str | None:
    """papermill's nbclient engine, saving the running notebook at most every SAVE_EVERY_S.

    papermill rewrites (and validates) the whole output notebook before and after every cell,
    markdown ones included: ~40 saves of a growing file with its images per notebook, which
    the worker does while the next notebook's kernel needs the CPU. The first and the final
    save are kept (the final one holds every output and the error, if any); in between the file
    is refreshed every few seconds, enough to follow a long notebook. Returns the engine's
    name, or None (papermill's default engine) if papermill's internals are not as expected.
    """
    global _ENGINE
    if _ENGINE is not None:
        return _ENGINE or None
    try:
        from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    except ImportError:  # pragma: no cover - another papermill layout
        _ENGINE = ""
        return None

    class _Manager(NotebookExecutionManager):  # type: ignore[misc]
        _force = True  # the first save (the file appears at once) and the final one

        def save(self, **kwargs: Any) -> None:
            since = (self.now() - self.last_save_time).total_seconds()
            if self._force or since >= SAVE_EVERY_S:
                super().save(**kwargs)
            self._force = False

        def notebook_complete(self, **kwargs: Any) -> None:
            self._force = True
            super().notebook_complete(**kwargs)

    class _Engine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_notebook(  # papermill's Engine.execute_notebook with the manager above
            cls,
            nb: Any,
            kernel_name: str,
            output_path: str | None = None,
            progress_bar: bool = True,
            log_output: bool = False,
            autosave_cell_every: int = 30,
            **kwargs: Any,
        ) -> Any:
            nb_man = _Manager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, _Engine)
    _ENGINE = ENGINE_NAME
    return _ENGINE


_ENGINE: str | None = None  # "" when the default engine is used


@contextmanager
def _kernel_transport() -> Iterator[dict[str, Any]]:
    """papermill keyword arguments that connect to the kernel over Unix sockets, where there are.

    Over TCP every kernel takes five localhost ports, which kernels started at the same moment
    can race for, and ipykernel logs a warning about unencrypted TCP for every notebook.
    Unix sockets in a private folder (short path: socket paths are limited to ~100 bytes)
    have neither problem; the folder goes when the notebook is done. Elsewhere: TCP.
    """
    if os.name != "posix":
        yield {}
        return
    from traitlets.config import Config

    folder = tempfile.mkdtemp(prefix="peakpath-k")
    try:
        yield {"config": Config({"KernelManager": {"transport": "ipc", "ip": f"{folder}/k"}})}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def execute_job(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook with papermill; returns a result record, never raises."""
    import papermill

    engine = _register_engine()

    if task.get("redirect_fds"):
        _redirect_std_fds(task["log_file"])
    started = time.monotonic()
    attempts = 0
    error: dict[str, Any] | None = None
    with _papermill_log_to(task["log_file"], task["id"]):
        log = logging.getLogger("papermill")
        for attempt in (1, 2):
            attempts = attempt
            try:
                with _kernel_transport() as transport:  # fresh sockets for a retry too
                    papermill.execute_notebook(
                        task["notebook"],
                        task["output"],
                        parameters=task["parameters"],
                        kernel_name=task["kernel_name"],
                        start_timeout=task["start_timeout"],
                        progress_bar=False,  # one overall bar in the parent, none per cell
                        log_output=False,  # cell output stays in the executed notebook
                        cwd=task["cwd"],
                        execution_timeout=task.get("cell_timeout"),
                        # Stop the kernel without the graceful handshake once the last cell is
                        # done (its outputs have all arrived by then, and notebooks write their
                        # files inside cells). The graceful path sometimes hangs in ipykernel 7
                        # until jupyter_client gives up and kills the kernel: ~3.5 s lost on
                        # about one kernel in ten, the largest source of noise in a batch.
                        shutdown_kernel="immediate",
                        engine_name=engine,
                        **transport,
                    )
                error = None
                break
            except Exception as exc:  # failure isolation: record, never propagate
                error = _error_record(exc)
                if attempt == 1 and is_kernel_start_failure(exc):
                    log.warning("kernel failed to start (%s); retrying once", exc)
                    time.sleep(random.uniform(0.5, 2.0))  # de-synchronise from the other starts
                    continue
                break
    return {
        "id": task["id"],
        "status": STATUS_FAILED if error else STATUS_OK,
        "duration_s": round(time.monotonic() - started, 3),
        "attempts": attempts,
        "error": error,
    }


# --------------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------------


@contextmanager
def _local_executor(workers: int, cpus: list[int] | None = None) -> Iterator[Executor]:
    # spawn, not fork: the parent holds threads (tqdm, logging) and forking those is unsafe;
    # each worker starts clean and launches its own kernel. `cpus`: one per worker to bind to.
    ctx = multiprocessing.get_context("spawn")
    pin_args: dict[str, Any] = {}
    if cpus:
        queue = ctx.Queue()
        for cpu in cpus:
            queue.put(cpu)
        pin_args = {"initializer": _pin_worker, "initargs": (queue,)}
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, **pin_args)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _allowed_cpus() -> list[int] | None:
    """The CPUs this process may run on (taskset, cgroup cpusets); None where unknown."""
    getter = getattr(os, "sched_getaffinity", None)
    return sorted(getter(0)) if getter else None


def usable_cpu_count() -> int:
    """How many CPUs this process may run on, not how many the machine has."""
    cpus = _allowed_cpus()
    return len(cpus) if cpus else os.cpu_count() or 1


def pinned_cpus(workers: int, pin: bool | None = None) -> list[int] | None:
    """The CPUs the local workers are bound to, one each, or None when they float.

    ``pin=None`` (the default) binds them when there is exactly one worker per CPU this process
    may use: each worker and the kernels it starts then keep one CPU (and its caches) to
    themselves instead of being moved between CPUs as the two kernels, their two papermill
    clients and the parent compete for them; the default batch runs ~4% faster on 2 CPUs.
    With fewer workers than CPUs they float, so the OS can give them any idle CPU. ``pin=True``
    binds them whenever the platform allows (Linux), ``pin=False`` never. A pinned kernel also
    runs its Monte Carlo threads on its one CPU: for a batch of a few very large ensembles,
    where a CPU may sit idle while one notebook still runs, ``--no-pin`` can be faster.
    """
    cpus = _allowed_cpus()
    if pin is False or cpus is None or not hasattr(os, "sched_setaffinity"):
        return None
    if workers > len(cpus) or (pin is None and (workers != len(cpus) or workers < 2)):
        return None
    return cpus[:workers]


def _pin_worker(cpus: Any) -> None:
    """Pool initializer: bind this worker, and so the kernels it starts, to one free CPU."""
    # An initializer that raises breaks the whole pool: run unpinned instead.
    with suppress(Exception):
        os.sched_setaffinity(0, {cpus.get(timeout=5)})


@contextmanager
def _dask_executor(workers: int, scheduler: str | None) -> Iterator[Executor]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise BatchUserError(f"--executor dask: {exc}") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            # ":0" picks a free port: two cron runs must not fight over the default 8787.
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise BatchUserError(f"--scheduler {scheduler}: cannot connect: {exc}") from None
    try:
        # pure=False: two identical-looking submissions are still two runs.
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _open_executor(kind: str, workers: int, scheduler: str | None, cpus: list[int] | None) -> Any:
    if kind == "dask":
        return _dask_executor(workers, scheduler)
    return _local_executor(workers, cpus)


# --------------------------------------------------------------------------------------------
# Run folder, manifest, index page, latest
# --------------------------------------------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="seconds").replace("+00:00", "Z")


def new_run_id(now: datetime | None = None) -> str:
    """Sortable UTC timestamp plus a random suffix: unique for runs started in the same second."""
    now = now or _utcnow()
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def write_json_atomic(path: Path, data: Any) -> None:
    """Readers see the old file or the new one, never a half-written one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_UN)


def publish_latest(outputs: Path, run_id: str) -> Path:
    """Point outputs/latest at runs/<run_id> with one rename: it is never missing or dangling.

    The lock only serialises the swap between overlapping runs, so whichever successful run
    finishes last wins and no run can remove the other's temporary link.
    """
    latest = outputs / "latest"
    tmp = outputs / f".latest.{run_id}"
    with _file_lock(outputs / ".lock-latest"):
        tmp.unlink(missing_ok=True)
        os.symlink(Path("runs") / run_id, tmp)  # relative: the outputs folder can be moved
        os.replace(tmp, latest)
    return latest


# Who runs a run, and runs whose runner is gone. A runner killed with SIGKILL (the OOM killer, a
# reboot) cannot update its manifest: it stays "running". Each runner records what identifies
# it; whoever reads the manifests later (the next batch, list_runs) checks that identity.

_PROC = Path("/proc")


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks after boot) of a process, from /proc/<pid>/stat."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
        fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces
        return fields[0], int(fields[19])  # proc(5) fields 3 (state) and 22 (starttime)
    except (OSError, ValueError, IndexError):
        return None


def _text_of(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def runner_identity() -> dict[str, Any]:
    """What tells this process apart from any other, for the manifest: host and pid, the
    process's start time (pids are reused), the boot it belongs to and its pid namespace
    (containers). The last three are None where /proc does not exist (not Linux)."""
    stat = _proc_stat(os.getpid())
    try:
        namespace: str | None = os.readlink(_PROC / "self" / "ns" / "pid")
    except OSError:
        namespace = None
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "pid_start_ticks": stat[1] if stat else None,
        "boot_id": _text_of(_PROC / "sys" / "kernel" / "random" / "boot_id"),
        "pid_namespace": namespace,
    }


def runner_state(runner: Any) -> tuple[Literal["alive", "gone", "unknown"], str]:
    """Whether the runner recorded in a manifest still runs, and why we say so.

    ``gone``: on this host, the machine has restarted since, or the pid is free (or a zombie),
    or it now belongs to a process that started at another time. ``unknown``: another host or
    pid namespace, whose processes cannot be checked from here, or no runner recorded; such
    runs are left as they are. ``alive``: the same process still exists.
    """
    if not isinstance(runner, dict) or not isinstance(runner.get("pid"), int) or runner["pid"] < 1:
        return "unknown", "the manifest does not record its runner"
    here = runner_identity()
    pid, ticks = runner["pid"], runner.get("pid_start_ticks")
    where = f"pid {pid} on {runner.get('host')}"

    def differs(key: str) -> bool:
        return bool(runner.get(key) and here[key] and runner[key] != here[key])

    if runner.get("host") != here["host"]:
        return "unknown", f"{where}: another host, its processes cannot be checked from here"
    if differs("boot_id"):
        return "gone", f"{where}: the machine has restarted since the run started"
    if differs("pid_namespace"):
        return "unknown", f"{where}: another pid namespace (container), not visible from here"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "gone", f"{where}: no such process"
    except PermissionError:
        pass  # it exists, owned by another user
    stat = _proc_stat(pid)
    if stat is not None and stat[0] in ("Z", "X"):
        return "gone", f"{where}: the process has exited"
    if stat is not None and ticks is not None and stat[1] != ticks:
        return "gone", f"{where}: the pid now belongs to another process"
    return "alive", f"{where}: still running"


def _mark_if_abandoned(run_dir: Path) -> tuple[dict[str, Any] | None, bool]:
    """(the run's manifest as it now stands, whether it was just marked abandoned)."""
    path = run_dir / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, False
    if not isinstance(manifest, dict) or manifest.get("status") != STATUS_RUNNING:
        return manifest if isinstance(manifest, dict) else None, False
    state, reason = runner_state(manifest.get("runner"))
    if state != "gone":
        return manifest, False
    manifest["status"] = STATUS_ABANDONED
    manifest["abandoned_at"] = _iso(_utcnow())
    manifest["abandoned_reason"] = f"runner {reason}"
    with suppress(OSError):  # a reader without write access still reports it
        write_json_atomic(path, manifest)
        _write_text_atomic(run_dir / "index.html", render_index(manifest, run_dir))
    return manifest, True


def list_runs(outputs: str | Path = "outputs", out: TextIO | None = None) -> list[dict[str, Any]]:
    """Every run's manifest under ``outputs/runs``, oldest first.

    A run whose manifest says "running" but whose runner is gone (see `runner_state`) is
    first marked "abandoned" in its manifest (atomically, with ``abandoned_at`` and
    ``abandoned_reason``) and its index page says so; ``out`` gets a line for each. Readers
    and schedulers should read runs through this, never a bare "running" from the file.
    `latest` is not touched: it only ever points at a run that finished ok.
    """
    runs = Path(outputs) / "runs"
    found = []
    for run_dir in sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []:
        manifest, marked = _mark_if_abandoned(run_dir)
        if manifest is None:
            continue
        if marked and out is not None:
            print(f"run {run_dir.name}: abandoned ({manifest['abandoned_reason']})", file=out)
        found.append(manifest)
    return found


@dataclass
class RunLayout:
    outputs: Path
    run_id: str

    @property
    def run_dir(self) -> Path:
        return self.outputs / "runs" / self.run_id

    @property
    def log_file(self) -> Path:
        return self.run_dir / "batch.log"

    @property
    def manifest(self) -> Path:
        return self.run_dir / "manifest.json"

    def notebook(self, job_id: str) -> Path:
        return self.run_dir / "notebooks" / f"{job_id}.ipynb"

    def data(self, job_id: str) -> Path:
        return self.run_dir / "data" / job_id

    def html(self, job_id: str) -> Path:
        return self.run_dir / f"{job_id}.html"

    def create(self) -> None:
        (self.outputs / "runs").mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir()  # exist_ok=False: a run folder is never shared
        (self.run_dir / "notebooks").mkdir()
        (self.run_dir / "data").mkdir()


def _job_entry(job: PlannedJob, layout: RunLayout) -> dict[str, Any]:
    return {
        "id": job.id,
        "name": job.name,
        "notebook": job.notebook_label,
        "scenario": job.scenario,
        "parameters": job.parameters,
        "after": list(job.after),
        "render": job.render,
        "status": STATUS_PENDING,
        "duration_s": None,
        "attempts": 0,
        "error": None,
        "reason": None,
        "output": layout.notebook(job.id).relative_to(layout.run_dir).as_posix(),
        "data_dir": layout.data(job.id).relative_to(layout.run_dir).as_posix(),
        "html": None,
    }


# Labels are bilingual, Chinese first: the briefing's readers are provincial decision-makers.
_STATUS_LABELS = {
    STATUS_OK: "成功 OK",
    STATUS_FAILED: "失败 Failed",
    STATUS_SKIPPED: "跳过 Skipped",
    STATUS_PENDING: "未运行 Not run",
}
_LANG_LABELS = {"zh": "简报（中文）Briefing (Chinese)", "en": "简报（英文）Briefing (English)"}

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;
margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328;line-height:1.5}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}
.summary{font-size:1.05rem;padding:.6rem .9rem;border-radius:6px;margin:1rem 0}
.summary.ok{background:#dafbe1;border:1px solid #2da44e}
.summary.failed{background:#ffebe9;border:1px solid #cf222e;color:#82071e}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid #d0d7de;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right;white-space:nowrap}
.status-ok{color:#1a7f37;font-weight:600}.status-skipped{color:#57606a}
.status-failed{color:#cf222e;font-weight:700}tr.failed{background:#fff5f5}
.error{color:#cf222e;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:.82rem;
margin:.3rem 0 0}
ul.briefings{font-size:1.1rem}footer{margin-top:2.5rem;color:#57606a;font-size:.82rem;
border-top:1px solid #d0d7de;padding-top:.6rem}code{font-size:.85em}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _href(rel: str) -> str:
    return _esc(quote(rel, safe="/="))


def _link(rel: str, text: str) -> str:
    return f'<a href="{_href(rel)}">{_esc(text)}</a>'


def _data_links(run_dir: Path, entry: dict[str, Any], limit: int = 8) -> str:
    folder = run_dir / entry["data_dir"]
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    if not files:
        return "—"
    links = [_link(p.relative_to(run_dir).as_posix(), p.name) for p in files[:limit]]
    if len(files) > limit:
        links.append(_link(entry["data_dir"] + "/", f"+{len(files) - limit} …"))
    return "<br>".join(links)


def _error_text(entry: dict[str, Any]) -> str:
    if entry["status"] == STATUS_SKIPPED:
        return entry.get("reason") or ""
    err = entry.get("error")
    if not err:
        return ""
    return f"{err.get('stage', 'execute')}: {err['type']}: {err['message']}"


def _job_row(run_dir: Path, entry: dict[str, Any]) -> str:
    status = entry["status"]
    nb_path = run_dir / entry["output"]
    notebook = _link(entry["output"], "ipynb") if nb_path.exists() else "—"
    briefing = _link(entry["html"], Path(entry["html"]).name) if entry.get("html") else "—"
    duration = f"{entry['duration_s']:.1f} s" if entry.get("duration_s") is not None else "—"
    message = _error_text(entry)
    detail = f'<p class="error">{_esc(message)}</p>' if message else ""
    return (
        f'<tr class="{_esc(status)}"><td><code>{_esc(entry["id"])}</code>{detail}</td>'
        f'<td class="status-{_esc(status)}">{_esc(_STATUS_LABELS.get(status, status))}</td>'
        f'<td class="num">{_esc(duration)}</td><td>{briefing}</td><td>{notebook}</td>'
        f"<td>{_data_links(run_dir, entry)}</td></tr>"
    )


def render_index(manifest: dict[str, Any], run_dir: Path) -> str:
    """Self-contained offline overview page (no scripts, fonts or links outside the run)."""
    jobs = manifest["jobs"]
    failed = [j for j in jobs if j["status"] != STATUS_OK]
    if manifest.get("status") == STATUS_ABANDONED:
        summary = (
            '<p class="summary failed">本次运行已中止：运行进程已不存在，结果不完整，'
            "不会发布为 latest。/ This run was abandoned: its runner is gone "
            f"({_esc(manifest.get('abandoned_reason'))}); its results are incomplete and it is "
            "not published as latest.</p>"
        )
    elif failed:
        summary = (
            f'<p class="summary failed">{len(failed)} 个任务未成功（失败或跳过），'
            f"{len(failed)} of {len(jobs)} notebooks failed or were skipped. "
            "本次结果不会发布为 latest / this run is not published as latest.</p>"
        )
    else:
        summary = (
            f'<p class="summary ok">全部 {len(jobs)} 个任务成功 / '
            f"all {len(jobs)} notebooks succeeded.</p>"
        )
    briefings = [
        f"<li>{_link(j['html'], _LANG_LABELS.get(str(j['parameters'].get('lang')), j['id']))}</li>"
        for j in jobs
        if j.get("html")
    ]
    briefing_block = (
        f'<h2>简报 Briefings</h2><ul class="briefings">{"".join(briefings)}</ul>'
        if briefings
        else ""
    )
    rows = "".join(_job_row(run_dir, j) for j in jobs)
    dirty = manifest.get("git_dirty")
    commit = manifest.get("git_commit") or "unknown"
    commit_text = f"{commit} (未提交的修改 uncommitted changes)" if dirty is True else commit
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>山东工业碳达峰 批量运行 Batch run {_esc(manifest["run_id"])}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>山东省工业二氧化碳达峰模型 · 批量运行结果<br>
<small>Shandong industrial CO2 peak model · batch run</small></h1>
{summary}
{briefing_block}
<h2>任务 Notebooks</h2>
<table>
<thead><tr><th>任务 Job</th><th>状态 Status</th><th class="num">用时 Duration</th>
<th>简报 Briefing</th><th>笔记本 Notebook</th><th>数据 Data</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>{_link("manifest.json", "运行清单 manifest.json")} · {_link("batch.log", "日志 batch.log")}</p>
<footer>
运行编号 Run ID: <code>{_esc(manifest["run_id"])}</code> ·
日期 Date: {_esc(manifest.get("finished_at") or manifest.get("started_at"))} ·
代码版本 Git commit: <code>{_esc(commit_text)}</code> ·
假设数据哈希 Assumptions hash: <code>{_esc(manifest.get("assumptions_hash"))}</code>
</footer>
</body>
</html>
"""


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# Scheduling with `after:` dependencies
# --------------------------------------------------------------------------------------------


def _skip_reason(job: PlannedJob, results: dict[str, dict[str, Any]]) -> str | None:
    for dep in job.after:
        if dep in results and results[dep]["status"] != STATUS_OK:
            return f"依赖任务未成功 dependency {dep} {results[dep]['status']}"
    return None


def _priority_order(jobs: list[PlannedJob]) -> dict[str, tuple[int, int, int]]:
    """Sort key for ready jobs when workers are scarce (lower starts first).

    1. Jobs that others wait for (``after:``) first: finishing them early lets their dependents
       run alongside the independent jobs instead of after all of them.
    2. Then jobs that waited for others: they became ready late, and are typically the long
       summary jobs (briefings) that would otherwise end the run on one busy worker while the
       other idles. Short independent jobs fill the remaining gaps at the end.
    3. Then batch file order.
    """
    needed = {dep for job in jobs for dep in job.after}
    return {
        job.id: (0 if job.id in needed else 1, 0 if job.after else 1, index)
        for index, job in enumerate(jobs)
    }


def _schedule(
    jobs: list[PlannedJob],
    submit: Callable[[PlannedJob], Future],
    on_done: Callable[[dict[str, Any]], None],
    limit: int | None = None,
    on_idle: Callable[[], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Submit each job once its dependencies succeeded; skip it if one of them did not.

    ``limit`` (the number of workers) keeps at most that many jobs submitted at a time, so the
    next free worker takes the most urgent ready job (see `_priority_order`) rather than the
    next one in a queue filled at the start. ``None`` submits every ready job at once.
    ``on_idle`` is called whenever a worker is left without a job (nothing is ready).
    """
    pending = {job.id: job for job in jobs}  # insertion order = batch file order
    running: dict[Future, PlannedJob] = {}
    results: dict[str, dict[str, Any]] = {}
    order = _priority_order(jobs)

    def finish(result: dict[str, Any]) -> None:
        results[result["id"]] = result
        on_done(result)

    while pending or running:
        changed = True
        while changed:  # skipping one job can make its dependents skippable in turn
            changed = False
            for job_id, job in list(pending.items()):
                reason = _skip_reason(job, results)
                if reason:
                    del pending[job_id]
                    finish({"id": job_id, "status": STATUS_SKIPPED, "reason": reason})
                    changed = True
        ready = sorted(
            (job for job in pending.values() if all(dep in results for dep in job.after)),
            key=lambda job: order[job.id],
        )
        free = len(ready) if limit is None else max(0, limit - len(running))
        for job in ready[:free]:
            del pending[job.id]
            running[submit(job)] = job
        if on_idle is not None and limit is not None and len(running) < limit:
            on_idle()
        if not running:
            break  # unreachable with an acyclic plan; guards against waiting forever
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in done:
            job = running.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # the worker itself died (e.g. killed), not the notebook
                result = {"id": job.id, "status": STATUS_FAILED, "error": _error_record(exc)}
            finish(result)
    return results


# --------------------------------------------------------------------------------------------
# Rendering briefings
# --------------------------------------------------------------------------------------------


def _render(job: PlannedJob, layout: RunLayout) -> tuple[Path | None, dict[str, Any] | None]:
    """Call model.report.html.render_briefing; an import or render failure is recorded, not
    raised."""
    try:
        from model.report.html import render_briefing  # lazy: written separately, may be missing
    except Exception as exc:
        return None, {**_error_record(exc), "stage": "render"}
    try:
        out = render_briefing(layout.notebook(job.id), layout.html(job.id), job.lang)
    except Exception as exc:
        return None, {**_error_record(exc), "stage": "render"}
    return Path(out), None


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    exit_code: int  # 0 all ok, 1 some notebook failed (or latest could not be moved)
    run_dir: Path | None  # None for a dry run
    manifest: dict[str, Any] = field(default_factory=dict)
    plan: list[PlannedJob] = field(default_factory=list)
    published: bool = False


def _run_logger(layout: RunLayout) -> logging.Logger:
    # One logger per run: two runs in one process (tests, notebooks) must not share handlers.
    logger = logging.getLogger(f"peakpath.batch.{layout.run_id}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.FileHandler(layout.log_file, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


def _close_logger(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def _task(job: PlannedJob, layout: RunLayout, opts: dict[str, Any]) -> dict[str, Any]:
    """The picklable description of one notebook run, sent to a worker."""
    params = job.parameters_with(str(layout.data(job.id).resolve()), str(layout.run_dir.resolve()))
    return {
        "id": job.id,
        "notebook": str(job.notebook),
        "output": str(layout.notebook(job.id).resolve()),
        "parameters": params,
        "cwd": opts["cwd"],
        "kernel_name": opts["kernel_name"],
        "start_timeout": opts["start_timeout"],
        "cell_timeout": opts["cell_timeout"],
        "log_file": str(layout.log_file.resolve()),
        "redirect_fds": opts["executor"] == "local",
    }


def _summarise(manifest: dict[str, Any], layout: RunLayout, published: bool, out: TextIO) -> None:
    jobs = manifest["jobs"]
    counts = {
        s: sum(j["status"] == s for j in jobs) for s in (STATUS_OK, STATUS_FAILED, STATUS_SKIPPED)
    }
    print(
        f"run {manifest['run_id']}: {counts['ok']} ok, {counts['failed']} failed, "
        f"{counts['skipped']} skipped in {manifest['duration_s']:.1f} s",
        file=out,
    )
    for job in jobs:
        if job["status"] != STATUS_OK:
            print(f"  {job['status'].upper()} {job['id']}: {_error_text(job)}", file=out)
    print(f"index: {layout.run_dir / 'index.html'}", file=out)
    if published:
        print(f"latest: {layout.outputs / 'latest' / 'index.html'}", file=out)
    else:
        print("latest: not moved (this run is not fully successful)", file=out)


def _compile_model_bytecode() -> None:
    """Write this package's .pyc files once, before the kernels import it.

    With PYTHONDONTWRITEBYTECODE set (as on some machines) or after an edit, every kernel of
    the batch would otherwise compile the model package from source again (~60 ms each).
    Best effort: a read-only checkout just runs without them.
    """
    import compileall

    with suppress(OSError):
        compileall.compile_dir(Path(__file__).resolve().parents[1], quiet=2)


def run_batch(
    batch_file: str | Path = "batch.yaml",
    *,
    scenarios: str | Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    draws: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    outputs: str | Path = "outputs",
    assumptions: str | Path | None = None,
    executor: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    dry_run: bool = False,
    kernel_name: str = KERNEL_NAME,
    start_timeout: float = 60,
    cell_timeout: float | None = None,
    pin_workers: bool | None = None,
    progress: bool | None = None,
    out: TextIO | None = None,
) -> BatchResult:
    """Run every notebook of a batch file; see the module docstring for the layout.

    Raises BatchUserError (before anything is written) for mistakes in the batch or options.
    ``progress=None`` shows the bar only on a terminal, so cron mail stays clean.
    ``start_timeout`` is papermill's wait for a kernel to start (raise it on a crowded machine);
    ``cell_timeout`` (seconds per cell, default none) stops a hung notebook from blocking the
    run forever, which matters when nobody watches the schedule. ``pin_workers`` binds each
    local worker to one CPU (None: when there is one worker per CPU; see `pinned_cpus`).
    """
    out = out or sys.stdout
    batch_path = Path(batch_file)
    spec, raw = load_batch(batch_path)
    override_list = parse_overrides(overrides)
    scenario_list = parse_scenarios(scenarios)
    assumptions_dir = (
        Path(assumptions) if assumptions else batch_path.resolve().parent / "assumptions"
    )
    if not assumptions_dir.is_dir():
        raise BatchUserError(f"--assumptions {assumptions_dir}: directory not found")
    if executor not in ("local", "dask"):
        raise BatchUserError(f"--executor {executor!r}: choose local or dask")
    if scheduler and executor != "dask":
        raise BatchUserError("--scheduler needs --executor dask")
    if workers is not None and workers < 1:
        raise BatchUserError(f"--workers {workers}: must be at least 1")
    if draws is not None and draws < 0:
        raise BatchUserError(f"--draws {draws}: must be >= 0")

    jobs = plan_batch(
        batch_path,
        spec,
        scenarios=scenario_list,
        overrides=override_list,
        draws=draws,
        seed=seed,
        assumptions_dir=assumptions_dir,
    )
    if dry_run:
        format_plan(jobs, batch_path, out)
        return BatchResult(exit_code=0, run_dir=None, plan=jobs)
    list_runs(outputs, out=out)  # records earlier runs killed while running as abandoned

    _compile_model_bytecode()
    n_workers = max(1, min(workers or usable_cpu_count(), len(jobs)))
    effective_seed = seed if seed is not None else spec.defaults.seed
    prov = provenance(assumptions_dir, effective_seed)
    opts = {
        "cwd": str(batch_path.resolve().parent),
        "kernel_name": kernel_name,
        "start_timeout": start_timeout,
        "cell_timeout": cell_timeout,
        "executor": executor,
        # One job per local worker in flight (see _schedule); a dask cluster may have more
        # workers than --workers says, so there every ready job is handed over at once.
        "in_flight": n_workers if executor == "local" else None,
    }
    # Connect to dask (or fail as a user error) before the run folder exists.
    cpus = pinned_cpus(n_workers, pin_workers) if executor == "local" else None
    with _open_executor(executor, n_workers, scheduler, cpus) as pool:
        return _execute(
            jobs=jobs,
            pool=pool,
            layout=RunLayout(Path(outputs), new_run_id()),
            header={
                "batch_file": str(batch_path.resolve()),
                "batch": raw,
                "options": {
                    "scenarios": scenario_list,
                    "overrides": override_list,
                    "draws": draws,
                    "seed": seed,
                    "workers": n_workers,
                    "pinned_cpus": cpus,
                    "executor": executor,
                    "scheduler": scheduler,
                    "kernel_name": kernel_name,
                },
                **prov,
            },
            opts=opts,
            progress=progress,
            out=out,
        )


def _execute(
    *,
    jobs: list[PlannedJob],
    pool: Executor,
    layout: RunLayout,
    header: dict[str, Any],
    opts: dict[str, Any],
    progress: bool | None,
    out: TextIO,
) -> BatchResult:
    from tqdm import tqdm

    layout.create()
    log = _run_logger(layout)
    started = _utcnow()
    entries = {job.id: _job_entry(job, layout) for job in jobs}
    manifest: dict[str, Any] = {
        "schema_version": 1,
        "run_id": layout.run_id,
        "status": STATUS_RUNNING,
        "runner": runner_identity(),
        "started_at": _iso(started),
        "finished_at": None,
        "duration_s": None,
        **header,
        "jobs": list(entries.values()),  # same dicts as `entries`: updates show up here
    }
    write_json_atomic(layout.manifest, manifest)
    log.info(
        "run %s: %d jobs, executor=%s, workers=%s pinned to CPUs %s, commit=%s dirty=%s "
        "assumptions=%s",
        layout.run_id,
        len(jobs),
        opts["executor"],
        header.get("options", {}).get("workers"),
        header.get("options", {}).get("pinned_cpus") or "none",
        header.get("git_commit"),
        header.get("git_dirty"),
        header.get("assumptions_hash"),
    )
    for job in jobs:
        layout.data(job.id).mkdir(parents=True, exist_ok=True)

    bar = tqdm(
        total=len(jobs),
        desc=f"batch {layout.run_id}",
        unit="nb",
        file=sys.stderr,
        disable=None if progress is None else not progress,
    )

    def on_done(result: dict[str, Any]) -> None:
        entry = entries[result["id"]]
        entry.update({k: v for k, v in result.items() if k != "id"})
        message = _error_text(entry)
        log.info("%s %s%s", entry["status"], entry["id"], f": {message}" if message else "")
        bar.update(1)
        bar.set_postfix(
            not_ok=sum(e["status"] in (STATUS_FAILED, STATUS_SKIPPED) for e in entries.values())
        )
        write_json_atomic(layout.manifest, manifest)

    def submit(job: PlannedJob) -> Future:
        log.info("start %s (%s)", job.id, job.notebook_label)
        return pool.submit(execute_job, _task(job, layout, opts))

    # Briefings are rendered here, in the parent, by a thread that starts on them as soon as a
    # worker has nothing to do (no notebook is ready, typically while the last ones run), so
    # the rendering uses an idle core instead of waiting for the end of the run.
    renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="peakpath-render")
    renders: dict[str, Future] = {}
    to_render: list[PlannedJob] = []
    by_id = {job.id: job for job in jobs}

    def on_done_and_queue(result: dict[str, Any]) -> None:
        on_done(result)
        job = by_id[result["id"]]
        if job.render == "briefing" and result["status"] == STATUS_OK:
            to_render.append(job)

    def on_idle() -> None:
        while to_render:
            job = to_render.pop(0)
            renders[job.id] = renderer.submit(_render, job, layout)

    published = False
    try:
        _schedule(jobs, submit, on_done_and_queue, limit=opts.get("in_flight"), on_idle=on_idle)
        bar.close()
        _render_all(jobs, entries, layout, log, renders)
        ok = all(e["status"] == STATUS_OK for e in entries.values())
        manifest["status"] = STATUS_OK if ok else STATUS_FAILED
    except BaseException:
        manifest["status"] = STATUS_INTERRUPTED
        raise
    finally:
        bar.close()
        renderer.shutdown(wait=True, cancel_futures=True)
        finished = _utcnow()
        manifest["finished_at"] = _iso(finished)
        manifest["duration_s"] = round((finished - started).total_seconds(), 3)
        write_json_atomic(layout.manifest, manifest)
        _write_text_atomic(layout.run_dir / "index.html", render_index(manifest, layout.run_dir))
    if manifest["status"] == STATUS_OK:
        published = _publish(layout, log)
    log.info(
        "run %s finished: %s, latest %s",
        layout.run_id,
        manifest["status"],
        "moved" if published else "not moved",
    )
    _close_logger(log)
    _summarise(manifest, layout, published, out)
    return BatchResult(
        exit_code=0 if published else 1,
        run_dir=layout.run_dir,
        manifest=manifest,
        plan=jobs,
        published=published,
    )


def _render_all(
    jobs: list[PlannedJob],
    entries: dict[str, dict[str, Any]],
    layout: RunLayout,
    log: logging.Logger,
    started: dict[str, Future] | None = None,
) -> None:
    """Record each briefing's rendering; `started` holds renderings already under way."""
    started = started or {}
    for job in jobs:
        entry = entries[job.id]
        if job.render != "briefing" or entry["status"] != STATUS_OK:
            continue
        future = started.get(job.id)
        html_path, error = future.result() if future is not None else _render(job, layout)
        if error:
            # A missing briefing is a failed run: `latest` must always have its briefings.
            entry.update({"status": STATUS_FAILED, "error": error})
            log.error("render %s failed: %s: %s", job.id, error["type"], error["message"])
        else:
            assert html_path is not None
            entry["html"] = os.path.relpath(html_path, layout.run_dir).replace(os.sep, "/")
            log.info("rendered %s -> %s", job.id, entry["html"])


def _publish(layout: RunLayout, log: logging.Logger) -> bool:
    try:
        publish_latest(layout.outputs, layout.run_id)
    except OSError as exc:  # e.g. outputs/latest is a real directory someone created by hand
        log.error("could not move latest: %s", exc)
        return False
    log.info("latest -> runs/%s", layout.run_id)
    return True


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_batch",
        description="Run the notebook x scenario matrix of a batch file with papermill.",
    )
    parser.add_argument("--batch", default="batch.yaml", type=Path, help="batch file (YAML)")
    parser.add_argument("--scenarios", help="comma-separated scenarios replacing the batch's lists")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="K=V",
        help="assumption override (dotted key), passed as `overrides`; repeatable",
    )
    parser.add_argument("--draws", type=int, help="Monte Carlo draws for notebooks declaring draws")
    parser.add_argument("--seed", type=int, help="random seed for notebooks declaring seed")
    parser.add_argument(
        "--workers",
        type=int,
        help="parallel notebooks (default: the CPUs this process may use)",
    )
    parser.add_argument(
        "--no-pin",
        dest="pin_workers",
        action="store_const",
        const=False,
        default=None,
        help="let the OS move workers between CPUs (default: with one worker per CPU, each "
        "worker and its kernels keep one CPU)",
    )
    parser.add_argument("--outputs", default="outputs", type=Path, help="outputs folder")
    parser.add_argument(
        "--assumptions",
        type=Path,
        help="assumptions folder (default: assumptions/ next to the batch file)",
    )
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler, e.g. tcp://h:8786")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the expanded plan; run and write nothing"
    )
    parser.add_argument(
        "--runs",
        action="store_true",
        help="list the runs under --outputs (run id, status, started, ended) and exit; runs "
        "whose runner is gone are marked abandoned first",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: 0 all ok, 1 a notebook failed, 2 user error (one line, no traceback)."""
    args = build_parser().parse_args(argv)
    if args.runs:
        for m in list_runs(args.outputs, out=sys.stderr):
            ended = m.get("finished_at") or m.get("abandoned_at") or "-"
            print(f"{m.get('run_id')}\t{m.get('status')}\t{m.get('started_at')}\t{ended}")
        return 0
    try:
        result = run_batch(
            args.batch,
            scenarios=args.scenarios,
            overrides=args.overrides,
            draws=args.draws,
            seed=args.seed,
            workers=args.workers,
            outputs=args.outputs,
            assumptions=args.assumptions,
            executor=args.executor,
            scheduler=args.scheduler,
            dry_run=args.dry_run,
            pin_workers=args.pin_workers,
        )
    except BatchUserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return result.exit_code
