"""Compiled catalogs are never a step an operator can forget: production refuses to
start when a locale's ``.mo`` is missing or older than its ``.po``, and names the
locale; ``make build``'s check says the same before anything is deployed."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from channelfront import create_app
from channelfront.config import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def catalog(translations: Path, locale: str, suffix: str) -> Path:
    return translations / locale / "LC_MESSAGES" / f"messages.{suffix}"


@pytest.fixture
def translations(compiled_translations: Path, tmp_path: Path) -> Path:
    """A freshly compiled copy of the checkout's catalogs, their times kept (copy2)."""
    copy = tmp_path / "translations"
    shutil.copytree(compiled_translations, copy)
    return copy


def started(translations: Path, environment: str = "production") -> Flask:
    return create_app(
        {
            "TESTING": False,
            "CHANNELFRONT_ENV": environment,
            "SECRET_KEY": "a-real-secret-of-this-deployment",
            "LICENSE_SIGNING_KEY": "a-license-key-that-never-rotates",
            "BABEL_TRANSLATION_DIRECTORIES": str(translations),
        }
    )


def make_stale(translations: Path, locale: str) -> None:
    """The .po edited after the last compile (a translator's fix, a pulled commit)."""
    built = catalog(translations, locale, "mo").stat().st_mtime
    os.utime(catalog(translations, locale, "po"), (built + 60, built + 60))


def test_production_starts_with_every_catalog_compiled(translations):
    assert started(translations).config["BABEL_TRANSLATION_DIRECTORIES"] == str(translations)


def test_a_missing_mo_stops_production_and_names_the_locale(translations):
    catalog(translations, "de", "mo").unlink()
    with pytest.raises(ConfigError, match=r"de: \S+/de/LC_MESSAGES/messages\.mo is missing") as e:
        started(translations)
    assert "make build" in str(e.value)
    assert "fr:" not in str(e.value)


def test_a_po_newer_than_its_mo_stops_production_and_names_the_locale(translations):
    make_stale(translations, "fr")
    make_stale(translations, "ja")
    with pytest.raises(ConfigError, match=r"older than its messages\.po") as refused:
        started(translations)
    assert "fr: " in str(refused.value)
    assert "ja: " in str(refused.value)
    assert "de: " not in str(refused.value)


def test_a_shipped_locale_without_any_catalog_stops_production(translations):
    shutil.rmtree(translations / "es")
    with pytest.raises(ConfigError, match="es: no compiled catalog"):
        started(translations)


def test_development_starts_with_a_stale_catalog_and_says_so(translations, capsys):
    make_stale(translations, "de")
    started(translations, environment="development")
    assert "de: " in capsys.readouterr().err


def test_the_wsgi_entry_point_exits_with_the_locale_named(translations):
    """What gunicorn and `flask` show: one line, and gunicorn's "do not retry" status."""
    make_stale(translations, "ja")
    env = {
        **os.environ,
        "CHANNELFRONT_ENV": "production",
        "SECRET_KEY": "a-real-secret-of-this-deployment",
        "LICENSE_SIGNING_KEY": "a-license-key-that-never-rotates",
        "TRANSLATIONS_DIR": str(translations),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("Channelfront will not start: compiled translation catalogs")
    assert "ja: " in done.stderr


def build_check():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_build", ROOT / "deploy/check_build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_check_renders_a_page_in_every_shipped_language(
    translations, monkeypatch, capsys
):
    monkeypatch.setenv("TRANSLATIONS_DIR", str(translations))
    assert build_check().main() == 0
    assert "Build check passed" in capsys.readouterr().out


def test_the_build_check_refuses_a_stale_catalog(translations, monkeypatch, capsys):
    make_stale(translations, "es")
    monkeypatch.setenv("TRANSLATIONS_DIR", str(translations))
    assert build_check().main() == 1
    err = capsys.readouterr().err
    assert "The build is not ready to serve" in err
    assert "es: " in err


def test_the_build_check_refuses_a_catalog_that_translates_nothing(
    translations, monkeypatch, capsys
):
    """A .mo compiled from an untranslated .po (a copy of English) passes the dates."""
    shutil.copy2(catalog(translations, "en", "mo"), catalog(translations, "de", "mo"))
    monkeypatch.setenv("TRANSLATIONS_DIR", str(translations))
    assert build_check().main() == 1
    assert "de: the compiled catalog does not translate" in capsys.readouterr().err
