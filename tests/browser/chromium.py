"""Debian's Chromium, driven by Playwright: where it is and how it is launched."""

from __future__ import annotations

import importlib.util
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def missing_browser() -> str | None:
    """One line saying what the browser tests lack and how to install it, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "browser tests need Playwright: run `make test` (it installs requirements/dev.lock)"
    if not Path(CHROMIUM).is_file():
        return f"browser tests need Chromium at {CHROMIUM}: sudo apt-get install chromium"
    return None
