"""``POST /api/v1/orders`` paid by a saved card, against localstripe on loopback."""

from __future__ import annotations

import pytest

from tests.api.orders_support import NW, Api, counts, order_body
from tests.orders.conftest import storefront
from tests.payments.conftest import DECLINED_CARD, save_card


@pytest.fixture
def bluebird(app, token_for) -> Api:  # type: ignore[no-untyped-def]
    return Api(app, NW, token_for("buyer@bluebird.example", "northwind"))


def saved(app, host: str, email: str, number: str | None = None) -> str:  # type: ignore[no-untyped-def]
    for shop in storefront(app, host, email):
        card = save_card(shop, number) if number else save_card(shop)
    return card["id"]


def by_card(card_id: str) -> dict:
    return order_body(payment={"method": "card", "payment_method": card_id})


def test_a_saved_card_pays_and_the_order_is_fulfilled(app, ctx, bluebird, localstripe):
    card_id = saved(app, "northwind.localhost", "buyer@bluebird.example")
    response = bluebird.post(by_card(card_id), key="card-order-0001")
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert order["payment"] == {"method": "card", "error": None}
    assert [e["kind"] for e in order["events"]][:2] == ["placed", "paid"]
    assert order["status"] == "invoiced"
    assert len(order["licenses"]) == 2
    assert (order["invoice"]["status"], order["invoice"]["due_on"]) == (
        "paid",
        order["invoice"]["issued_on"],
    )
    assert localstripe.count("payment_intents") == 1
    # A retry answers the same order and charges nothing more.
    again = bluebird.post(by_card(card_id), key="card-order-0001")
    assert (again.status_code, again.get_json()["number"]) == (200, order["number"])
    assert localstripe.count("payment_intents") == 1
    # Card orders do not use the credit line.
    assert bluebird.get("/credit").get_json()["outstanding"] == "0.00"


def test_a_declined_card_leaves_the_order_unpaid_with_the_reason(app, ctx, bluebird, localstripe):
    card_id = saved(app, "northwind.localhost", "buyer@bluebird.example", DECLINED_CARD)
    response = bluebird.post(by_card(card_id), key="declined-0001")
    assert response.status_code == 402
    error = response.get_json()["error"]
    assert error["errors"] == {"payment.payment_method": ["The card was declined."]}
    assert "NW-000001 is placed but unpaid" in error["message"]
    assert response.headers["Location"] == "/api/v1/orders/NW-000001"
    order = bluebird.get("/orders/NW-000001").get_json()
    assert order["status"] == "payment_failed"
    assert order["payment"]["error"] == "The card was declined."
    assert order["licenses"] == []
    assert order["invoice"] is None
    replay = bluebird.post(by_card(card_id), key="declined-0001")
    assert (replay.status_code, replay.get_json()["status"]) == (200, "payment_failed")


def test_a_card_of_another_company_is_refused_and_nothing_written(app, ctx, bluebird, localstripe):
    kirins = saved(app, "sakura.localhost", "buyer@kirin.example")
    before = counts()
    for card_id in (kirins, "pm_card_visa"):
        response = bluebird.post(by_card(card_id))
        assert response.status_code == 422
        assert response.get_json()["error"]["errors"] == {
            "payment.payment_method": ["Choose one of your company's saved cards."]
        }
    assert counts() == before
    assert localstripe.count("payment_intents") == 0
