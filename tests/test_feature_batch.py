"""Batch runner: failure isolation, manifest, index page, atomic `latest`, dry run, user errors,
`after:` skips, kernel-start retry and the dask executor.

Real notebook runs are expensive (a worker process imports papermill, each notebook starts a
kernel), so the runs are module-scoped fixtures shared by several assertions, and every run
uses only two or three tiny fixture notebooks from tests/fixtures/notebooks/.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from model import batch
from model.batch import BatchResult, BatchUserError, main, run_batch

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
WORKERS = 2


# ---------------------------------------------------------------------------------------------
# helpers and shared runs
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throw-away project: fixture notebooks, a tiny assumptions tree, an outputs folder."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(FIXTURES, root / "nb")
    (root / "assumptions" / "data").mkdir(parents=True)
    (root / "assumptions" / "data" / "sectors.csv").write_text("sector,source\nsteel,test\n")
    return root


def write_batch(root: Path, name: str, doc: dict[str, Any]) -> Path:
    path = root / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def read_manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def jobs_by_id(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {job["id"]: job for job in manifest["jobs"]}


def fake_report_module() -> types.ModuleType:
    """Stand-in for model.report (written separately) so these tests test the runner only."""
    module = types.ModuleType("model.report")

    def render_briefing(executed_ipynb: Path, out_html: Path, lang: str) -> Path:
        assert executed_ipynb.is_file()
        out_html.write_text(f'<!DOCTYPE html><html lang="{lang}"><p>briefing</p></html>')
        return out_html

    module.render_briefing = render_briefing  # type: ignore[attr-defined]
    return module


def run(root: Path, batch_path: Path, *, patch_report: bool = True, **kwargs: Any) -> BatchResult:
    kwargs.setdefault("workers", WORKERS)
    kwargs.setdefault("outputs", root / "outputs")
    kwargs.setdefault("progress", False)
    kwargs.setdefault("out", io.StringIO())
    if not patch_report:  # the caller patched model.report already (threads share sys.modules)
        return run_batch(batch_path, **kwargs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "model.report", fake_report_module())
        return run_batch(batch_path, **kwargs)


@pytest.fixture(scope="module")
def ok_run(project: Path) -> BatchResult:
    """All notebooks succeed: two scenarios, plus a briefing job rendered after them."""
    doc = {
        "defaults": {"draws": 5, "seed": 11},
        "jobs": [
            {"notebook": "nb/ok.ipynb", "matrix": {"scenario": ["baseline", "plan"]}},
            {
                "notebook": "nb/ok.ipynb",
                "name": "briefing",
                "matrix": {"lang": ["zh"]},
                "render": "briefing",
                "after": ["ok"],
            },
        ],
    }
    return run(project, write_batch(project, "ok.yaml", doc))


@pytest.fixture(scope="module")
def mixed_run(project: Path, ok_run: BatchResult) -> BatchResult:
    """One notebook fails, one succeeds, one depends on the failure. Runs after ok_run, so a
    `latest` exists that the failed run must leave alone."""
    doc = {
        "defaults": {"draws": 5, "seed": 11},
        "jobs": [
            {"notebook": "nb/ok.ipynb", "parameters": {"scenario": "plan"}},
            {"notebook": "nb/fail.ipynb"},
            {"notebook": "nb/slow.ipynb", "parameters": {"seconds": 0.1}, "after": ["fail"]},
        ],
    }
    return run(
        project,
        write_batch(project, "mixed.yaml", doc),
        overrides=["steel.eaf_share.2030=0.25"],
        draws=7,
        seed=3,
    )


# ---------------------------------------------------------------------------------------------
# successful run, latest
# ---------------------------------------------------------------------------------------------


def test_all_ok_moves_latest_to_the_run(project: Path, ok_run: BatchResult) -> None:
    assert ok_run.exit_code == 0 and ok_run.published
    latest = project / "outputs" / "latest"
    assert latest.is_symlink()
    assert os.readlink(latest) == f"runs/{ok_run.run_dir.name}"  # relative link
    assert latest.resolve() == ok_run.run_dir.resolve()
    manifest = read_manifest(latest)
    assert manifest["status"] == "ok"
    assert {j["status"] for j in manifest["jobs"]} == {"ok"}
    # every notebook saved its numbers into its own data folder
    numbers = json.loads((ok_run.run_dir / "data/ok__scenario=plan/numbers.json").read_text())
    assert numbers["scenario"] == "plan" and numbers["draws"] == 5 and numbers["seed"] == 11


def test_briefing_rendered_and_linked(ok_run: BatchResult) -> None:
    entry = jobs_by_id(ok_run.manifest)["briefing__lang=zh"]
    assert entry["html"] == "briefing__lang=zh.html"
    assert (ok_run.run_dir / entry["html"]).is_file()
    index = (ok_run.run_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="briefing__lang=zh.html"' in index
    assert "简报（中文）" in index


def test_index_page_is_offline_and_bilingual(ok_run: BatchResult) -> None:
    index = (ok_run.run_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in index
    assert "http://" not in index and "https://" not in index and "<script" not in index
    assert "成功 OK" in index and "任务 Notebooks" in index
    assert ok_run.run_dir.name in index  # footer: run id
    assert ok_run.manifest["assumptions_hash"] in index


def test_executed_notebooks_and_log_written(ok_run: BatchResult) -> None:
    for job in ok_run.manifest["jobs"]:
        assert (ok_run.run_dir / job["output"]).is_file()
        # Intermediate saves are thinned out; the final one has every cell's outcome.
        nb = json.loads((ok_run.run_dir / job["output"]).read_text(encoding="utf-8"))
        assert nb["metadata"]["papermill"]["end_time"]
        assert {c["metadata"]["papermill"]["status"] for c in nb["cells"]} == {"completed"}
    log = (ok_run.run_dir / "batch.log").read_text(encoding="utf-8")
    assert "Executing notebook with kernel" in log  # papermill's log from the workers
    if os.name == "posix":  # kernels on Unix sockets: no TCP ports, no plain-TCP warning
        assert "running over TCP" not in log
    assert f"run {ok_run.run_dir.name} finished: ok" in log


# ---------------------------------------------------------------------------------------------
# failure isolation, manifest, after:
# ---------------------------------------------------------------------------------------------


def test_failure_is_isolated(project: Path, ok_run: BatchResult, mixed_run: BatchResult) -> None:
    assert mixed_run.exit_code == 1 and not mixed_run.published
    jobs = jobs_by_id(read_manifest(mixed_run.run_dir))
    assert jobs["ok"]["status"] == "ok"
    assert jobs["fail"]["status"] == "failed"
    assert jobs["fail"]["error"]["type"] == "ValueError"
    assert "deliberate failure" in jobs["fail"]["error"]["message"]
    assert any("ValueError" in line for line in jobs["fail"]["error"]["traceback_tail"])
    # papermill keeps the failing notebook, with the error in it
    executed = (mixed_run.run_dir / jobs["fail"]["output"]).read_text(encoding="utf-8")
    assert "deliberate failure" in executed
    # latest still points at the last fully successful run
    assert (project / "outputs" / "latest").resolve() == ok_run.run_dir.resolve()


def test_dependency_failure_skips_dependent(mixed_run: BatchResult) -> None:
    slow = jobs_by_id(mixed_run.manifest)["slow"]
    assert slow["status"] == "skipped"
    assert "fail" in slow["reason"]
    assert not (mixed_run.run_dir / slow["output"]).exists()  # never ran


def test_index_marks_failure_in_red(mixed_run: BatchResult) -> None:
    index = (mixed_run.run_dir / "index.html").read_text(encoding="utf-8")
    assert '<tr class="failed">' in index and "status-failed" in index
    assert "失败 Failed" in index
    assert "ValueError: deliberate failure for scenario baseline" in index
    assert "跳过 Skipped" in index
    assert "color:#cf222e" in index  # red


def test_manifest_contents(mixed_run: BatchResult) -> None:
    m = read_manifest(mixed_run.run_dir)
    for key in (
        "run_id",
        "status",
        "started_at",
        "finished_at",
        "duration_s",
        "git_commit",
        "git_dirty",
        "assumptions_hash",
        "seed",
        "python",
        "platform",
        "packages",
        "batch_file",
        "batch",
        "jobs",
    ):
        assert key in m, key
    assert m["run_id"] == mixed_run.run_dir.name
    assert m["status"] == "failed"
    assert m["seed"] == 3  # --seed wins over defaults
    assert len(m["assumptions_hash"]) == 64
    assert m["packages"]["papermill"] and "pydantic" in m["packages"]
    assert m["batch_file"].endswith("mixed.yaml")
    assert m["finished_at"] >= m["started_at"]
    for job in m["jobs"]:
        for key in ("id", "notebook", "scenario", "parameters", "status", "duration_s", "error"):
            assert key in job
    ok = jobs_by_id(m)["ok"]
    assert ok["scenario"] == "plan"
    assert 0 < ok["duration_s"] < m["duration_s"]
    assert ok["parameters"]["draws"] == 7
    assert ok["parameters"]["overrides"] == ["steel.eaf_share.2030=0.25"]
    assert "output_dir" not in ok["parameters"]  # injected per run, not part of the plan
    assert m["options"]["pinned_cpus"] == batch.pinned_cpus(WORKERS)


def test_overrides_draws_seed_reach_notebook(mixed_run: BatchResult) -> None:
    numbers = json.loads((mixed_run.run_dir / "data/ok/numbers.json").read_text())
    assert numbers == {**numbers, "draws": 7, "seed": 3, "overrides": ["steel.eaf_share.2030=0.25"]}


# ---------------------------------------------------------------------------------------------
# latest: atomic replacement, overlapping runs
# ---------------------------------------------------------------------------------------------


def test_publish_latest_never_exposes_a_missing_link(tmp_path: Path) -> None:
    for run_id in ("a", "b"):
        (tmp_path / "runs" / run_id).mkdir(parents=True)
    batch.publish_latest(tmp_path, "a")
    stop = threading.Event()
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                target = os.readlink(tmp_path / "latest")
            except OSError as exc:  # missing or not a link, even for an instant
                problems.append(repr(exc))
                continue
            if not (tmp_path / target).is_dir():
                problems.append(target)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    for i in range(300):
        batch.publish_latest(tmp_path, "ab"[i % 2])
    stop.set()
    thread.join(timeout=10)
    assert not problems
    assert not list(tmp_path.glob(".latest.*"))  # temporary links were all consumed


def test_overlapping_runs_replace_latest_atomically(project: Path, ok_run: BatchResult) -> None:
    outputs = project / "overlap_outputs"
    doc = {
        "jobs": [
            {"notebook": "nb/slow.ipynb", "parameters": {"seconds": 0.5}},
            {"notebook": "nb/ok.ipynb"},
        ]
    }
    batch_path = write_batch(project, "overlap.yaml", doc)
    outputs.mkdir()
    # an existing latest from an earlier run
    os.symlink(os.path.relpath(ok_run.run_dir, outputs), outputs / "latest")

    results: list[BatchResult] = []
    seen: set[str] = set()
    problems: list[str] = []
    done = threading.Event()

    def watch() -> None:
        # latest must always be a link to a complete, successful run
        while not done.is_set():
            link = outputs / "latest"
            try:
                target = os.readlink(link)
                manifest = json.loads((link / "manifest.json").read_text())
            except (OSError, ValueError) as exc:
                problems.append(repr(exc))
                continue
            if manifest["status"] != "ok":
                problems.append(f"{target}: {manifest['status']}")
            seen.add(target)
            time.sleep(0.01)

    def one_run() -> None:
        results.append(run(project, batch_path, outputs=outputs, patch_report=False))

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "model.report", fake_report_module())
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    done.set()
    watcher.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a batch run did not finish"

    assert not problems
    assert len(results) == 2 and all(r.exit_code == 0 for r in results)
    run_dirs = {r.run_dir.name for r in results}
    assert len(run_dirs) == 2  # distinct run folders
    for r in results:
        assert read_manifest(r.run_dir)["status"] == "ok"
    final = os.readlink(outputs / "latest")
    assert final.startswith("runs/") and final.removeprefix("runs/") in run_dirs
    assert not list(outputs.glob(".latest.*"))


def test_run_ids_are_sortable_and_unique() -> None:
    from datetime import UTC, datetime

    early = batch.new_run_id(datetime(2030, 1, 1, 0, 0, 0, tzinfo=UTC))
    late = batch.new_run_id(datetime(2030, 1, 1, 0, 0, 1, tzinfo=UTC))
    same_second = {batch.new_run_id(datetime(2030, 1, 1, tzinfo=UTC)) for _ in range(100)}
    assert early < late and len(same_second) == 100
    assert early.startswith("20300101T000000Z-")


# ---------------------------------------------------------------------------------------------
# dry run and user errors: exit 2, one line, nothing written
# ---------------------------------------------------------------------------------------------


def test_dry_run_runs_and_writes_nothing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = {
        "defaults": {"draws": 10, "seed": 1},
        "jobs": [
            {"notebook": "nb/ok.ipynb", "matrix": {"scenario": ["baseline", "plan"]}},
            {"notebook": "nb/slow.ipynb", "after": ["ok"]},
        ],
    }
    batch_path = write_batch(project, "dry.yaml", doc)
    outputs = tmp_path / "out"
    code = main(["--batch", str(batch_path), "--outputs", str(outputs), "--dry-run"])
    printed = capsys.readouterr().out
    assert code == 0
    assert not outputs.exists()
    for expected in ("ok__scenario=baseline", "ok__scenario=plan", "slow", "nb/ok.ipynb"):
        assert expected in printed
    assert '"draws": 10' in printed and "after:      ok__scenario=baseline" in printed


def test_only_declared_paths_are_injected(project: Path) -> None:
    """output_dir / run_dir go only to notebooks that declare them: papermill logs a warning
    for every parameter a notebook does not declare, noise in an unattended run's log."""
    nb = json.loads((project / "nb" / "slow.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = 'seconds = 0.0\noutput_dir = "."\n'
    (project / "nb" / "output_only.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    doc = {"jobs": [{"notebook": "nb/output_only.ipynb"}, {"notebook": "nb/ok.ipynb"}]}
    out = io.StringIO()
    result = run_batch(write_batch(project, "declared.yaml", doc), dry_run=True, out=out)
    injected = {job.id: job.injected for job in result.plan}
    assert injected == {"output_only": ("output_dir",), "ok": ("output_dir", "run_dir")}
    lines = out.getvalue().splitlines()
    shown = lines[lines.index("- output_only") + 2]
    assert "output_dir" in shown and "run_dir" not in shown.replace("<run_dir>/data", "")


def test_scenarios_option_replaces_scenario_lists(project: Path) -> None:
    doc = {
        "jobs": [
            {"notebook": "nb/ok.ipynb", "matrix": {"scenario": ["baseline", "plan"]}},
            {"notebook": "nb/fail.ipynb", "name": "fixed", "parameters": {"scenario": "plan"}},
        ]
    }
    result = run_batch(
        write_batch(project, "scen.yaml", doc),
        scenarios="ccus,hydrogen",
        dry_run=True,
        out=io.StringIO(),
    )
    assert [j.id for j in result.plan] == [
        "ok__scenario=ccus",
        "ok__scenario=hydrogen",
        "fixed__scenario=ccus",
        "fixed__scenario=hydrogen",
    ]


BAD_BATCHES = {
    "extra key": (
        {"jobs": [{"notebook": "nb/ok.ipynb", "matrx": {"scenario": ["plan"]}}]},
        ["jobs[0].matrx", "Extra inputs are not permitted"],
    ),
    "bad value": (
        {"defaults": {"draws": "many"}, "jobs": [{"notebook": "nb/ok.ipynb"}]},
        ["defaults.draws", "'many'"],
    ),
    "unknown notebook": (
        {"jobs": [{"notebook": "nb/missing.ipynb"}]},
        ["jobs[0].notebook", "nb/missing.ipynb", "not found"],
    ),
    "unknown parameter": (
        {"jobs": [{"notebook": "nb/ok.ipynb", "matrix": {"sectr": ["steel"]}}]},
        ["jobs[0].matrix.sectr", "['steel']", "declares no parameter"],
    ),
    "unknown after": (
        {"jobs": [{"notebook": "nb/ok.ipynb", "after": ["nothing"]}]},
        ["jobs[0].after", "'nothing'"],
    ),
    "injected parameter": (
        {"jobs": [{"notebook": "nb/ok.ipynb", "parameters": {"output_dir": "/tmp"}}]},
        ["jobs[0].parameters", "output_dir"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BATCHES))
def test_bad_batch_file_exit_2_nothing_written(
    case: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc, expected = BAD_BATCHES[case]
    batch_path = write_batch(project, f"bad_{case.replace(' ', '_')}.yaml", doc)
    outputs = tmp_path / "out"
    code = main(["--batch", str(batch_path), "--outputs", str(outputs), "--workers", "2"])
    err = capsys.readouterr().err
    assert code == 2
    assert not outputs.exists()
    assert str(batch_path) in err
    for text in expected:
        assert text in err
    assert "Traceback" not in err


@pytest.mark.parametrize("bad", ["noequals", "=1", "a..b=1", "steel.x=", "1abc=2", "a b=1"])
def test_bad_set_syntax_exit_2(
    bad: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch_path = write_batch(project, "set.yaml", {"jobs": [{"notebook": "nb/ok.ipynb"}]})
    code = main(["--batch", str(batch_path), "--outputs", str(tmp_path / "o"), "--set", bad])
    assert code == 2
    assert "--set" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_set_without_overrides_parameter_is_an_error(project: Path) -> None:
    batch_path = write_batch(project, "noover.yaml", {"jobs": [{"notebook": "nb/fail.ipynb"}]})
    with pytest.raises(BatchUserError, match="overrides"):
        run_batch(batch_path, overrides=["steel.x=1"], dry_run=True)


def test_cli_user_error_is_one_line_without_traceback(project: Path, tmp_path: Path) -> None:
    batch_path = write_batch(project, "cli_bad.yaml", {"jobs": [{"notebook": 3}]})
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "run_batch.py"),
            "--batch",
            str(batch_path),
            "--outputs",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "jobs[0].notebook" in proc.stderr and "3" in proc.stderr
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------------------------------
# worker: retry only the kernel start race; rendering errors are recorded
# ---------------------------------------------------------------------------------------------


def _task(tmp_path: Path) -> dict[str, Any]:
    return {
        "id": "job",
        "notebook": str(FIXTURES / "ok.ipynb"),
        "output": str(tmp_path / "out.ipynb"),
        "parameters": {},
        "cwd": str(tmp_path),
        "kernel_name": "python3",
        "start_timeout": 5,
        "log_file": str(tmp_path / "batch.log"),
        "redirect_fds": False,
    }


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets")
def test_kernel_sockets_live_in_a_private_folder_removed_after() -> None:
    with batch._kernel_transport() as transport:
        manager = transport["config"]["KernelManager"]
        folder = Path(manager["ip"]).parent
        assert manager["transport"] == "ipc" and folder.is_dir()
        assert folder.stat().st_mode & 0o077 == 0  # only this user can connect
        assert len(manager["ip"]) < 90  # socket paths are limited to ~100 bytes
    assert not folder.exists()


@pytest.mark.parametrize(
    ("first_error", "expected_status", "expected_calls"),
    [
        (RuntimeError("Kernel died before replying to kernel_info"), "ok", 2),
        (RuntimeError("Kernel didn't respond in 60 seconds"), "ok", 2),
        (RuntimeError("Kernel died"), "failed", 1),  # died mid-run: not the start race
        (ValueError("notebook bug"), "failed", 1),
    ],
)
def test_only_kernel_start_failures_are_retried(
    first_error: Exception,
    expected_status: str,
    expected_calls: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import papermill

    calls: list[int] = []

    def fake_execute(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        assert kwargs["progress_bar"] is False and kwargs["log_output"] is False
        if len(calls) == 1:
            raise first_error

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    monkeypatch.setattr(batch.random, "uniform", lambda a, b: 0.0)
    result = batch.execute_job(_task(tmp_path))
    assert result["status"] == expected_status
    assert len(calls) == expected_calls == result["attempts"]


def test_a_free_worker_takes_the_most_urgent_ready_job() -> None:
    """With one worker: a job others wait for first, then its dependent, then file order."""
    from concurrent.futures import Future

    def job(job_id: str, after: tuple[str, ...] = ()) -> batch.PlannedJob:
        return batch.PlannedJob(
            id=job_id,
            name=job_id,
            notebook=FIXTURES / "ok.ipynb",
            notebook_label="nb/ok.ipynb",
            parameters={},
            after=after,
        )

    started: list[str] = []

    def submit(planned: batch.PlannedJob) -> Future:
        started.append(planned.id)
        future: Future = Future()
        future.set_result({"id": planned.id, "status": "ok"})
        return future

    jobs = [job("a"), job("b"), job("c", after=("d",)), job("d"), job("e")]
    results = batch._schedule(jobs, submit, lambda result: None, limit=1)
    assert started == ["d", "c", "a", "b", "e"]
    assert set(results) == {"a", "b", "c", "d", "e"}
    started.clear()
    batch._schedule(jobs, submit, lambda result: None)  # no limit: every ready job at once
    assert started == ["d", "a", "b", "e", "c"]


@pytest.mark.parametrize(
    ("cpus", "workers", "pin", "expected"),
    [
        ({0, 1}, 2, None, [0, 1]),  # one worker per CPU: each keeps one
        ({0, 1, 2, 3}, 2, None, None),  # fewer workers than CPUs: they float
        ({0, 1, 2, 3}, 2, True, [0, 1]),
        ({3, 5}, 2, None, [3, 5]),  # only the CPUs this process may use (taskset, cgroups)
        ({0, 1}, 3, True, None),  # more workers than CPUs: never
        ({0, 1}, 2, False, None),  # --no-pin
        ({0}, 1, None, None),  # a lone worker floats
    ],
)
def test_workers_are_pinned_one_per_cpu(
    monkeypatch: pytest.MonkeyPatch,
    cpus: set[int],
    workers: int,
    pin: bool | None,
    expected: list[int] | None,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(cpus), raising=False)
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, mask: None, raising=False)
    assert batch.pinned_cpus(workers, pin) == expected


def test_default_workers_are_the_usable_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {2, 3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert batch.usable_cpu_count() == 2  # taskset -c 2,3: two workers, not eight
    assert batch.pinned_cpus(batch.usable_cpu_count()) == [2, 3]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_a_pinned_worker_runs_on_one_cpu() -> None:
    allowed = os.sched_getaffinity(0)
    cpus = batch.pinned_cpus(len(allowed), pin=True)
    assert cpus == sorted(allowed)
    with batch._local_executor(len(allowed), cpus) as pool:
        seen = list(pool.map(os.sched_getaffinity, [0] * 4))
    assert all(len(s) == 1 and s <= allowed for s in seen)


def test_missing_report_module_is_a_recorded_render_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "model.report", None)  # makes the import fail
    job = batch.PlannedJob(
        id="briefing__lang=en",
        name="briefing",
        notebook=FIXTURES / "ok.ipynb",
        notebook_label="nb/ok.ipynb",
        parameters={"lang": "en"},
        render="briefing",
    )
    html_path, error = batch._render(job, batch.RunLayout(tmp_path, "r"))
    assert html_path is None and error is not None
    assert error["stage"] == "render" and "Error" in error["type"]


# ---------------------------------------------------------------------------------------------
# dask executor
# ---------------------------------------------------------------------------------------------


def test_dask_executor_with_local_cluster(project: Path, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    doc = {
        "jobs": [
            {"notebook": "nb/ok.ipynb", "matrix": {"scenario": ["baseline", "plan"]}},
            {"notebook": "nb/fail.ipynb"},
        ]
    }
    batch_path = write_batch(project, "dask.yaml", doc)
    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as cluster:
        result = run(
            project,
            batch_path,
            outputs=tmp_path / "out",
            executor="dask",
            scheduler=cluster.scheduler_address,
        )
    jobs = jobs_by_id(result.manifest)
    assert result.exit_code == 1
    assert result.manifest["options"]["executor"] == "dask"
    assert jobs["ok__scenario=baseline"]["status"] == "ok"
    assert jobs["ok__scenario=plan"]["status"] == "ok"
    assert jobs["fail"]["status"] == "failed" and jobs["fail"]["error"]["type"] == "ValueError"
    assert (result.run_dir / "data/ok__scenario=plan/numbers.json").is_file()
    assert not (tmp_path / "out" / "latest").exists()
