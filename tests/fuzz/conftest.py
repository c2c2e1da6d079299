"""The form fuzzing's tally (forms, requests, answers) in the run's summary."""

from __future__ import annotations

import pytest

from tests.fuzz.report import FUZZED


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    tally = config.stash.get(FUZZED, None)
    if tally:
        terminalreporter.write_line(tally)
