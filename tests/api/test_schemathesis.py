"""Schemathesis over the whole OpenAPI document, in-process, as buyer@bluebird.example.

Every operation gets its own test. Each case must not give a 5xx and must match the
document: status documented, body valid against its schema, headers, 405 with Allow
for undeclared methods, 401 without the token, valid input accepted, invalid refused.

``schema.parametrize()`` needs the document while tests are collected, before any
fixture exists. So the document is fetched, exactly as a client would, from an app on
a demo database of its own (built by the migrations, about a second); the cases are
then sent to the session app, inside each test's rolled-back transaction.
"""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from flask import Flask
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings

from channelfront import create_app
from channelfront.demo.seed import load_demo
from channelfront.extensions import db

HOST = "northwind.localhost"
_folder = tempfile.TemporaryDirectory(prefix="cf-openapi-")


def _document_app() -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "openapi-document",
            "PASSWORD_HASH_COST": "cheap",
            "ADMIN_HOST": "admin.localhost",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{_folder.name}/document.db",
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app


schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", _document_app(), headers={"Host": HOST}
)


@pytest.fixture
def bearer(token_for) -> str:  # type: ignore[no-untyped-def]
    """A fresh token per operation's test: the rollback at each test's end removes it."""
    return f"Bearer {token_for('buyer@bluebird.example', 'northwind')}"


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    # The token fixture is per test, shared by its examples on purpose (requests only read).
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api_conforms_to_its_document(case, app, bearer):  # type: ignore[no-untyped-def]
    case.call_and_validate(
        app=app,
        base_url=f"http://{HOST}/api/v1",
        headers={"Authorization": bearer},
    )
