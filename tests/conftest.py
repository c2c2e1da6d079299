"""Session-wide app on a fresh database built by the migrations, demo data loaded once,
and every test inside a transaction that is rolled back at its end.

``TEST_DATABASE=postgresql`` runs the same suite on a fresh PostgreSQL database
(127.0.0.1:5432, user postgres); under ``CI=true`` a missing server fails the run.

Skips: outside CI a test may skip when a peer it needs is missing, and says why (the
browser tests, without Chromium). Under ``CI=true`` nothing skips: a skip is reported
as a failure, so CI proves what it claims to.
"""

from __future__ import annotations

import contextvars
import os
import re
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event, orm

from channelfront import create_app
from channelfront.demo.seed import DEMO_PASSWORD, load_demo
from channelfront.extensions import db
from channelfront.tenancy.hosts import host_map
from channelfront.tenancy.scoping import TenantScopedSession
from tests.browser.chromium import missing_browser

# Fixture plugins for real local peers (one module each).
pytest_plugins = ["tests.mail_fixtures", "tests.stripe_fixtures"]

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CI = os.environ.get("CI") == "true"


BROWSER_MISSING = missing_browser()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without Chromium the browser tests skip (before their servers start)."""
    if BROWSER_MISSING is None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=BROWSER_MISSING))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI=true a skip is a failure: a missing service or browser must be seen."""
    report = yield
    if report.skipped and BROWSER_MISSING and "browser" in item.keywords:
        # One summary line for all of them, at the place that says what is missing.
        where = missing_browser.__code__.co_filename
        report.longrepr = (where, None, f"Skipped: {BROWSER_MISSING}")
    if CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may skip: {reason}"
    return report


def _postgres_database() -> Iterator[str]:
    name = f"cf_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("TEST_DATABASE") == "postgresql":
        yield from _postgres_database()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _sqlite_savepoints(engine: sa.Engine) -> None:
    """pysqlite needs this to honour SAVEPOINT inside an outer transaction."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "PASSWORD_HASH_COST": "cheap",
    "LOGIN_RATE_LIMIT": "1000 per minute",
    "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
    "ADMIN_HOST": "admin.localhost",
}


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        if db.engine.dialect.name == "sqlite":
            db.engine.dispose()
            _sqlite_savepoints(db.engine)
        load_demo()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


class ManualClock:
    """Seconds that pass only when a test says so (``clock.advance(6)``)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clock() -> Iterator[ManualClock]:
    """The clock of the time-based caches: a slow run never expires them mid-test."""
    manual = ManualClock()
    real, host_map.clock = host_map.clock, manual
    try:
        yield manual
    finally:
        host_map.clock = real


@pytest.fixture(autouse=True)
def _rollback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test runs in a transaction that is rolled back, whatever it commits."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    # Requests push their own app contexts; each gets a session on this connection.
    db.session = orm.scoped_session(
        orm.sessionmaker(
            class_=TenantScopedSession, bind=connection, join_transaction_mode="create_savepoint"
        ),
        scopefunc=_app_ctx_id,
    )
    host_map.invalidate()
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()
        host_map.invalidate()


@pytest.fixture
def translated(app: Flask):  # type: ignore[no-untyped-def]
    """``translated("de", "Sign in")``: the catalog's text for a message in a locale."""
    from flask_babel import force_locale, gettext

    def lookup(locale: str, message: str, **values: object) -> str:
        with app.test_request_context(), force_locale(locale):
            return gettext(message, **values)

    return lookup


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for a test that reads or writes rows itself."""
    with app.app_context():
        yield


class HostClient(FlaskClient):
    """A test client bound to one host name, like a browser on one storefront."""

    host = "localhost"

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("base_url", f"http://{self.host}")
        # A fresh context per request, like a real server: nothing of a test's own app
        # context (``g``, the locale, the active tenant) leaks into the request.
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self, path: str = "/login") -> str:
        page = self.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token" value="([^"]+)"', page
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, email: str, password: str = DEMO_PASSWORD):  # type: ignore[no-untyped-def]
        token = self.csrf_token("/login")
        return self.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    """``client_for("northwind.localhost")`` gives a fresh client on that host."""

    def make(host: str) -> HostClient:
        client = HostClient(app, app.response_class, use_cookies=True)
        client.host = host
        return client

    return make


@pytest.fixture
def northwind(client_for) -> HostClient:  # type: ignore[no-untyped-def]
    return client_for("northwind.localhost")


@pytest.fixture
def alpenhandel(client_for) -> HostClient:  # type: ignore[no-untyped-def]
    return client_for("alpenhandel.localhost")


@pytest.fixture
def sakura(client_for) -> HostClient:  # type: ignore[no-untyped-def]
    return client_for("sakura.localhost")


@pytest.fixture
def admin_host(client_for) -> HostClient:  # type: ignore[no-untyped-def]
    return client_for("admin.localhost")


@pytest.fixture
def bluebird_buyer(northwind: HostClient) -> HostClient:
    response = northwind.login("buyer@bluebird.example")
    assert response.status_code == 302, response.get_data(as_text=True)
    return northwind
