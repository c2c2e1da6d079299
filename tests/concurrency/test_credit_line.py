"""Parallel orders on account never take the company past its credit limit.

Ten API orders at once, each too big for two to fit: exactly as many are accepted as
the available credit holds, the others are refused with 422 naming the payment, and
the outstanding amount stays within the limit, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.slow

PARALLEL = 10


def cents(amount: str) -> int:
    """An API amount ("20000.00") in cents: both tenants here count in cents."""
    return int(Decimal(amount) * 100)


def credit(served: Any, slug: str) -> dict[str, int]:
    body = served.api(slug, "GET", "/credit").json()
    return {key: cents(body[key]) for key in ("limit", "outstanding", "available")}


def priciest_license(served: Any, slug: str) -> tuple[str, int]:
    """The SKU and buy price (cents) of the dearest perpetual license on the storefront."""
    found: list[tuple[int, str]] = []
    page, pages = 1, 1
    while page <= pages:
        body = served.api(slug, "GET", f"/products?page={page}").json()
        pages = body["pages"]
        found += [
            (cents(i["buy_price"]), i["sku"]) for i in body["items"] if i["kind"] == "perpetual"
        ]
        page += 1
    price, sku = max(found)
    return sku, price


def place_all(
    served: Any, fire: Any, slug: str, sku: str, quantity: int
) -> list[requests.Response]:
    """Ten orders of ``quantity`` x ``sku`` on account for the company's first customer."""
    customer = served.api(slug, "GET", "/customers").json()["items"][0]["id"]
    body = {
        "lines": [{"sku": sku, "quantity": quantity}],
        "end_customer": {"id": customer},
        "payment": {"method": "on_account"},
    }

    def one(_index: int) -> requests.Response:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return served.api(slug, "POST", "/orders", json=body, headers=key)

    return fire(PARALLEL, one)


def check(served: Any, slug: str, answers: list[requests.Response], fits: int) -> None:
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())
    after = credit(served, slug)
    accepted = [a for a in answers if a.status_code == 201]
    assert after["outstanding"] <= after["limit"], (
        f"{len(accepted)} of {PARALLEL} accepted: outstanding {after['outstanding'] / 100:,.2f} "
        f"over the limit of {after['limit'] / 100:,.2f}"
    )
    assert len(accepted) == fits, statuses
    for answer in answers:
        if answer.status_code != 201:
            assert answer.status_code == 422, answer.text
            assert "payment" in answer.json()["error"]["errors"], answer.text


def test_ten_orders_of_sixty_percent_of_the_credit_accept_one(served: Any, fire: Any) -> None:
    """Alpenhandel, the untouched demo: a 20,000 EUR line, nothing outstanding."""
    before = credit(served, "alpenhandel")
    assert before["available"] == before["limit"] == 2_000_000
    sku, price = priciest_license(served, "alpenhandel")
    quantity = before["available"] * 6 // 10 // price
    answers = place_all(served, fire, "alpenhandel", sku, quantity)
    check(served, "alpenhandel", answers, fits=1)
    assert credit(served, "alpenhandel")["outstanding"] == quantity * price


def test_with_room_for_exactly_one_order_one_of_ten_is_accepted(served: Any, fire: Any) -> None:
    """Northwind: the limit set to what is outstanding plus one and a half orders."""
    sku, price = priciest_license(served, "northwind")
    quantity = 10
    order = quantity * price
    outstanding = credit(served, "northwind")["outstanding"]
    served.execute(
        "UPDATE enrollment SET credit_limit_minor = :limit "
        "WHERE tenant_id = (SELECT id FROM tenant WHERE slug = 'northwind')",
        limit=outstanding + order + order // 2,
    )
    assert credit(served, "northwind")["available"] == order + order // 2
    answers = place_all(served, fire, "northwind", sku, quantity)
    check(served, "northwind", answers, fits=1)
    assert credit(served, "northwind")["outstanding"] == outstanding + order
