"""Every kind of response carries the security headers; HTTPS adds HSTS and Secure
cookies; whatever a signed-in user is shown stays out of caches."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from channelfront.extensions import db
from channelfront.tenancy.hosts import host_map
from channelfront.tenancy.models import Tenant

ALWAYS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=()",
}
HSTS = "max-age=31536000"
SCHEMES = ("http", "https")


def suspend_northwind(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(
            update(Tenant).where(Tenant.slug == "northwind").values(status="suspended")
        )
        db.session.commit()
    host_map.invalidate()


def sign_in(client, scheme: str):  # type: ignore[no-untyped-def]
    """The buyer's sign-in POST over ``scheme``; returns its response."""
    base = f"{scheme}://northwind.localhost"
    token = client.csrf_token("/login")
    return client.post(
        "/login",
        data={
            "email": "buyer@bluebird.example",
            "password": "channelfront-demo",
            "csrf_token": token,
        },
        base_url=base,
        headers={"Referer": f"{base}/login"},  # Flask-WTF checks it over HTTPS
    )


def signed_in(client_for, scheme: str):  # type: ignore[no-untyped-def]
    client = client_for("northwind.localhost")
    assert sign_in(client, scheme).status_code == 302
    return client


def fetch(kind: str, client_for, app, scheme: str):  # type: ignore[no-untyped-def]
    """One response of each kind, over ``scheme``."""
    base = f"{scheme}://northwind.localhost"
    if kind.startswith("signed-in"):
        client = signed_in(client_for, scheme)
    else:
        client = client_for("northwind.localhost")
    if kind == "suspended 503":
        suspend_northwind(app)
    requests = {
        "public page": lambda: client.get("/", base_url=base),
        "sign-in form": lambda: client.get("/login", base_url=base),
        "redirect to sign in": lambda: client.get("/account", base_url=base),
        "signed-in page": lambda: client.get("/account", base_url=base),
        "signed-in CSV": lambda: client.get("/orders.csv", base_url=base, buffered=True),
        "signed-in redirect": lambda: client.get("/checkout", base_url=base),
        "JSON API error": lambda: client.get("/api/v1/products", base_url=base),
        "JSON health": lambda: client.get("/healthz", base_url=base),
        "static file": lambda: client.get("/theme/base/base.css", base_url=base),
        "bad Host 400": lambda: client.get("/", base_url=base, headers={"Host": "-bad-.local"}),
        "missing CSRF 400": lambda: client.post("/login", base_url=base, data={}),
        "404 page": lambda: client.get("/no-such-page", base_url=base),
        "405 page": lambda: client.put("/login", base_url=base),
        "suspended 503": lambda: client.get("/", base_url=base),
    }
    return requests[kind]()


# Each kind of response, its status, and whether it is shown to a signed-in user.
KINDS = [
    ("public page", 200),
    ("sign-in form", 200),
    ("redirect to sign in", 302),
    ("signed-in page", 200),
    ("signed-in CSV", 200),
    ("signed-in redirect", 302),
    ("JSON API error", 401),
    ("JSON health", 200),
    ("static file", 200),
    ("bad Host 400", 400),
    ("missing CSRF 400", 400),
    ("404 page", 404),
    ("405 page", 405),
    ("suspended 503", 503),
]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_every_kind_of_response_carries_the_security_headers(app, client_for, scheme, kind, status):
    response = fetch(kind, client_for, app, scheme)
    response.close()
    assert response.status_code == status, kind
    for header, part in ALWAYS.items():
        assert part in response.headers.get(header, ""), f"{kind}: {header}"
    if scheme == "https":
        assert response.headers.get("Strict-Transport-Security") == HSTS, kind
    else:
        assert "Strict-Transport-Security" not in response.headers, kind
    if kind.startswith("signed-in"):
        assert response.headers.get("Cache-Control") == "no-store", kind


def test_a_signed_in_static_file_keeps_its_own_lifetime(client_for):
    client = signed_in(client_for, "http")
    response = client.get("/theme/base/base.css")
    response.close()
    assert response.status_code == 200
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]


def test_public_pages_may_be_cached(northwind):
    assert "no-store" not in northwind.get("/").headers.get("Cache-Control", "")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_session_cookie_is_secure_over_https(client_for, scheme):
    response = sign_in(client_for("northwind.localhost"), scheme)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert ("; Secure" in cookie) is (scheme == "https")
    assert "HttpOnly" in cookie
