"""Fixtures for renewals: a fulfilled subscription bought through the storefront pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.renewals import links
from channelfront.subscriptions.models import Subscription
from tests.conftest import HostClient
from tests.orders.test_checkout_pages import placed_order

LINK = re.compile(r'class="renewal-url" type="url" readonly value="([^"]+)"')


@dataclass
class Subscribed:
    client: HostClient
    order_number: str
    subscription_id: int

    def subscription(self) -> Subscription:
        row = db.session.get(Subscription, self.subscription_id)
        db.session.refresh(row)
        return row


@pytest.fixture(autouse=True)
def _no_pay_limit(app: Flask) -> Iterator[None]:
    """Many payments in a few seconds here; the limit itself has its own test."""
    saved = app.config.get("RENEWAL_PAY_RATE_LIMIT")
    app.config["RENEWAL_PAY_RATE_LIMIT"] = "1000 per minute"
    try:
        yield
    finally:
        app.config["RENEWAL_PAY_RATE_LIMIT"] = saved


@pytest.fixture
def subscribed(ctx, bluebird_buyer) -> Subscribed:
    """Bluebird's buyer on northwind bought 5 seats of SHD-STD-1Y for Acme Corp, on account."""
    number = placed_order(bluebird_buyer, lines=(("SHD-STD-1Y", "5"),))
    order = db.session.scalar(select(Order).where(Order.number == number))
    subscription_id = db.session.scalar(
        select(Subscription.id).where(Subscription.order_id == order.id)
    )
    assert subscription_id is not None
    return Subscribed(bluebird_buyer, number, subscription_id)


def token_for(app: Flask, tenant_id: int, subscription_id: int) -> str:
    with app.test_request_context():
        return links.make_token(tenant_id, subscription_id)


def link_path(subscribed: Subscribed) -> str:
    """The renewal link the reseller sees on its subscriptions page, as a path."""
    page = subscribed.client.get("/subscriptions").get_data(as_text=True)
    [url] = LINK.findall(page)
    assert url.startswith("http://northwind.localhost/renew/")
    return url.removeprefix("http://northwind.localhost")
