"""One fresh PostgreSQL database for the tests that serve the app as an operator runs it
(gunicorn with gunicorn.conf.py, the Procfile under honcho): migrated and loaded with the
demo by the ``flask`` CLI, as a deploy does, and an API token of Bluebird's buyer.

The catalogs are compiled into a copy of translations/ (TRANSLATIONS_DIR), as ``make
build`` would: production refuses stale ones, and a catalog being edited in a shared
checkout must not decide these tests.

A missing PostgreSQL or Redis fails these tests; they never skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.live import PG_ADMIN, flask, require_services

ROOT = Path(__file__).resolve().parents[2]
# Not the Redis databases of the other worker tests (11 to 15): they flush theirs.
REDIS_DB = int(os.environ.get("PROCFILE_TEST_REDIS_DB", "10"))
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"


def operator_env(database: str, translations: Path) -> dict[str, str]:
    """What /etc/channelfront/channelfront.env would hold, and the venv first on PATH
    (as an activated virtualenv or the systemd unit's absolute paths give)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "FLASK_"))}
    return {
        **keep,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "CHANNELFRONT_ENV": "production",
        "TRANSLATIONS_DIR": str(translations),
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": "",
        "SECRET_KEY": "ops-test-secret",
        "LICENSE_SIGNING_KEY": "ops-test-license-key",
        "PASSWORD_HASH_COST": "cheap",
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("build") / "translations"
    shutil.copytree(ROOT / "translations", copy)
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "-q", "compile", "-d", str(copy), "-D", "messages"],
        check=True,
        timeout=120,
    )
    return copy


@pytest.fixture(scope="session")
def ops_database(compiled_translations: Path) -> Iterator[str]:
    require_services(BROKER)
    name = f"cf_ops_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = operator_env(name, compiled_translations)
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def buyer_token(ops_database: str, compiled_translations: Path) -> str:
    env = operator_env(ops_database, compiled_translations)
    out = flask(env, "api-token", "create", "buyer@bluebird.example", "northwind")
    return out.strip().splitlines()[-1]
