"""The stored-theme routes beside the matrix: the routes without an object (the list and
the new-theme form), vendor operations staff (who look but change nothing), addresses
naming a theme, version or page that does not exist, and the public logo address.

Each request runs inside a savepoint rolled back after it, and a refusal must write
nothing (the matrix's rule).
"""

from __future__ import annotations

import pytest
from flask import Flask

from channelfront.extensions import db
from tests.conftest import HostClient
from tests.walls.test_route_matrix import LOGIN, answer_of, writes_recorded
from tests.walls.theme_world import MadeTheme, console_theme, other_vendor_theme
from tests.walls.world import ADMIN, NW, SK, user

OPS = "ops@nimbus.example"
ONLY_ADMINS = "Only vendor administrators can change themes."


@pytest.fixture
def themes(app, ctx) -> tuple[MadeTheme, MadeTheme]:  # type: ignore[no-untyped-def]
    """The console vendor's theme and another vendor's, and a vendor operations user."""
    ours, theirs = console_theme(), other_vendor_theme()
    user(OPS, "vendor_ops", kind="vendor")
    db.session.commit()
    db.session.close()
    return ours, theirs


def signed_in(client_for, host: str, email: str | None) -> HostClient:  # type: ignore[no-untyped-def]
    client = client_for(host)
    if email is not None:
        assert client.login(email).status_code == 302, (host, email)
    return client


def csrf_of(client: HostClient) -> str:
    for path in ("/admin/", "/", "/login"):
        try:
            return client.csrf_token(path)
        except AssertionError:
            continue
    raise AssertionError(f"no CSRF token on {client.host}")


def answers(app: Flask, client: HostClient, cases: list[tuple[str, str]]) -> list[str]:
    """``METHOD path -> answer`` per case (a POST carries a valid CSRF token), and what
    each case wrote, each case rolled back after it."""
    with app.app_context():
        connection = db.session.get_bind()
    token = csrf_of(client)
    found = []
    for method, path in cases:
        savepoint = connection.begin_nested()
        try:
            with writes_recorded(app) as written:
                if method == "GET":
                    response = client.get(path, buffered=True)
                else:
                    response = client.post(path, data={"csrf_token": token}, buffered=True)
        finally:
            savepoint.rollback()
        got = answer_of(response)
        wrote = f" wrote {sorted(set(written))}" if written else ""
        found.append(f"{method} {path} -> {got}{wrote}")
    return found


def pages_of(theme: MadeTheme) -> dict[str, tuple[str, str]]:
    """Every console theme address naming this theme's draft (version 2)."""
    base = f"/admin/themes/{theme.id}"
    return {
        "editor": ("GET", f"{base}?version={theme.draft}"),
        "save": ("POST", f"{base}?version={theme.draft}"),
        "preview": ("GET", f"{base}/versions/{theme.draft}/preview/catalog?lang=ja"),
        "publish": ("POST", f"{base}/versions/{theme.draft}/publish"),
    }


def test_vendor_operations_staff_look_at_themes_but_change_nothing(app, client_for, themes):
    ours, theirs = themes
    ops = signed_in(client_for, ADMIN, OPS)
    ours_pages = pages_of(ours)
    expected = {
        ("GET", "/admin/themes"): 200,
        # The new-theme form is the first step of a change: refused, as its post is.
        ("GET", "/admin/themes/new"): 403,
        ("POST", "/admin/themes/new"): 403,
        ours_pages["editor"]: 200,
        ours_pages["save"]: 403,
        ours_pages["preview"]: 200,
        ours_pages["publish"]: 403,
        # Another vendor's theme is not found before the role is looked at.
        **dict.fromkeys(pages_of(theirs).values(), 404),
    }
    got = answers(app, ops, list(expected))
    assert got == [f"{method} {path} -> {answer}" for (method, path), answer in expected.items()]
    editor = ops.get(ours_pages["editor"][1]).get_data(as_text=True)
    assert ONLY_ADMINS in editor
    # No form of the editor that would only be refused: no save, no publish.
    assert f'action="/admin/themes/{ours.id}' not in editor
    listed = ops.get("/admin/themes").get_data(as_text=True)
    assert 'data-theme="matrix-theme"' in listed
    assert 'href="/admin/themes/new"' not in listed


def test_a_theme_version_or_page_that_does_not_exist_is_not_found(app, client_for, themes):
    ours, theirs = themes
    admin = signed_in(client_for, ADMIN, "admin@nimbus.example")
    missing_theme = max(ours.id, theirs.id) + 1000
    base = f"/admin/themes/{ours.id}"
    cases = [
        ("GET", f"/admin/themes/{missing_theme}"),
        ("POST", f"/admin/themes/{missing_theme}"),
        ("GET", f"/admin/themes/{missing_theme}/versions/1/preview/home"),
        ("POST", f"/admin/themes/{missing_theme}/versions/1/publish"),
        ("GET", f"{base}?version=99"),
        ("POST", f"{base}?version=99"),
        ("GET", f"{base}/versions/99/preview/home"),
        ("POST", f"{base}/versions/99/publish"),
        ("GET", f"{base}/versions/{ours.draft}/preview/checkout"),
        ("GET", f"{base}/versions/{ours.draft}/preview/Home"),
    ]
    assert answers(app, admin, cases) == [f"{method} {path} -> 404" for method, path in cases]


def test_the_console_theme_pages_are_not_on_storefront_hosts(app, client_for, themes):
    ours, _theirs = themes
    paths = [("GET", "/admin/themes"), ("GET", "/admin/themes/new"), *pages_of(ours).values()]
    for host, email, answer in (
        (ADMIN, None, LOGIN),
        (NW, None, 404),
        (NW, "buyer@bluebird.example", 404),
        (NW, "admin@northwind.example", 404),
        (SK, "buyer@kirin.example", 404),
    ):
        client = signed_in(client_for, host, email)
        got = answers(app, client, paths)
        assert got == [f"{method} {path} -> {answer}" for method, path in paths], (host, email)


def test_a_stored_logo_is_public_by_its_hash_on_every_host(app, client_for, themes):
    ours, _theirs = themes
    served = []
    for host, email in ((NW, None), (SK, "buyer@kirin.example"), (ADMIN, None)):
        client = signed_in(client_for, host, email)
        response = client.get(f"/brand/logos/{ours.logo_sha256}")
        served.append((response.status_code, response.mimetype, response.data[:8]))
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert client.get(f"/brand/logos/{'0' * 64}").status_code == 404
    assert served == [(200, "image/png", b"\x89PNG\r\n\x1a\n")] * 3
