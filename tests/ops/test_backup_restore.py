"""The backup of docs/operations.md, as an operator runs it: a database migrated and
loaded with the demo (orders, closed statements, credit notes) and a logo uploaded for a
stored theme is dumped with ``pg_dump --format=custom --no-owner``, restored with
``createdb`` and ``pg_restore --no-owner`` into a new database, and the restored one
holds the same rows; the app pointed at it answers ready, shows the buyer's orders and
the logo, and ``flask db current`` names the head revision.

PostgreSQL and its client programs are required: under CI=true their absence fails the
test; elsewhere it skips and says what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import pytest
import requests
from alembic.script import ScriptDirectory

from channelfront.demo.seed import DEMO_PASSWORD
from tests.live import HOST, PG_ADMIN, Processes, fetch, flask, serve
from tests.ops.conftest import ROOT, operator_env

pytestmark = pytest.mark.slow
CI = os.environ.get("CI") == "true"
BUYER = "buyer@bluebird.example"
# The libpq settings an operator's shell would hold; the commands below are the guide's.
PG_ENV = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}

# The same logo the console's theme editor stores, run as a one-off script against the
# database (as `flask shell` would): the editor's own services, committed.
UPLOAD_LOGO = """
import sys
from pathlib import Path
from sqlalchemy import select
from wsgi import app
from channelfront.accounts.models import User
from channelfront.admin.tenant_services import console_vendor
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.theming import editor

with app.app_context():
    admin = db.session.scalars(select(User).where(User.email == "admin@nimbus.example")).one()
    themes = app.config["THEMES_DIR"]
    new = editor.NewTheme("Backup Theme", "backup-theme", "base")
    theme = editor.create_theme(console_vendor().id, admin, new, themes)
    first = theme.versions[0]
    change = editor.LogoChange(upload=Path(sys.argv[1]).read_bytes())
    locales = SHIPPED_LOCALES
    version = editor.save_version(theme, admin, first.tokens, change, first, themes, locales)
    editor.publish_version(theme, version.number, admin)
    db.session.commit()
"""

RECORDS = {
    "orders": """
        SELECT t.slug, o.id, o.number, o.currency, o.total_minor, o.credit_minor, o.status,
               (SELECT string_agg(l.sku || 'x' || l.quantity || '=' || l.total_minor, ','
                                  ORDER BY l.id) FROM order_line l WHERE l.order_id = o.id)
        FROM purchase_order o JOIN tenant t ON t.id = o.tenant_id ORDER BY o.id""",
    "statements": """
        SELECT t.slug, s.id, s.program_id, s.beneficiary, s.period, s.period_start,
               s.period_end, s.currency, s.opening_minor, s.total_minor, s.disposition
        FROM incentive_statement s JOIN tenant t ON t.id = s.tenant_id ORDER BY s.id""",
    "credit notes": "SELECT id, tenant_id, number FROM credit_note ORDER BY id",
    "logos": "SELECT id, sha256, content_type, data FROM theme_logo ORDER BY id",
    "theme versions": "SELECT theme_id, number, logo_id FROM theme_version ORDER BY id",
    "revision": "SELECT version_num FROM alembic_version",
    # Sequences restored too: the next order, statement or logo gets a fresh id.
    "sequences": "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename",
}


def png(width: int = 96, height: int = 32) -> bytes:
    """A whole PNG (every chunk with its CRC), with bytes no text column would keep."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    idat = chunk(b"IDAT", zlib.compress(rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


def missing(reason: str) -> NoReturn:
    if CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture
def postgresql() -> dict[str, str]:
    """The libpq environment for the client programs, once the server answers."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        missing(f"PostgreSQL at 127.0.0.1:5432 (user postgres) is required: {exc}")
    for program in ("pg_dump", "createdb", "pg_restore"):
        if shutil.which(program) is None:
            missing(f"{program} is required (Debian: apt-get install postgresql-client)")
    return {**os.environ, **PG_ENV}


@pytest.fixture
def databases(postgresql: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Two database names: the live one (created) and the restore target (not yet)."""
    suffix = uuid.uuid4().hex[:10]
    live, restored = f"cf_backup_{suffix}", f"cf_restored_{suffix}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{live}"')
    try:
        yield live, restored
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in (live, restored):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        list(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stderr[-3000:]}"
    return done


def record(database: str) -> dict[str, list[tuple[Any, ...]]]:
    return {what: fetch(database, sql) for what, sql in RECORDS.items()}


def table_counts(database: str) -> dict[str, int]:
    sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    tables = [row[0] for row in fetch(database, sql)]
    return {t: fetch(database, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}  # noqa: S608


def sign_in(base: str) -> requests.Session:
    browser = requests.Session()
    browser.headers["Host"] = HOST
    page = browser.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, page[:2000]
    answer = browser.post(
        f"{base}/login",
        data={"email": BUYER, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:2000]
    return browser


def test_a_dump_restored_into_a_new_database_has_every_order_statement_and_logo(
    postgresql: dict[str, str],
    databases: tuple[str, str],
    compiled_translations: Path,
    tmp_path: Path,
) -> None:
    live, restored = databases
    env = operator_env(live, compiled_translations)
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    run(env, sys.executable, "-c", UPLOAD_LOGO, str(logo))

    before = record(live)
    counts = table_counts(live)
    # What the demo is meant to hold, so the comparison below compares something.
    assert {row[2] for row in before["orders"]} >= {"NW-000001", "AH-000001", "SK-000001"}
    assert len(before["statements"]) >= 10
    assert before["credit notes"]
    assert [row[3] for row in before["logos"]] == [logo.read_bytes()]

    # The guide's commands, word for word (libpq settings in the environment).
    dump = tmp_path / "channelfront.dump"
    run(postgresql, "pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
        f"postgresql://postgres@127.0.0.1:5432/{live}")  # fmt: skip
    run(postgresql, "createdb", restored)
    restore = run(postgresql, "pg_restore", "--no-owner", f"--dbname={restored}", str(dump))
    assert restore.stderr == "", restore.stderr

    after = record(restored)
    for what, rows in before.items():
        assert after[what] == rows, f"{what} differ after the restore"
    assert table_counts(restored) == counts

    # The app pointed at the restored database: its revision, and the pages it serves.
    env = operator_env(restored, compiled_translations)
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    assert f"{head} (head)" in flask(env, "db", "current")
    processes = Processes(tmp_path)
    try:
        base = f"http://127.0.0.1:{serve(processes, env)}"
        ready = requests.get(f"{base}/healthz/ready", headers={"Host": HOST}, timeout=30)
        assert ready.status_code == 200
        assert ready.json()["checks"]["database"] == "ok"
        with sign_in(base) as browser:
            history = browser.get(f"{base}/orders", timeout=30)
        assert history.status_code == 200
        assert "NW-000001" in history.text
        sha256 = before["logos"][0][1]
        served = requests.get(f"{base}/brand/logos/{sha256}", headers={"Host": HOST}, timeout=30)
        assert served.status_code == 200
        assert served.content == logo.read_bytes()
    finally:
        for process in processes.started:  # gunicorn's quick stop: its worker goes too
            process.send_signal(signal.SIGQUIT)
            process.wait(timeout=30)
        processes.stop_all()
