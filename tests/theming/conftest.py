"""Fixtures for stored themes: a signed-in console, a theme made through it, a storefront
switched to it, and logo files made byte by byte."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.tenancy.hosts import host_map
from channelfront.tenancy.models import Tenant
from channelfront.theming.models import StoreTheme

# The base pack's own colours: a form that saves as it is.
BASE_FORM = {
    "primary": "#334155",
    "accent": "#0369a1",
    "surface": "#f8fafc",
    "text": "#0f172a",
    "radius": "6",
    "header": "pack",
    "font": "system",
    "featured": "",
    **{f"banner_{locale}": "" for locale in SHIPPED_LOCALES},
}


@pytest.fixture
def console(admin_host):  # type: ignore[no-untyped-def]
    """The admin host client, signed in as the demo vendor admin."""
    response = admin_host.login("admin@nimbus.example")
    assert response.status_code == 302, response.get_data(as_text=True)
    return admin_host


@pytest.fixture
def vendor_ops(ctx, client_for):  # type: ignore[no-untyped-def]
    """A console client signed in as vendor operations staff (not an administrator)."""
    password = db.session.scalar(
        select(User.password_hash).where(User.email == "admin@nimbus.example")
    )
    db.session.add(
        User(
            email="ops@nimbus.example",
            name="Olli Ops",
            password_hash=password,
            kind="vendor",
            role="vendor_ops",
        )
    )
    db.session.commit()
    client = client_for("admin.localhost")
    assert client.login("ops@nimbus.example").status_code == 302
    return client


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def post_form(console):  # type: ignore[no-untyped-def]
    """``post_form(page, data, action=None)``: a form post with the page's CSRF token."""

    def post(page: str, data: dict[str, Any], action: str | None = None):  # type: ignore[no-untyped-def]
        token = token_of(console.get(page).get_data(as_text=True))
        return console.post(action or page, data={**data, "csrf_token": token})

    return post


@pytest.fixture
def make_theme(console, post_form, ctx) -> Callable[..., StoreTheme]:  # type: ignore[no-untyped-def]
    """``make_theme("spring")``: a theme created through the console; the stored row."""

    def make(slug: str = "spring", parent: str = "base", name: str = "Spring") -> StoreTheme:
        response = post_form("/admin/themes/new", {"name": name, "slug": slug, "parent": parent})
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.scalar(select(StoreTheme).where(StoreTheme.slug == slug))

    return make


@pytest.fixture
def save(post_form):  # type: ignore[no-untyped-def]
    """``save(theme, **fields)``: the editor's form posted over BASE_FORM; the response."""

    def post(theme: StoreTheme, version: int | None = None, **fields: Any):  # type: ignore[no-untyped-def]
        page = f"/admin/themes/{theme.id}" + (f"?version={version}" if version else "")
        return post_form(page, {**BASE_FORM, **fields})

    return post


@pytest.fixture
def publish(post_form):  # type: ignore[no-untyped-def]
    def post(theme: StoreTheme, number: int):  # type: ignore[no-untyped-def]
        return post_form(
            f"/admin/themes/{theme.id}", {}, f"/admin/themes/{theme.id}/versions/{number}/publish"
        )

    return post


@pytest.fixture
def use_theme(ctx) -> Callable[[str, str], Tenant]:  # type: ignore[no-untyped-def]
    """Point a demo storefront at a theme, without its own colours and logo (they would
    win over the theme's)."""

    def switch(tenant_slug: str, theme: str) -> Tenant:
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
        tenant.theme = theme
        tenant.primary_color = tenant.accent_color = tenant.logo_file = None
        db.session.commit()
        host_map.invalidate()
        return tenant

    return switch


@pytest.fixture
def count_statements(app):  # type: ignore[no-untyped-def]
    """``with count_statements() as seen:`` the SQL statements run inside the block."""

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


def png(width: int = 4, height: int = 2) -> bytes:
    """A real PNG of that size (grey pixels), made byte by byte."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
