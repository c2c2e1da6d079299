"""Credit notes spent by parallel checkouts: never more than the notes hold.

Bluebird's demo credit notes on Northwind pay part of each order when the checkout
box is ticked. Ten checkout forms of one cart, each worth 60% of the notes, posted at
once (ten tabs): the notes pay what they hold and not a cent more, each placed order
records exactly what the notes paid for it, and every answer is the order, the cart
(already ordered) or a 422 page, never a 5xx.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import pytest

pytestmark = pytest.mark.slow

PARALLEL = 10
BUYER = "buyer@bluebird.example"
FIELD = re.compile(r'name="(cart_digest)" value="([^"]+)"')
CUSTOMER = re.compile(r'<option value="(\d+)"')

NOTES = (
    "SELECT coalesce(sum(n.remaining_minor), 0) FROM credit_note n "
    "JOIN tenant t ON t.id = n.tenant_id JOIN company c ON c.id = n.company_id "
    "WHERE t.slug = 'northwind' AND c.name = 'Bluebird IT'"
)


def license_for(served: Any, budget: int) -> tuple[str, int]:
    """A perpetual license (SKU) and a quantity whose total comes closest to ``budget``."""
    items = served.api("northwind", "GET", "/products").json()["items"]
    prices = [
        (int(Decimal(i["buy_price"]) * 100), i["sku"]) for i in items if i["kind"] == "perpetual"
    ]
    _total, sku, quantity = max(
        ((budget // price) * price, sku, budget // price)
        for price, sku in prices
        if price <= budget
    )
    return sku, quantity


def test_parallel_checkouts_spend_at_most_the_notes_balance(served: Any, fire: Any) -> None:
    balance = int(served.scalar(NOTES))
    assert balance > 0, "the demo gives Bluebird credit notes on Northwind"
    sku, quantity = license_for(served, balance * 6 // 10)
    buyer = served.browser("northwind", BUYER)
    _page, csrf = buyer.form("/cart")
    added = buyer.post(
        "/cart/add", {"csrf_token": csrf, "sku": sku, "quantity": str(quantity), "term": ""}
    )
    assert added.status_code == 303, added.text[:500]
    page, csrf = buyer.form("/checkout")
    form = {
        "csrf_token": csrf,
        "cart_digest": dict(FIELD.findall(page))["cart_digest"],
        "end_customer_choice": "existing",
        "customer_id": CUSTOMER.findall(page)[0],
        "payment_method": "on_account",
        "apply_credit_notes": "1",
    }
    first_new = int(served.scalar("SELECT coalesce(max(id), 0) FROM purchase_order")) + 1

    answers = fire(
        PARALLEL,
        lambda _i: buyer.post("/checkout", {**form, "idempotency_key": uuid.uuid4().hex}),
    )
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())
    placed = [a for a in answers if a.status_code == 303 and "/orders/" in a.headers["Location"]]
    for answer in answers:
        if answer in placed:
            continue
        if answer.status_code == 422:  # refused on the checkout page
            assert "credit" in answer.text, answer.text[-2000:]
        else:  # an earlier tab ordered the cart: back to the (empty) cart
            assert answer.status_code in (302, 303), answer.status_code
            assert answer.headers["Location"].endswith("/cart"), answer.headers["Location"]

    orders = served.sql(
        "SELECT id, total_minor, credit_minor FROM purchase_order WHERE id >= :first",
        first=first_new,
    )
    assert len(orders) == len(placed) >= 1
    spent = balance - int(served.scalar(NOTES))
    assert 0 <= spent <= balance
    # Oldest orders first, each takes what is left: all of it once the orders are enough.
    assert spent == min(balance, sum(total for _id, total, _credit in orders))
    assert spent == sum(credit for _id, _total, credit in orders)
    uses = served.sql(
        "SELECT order_id, sum(amount_minor) FROM credit_note_use WHERE order_id >= :first "
        "GROUP BY order_id",
        first=first_new,
    )
    assert {o: int(s) for o, s in uses if s} == {o: c for o, _t, c in orders if c}
    assert all(n >= 0 for (n,) in served.sql("SELECT remaining_minor FROM credit_note"))
