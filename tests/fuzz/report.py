"""Where the form fuzzing leaves its tally for the end of the run."""

from __future__ import annotations

import pytest

FUZZED = pytest.StashKey[str]()
