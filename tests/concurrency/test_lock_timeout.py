"""A request that cannot get a lock in time answers 503 "try again" and writes nothing.

The server waits ``DB_LOCK_TIMEOUT`` seconds (1 here) for the lock on the company's
credit line while another transaction holds it: the order is refused with 503 and a
``Retry-After``, no order exists, and the same request sent again once the lock is
free places the order.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.slow

SERVER_ENV = {"DB_LOCK_TIMEOUT": "1"}
HOLD = {
    "postgresql": (
        "SELECT id FROM enrollment WHERE tenant_id = (SELECT id FROM tenant WHERE slug = "
        "'alpenhandel') AND company_id = (SELECT id FROM company WHERE name = 'Bluebird IT') "
        "FOR UPDATE"
    ),
    # SQLite has one lock for the whole database: any write takes it.
    "sqlite": (
        "UPDATE enrollment SET id = id WHERE tenant_id = (SELECT id FROM tenant WHERE slug = "
        "'alpenhandel') AND company_id = (SELECT id FROM company WHERE name = 'Bluebird IT')"
    ),
}


def test_an_order_that_waits_too_long_for_the_credit_line_is_refused_with_503(
    served: Any,
) -> None:
    items = served.api("alpenhandel", "GET", "/products").json()["items"]
    customer = served.api("alpenhandel", "GET", "/customers").json()["items"][0]["id"]
    body = {
        "lines": [{"sku": items[0]["sku"], "quantity": 1}],
        "end_customer": {"id": customer},
        "payment": {"method": "on_account"},
    }
    key = {"Idempotency-Key": uuid.uuid4().hex, "Accept-Language": "en"}
    with served.engine.connect() as holder:
        held = holder.begin()
        holder.execute(sa.text(HOLD[served.kind]))
        started = time.monotonic()
        answer = served.api("alpenhandel", "POST", "/orders", json=body, headers=key)
        waited = time.monotonic() - started
        held.rollback()

    assert answer.status_code == 503, (answer.status_code, answer.text, served.log_tail())
    assert answer.headers["Retry-After"] == "2"
    assert "try again" in answer.json()["error"]["message"]
    assert 1 <= waited < 10
    placed = served.scalar(
        "SELECT count(*) FROM purchase_order WHERE idempotency_key = :key",
        key=key["Idempotency-Key"],
    )
    assert placed == 0

    again = served.api("alpenhandel", "POST", "/orders", json=body, headers=key)
    assert again.status_code == 201, again.text
