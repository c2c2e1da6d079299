"""An Idempotency-Key reused with a different body: 422 naming the conflict, nothing
placed, the first order untouched (IETF Idempotency-Key draft); a true retry replays."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from channelfront.extensions import db
from channelfront.orders.models import Order
from tests.api.orders_support import NW, Api, counts, order_body

KEY = "conflict-key-0001"


@pytest.fixture
def bluebird(app, token_for) -> Api:  # type: ignore[no-untyped-def]
    return Api(app, NW, token_for("buyer@bluebird.example", "northwind"))


def order_row(number: str) -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.number == number))


@pytest.mark.parametrize(
    "changed",
    [
        {"po_number": "PO-OTHER"},
        {"lines": [{"sku": "SHD-STD-1Y", "quantity": 3}, {"sku": "INS-PERP", "quantity": 1}]},
        {"note": "Another note."},
        {"notify_end_customer": True},
        {
            "end_customer": {
                "company_name": "Globex Ltd",
                "contact_name": "Gil Globex",
                "email": "gil@globex.example",
                "country": "GB",
            }
        },
    ],
)
def test_a_used_key_with_another_body_is_a_conflict_that_places_nothing(ctx, bluebird, changed):
    first = bluebird.post(order_body(), key=KEY)
    assert first.status_code == 201
    number = first.get_json()["number"]
    before = counts()
    response = bluebird.post(order_body(**changed), key=KEY)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "Idempotency-Key was already used for a different request" in error["message"]
    assert number in error["message"]
    assert error["errors"] == {"Idempotency-Key": ["Already used with a different request body."]}
    assert "Idempotent-Replayed" not in response.headers
    assert counts() == before
    assert order_row(number).po_number == "PO-7"


def test_a_retry_replays_whatever_the_key_order_and_spacing_of_its_json(ctx, bluebird):
    first = bluebird.post(order_body(), key=KEY)
    assert first.status_code == 201
    body = order_body()
    shuffled = json.dumps(dict(reversed(list(body.items()))), indent=3)
    again = bluebird.post(
        None, key=KEY, data=shuffled, headers={"Content-Type": "application/json"}
    )
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    # Defaults filled in by the schema count as sent: an explicit empty note is the same.
    explicit = bluebird.post(order_body(note="", notify_end_customer=False), key=KEY)
    assert explicit.status_code == 200


def test_the_fingerprint_is_kept_with_the_order(ctx, bluebird):
    number = bluebird.post(order_body(), key=KEY).get_json()["number"]
    fingerprint = order_row(number).request_fingerprint
    assert fingerprint is not None
    assert len(fingerprint) == 64


def test_an_order_placed_before_fingerprints_were_kept_still_replays(ctx, bluebird):
    number = bluebird.post(order_body(), key=KEY).get_json()["number"]
    db.session.execute(update(Order).where(Order.number == number).values(request_fingerprint=None))
    db.session.commit()
    again = bluebird.post(order_body(po_number="PO-OTHER"), key=KEY)
    assert again.status_code == 200
    assert again.get_json()["number"] == number
