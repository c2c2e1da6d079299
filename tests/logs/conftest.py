"""Fixtures for log tests: the app's log lines as an operator reads them on stderr."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from channelfront import logs


@pytest.fixture
def log_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], list[str]]]:
    """Logging set up as create_app does it (text, INFO); calling the fixture returns
    the lines written to stderr since the last call.

    The suite's migrations replace the root logger's handlers (alembic's fileConfig),
    so each test sets ours up again and puts the earlier ones back at its end.
    """
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    root.handlers[:] = []
    logs.configure("INFO", "text")
    capsys.readouterr()

    def lines() -> list[str]:
        return capsys.readouterr().err.splitlines()

    yield lines
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
