"""An app on an empty database (the migrations only, no demo), for the first steps of a
new installation. Each test runs in a transaction that is rolled back at its end.

``TEST_DATABASE=postgresql`` puts that database on PostgreSQL (127.0.0.1:5432).
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
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event, orm

from channelfront import create_app
from channelfront.extensions import db
from channelfront.tenancy.hosts import host_map
from channelfront.tenancy.scoping import TenantScopedSession

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "Quiet-harbour-lights-7"


def _database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("TEST_DATABASE") != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('empty-db') / 'empty.db'}"
        return
    name = f"cf_setup_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_savepoints(engine: sa.Engine) -> None:
    """pysqlite needs this to honour SAVEPOINT inside an outer transaction."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def empty_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a database with every table and no rows."""
    for url in _database(tmp_path_factory):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "PASSWORD_HASH_COST": "cheap",
                "ADMIN_HOST": "admin.localhost",
                "SQLALCHEMY_DATABASE_URI": url,
            }
        )
        with app.app_context():
            upgrade()
            if db.engine.dialect.name == "sqlite":
                db.engine.dispose()
                _sqlite_savepoints(db.engine)
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def fresh(empty_app: Flask) -> Iterator[Flask]:
    """The empty app for one test; whatever the test commits is rolled back."""
    with empty_app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = orm.scoped_session(
        orm.sessionmaker(
            class_=TenantScopedSession, bind=connection, join_transaction_mode="create_savepoint"
        ),
        scopefunc=_app_ctx_id,
    )
    host_map.invalidate()
    try:
        with empty_app.app_context():
            yield empty_app
    finally:
        with empty_app.app_context():
            db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()
        host_map.invalidate()


@pytest.fixture
def cli(fresh: Flask):  # type: ignore[no-untyped-def]
    """``cli("setup", "--vendor-slug", ..., env=..., input=...)``: a flask command's result."""
    runner = fresh.test_cli_runner()

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None):  # type: ignore[no-untyped-def]  # noqa: A002
        return runner.invoke(args=list(args), env=env, input=input)

    return invoke


@pytest.fixture
def set_up(cli):  # type: ignore[no-untyped-def]
    """Run ``flask setup`` for the Acme vendor and its admin; answer the result."""

    def run(email: str = "ada@acme.example", password: str = PASSWORD, **options: str):  # type: ignore[no-untyped-def]
        args = {
            "--vendor-name": "Acme Software",
            "--vendor-slug": "acme",
            "--admin-email": email,
            "--admin-name": "Ada Admin",
            **{f"--{k.replace('_', '-')}": v for k, v in options.items()},
        }
        flat = [part for pair in args.items() for part in pair]
        return cli("setup", *flat, env={"CHANNELFRONT_ADMIN_PASSWORD": password})

    return run


@pytest.fixture
def browse(fresh: Flask):  # type: ignore[no-untyped-def]
    """``browse(host)``: ``send(method, path, **kw)`` on that host with one client's cookies,
    each request in a fresh context as on a real server."""

    def on(host: str):  # type: ignore[no-untyped-def]
        client = fresh.test_client()

        def send(method: str, path: str, **kw):  # type: ignore[no-untyped-def]
            kw.setdefault("base_url", f"http://{host}")
            return contextvars.Context().run(client.open, path, method=method, **kw)

        return send

    return on


@pytest.fixture
def sign_in(browse):  # type: ignore[no-untyped-def]
    """``sign_in(email, password)``: the console's answer to a sign-in, and the client."""

    def run(email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        send = browse("admin.localhost")
        page = send("GET", "/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert token, "no CSRF token on /login"
        data = {"email": email, "password": password, "csrf_token": token.group(1)}
        return send("POST", "/login", data=data), send

    return run
