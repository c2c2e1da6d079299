"""One served demo for every browser test of a run: serving it (migrate, load, start
gunicorn) is the slow part. Its mail goes to the loopback SMTP server of
``tests/mail_fixtures.py``. Chromium is started per module: Playwright's sync API keeps
an event loop running while it is open, and other tests (tests/orders) start their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.served import served_demo
from tests.mail_fixtures import Inbox


@pytest.fixture(scope="session")
def base_port(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[Inbox, int]
) -> Iterator[int]:
    """The demo served by gunicorn on 127.0.0.1; yields the port."""
    workdir = tmp_path_factory.mktemp("browser")
    with served_demo(workdir, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server[1])) as port:
        yield port


@pytest.fixture(scope="module")
def browser(base_port: int):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
