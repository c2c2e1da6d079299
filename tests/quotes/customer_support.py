"""Helpers for the end customer's quote page tests: a quote sent through ``sending.send``,
its link as a path, the page's hidden fields, and paying with a typed test card."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import format_currency

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.outbox.services import commit_and_dispatch
from channelfront.quotes import sending
from channelfront.quotes.models import Quote
from tests.payments.conftest import GOOD_CARD
from tests.quotes.world import BUYER, Shop, make_quote

CARD = {"card_number": GOOD_CARD, "expiry": "12/34", "cvc": "123"}
#: The reseller's words the customer must never read (price sources, buy, margin).
RESELLER_WORDS = (
    "Buy price",
    "buy price",
    "Margin",
    "margin",
    "Your partner price",
    "Program price",
    "List price",
    "Special price",
    "price_source",
)


def send_quote(shop: Shop, lines: list[tuple] | None = None, buyer: str = BUYER, **fields):  # type: ignore[no-untyped-def]
    """A quote made and sent by the buyer, committed with its mail; (quote, link path)."""
    quote = make_quote(shop, lines, buyer=buyer, **fields)
    url = sending.send(quote, shop.user(buyer))
    commit_and_dispatch()
    return quote, urlsplit(url).path


def fresh(quote: Quote) -> Quote:
    db.session.expire_all()
    row = db.session.get(Quote, quote.id)
    assert row is not None
    return row


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf_token|revision|amount)" value="([^"]*)"', page))


def pay(client, path: str, **card: str):  # type: ignore[no-untyped-def]
    """Open the link and post the card form; (response, the data posted)."""
    page = client.get(path).get_data(as_text=True)
    data = {**hidden(page), **CARD, **card}
    return client.post(f"{path}/pay", data=data), data


def post(client, path: str, action: str, **fields: str):  # type: ignore[no-untyped-def]
    """Post an answer with the session's CSRF token (from the login page when the quote
    page has no form left)."""
    token = hidden(client.get(path).get_data(as_text=True)).get("csrf_token")
    token = token or client.csrf_token("/login")
    return client.post(f"{path}/{action}", data={"csrf_token": token, **fields})


def money(minor: int, currency: str, locale: str = "en") -> str:
    """How the page and mail print an amount in a locale (call inside a request context)."""
    from flask_babel import force_locale

    with force_locale(locale):
        return str(format_currency(Money(minor, currency).amount, currency))
