"""A storefront served by gunicorn with a broker nobody consumes, and a signed-in Chromium page.

With ``CELERY_BROKER_URL=memory://`` the web process hands outbox messages to an
in-memory queue no worker reads, so an order stays accepted until ``flask outbox
drain`` plays the worker, while the browser keeps its page open.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.served import ROOT, demo_env, served_demo
from tests.browser.test_storefront_browser import BUYER, PASSWORD


def _flask(env: dict[str, str], *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"flask {' '.join(command)} failed:\n{done.stderr[-3000:]}"


@contextmanager
def served_without_worker(workdir: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The demo under gunicorn on 127.0.0.1; yields its port and environment."""
    settings: dict[str, str | None] = {
        "CELERY_BROKER_URL": "memory://",
        "MAIL_SERVER": None,
        "STRIPE_SECRET_KEY": None,
    }
    with served_demo(workdir, **settings) as port:
        yield port, demo_env(workdir, **settings)


def fulfil_pending(env: dict[str, str]) -> None:
    """Play the worker: handle every pending outbox message in a separate process."""
    _flask({**env, "CELERY_BROKER_URL": ""}, "outbox", "drain")


@contextmanager
def signed_in_page(port: int):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_context(locale="en-US").new_page()
            page.goto(f"http://northwind.localhost:{port}/login")
            form = page.locator("form", has=page.locator("input[name=password]"))
            form.locator("input[name=email]").fill(BUYER)
            form.locator("input[name=password]").fill(PASSWORD)
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
            yield page
        finally:
            browser.close()
