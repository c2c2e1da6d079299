"""POST /webhooks/stripe: signed events settle payments once; forged or replayed ones do not."""

import logging
import time

from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.orders.models import Order, OrderEvent
from channelfront.payments.card import pay_order
from channelfront.payments.charges import order_metadata
from channelfront.payments.models import PaymentAccount, WebhookEvent
from tests.payments.conftest import save_card
from tests.stripe_fixtures import WEBHOOK_SECRET

PATH = "/webhooks/stripe"


def charge_outside(localstripe, order, card, **changes):
    """A payment of the order made at Stripe that our page never heard back about."""
    params = {
        "amount": order.total_minor,
        "currency": "usd",
        "customer": db.session.scalar(select(PaymentAccount.stripe_customer_id)),
        "payment_method": card["id"],
        "payment_method_types": ["card"],
        "confirm": True,
        "metadata": order_metadata(order),
        **changes,
    }
    return localstripe.client.v1.payment_intents.create(params=params)


def event_of(intent, kind="payment_intent.succeeded", event_id=None):
    return {
        "id": event_id or f"evt_{intent.id}_{kind}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": intent.to_dict()},
    }


def post(client, localstripe, event, secret=WEBHOOK_SECRET, at=None, body=None):
    payload, signature = localstripe.signed(event, secret, at)
    return client.post(
        PATH,
        data=body if body is not None else payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def event_count(order):
    return db.session.scalar(
        select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id)
    )


def status(order):
    db.session.expire_all()
    return db.session.get(Order, order.id).status


def test_a_signed_success_pays_the_order_once(northwind_shop, card_order, localstripe, northwind):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    intent = charge_outside(localstripe, order, card)
    event = event_of(intent)
    response = post(northwind, localstripe, event)
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "processed"}
    assert status(order) == "invoiced"
    events = event_count(order)
    replay = post(northwind, localstripe, event)
    assert replay.get_json()["outcome"] == "duplicate"
    assert event_count(order) == events
    stored = db.session.scalars(select(WebhookEvent.stripe_event_id)).all()
    assert stored == [event["id"]]


def test_a_success_already_seen_by_the_page_changes_nothing(
    northwind_shop, card_order, localstripe, northwind
):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    pay_order(order, card["id"], northwind_shop.buyer)
    events = event_count(order)
    [intent] = localstripe.intents()
    response = post(northwind, localstripe, event_of(intent))
    assert response.get_json()["outcome"] == "settled"
    assert event_count(order) == events


def test_events_reach_the_order_from_any_storefront_host(
    northwind_shop, card_order, localstripe, sakura
):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    intent = charge_outside(localstripe, order, card)
    assert post(sakura, localstripe, event_of(intent)).get_json()["outcome"] == "processed"
    assert status(order) == "invoiced"


def test_a_forged_signature_is_refused_and_logged(
    northwind_shop, card_order, localstripe, northwind, caplog
):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    intent = charge_outside(localstripe, order, card)
    with caplog.at_level(logging.WARNING, logger="channelfront.payments.webhooks"):
        response = post(northwind, localstripe, event_of(intent), secret="whsec_forged")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "The signature does not match."
    assert "bad signature" in caplog.text
    assert status(order) == "placed"
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0


def test_a_tampered_body_is_refused(northwind_shop, card_order, localstripe, northwind):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    intent = charge_outside(localstripe, order, card)
    signed_for = event_of(intent, kind="customer.created")
    payload, signature = localstripe.signed(signed_for)
    tampered = payload.replace("customer.created", "payment_intent.succeeded")
    response = northwind.post(PATH, data=tampered, headers={"Stripe-Signature": signature})
    assert response.status_code == 400
    assert status(order) == "placed"


def test_an_old_delivery_replayed_later_is_refused(
    northwind_shop, card_order, localstripe, northwind
):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    intent = charge_outside(localstripe, order, card)
    response = post(northwind, localstripe, event_of(intent), at=int(time.time()) - 600)
    assert response.status_code == 400
    assert status(order) == "placed"


def test_missing_signature_or_garbage_is_refused(localstripe, northwind):
    assert northwind.post(PATH, data="{}").status_code == 400
    response = northwind.post(PATH, data="not json", headers={"Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 400
    payload, signature = localstripe.signed({"id": "evt_1"})
    response = northwind.post(PATH, data="[" + payload, headers={"Stripe-Signature": signature})
    assert response.status_code == 400


def test_without_a_webhook_secret_everything_is_refused(app, localstripe, northwind):
    app.config["STRIPE_WEBHOOK_SECRET"] = ""
    payload, signature = localstripe.signed({"id": "evt_1", "type": "x"})
    response = northwind.post(PATH, data=payload, headers={"Stripe-Signature": signature})
    assert response.status_code == 400


def test_a_payment_for_another_amount_is_ignored(
    northwind_shop, card_order, localstripe, northwind
):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    intent = charge_outside(localstripe, order, card, amount=100)
    assert post(northwind, localstripe, event_of(intent)).get_json()["outcome"] == "ignored"
    assert status(order) == "placed"


def test_unknown_events_are_acknowledged(localstripe, northwind, ctx):
    event = {"id": "evt_other", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    response = post(northwind, localstripe, event)
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"


def test_a_failure_nobody_saw_is_recorded_once(northwind_shop, card_order, localstripe, northwind):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    intent = charge_outside(localstripe, order, card)
    failed = event_of(intent, kind="payment_intent.payment_failed")
    failed["data"]["object"]["last_payment_error"] = {"message": "Your card was declined."}
    assert post(northwind, localstripe, failed).get_json()["outcome"] == "processed"
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.payment_error) == ("payment_failed", "Your card was declined.")
    failed["id"] = "evt_second_delivery"
    assert post(northwind, localstripe, failed).get_json()["outcome"] == "settled"
    assert [e.kind for e in db.session.get(Order, order.id).events].count("payment_failed") == 1
