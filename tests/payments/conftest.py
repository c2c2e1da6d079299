"""Fixtures for card payment tests: storefronts, a company card, and card orders."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from channelfront.extensions import db
from channelfront.orders.checkout import submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.payments import cards
from tests.orders.conftest import Storefront, checkout_request, storefront

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # saved fine, declined when charged
AUTH_CARD = "4000002760003184"  # asks for 3-D Secure
ATTACH_DECLINED_CARD = "4000000000000002"  # declined when saved


@pytest.fixture
def northwind_shop(app: Flask) -> Iterator[Storefront]:
    yield from storefront(app, "northwind.localhost", "buyer@bluebird.example")


@pytest.fixture
def sakura_shop(app: Flask) -> Iterator[Storefront]:
    yield from storefront(app, "sakura.localhost", "buyer@kirin.example")


def save_card(shop: Storefront, number: str = GOOD_CARD) -> dict[str, str]:
    card = cards.parse_card(number, "12/34", "123")
    return cards.add_card(shop.terms.enrollment.company_id, card)


@pytest.fixture
def card_order(localstripe) -> Callable[..., Order]:  # type: ignore[no-untyped-def]
    """``card_order(shop)``: a placed, unpaid card order of the shop's buyer."""

    def place(shop: Storefront, **overrides: object) -> Order:
        values: dict[str, object] = {"payment_method": "card", **overrides}
        order, created = submit(
            shop.tenant, shop.buyer, shop.terms, "en", checkout_request(**values)
        )
        assert created
        return db.session.get(Order, order.id)

    return place


def lines(*pairs: tuple[str, int]) -> list[LineRequest]:
    return [LineRequest(sku, quantity) for sku, quantity in pairs]
