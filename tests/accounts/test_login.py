"""Signing in: who may sign in where, wrong passwords, CSRF, rate limits, per-host sessions."""

import re

import pytest
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.extensions import db


def test_buyer_signs_in_and_out(northwind):
    response = northwind.login("buyer@bluebird.example")
    assert response.status_code == 302
    assert "Blake Buyer" in northwind.get("/account").get_data(as_text=True)
    token = northwind.csrf_token("/account")
    assert northwind.post("/logout", data={"csrf_token": token}).status_code == 302
    assert northwind.get("/account").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_clear_message(northwind):
    for email, password in [("buyer@bluebird.example", "nope"), ("ghost@example.com", "x")]:
        response = northwind.login(email, password)
        assert response.status_code == 401
        assert "The e-mail address or password is wrong." in response.get_data(as_text=True)
    assert northwind.get("/account").status_code == 302


def test_missing_fields_are_named(northwind):
    token = northwind.csrf_token()
    response = northwind.post("/login", data={"csrf_token": token, "email": "", "password": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter your e-mail address." in page
    assert "Enter your password." in page


def test_missing_csrf_token_is_refused_clearly(northwind):
    response = northwind.post(
        "/login", data={"email": "buyer@bluebird.example", "password": "channelfront-demo"}
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert northwind.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("host", "email"),
    [
        ("northwind.localhost", "buyer@kirin.example"),
        ("alpenhandel.localhost", "finance@northwind.example"),
        ("northwind.localhost", "admin@nimbus.example"),
        ("admin.localhost", "buyer@bluebird.example"),
    ],
)
def test_users_sign_in_only_where_they_belong(client_for, translated, host, email):
    client = client_for(host)
    response = client.login(email)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    locale = re.search(r'<html lang="(\w+)"', page).group(1)
    assert translated(locale, "Your account cannot sign in on this storefront.") in page
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("host", "email"),
    [
        ("sakura.localhost", "buyer@kirin.example"),
        ("alpenhandel.localhost", "buyer@bluebird.example"),
        ("northwind.localhost", "finance@northwind.example"),
        ("admin.localhost", "admin@nimbus.example"),
    ],
)
def test_users_sign_in_where_they_belong(client_for, host, email):
    assert client_for(host).login(email).status_code == 302


def test_a_session_never_crosses_hosts(northwind):
    northwind.login("buyer@bluebird.example")
    assert northwind.get("/account").status_code == 200
    other = northwind.get("/account", base_url="http://alpenhandel.localhost")
    assert other.status_code == 302
    assert "/login" in other.headers["Location"]


def test_login_is_rate_limited(app, client_for):
    client = client_for("northwind.localhost")
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.login("buyer@bluebird.example", "wrong").status_code for _ in range(4)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429


def test_next_parameter_cannot_redirect_off_site(northwind):
    token = northwind.csrf_token()
    response = northwind.post(
        "/login?next=//evil.example/x",
        data={
            "email": "buyer@bluebird.example",
            "password": "channelfront-demo",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"] == "/"


def test_passwords_are_stored_with_argon2id(ctx):
    user = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
    assert user.password_hash.startswith("$argon2id$")
    assert "channelfront-demo" not in user.password_hash


def test_session_cookie_is_host_only_and_http_only(northwind):
    response = northwind.login("buyer@bluebird.example")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Domain=" not in cookie
