"""Sign-in throttling per account and per client address, with one answer for both, and
the client address taken from a trusted proxy only."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from channelfront import create_app
from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.extensions import limiter
from tests.conftest import TEST_CONFIG, HostClient

BUYER = "buyer@bluebird.example"


@pytest.fixture
def limits(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Small limits for one test; the counters start and end empty."""
    limiter.reset()
    saved = {key: app.config[key] for key in ("LOGIN_RATE_LIMIT", "LOGIN_ACCOUNT_RATE_LIMIT")}
    app.config.update(LOGIN_RATE_LIMIT="5 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    try:
        yield
    finally:
        app.config.update(saved)
        limiter.reset()


def from_address(client_for, address: str) -> HostClient:  # type: ignore[no-untyped-def]
    client = client_for("northwind.localhost")
    client.environ_base["REMOTE_ADDR"] = address
    return client


def answer(response) -> tuple[int, str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """What a client can tell apart: status, page text without its CSRF token, headers."""
    page = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
    names = tuple(sorted({name for name, _value in response.headers} - {"Set-Cookie"}))
    return response.status_code, page, names


@pytest.mark.usefixtures("limits")
def test_an_account_is_throttled_whatever_address_the_attempts_come_from(client_for):
    statuses = [
        from_address(client_for, f"198.51.100.{n}").login(BUYER, "wrong").status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    # Now even the right password waits, so guessing on gains nothing.
    assert from_address(client_for, "198.51.100.50").login(BUYER).status_code == 429
    # Another account from the same addresses is not held back.
    approver = from_address(client_for, "198.51.100.1").login("approver@bluebird.example")
    assert approver.status_code == 302


@pytest.mark.usefixtures("limits")
def test_successful_sign_ins_do_not_use_up_the_account(client_for):
    for n in range(4):
        assert from_address(client_for, f"198.51.100.{n}").login(BUYER).status_code == 302


@pytest.mark.usefixtures("limits")
def test_the_answer_is_the_same_whichever_limit_and_whether_the_account_exists(client_for):
    def exhaust_account(email: str):  # type: ignore[no-untyped-def]
        for n in range(3):
            from_address(client_for, f"203.0.113.{n}").login(email, "wrong")
        return from_address(client_for, "203.0.113.99").login(email, "wrong")

    existing = exhaust_account(BUYER)
    unknown = exhaust_account("nobody-here@example.com")
    crowded = from_address(client_for, "192.0.2.77")
    for n in range(5):
        crowded.login(f"someone-{n}@example.com", "wrong")
    address = crowded.login("someone-else@example.com", "wrong")
    answers = {answer(response) for response in (existing, unknown, address)}
    assert len(answers) == 1, answers
    status, page, headers = answers.pop()
    assert status == 429
    assert "Too many attempts. Please wait a minute and try again." in page
    assert not [name for name in headers if name.lower().startswith("x-ratelimit")]


@pytest.mark.usefixtures("limits")
def test_the_account_limit_ignores_case_and_spaces(client_for):
    for n, spelling in enumerate([BUYER.upper(), f"  {BUYER}", BUYER.title()]):
        from_address(client_for, f"198.51.100.{n}").login(spelling, "wrong")
    assert from_address(client_for, "198.51.100.9").login(BUYER, DEMO_PASSWORD).status_code == 429


def proxied_app(app, hops: int):  # type: ignore[no-untyped-def]
    return create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TRUSTED_PROXIES": hops,
            "LOGIN_RATE_LIMIT": "2 per minute",
        }
    )


def attempts(served, forwarded_for: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    client = HostClient(served, served.response_class, use_cookies=True)
    client.host = "northwind.localhost"
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the load balancer
    headers = {"X-Forwarded-For": forwarded_for}
    token = client.csrf_token("/login")
    return [
        client.post(
            "/login",
            data={"email": f"x{n}@example.com", "password": "wrong", "csrf_token": token},
            headers=headers,
        ).status_code
        for n in range(count)
    ]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(app):
    limiter.reset()
    served = proxied_app(app, hops=1)
    try:
        assert attempts(served, "198.51.100.10", 3) == [401, 401, 429]
        assert attempts(served, "198.51.100.11", 1) == [401]
    finally:
        limiter.reset()


def test_without_a_trusted_proxy_a_forged_forwarded_address_changes_nothing(app):
    limiter.reset()
    served = proxied_app(app, hops=0)
    try:
        assert attempts(served, "198.51.100.10", 2) == [401, 401]
        assert attempts(served, "198.51.100.11", 1) == [429]
    finally:
        limiter.reset()


def test_behind_a_trusted_proxy_https_is_seen(app):
    served = proxied_app(app, hops=1)
    client = served.test_client()
    proxied = {"Host": "northwind.localhost", "X-Forwarded-Proto": "https"}
    assert client.get("/", headers=proxied).headers["Strict-Transport-Security"]
    direct = proxied_app(app, hops=0).test_client()
    assert "Strict-Transport-Security" not in direct.get("/", headers=proxied).headers
