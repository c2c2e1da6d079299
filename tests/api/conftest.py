"""API fixtures: bearer tokens issued through the service, and JSON requests by host."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant


@pytest.fixture
def token_for(app: Flask) -> Callable[[str, str], str]:
    """``token_for("buyer@bluebird.example", "northwind")`` issues and commits a token.

    The commit ends in the test's rolled-back transaction, so the token dies with the test.
    """

    def issue(email: str, tenant_slug: str) -> str:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
            assert user is not None
            assert tenant is not None
            raw = issue_token(user, tenant.id)
            db.session.commit()
            return raw

    return issue


@pytest.fixture
def api(app: Flask) -> Callable[..., TestResponse]:
    """``api("northwind.localhost", "/products", token)``: a GET with an optional bearer token."""
    client = FlaskClient(app, app.response_class, use_cookies=False)

    def get(
        host: str, path: str, token: str | None = None, headers: dict[str, str] | None = None
    ) -> TestResponse:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return client.get(f"/api/v1{path}", base_url=f"http://{host}", headers=sent)

    return get


@pytest.fixture
def bluebird_nw(token_for: Callable[[str, str], str]) -> str:
    """A token of buyer@bluebird.example on northwind (Gold, USD)."""
    return token_for("buyer@bluebird.example", "northwind")
