"""Open a rendered briefing in headless Chromium and report what a reader's browser would see.

Used by the browser test and reusable by the batch runner or CI (``python -m
model.report.browser_check PAGE.html --expect-text 峰值 --lang zh --screenshot shot.png``).

It uses the system Chromium (Debian package ``chromium``) through Playwright's Python API:
Playwright's own browser download is not available here, so never call ``playwright install``.
Playwright is imported lazily so that ``model`` works without it (it is a dev dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ENV = "PEAKPATH_CHROMIUM"  # override the browser binary, e.g. on a developer laptop

# Quiet, deterministic, offline-friendly Chromium: no GPU, no QUIC, no background traffic of
# its own (updates, sync, component downloads) that would pollute the request log.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# Only the page itself and inline data may be "requested"; anything else is a leak.
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

VIEWPORT = {"width": 1280, "height": 900}


def find_chromium() -> Path | None:
    """The Chromium binary to use, or None if none is installed."""
    candidate = Path(os.environ.get(CHROMIUM_ENV, DEFAULT_CHROMIUM))
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def missing_chromium() -> str | None:
    """Why browser checks cannot run here (a message for a skip), or None."""
    if find_chromium() is not None:
        return None
    return (
        f"Chromium not found at {DEFAULT_CHROMIUM} (or ${CHROMIUM_ENV}): install the Debian "
        "package 'chromium' (apt-get install -y chromium, or scripts/ensure_chromium.sh)"
    )


def _is_local(url: str) -> bool:
    return url.startswith(LOCAL_SCHEMES)


_BROKEN_IMAGES_JS = """
() => Array.from(document.images)
  .filter(img => !img.complete || img.naturalWidth === 0)
  .map(img => (img.currentSrc || img.src || '').slice(0, 80))
"""


class BriefingBrowser:
    """One headless Chromium for checking several pages (a launch costs about a second).

    Use as a context manager: ``with BriefingBrowser() as browser: browser.check(page, ...)``.
    Raises FileNotFoundError on entry if no Chromium is installed.
    """

    def __init__(self, chromium: Path | None = None, timeout_ms: int = 15_000) -> None:
        self.chromium = chromium or find_chromium()
        self.timeout_ms = timeout_ms
        self._playwright: Any = None
        self._browser: Any = None

    def __enter__(self) -> BriefingBrowser:
        from playwright.sync_api import sync_playwright  # lazy: dev-only dependency

        if self.chromium is None:
            raise FileNotFoundError(
                f"Chromium not found at {DEFAULT_CHROMIUM} (or ${CHROMIUM_ENV}); "
                "install the Debian package 'chromium' (scripts/ensure_chromium.sh)"
            )
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=str(self.chromium), args=list(CHROMIUM_ARGS), headless=True
            )
        except BaseException:
            self._playwright.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

    def check(
        self,
        html: Path,
        screenshot: Path | None = None,
        expect_text: str | None = None,
        lang: str | None = None,
    ) -> dict[str, Any]:
        """Load `html` from disk in a fresh browser context; see `check_briefing_in_browser`."""
        url = Path(html).resolve().as_uri()
        requests: list[str] = []
        console_errors: list[str] = []
        page_errors: list[str] = []

        def on_console(msg: Any) -> None:
            if msg.type == "error":
                console_errors.append(msg.text)

        # A new context per page: no cache, storage or routes shared between checks.
        context = self._browser.new_context(viewport=VIEWPORT, service_workers="block")
        try:
            # Record everything, let through only local URLs: a broken page cannot leak.
            context.route(
                "**/*",
                lambda route: route.continue_() if _is_local(route.request.url) else route.abort(),
            )
            page = context.new_page()
            page.on("request", lambda req: requests.append(req.url))
            page.on("console", on_console)
            page.on("pageerror", lambda err: page_errors.append(str(err)))
            page.goto(url, wait_until="load", timeout=self.timeout_ms)
            broken_images = page.evaluate(_BROKEN_IMAGES_JS)
            image_count = page.evaluate("() => document.images.length")
            actual_lang = page.evaluate("() => document.documentElement.lang")
            body_text = page.inner_text("body")
            if screenshot is not None:
                Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            context.close()

        external = [u for u in requests if not _is_local(u)]
        text_found = expect_text is None or expect_text in body_text
        problems = [f"network request: {u}" for u in external]
        problems += [f"console error: {m}" for m in console_errors]
        problems += [f"page error: {m}" for m in page_errors]
        problems += [f"broken image: {src}" for src in broken_images]
        if not text_found:
            problems.append(f"expected text not shown: {expect_text!r}")
        if not _lang_matches(lang, actual_lang):
            problems.append(f"html lang is {actual_lang!r}, expected {lang!r}")
        return {
            "ok": not problems,
            "problems": problems,
            "url": url,
            "requests": requests,
            "external_requests": external,
            "console_errors": console_errors,
            "page_errors": page_errors,
            "broken_images": broken_images,
            "image_count": image_count,
            "lang": actual_lang,
            "text_found": text_found,
            "screenshot": str(screenshot) if screenshot is not None else None,
        }


def check_briefing_in_browser(
    html: Path,
    screenshot: Path | None = None,
    expect_text: str | None = None,
    lang: str | None = None,
    *,
    chromium: Path | None = None,
    timeout_ms: int = 15_000,
) -> dict[str, Any]:
    """Load `html` from disk in headless Chromium and collect problems.

    Returns a dict: ``ok`` (no problems), ``problems`` (human-readable), ``requests`` (every
    URL the page asked for), ``external_requests``, ``console_errors``, ``page_errors``,
    ``broken_images``, ``image_count``, ``lang`` (``document.documentElement.lang``),
    ``text_found`` and ``screenshot`` (full page PNG, if a path was given). `lang` is the
    expected ``lang`` attribute (``"zh-CN"``/``"en"``, or the short ``"zh"``). Non-local
    requests are recorded and then aborted, so a broken page cannot reach the network.
    Raises FileNotFoundError if no Chromium is installed.
    """
    with BriefingBrowser(chromium, timeout_ms) as browser:
        return browser.check(html, screenshot, expect_text, lang)


def _lang_matches(expected: str | None, actual: str) -> bool:
    if expected is None:
        return True
    return actual == expected or actual == {"zh": "zh-CN"}.get(expected, expected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--expect-text")
    parser.add_argument("--lang")
    args = parser.parse_args(argv)
    try:
        result = check_briefing_in_browser(args.html, args.screenshot, args.expect_text, args.lang)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        json.dumps(
            {k: v for k, v in result.items() if k != "requests"}, ensure_ascii=False, indent=2
        )
    )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
