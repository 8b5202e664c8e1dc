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
import signal
import subprocess
import sys
import threading
import time
import types
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
import yaml

from model.apps import batch
from model.apps.batch import BatchResult, BatchUserError, main, run_batch

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
    """Stand-in for model.report.html (written separately) so these tests test the runner only."""
    module = types.ModuleType("model.report.html")

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
    if not patch_report:  # the caller patched model.report.html already (threads share sys.modules)
        return run_batch(batch_path, **kwargs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "model.report.html", fake_report_module())
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
# runs whose runner is gone (SIGKILL, reboot): recorded as abandoned by the next batch/reader
# ---------------------------------------------------------------------------------------------

LINUX_PROC = Path("/proc/self/stat").is_file()


def test_manifest_records_its_runner(mixed_run: BatchResult) -> None:
    runner = read_manifest(mixed_run.run_dir)["runner"]
    assert runner == batch.runner_identity()  # this test process ran the batch
    assert runner["pid"] == os.getpid() and runner["host"]
    if LINUX_PROC:
        assert isinstance(runner["pid_start_ticks"], int) and runner["boot_id"]


def _exited_pid() -> int:
    """The pid of a process that has exited and been reaped (free, unless reused at once)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_runner_state_decides_from_host_boot_pid_and_start_time() -> None:
    me = batch.runner_identity()
    assert batch.runner_state(me)[0] == "alive"
    dead = _exited_pid()
    state, reason = batch.runner_state({**me, "pid": dead})
    assert (state, reason) == ("gone", f"pid {dead} on {me['host']}: no such process")
    # Another host, another container, or no identity at all: cannot tell, leave it.
    assert batch.runner_state({**me, "host": "elsewhere.example"})[0] == "unknown"
    assert batch.runner_state(None)[0] == "unknown"
    assert batch.runner_state({"host": me["host"]})[0] == "unknown"
    if not LINUX_PROC:
        return
    assert batch.runner_state({**me, "pid_namespace": "pid:[1]"})[0] == "unknown"
    # The pid is alive but started at another time: it was reused, the runner is gone.
    reused = {**me, "pid_start_ticks": me["pid_start_ticks"] - 1}
    assert batch.runner_state(reused) == (
        "gone",
        f"pid {me['pid']} on {me['host']}: the pid now belongs to another process",
    )
    # The machine has restarted since: every pid of the old boot is gone.
    rebooted = {**me, "boot_id": "00000000-0000-0000-0000-000000000000"}
    assert batch.runner_state(rebooted)[0] == "gone"
    # Killed but not yet reaped by its parent (a zombie): gone.
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while Path(f"/proc/{child.pid}/stat").read_text().split(")")[1].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        zombie = {**me, "pid": child.pid, "pid_start_ticks": None}
        assert batch.runner_state(zombie)[0] == "gone"
    finally:
        child.wait()


def _write_run(outputs: Path, run_id: str, status: str, runner: dict[str, Any] | None) -> Path:
    run_dir = outputs / "runs" / run_id
    run_dir.mkdir(parents=True)
    manifest = {"run_id": run_id, "status": status, "started_at": "2024-01-01T00:00:00Z"}
    if runner is not None:
        manifest["runner"] = runner
    manifest["jobs"] = [
        {"id": "a", "status": "ok", "output": "notebooks/a.ipynb", "data_dir": "data/a"},
        {"id": "b", "status": "pending", "output": "notebooks/b.ipynb", "data_dir": "data/b"},
    ]
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def test_readers_mark_only_runs_whose_runner_is_gone(tmp_path: Path, capsys) -> None:
    outputs = tmp_path / "outputs"
    me = batch.runner_identity()
    dead = _exited_pid()
    good = _write_run(outputs, "20240101T000000Z-0000000a", "ok", me)
    killed = _write_run(outputs, "20240101T000001Z-0000000b", "running", {**me, "pid": dead})
    live = _write_run(outputs, "20240101T000002Z-0000000c", "running", me)
    remote = _write_run(
        outputs, "20240101T000003Z-0000000d", "running", {**me, "host": "elsewhere.example"}
    )
    old = _write_run(outputs, "20240101T000004Z-0000000e", "running", None)
    batch.publish_latest(outputs, good.name)

    # The reader schedulers use: `python scripts/run_batch.py --runs` (list_runs).
    assert main(["--runs", "--outputs", str(outputs)]) == 0
    captured = capsys.readouterr()
    listed = dict(line.split("\t")[:2] for line in captured.out.splitlines())
    assert listed == {
        good.name: "ok",
        killed.name: "abandoned",
        live.name: "running",
        remote.name: "running",
        old.name: "running",
    }
    assert f"run {killed.name}: abandoned (runner pid {dead} on {me['host']}: no such " in (
        captured.err
    )
    marked = read_manifest(killed)
    assert marked["abandoned_reason"] == f"runner pid {dead} on {me['host']}: no such process"
    assert marked["abandoned_at"] >= marked["started_at"]
    assert marked["runner"]["pid"] == dead and marked["jobs"][1]["status"] == "pending"
    page = (killed / "index.html").read_text(encoding="utf-8")
    assert "abandoned" in page and "已中止" in page and str(dead) in page
    for untouched in (live, remote, old):
        assert read_manifest(untouched)["status"] == "running"
        assert not (untouched / "index.html").exists()
    assert (outputs / "latest").resolve() == good.resolve()
    # Marking is done once: a second reader finds it abandoned and says nothing.
    assert [m["status"] for m in batch.list_runs(outputs, out=io.StringIO())][1] == "abandoned"
    assert read_manifest(killed)["abandoned_at"] == marked["abandoned_at"]


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (workers, kernels), from /proc/<n>/stat's ppid field."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            ppid = int(text[text.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.skipif(not LINUX_PROC, reason="needs /proc to find and kill the batch's children")
def test_a_batch_killed_with_sigkill_is_marked_abandoned_and_latest_stays(
    project: Path, tmp_path: Path
) -> None:
    outputs = tmp_path / "outputs"
    good = run(
        project,
        write_batch(project, "k_good.yaml", {"jobs": [{"notebook": "nb/ok.ipynb"}]}),
        outputs=outputs,
    )
    assert good.published and good.run_dir is not None
    slow = {"jobs": [{"notebook": "nb/slow.ipynb", "parameters": {"seconds": 300}}]}
    command = [
        sys.executable,
        str(ROOT / "scripts" / "run_batch.py"),
        "--batch",
        str(write_batch(project, "k_slow.yaml", slow)),
        "--outputs",
        str(outputs),
        "--workers",
        "1",
        "--no-pin",
    ]
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen(command, cwd=project, stdout=log, stderr=subprocess.STDOUT)
    others: list[int] = []
    try:
        # Wait until the slow notebook runs: manifest "running", its job started.
        deadline = time.monotonic() + 180
        killed_dir = None
        while killed_dir is None or "start slow" not in (killed_dir / "batch.log").read_text():
            assert proc.poll() is None, (tmp_path / "killed.log").read_text()
            assert time.monotonic() < deadline, "the batch never started its notebook"
            time.sleep(0.1)
            candidates = [p for p in (outputs / "runs").iterdir() if p != good.run_dir]
            if candidates and (candidates[0] / "batch.log").is_file():
                killed_dir = candidates[0]
        others = _descendants(proc.pid)
        assert others, "the runner has no worker process"
        os.kill(proc.pid, signal.SIGKILL)  # as the OOM killer would
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in others:  # the orphaned worker and kernel this test started
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log.close()

    before = read_manifest(killed_dir)
    assert before["status"] == "running"  # nothing could update it
    assert before["runner"]["pid"] == proc.pid

    # The next batch (one that fails, so `latest` has no reason to move) records it.
    out = io.StringIO()
    following = run(
        project,
        write_batch(project, "k_next.yaml", {"jobs": [{"notebook": "nb/fail.ipynb"}]}),
        outputs=outputs,
        out=out,
    )
    assert following.exit_code == 1 and not following.published
    after = read_manifest(killed_dir)
    assert after["status"] == "abandoned"
    assert after["abandoned_reason"].startswith(f"runner pid {proc.pid} on ")
    assert f"run {killed_dir.name}: abandoned" in out.getvalue()
    assert "abandoned" in (killed_dir / "index.html").read_text(encoding="utf-8")
    assert (outputs / "latest").resolve() == good.run_dir.resolve()
    statuses = {m["run_id"]: m["status"] for m in batch.list_runs(outputs)}
    assert statuses == {
        good.run_dir.name: "ok",
        killed_dir.name: "abandoned",
        following.run_dir.name: "failed",
    }


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
        mp.setitem(sys.modules, "model.report.html", fake_report_module())
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
    monkeypatch.setitem(sys.modules, "model.report.html", None)  # makes the import fail
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
