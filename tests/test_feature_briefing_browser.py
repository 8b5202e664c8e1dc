"""The rendered briefing in a real browser (headless system Chromium via Playwright).

A reader opens the page from an e-mail attachment, offline: it must make no network request,
log no error, show every image, have the right language and the headline numbers.
Set PEAKPATH_SCREENSHOT_DIR to keep the full-page screenshots for a human look.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_feature_briefing_html import HEADLINE_LABEL, write_sample

from model.report import browser_check
from model.report import html as report

pytest.importorskip("playwright.sync_api", reason="playwright (dev dependency) not installed")

if browser_check.missing_chromium():
    pytest.skip(browser_check.missing_chromium(), allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[browser_check.BriefingBrowser]:
    # One Chromium for the module: each launch costs about a second.
    with browser_check.BriefingBrowser() as session:
        yield session


def _keep_screenshot(shot: Path) -> None:
    target = os.environ.get("PEAKPATH_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(target) / shot.name)


@pytest.mark.parametrize(("lang", "html_lang"), [("zh", "zh-CN"), ("en", "en")])
def test_briefing_clean_in_chromium(
    browser: browser_check.BriefingBrowser, tmp_path: Path, lang: str, html_lang: str
) -> None:
    page = report.render_briefing(
        write_sample(tmp_path, lang), tmp_path / f"briefing_{lang}.html", lang
    )
    shot = tmp_path / f"briefing_{lang}.png"
    result = browser.check(page, shot, HEADLINE_LABEL, html_lang)
    _keep_screenshot(shot)

    assert result["external_requests"] == []
    assert all(u.startswith(("file:", "data:")) for u in result["requests"]), result["requests"]
    assert result["console_errors"] == []
    assert result["page_errors"] == []
    assert result["image_count"] >= 1
    assert result["broken_images"] == []
    assert result["text_found"]
    assert result["lang"] == html_lang
    assert result["ok"], result["problems"]
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_checker_detects_requests_errors_and_broken_images(
    browser: browser_check.BriefingBrowser, tmp_path: Path
) -> None:
    # Proves the check can fail: a page breaking every rule (the request is aborted, never sent).
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><body><p>hello</p>'
        '<img src="http://127.0.0.1:9/missing.png">'
        "<script>console.error('boom'); throw new Error('kaput');</script></body></html>",
        encoding="utf-8",
    )
    result = browser.check(bad, None, "absent text", "zh-CN")
    assert not result["ok"]
    assert result["external_requests"] == ["http://127.0.0.1:9/missing.png"]
    assert any("boom" in m for m in result["console_errors"])
    assert any("kaput" in m for m in result["page_errors"])
    assert result["broken_images"]
    assert not result["text_found"]
    assert any("lang" in p for p in result["problems"])


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The CLI (for the batch runner / CI) wraps check_briefing_in_browser. It runs in a worker
    # thread: Playwright's sync API cannot nest inside this module's running browser, and a
    # subprocess would pay for importing the whole `model` package again.
    page = tmp_path / "tiny.html"
    page.write_text('<!DOCTYPE html><html lang="zh-CN"><body>峰值</body></html>', "utf-8")
    argv = [str(page), "--expect-text", "峰值", "--lang", "en"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        code = pool.submit(browser_check.main, argv).result(timeout=60)
    report_json = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report_json["text_found"] is True
    assert report_json["problems"] == ["html lang is 'zh-CN', expected 'en'"]
