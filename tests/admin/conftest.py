"""Fixtures for the vendor console: a signed-in vendor admin, DB reads, form posts, query counts."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from channelfront.extensions import db


@pytest.fixture
def console(admin_host):  # type: ignore[no-untyped-def]
    """The admin host client, signed in as the demo vendor admin."""
    response = admin_host.login("admin@nimbus.example")
    assert response.status_code == 302, response.get_data(as_text=True)
    return admin_host


@pytest.fixture
def submit(console):  # type: ignore[no-untyped-def]
    """``submit(form_page, action, data)`` posts a form with the CSRF token taken from its page."""

    def post(page: str, action: str | None = None, data: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        token = console.csrf_token(page)
        return console.post(action or page, data={**(data or {}), "csrf_token": token})

    return post


@pytest.fixture
def rows(app):  # type: ignore[no-untyped-def]
    """Run a select in a fresh app context (a fresh session): what the database holds now."""

    def run(statement):  # type: ignore[no-untyped-def]
        with app.app_context():
            return db.session.execute(statement).all()

    return run


@pytest.fixture
def count_queries(app) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    """``with count_queries() as seen:`` collects the SQL statements run inside the block."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        seen: list[str] = []

        def before(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


def _text_of(response) -> str:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def text_of() -> Callable[[Any], str]:
    """``text_of(response)``: the page's visible text, tags stripped, whitespace collapsed."""
    return _text_of
