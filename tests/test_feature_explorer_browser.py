"""The explorer as a modeller uses it: JupyterLab in Chromium at 1280 x 800, file browser open.

Starts JupyterLab on a free loopback port with a throwaway copy of the assumptions and the
explorer notebook (PEAKPATH_ASSUMPTIONS points the kernel at the copy), opens the notebook with
Playwright and Debian's Chromium, runs all cells, then:
- no sector tab label is cut (scrollWidth <= clientWidth), at 1280 x 800 and 1440 x 1000;
- every text of the chart is >= 10 px tall on screen, at both sizes;
- a slider moved by mouse drag and one moved by the keyboard change the chart and the peak
  table, and the kernel ends on the last value (the status names it);
- a typed value out of range and a bad line in the text box give Chinese messages that name the
  control;
- saving writes a 0644 file, says so beside the save button (in sight), and
  `python -m model run <name> --out x.csv` accepts it.
Skips only where Chromium is not installed. Set PEAKPATH_SCREENSHOT_DIR to keep screenshots.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from model.report import browser_check

pytest.importorskip("playwright.sync_api", reason="playwright (dev dependency) not installed")

if browser_check.missing_chromium():
    pytest.skip(browser_check.missing_chromium(), allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LAPTOP = {"width": 1280, "height": 800}
DESKTOP = {"width": 1440, "height": 1000}
TIMEOUT_MS = 60_000
SECTORS_ZH = ["钢铁", "有色金属", "建材", "石化化工", "消费品", "装备制造", "电子", "其他工业"]


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    proc: subprocess.Popen[bytes]

    def api(self, path: str, method: str = "GET") -> Any:
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log(self) -> str:
        return (self.root / ".jupyter" / "server.log").read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def jupyter_lab(root: Path) -> Iterator[Lab]:
    """JupyterLab serving `root`, isolated from the user's Jupyter config, stopped on exit."""
    shutil.copytree(REPO / "assumptions", root / "assumptions")
    shutil.copy(REPO / "notebooks" / "explorer.ipynb", root / "explorer.ipynb")
    jp = root / ".jupyter"
    for sub in ("config/labconfig", "data", "runtime", "ipython", "settings", "workspaces"):
        (jp / sub).mkdir(parents=True)
    # No news/update checks (they would reach the internet and put up a notification).
    (jp / "config" / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = dict(
        os.environ,
        PEAKPATH_ASSUMPTIONS=str(root / "assumptions"),
        JUPYTER_CONFIG_DIR=str(jp / "config"),
        JUPYTER_DATA_DIR=str(jp / "data"),
        JUPYTER_RUNTIME_DIR=str(jp / "runtime"),
        IPYTHONDIR=str(jp / "ipython"),
        JUPYTERLAB_SETTINGS_DIR=str(jp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(jp / "workspaces"),
    )
    lab: Lab | None = None
    try:
        for _ in range(3):  # a free port may be taken before the server binds it: try another
            lab = _start(root, env)
            if _answers(lab):
                break
        else:
            raise RuntimeError(f"jupyter lab exited ({lab.proc.returncode}):\n{lab.log()}")
        yield lab
    finally:
        if lab is not None:
            _stop(lab)


def _start(root: Path, env: dict[str, str]) -> Lab:
    token, port = secrets.token_hex(16), _free_port()
    cmd = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        f"--ServerApp.token={token}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    with (root / ".jupyter" / "server.log").open("wb") as log:
        proc = subprocess.Popen(
            cmd, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, umask=0o022,
        )  # fmt: skip
    return Lab(f"http://127.0.0.1:{port}", token, root, proc)


def _answers(lab: Lab, timeout_s: float = 90) -> bool:
    """True once the server answers; False if it exits first (raises if it hangs)."""
    deadline = time.monotonic() + timeout_s
    while lab.proc.poll() is None:
        with contextlib.suppress(OSError):
            lab.api("/api/status")
            return True
        if time.monotonic() > deadline:
            raise RuntimeError(f"jupyter lab did not answer within {timeout_s} s:\n{lab.log()}")
        time.sleep(0.2)
    return False


def _stop(lab: Lab) -> None:
    """Shut the server down (it stops its kernels); then signal its process group."""
    with contextlib.suppress(OSError, urllib.error.URLError):
        lab.api("/api/shutdown", method="POST")
    try:
        lab.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(lab.proc.pid, sig)
            try:
                lab.proc.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue


@contextlib.contextmanager
def chromium(profile: Path, lab: Lab) -> Iterator[Any]:
    """A page of a fresh Chromium profile that may reach only the lab's loopback port."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(browser_check.find_chromium()),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=LAPTOP,
            service_workers="block",
        )
        try:
            context.set_default_timeout(TIMEOUT_MS)
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((lab.url, "data:", "blob:", "about:"))
                    else route.abort()
                ),
            )
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def _wait_for_kernel(page: Any, lab: Lab) -> None:
    """Until one kernel serves the notebook and is idle (answering JupyterLab's kernel dialog,
    which it sometimes shows while the kernel specs load)."""
    deadline, stable = time.monotonic() + 90, 0
    while stable < 4:
        if time.monotonic() > deadline:
            raise AssertionError(f"the notebook's kernel did not settle:\n{lab.log()}")
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count():
            accept.first.click()
            stable = 0
            continue
        try:  # the server answers 500 while a kernel it replaces is going away
            sessions = [s for s in lab.api("/api/sessions") if s["path"].endswith(".ipynb")]
            kernels = lab.api("/api/kernels")
        except (OSError, urllib.error.URLError):
            stable = 0
            time.sleep(0.25)
            continue
        ready = (
            len(sessions) == 1
            and [k["id"] for k in kernels] == [sessions[0]["kernel"]["id"]]
            and kernels[0]["execution_state"] == "idle"
            and page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        )
        stable = stable + 1 if ready else 0
        time.sleep(0.25)


def _idle(page: Any) -> None:
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")


def _shot(page: Any, name: str) -> None:
    target = os.environ.get("PEAKPATH_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"explorer_{name}.png"))


TABS_JS = """() => [...document.querySelectorAll('.peakpath-sectors button')].map(b => ({
    text: b.textContent.trim(), scroll: b.scrollWidth, client: b.clientWidth,
    title: b.title}))"""

# Every text of the chart: its box on screen and its font size times the SVG's scale.
CHART_TEXT_JS = """() => {
  const svg = document.querySelector('svg.peakpath-chart');
  svg.scrollIntoView({block: 'center'});
  return [...svg.querySelectorAll('text')].map(t => {
    const m = t.getScreenCTM();
    const r = t.getBoundingClientRect();
    const turned = Math.abs(m.b) > Math.abs(m.a);  // the rotated axis title
    return {text: t.textContent, height: turned ? r.width : r.height,
            px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)};
  });
}"""

STATE_JS = """() => ({
  chart: document.querySelector('svg.peakpath-chart').outerHTML,
  peaks: document.querySelector('.peakpath-peaks').innerHTML,
  status: document.querySelector('.peakpath-status').innerText,
  updates: +document.querySelector('.peakpath-status').dataset.updates,
})"""

# Settled: the status names the last control moved with the value its slider shows in the
# browser (noUiSlider's aria-valuetext, two decimals), and its box shows that value too. The
# browser may still hold a value to send when the first update comes back, so the slider's own
# value is the mark.
SETTLED_JS = """([label, css]) => {
  const s = document.querySelector('.peakpath-status');
  const h = document.querySelector('.' + css + ' .noUi-handle');
  const b = document.querySelector('.' + css + '-box input');
  if (!s || !h || !b) return false;
  const m = s.innerText.match(new RegExp(label + ' = ([-0-9.]+)'));
  const shown = parseFloat(h.getAttribute('aria-valuetext'));
  return !!m && Math.abs(parseFloat(m[1]) - shown) < 0.006
      && Math.abs(parseFloat(b.value) - shown) < 0.006;
}"""


def _check_tabs(page: Any, where: str) -> None:
    tabs = page.evaluate(TABS_JS)
    assert [t["text"] for t in tabs] == [*SECTORS_ZH, "跨行业"], where
    cut = [t for t in tabs if t["scroll"] > t["client"]]
    assert not cut, f"{where}: sector labels cut: {cut}"
    assert all(t["title"] for t in tabs), where  # a tooltip on each


def _check_chart_text(page: Any, where: str) -> None:
    texts = page.evaluate(CHART_TEXT_JS)
    assert len(texts) > 20, where
    small = [t for t in texts if t["px"] < 10 or t["height"] < 10]
    assert not small, f"{where}: chart text under 10 px: {small}"


CHART_WIDTH_JS = "() => document.querySelector('svg.peakpath-chart').getBoundingClientRect().width"


def _resize(page: Any, size: dict[str, int], width: float | None) -> float:
    """Resize the window and wait until JupyterLab has laid the chart out again (to `width`,
    or to anything else than now); returns the chart's width before."""
    before = page.evaluate(CHART_WIDTH_JS)
    page.set_viewport_size(size)
    done = f"Math.abs(w - {width}) < 1" if width else f"Math.abs(w - {before}) >= 1"
    page.wait_for_function(f"() => {{ const w = ({CHART_WIDTH_JS})(); return {done}; }}")
    page.wait_for_timeout(200)  # one more frame for everything else
    return before


def _drag(page: Any, css: str, dx: float) -> None:
    handle = page.locator(f".{css} .noUi-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=25)  # a fast drag: 25 pointer moves, no pauses
    page.mouse.up()


def _enter(page: Any, field: str, text: str, key: str, shows: str, present: bool = True) -> str:
    """Type `text` into `field`, confirm with `key`; wait until the status shows `shows` (or,
    with present=False, no longer shows it); return the status text."""
    locator = page.locator(field)
    locator.fill(text)
    locator.press(key)
    test = f"document.querySelector('.peakpath-status').innerText.includes({json.dumps(shows)})"
    page.wait_for_function(f"() => {'' if present else '!'}{test}")
    return str(page.locator(".peakpath-status").inner_text())


def _settle(page: Any, label: str, css: str) -> dict[str, Any]:
    page.wait_for_function(SETTLED_JS, arg=[label, css])
    _idle(page)
    return page.evaluate(STATE_JS)


def test_explorer_in_jupyterlab(tmp_path: Path) -> None:
    root = tmp_path / "lab"
    root.mkdir()
    with jupyter_lab(root) as lab, chromium(tmp_path / "profile", lab) as page:
        page.goto(f"{lab.url}/lab/tree/explorer.ipynb?token={lab.token}")
        page.wait_for_selector(".jp-Notebook")
        _wait_for_kernel(page, lab)
        browser_panel = page.locator("#filebrowser")
        assert browser_panel.is_visible() and browser_panel.bounding_box()["width"] >= 200
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
        page.wait_for_selector("svg.peakpath-chart", timeout=120_000)
        page.wait_for_selector(".peakpath-status")
        _idle(page)
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        assert errors.count() == 0, errors.all_inner_texts()
        _shot(page, "1280x800")

        # Readable at 1280 x 800 and 1440 x 1000.
        _check_tabs(page, "1280x800")
        _check_chart_text(page, "1280x800")
        laptop_width = _resize(page, DESKTOP, None)
        _check_tabs(page, "1440x1000")
        _check_chart_text(page, "1440x1000")
        _resize(page, LAPTOP, laptop_width)

        # Mouse drag: the EAF share in 2030 (moves steel's 2030 emissions, so the table too).
        before = page.evaluate(STATE_JS)
        _drag(page, "peakpath-steel-eaf_share-2030", 60)
        dragged = _settle(page, "电炉钢比例 2030年", "peakpath-steel-eaf_share-2030")
        assert dragged["chart"] != before["chart"] and dragged["peaks"] != before["peaks"]
        assert 1 <= dragged["updates"] - before["updates"] <= 26  # never more than sent

        # Keyboard: the crude steel cap, five steps down with the arrow key.
        handle = page.locator(".peakpath-steel-output_cap-2030 .noUi-handle")
        handle.focus()
        for _ in range(5):
            page.keyboard.press("ArrowLeft")
        keyed = _settle(page, "粗钢产量上限 2030年", "peakpath-steel-output_cap-2030")
        assert keyed["chart"] != dragged["chart"] and keyed["peaks"] != dragged["peaks"]
        cap = page.locator(".peakpath-steel-output_cap-2030-box input").input_value()
        assert float(cap) == pytest.approx(65 - 5 * 0.5)
        _shot(page, "moved")

        # A typed value out of range: clamped, said in Chinese, naming the control.
        status = _enter(page, ".peakpath-steel-eaf_share-2030-box input", "1.7", "Enter", "已改为")
        assert re.search(
            r"电炉钢比例 2030年：输入的 1\.7 超出可设范围 0\.00–0\.\d\d，已改为", status
        )
        # A bad line in the text box: rejected, said in Chinese, naming the control.
        extra = ".peakpath-extra textarea"
        status = _enter(page, extra, "steel.eaf_share.2040=1.5", "Tab", "输入无效")
        assert "电炉钢比例 2040年（steel.eaf_share.2040）：1.5，应为 0 到 1 之间的比例" in status
        assert "--set" not in status and "a share" not in status
        _enter(page, extra, "", "Tab", "输入无效", present=False)
        _idle(page)

        # Save: the confirmation appears beside the button, in sight.
        page.locator(".peakpath-save-name input").fill("browser_case")
        page.locator(".peakpath-save-zh input").fill("浏览器测试")
        page.locator(".peakpath-save-en input").fill("browser test")
        page.locator(".peakpath-save").click()
        page.wait_for_selector(".peakpath-save-status")
        saved = page.locator(".peakpath-save-status")
        assert "已保存" in saved.inner_text(), saved.inner_text()
        in_sight = page.evaluate(
            """() => { const e = document.querySelector('.peakpath-save-status');
                const r = e.getBoundingClientRect();
                return r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
                    && e.scrollWidth <= e.clientWidth; }"""
        )
        assert in_sight, "the save confirmation is out of sight"
        _shot(page, "saved")

    path = root / "assumptions" / "scenarios" / "browser_case.yaml"
    assert path.stat().st_mode & 0o777 == 0o644
    text = path.read_text(encoding="utf-8")
    assert "extends: plan" in text and "eaf_share" in text and "output_cap" in text
    out = tmp_path / "x.csv"
    env = dict(os.environ, PEAKPATH_ASSUMPTIONS=str(root / "assumptions"))  # as the kernel had
    cli = subprocess.run(
        [sys.executable, "-m", "model", "run", "browser_case", "--out", str(out)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert out.stat().st_size > 0
