"""The locks in requirements/: they satisfy pyproject.toml's ranges, and the environment
running the tests has exactly their versions (run `make lock` after changing a range)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PINNED = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
# Installed by the virtual environment itself, or the project (editable), not by a lock.
NOT_LOCKED = {"pip", "channelfront"}


def locked(name: str) -> dict[str, str]:
    """The lock's versions that apply to this interpreter and platform, by package name."""
    versions = {}
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        match = PINNED.match(line)
        if match and (match[3] is None or Marker(match[3]).evaluate()):
            versions[canonicalize_name(match[1])] = match[2]
    return versions


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [
        line for extra in extras for line in project["optional-dependencies"][extra]
    ]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize(
    ("lock", "extras"), [("app.lock", ("demo",)), ("dev.lock", ("demo", "dev"))]
)
def test_each_lock_satisfies_the_ranges_of_pyproject(lock: str, extras: tuple[str, ...]) -> None:
    versions = locked(lock)
    outside = {
        str(requirement): versions.get(canonicalize_name(requirement.name), "not in the lock")
        for requirement in declared(*extras)
        if versions.get(canonicalize_name(requirement.name)) not in requirement.specifier
    }
    assert not outside, f"requirements/{lock} is stale, run `make lock`: {outside}"


def test_the_test_tools_lock_keeps_the_apps_versions() -> None:
    app, dev = locked("app.lock"), locked("dev.lock")
    differ = {
        name: (version, dev.get(name)) for name, version in app.items() if dev.get(name) != version
    }
    assert not differ, f"run `make lock`: {differ}"


def test_this_environment_has_exactly_the_locked_versions() -> None:
    want = locked("dev.lock")
    have = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }
    wrong = {
        name: (version, have.get(name))
        for name, version in want.items()
        if have.get(name) != version
    }
    assert not wrong, f"(locked, installed) differ; `make clean test` rebuilds .venv: {wrong}"
    extra = sorted(set(have) - set(want) - NOT_LOCKED)
    assert not extra, f"installed but not in requirements/dev.lock: {extra}"
