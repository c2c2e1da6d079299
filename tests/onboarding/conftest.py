"""Fixtures for the onboarding wizard: a signed-in vendor admin, form posts, DB reads."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest

from channelfront.extensions import db


@pytest.fixture
def console(admin_host):  # type: ignore[no-untyped-def]
    """The admin host client, signed in as the demo vendor admin."""
    response = admin_host.login("admin@nimbus.example")
    assert response.status_code == 302, response.get_data(as_text=True)
    return admin_host


@pytest.fixture
def post(console):  # type: ignore[no-untyped-def]
    """``post(page, action, data)`` posts a form with the CSRF token taken from ``page``."""

    def send(page: str, action: str | None = None, data: dict[str, Any] | None = None, **kw):  # type: ignore[no-untyped-def]
        token = console.csrf_token(page)
        return console.post(action or page, data={**(data or {}), "csrf_token": token}, **kw)

    return send


@pytest.fixture
def rows(app):  # type: ignore[no-untyped-def]
    """Run a select in a fresh session: what the database holds now."""

    def run(statement):  # type: ignore[no-untyped-def]
        with app.app_context():
            return db.session.execute(statement).all()

    return run


def _text(response) -> str:  # type: ignore[no-untyped-def]
    page = response.get_data(as_text=True)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def text_of():  # type: ignore[no-untyped-def]
    return _text


@pytest.fixture
def draft(ctx):  # type: ignore[no-untyped-def]
    """``draft(slug, currency)``: a new draft tenant, built by the wizard's service."""
    from channelfront.admin.tenant_services import console_vendor
    from channelfront.onboarding import steps

    def make(slug: str = "thames", currency: str = "GBP"):  # type: ignore[no-untyped-def]
        tenant = steps.start(console_vendor(), slug.title(), slug)
        steps.set_currency(tenant, currency)
        db.session.flush()
        return tenant

    return make
