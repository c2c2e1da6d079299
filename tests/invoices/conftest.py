"""Fixtures for invoice pages: storefronts with a request context, and orders with invoices."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.checkout import submit
from tests.orders.conftest import Storefront, checkout_request, storefront


@pytest.fixture
def northwind_shop(app: Flask) -> Iterator[Storefront]:
    yield from storefront(app, "northwind.localhost", "buyer@bluebird.example")


@pytest.fixture
def alpenhandel_shop(app: Flask) -> Iterator[Storefront]:
    yield from storefront(app, "alpenhandel.localhost", "buyer@bluebird.example")


@pytest.fixture
def invoiced() -> Callable[..., Invoice]:
    """``invoiced(shop)``: place an order on account (fulfilled and invoiced); its invoice."""

    def place(shop: Storefront, **overrides: object) -> Invoice:
        order, created = submit(
            shop.tenant, shop.buyer, shop.terms, "en", checkout_request(**overrides)
        )
        assert created
        return db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))

    return place
