"""An incentive cap consumed by parallel postings pays exactly the cap.

A reseller program pays Bluebird 10% of every sale, at most one and a half sales'
worth per quarter. Ten card orders paid at once through the API each post a sale to
the ledger as their payment settles: together they earn the cap, not a cent more.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.slow

PARALLEL = 10


def test_parallel_sales_earn_no_more_than_the_cap(served: Any, fire: Any) -> None:
    items = served.api("northwind", "GET", "/products").json()["items"]
    price, sku = min((Decimal(i["buy_price"]), i["sku"]) for i in items if i["kind"] == "perpetual")
    quantity = 10
    commission = price * quantity / 10  # exact: prices are in cents
    cap = commission * 3 / 2
    program_id = int(served.prepare("capped-program", "northwind", "0.10", str(cap)))
    card = served.prepare("card", "northwind", "Bluebird IT")
    customer = served.api("northwind", "GET", "/customers").json()["items"][0]["id"]
    body = {
        "lines": [{"sku": sku, "quantity": quantity}],
        "end_customer": {"id": customer},
        "payment": {"method": "card", "payment_method": card},
    }

    def order(_index: int) -> requests.Response:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return served.api("northwind", "POST", "/orders", json=body, headers=key)

    answers = fire(PARALLEL, order)
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())
    assert statuses == [201] * PARALLEL, [a.text[:300] for a in answers]
    assert {a.json()["status"] for a in answers} <= {"paid", "fulfilling", "fulfilled", "invoiced"}

    earned = served.sql(
        "SELECT amount_minor, reason FROM ledger_entry WHERE program_id = :program "
        "AND type = 'earning' ORDER BY id",
        program=program_id,
    )
    assert len(earned) == PARALLEL
    total = sum(amount for amount, _reason in earned)
    cap_cents = int(cap * 100)
    assert total <= cap_cents, f"{total / 100:.2f} earned under a cap of {cap:.2f}"
    assert total == cap_cents
    assert sorted(amount for amount, _r in earned if amount) == sorted(
        [int(commission * 100), cap_cents - int(commission * 100)]
    )
    assert [r for a, r in earned if not a] == ["cap_reached"] * (PARALLEL - 2)
