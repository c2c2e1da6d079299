"""Where sign-in, the language switcher and the card page send the browser back to:
a path on this host, or home; never another host, never a 500."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from channelfront.demo.seed import DEMO_PASSWORD
from channelfront.web.redirects import safe_next
from tests.payments.conftest import GOOD_CARD

HOST = "northwind.localhost"

# Each of these has taken a browser to another host, or a server to a 500, somewhere.
BYPASSES = [
    "/\n/x",
    "/\t/evil.example/phish",
    "/\r\n/evil.example",
    "//evil.example/phish",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    "/%09/evil.example/phish",
    "/%0A/x",
    "/%0D%0ASet-Cookie:%20x=1",
    "https://evil.example/",
    "http:evil.example",
    "https:/\\evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "\x00//evil.example",
    "/\u3000/evil.example",
    "/\u202e/evil.example",
    "/%E2%80%AE",
    "/%ff",
    "evil.example",
    "/" + "a" * 600,
]
KEPT = ["/orders", "/orders?status=placed&page=2", "/catalog/SHD-STD-1Y", "/?q=a+b"]


def browser_target(location: str, base: str = f"http://{HOST}/login") -> str:
    """The host a browser would go to: it drops tabs and newlines and reads "\\" as "/"."""
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").replace("\\", "/")
    return urlsplit(urljoin(base, cleaned.strip())).netloc


@pytest.mark.parametrize("value", BYPASSES)
def test_the_helper_refuses_anything_but_a_path_on_this_host(value):
    assert safe_next(value) is None


@pytest.mark.parametrize("value", KEPT)
def test_the_helper_keeps_a_path_and_query_as_sent(value):
    assert safe_next(value) == value


def test_the_helper_refuses_what_is_not_text():
    assert safe_next(None) is None
    assert safe_next("") is None
    assert safe_next(["/orders"]) is None


def sign_in(client, next_value: str):
    token = client.csrf_token("/login")
    data = {"email": "buyer@bluebird.example", "password": DEMO_PASSWORD, "csrf_token": token}
    return client.post("/login?next=" + quote(next_value, safe=""), data=data)


@pytest.mark.parametrize("value", BYPASSES)
def test_sign_in_never_sends_the_browser_to_another_host(client_for, value):
    client = client_for(HOST)
    response = sign_in(client, value)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert browser_target(response.headers["Location"]) == HOST


@pytest.mark.parametrize("value", KEPT)
def test_sign_in_goes_back_to_a_path_on_this_host(client_for, value):
    response = sign_in(client_for(HOST), value)
    assert response.status_code == 302
    assert response.headers["Location"] == value


def test_the_issues_requests_answer_a_redirect_home(client_for):
    """POST /login?next=/%0A/x was a 500; next=/%09/evil.example/phish went to that host."""
    client = client_for(HOST)
    token = client.csrf_token("/login")
    data = {"email": "buyer@bluebird.example", "password": DEMO_PASSWORD, "csrf_token": token}
    newline = client.post("/login?next=/%0A/x", data=data)
    assert (newline.status_code, newline.headers["Location"]) == (302, "/")
    other = client_for(HOST)
    data["csrf_token"] = other.csrf_token("/login")
    phish = other.post("/login?next=/%09/evil.example/phish", data=data)
    assert (phish.status_code, phish.headers["Location"]) == (302, "/")


def switch(client, next_value: str):
    token = client.csrf_token("/login")
    return client.post("/locale", data={"locale": "es", "next": next_value, "csrf_token": token})


@pytest.mark.parametrize("value", BYPASSES)
def test_the_language_switcher_never_sends_the_browser_to_another_host(client_for, value):
    response = switch(client_for(HOST), value)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert any(c.startswith("locale=es;") for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("value", KEPT)
def test_the_language_switcher_goes_back_to_the_page(client_for, value):
    response = switch(client_for(HOST), value)
    assert (response.status_code, response.headers["Location"]) == (302, value)


@pytest.mark.parametrize("value", ["/\n/x", "/\t/evil.example/phish", "//evil.example", "/%0A/x"])
def test_saving_a_card_never_sends_the_browser_to_another_host(bluebird_buyer, localstripe, value):
    token = bluebird_buyer.csrf_token("/account/cards")
    card = {"card_number": GOOD_CARD, "expiry": "12/34", "cvc": "123"}
    response = bluebird_buyer.post(
        "/account/cards", data={**card, "csrf_token": token, "next": value}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/cards"


def test_saving_a_card_goes_back_to_the_checkout(bluebird_buyer, localstripe):
    token = bluebird_buyer.csrf_token("/account/cards")
    card = {"card_number": GOOD_CARD, "expiry": "12/34", "cvc": "123"}
    response = bluebird_buyer.post(
        "/account/cards", data={**card, "csrf_token": token, "next": "/checkout"}
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/checkout")
