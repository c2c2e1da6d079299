"""Compiled catalogs: production refuses to start on a missing or stale ``.mo`` file.

Flask-Babel reads only the compiled ``.mo`` files; a ``.po`` edited without
``make build`` (or ``pybabel compile``) would silently serve old or English text.
So compiling is never a step an operator can forget: the start fails and names the
locale instead.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from channelfront.config import ConfigError
from channelfront.i18n.locale import SHIPPED_LOCALES


def _split(value: object) -> list[str]:
    """Flask-Babel's list settings: a ``;``-separated string or a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [str(part) for part in value or ()]


def problems(config: Mapping[str, Any]) -> list[str]:
    """One line per locale whose compiled catalog is missing or older than its ``.po``.

    Every ``.po`` in the translation directories needs a ``.mo`` at least as new, and
    every shipped locale needs a ``.mo`` in one of them.
    """
    directories = [Path(d) for d in _split(config.get("BABEL_TRANSLATION_DIRECTORIES"))]
    domains = _split(config.get("BABEL_DOMAIN") or "messages")
    found: dict[str, str] = {}
    compiled: set[str] = set()
    for directory in directories:
        for domain in domains:
            sources = {
                p.parent.parent.name: p for p in directory.glob(f"*/LC_MESSAGES/{domain}.po")
            }
            for locale, source in sorted(sources.items()):
                built = source.with_suffix(".mo")
                if not built.is_file():
                    found.setdefault(locale, f"{built} is missing")
                elif source.stat().st_mtime_ns > built.stat().st_mtime_ns:
                    found.setdefault(locale, f"{built} is older than its {source.name}")
            compiled |= {p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{domain}.mo")}
    for locale in SHIPPED_LOCALES:
        if locale not in compiled:
            found.setdefault(locale, f"no compiled catalog in {', '.join(map(str, directories))}")
    return [f"{locale}: {why}" for locale, why in found.items()]


def check(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming each locale whose compiled catalog is missing or stale."""
    found = problems(config)
    if found:
        raise ConfigError(
            "compiled translation catalogs are missing or stale ("
            + "; ".join(found)
            + "). Run `make build` (or `pybabel compile -d translations -D messages`)."
        )


def init_app(app: Flask) -> None:
    """Production refuses to start; development warns; a test app is not checked.

    Test apps skip the check so that a catalog being edited in a shared checkout does
    not stop every test; the catalog tests and the build check cover them.
    """
    if app.config.get("TESTING"):
        return
    if app.config.get("CHANNELFRONT_ENV") == "production":
        check(app.config)
        return
    found = problems(app.config)
    if found:
        print(
            "WARNING: stale translation catalogs; pages show old text until"
            f" `make compile-catalogs`: {'; '.join(found)}",
            file=sys.stderr,
        )
