"""The console's status page on a 390 px phone, in English and German: nothing wider
than the screen (long worker names included), and axe-core finds no serious or critical
violation. Saved to ``tests/screenshots/status/``."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.served import ROOT, served_demo

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "screenshots" / "status"
PHONE = {"width": 390, "height": 844}
WORKERS = {
    "worker:celery@channelfront-production-worker-7f9c8d6b5-x2kqz.eu-central-1.internal": 4,
    "worker:celery@web-2": 600,
}
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .slice(0, 3)
        .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
    return {scroll: document.documentElement.scrollWidth, width: width, wide: wide};
}"""
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    workdir = tmp_path_factory.mktemp("status")
    with served_demo(workdir) as served:
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = [(name, "worker", now - timedelta(seconds=age)) for name, age in WORKERS.items()]
        rows.append(("beat", "beat", now - timedelta(seconds=12)))
        with sqlite3.connect(workdir / "storefront.db") as conn:
            conn.executemany(
                "INSERT INTO process_heartbeat (name, kind, seen_at) VALUES (?, ?, ?)",
                [(name, kind, seen.isoformat(sep=" ")) for name, kind, seen in rows],
            )
        yield served


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.is_file():
        message = "axe-core is missing: run `make test` (npm ci in tests/browser)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_the_status_page_fits_a_phone(port: int, axe: Path, locale: str) -> None:
    from playwright.sync_api import sync_playwright

    base = f"http://admin.localhost:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport=PHONE, bypass_csp=True, locale=locale)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(base + "/login")
        form = page.locator("form", has=page.locator("input[name=password]"))
        form.locator("input[name=email]").fill("admin@nimbus.example")
        form.locator("input[name=password]").fill("channelfront-demo")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        response = page.goto(base + "/admin/status")
        assert response is not None
        assert response.status == 200
        table = page.inner_text("#processes")
        assert "x2kqz" in table
        assert ("Stale" if locale == "en-US" else "vor 10 Minuten") in table
        box = page.evaluate(OVERFLOW)
        assert box["scroll"] <= 390, box
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"status-{locale}-phone.png"), full_page=True)
        page.add_script_tag(path=str(axe))
        assert page.evaluate(AXE_RUN) == []
        browser.close()
