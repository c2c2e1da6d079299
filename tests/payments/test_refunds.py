"""Refunds: distributor staff refund a card-paid order in full, once."""

import time

from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.payments.card import pay_order
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.middleware import resolve_tenant
from tests.payments.conftest import save_card


def paid_order(shop, card_order):
    card = save_card(shop)
    order = card_order(shop)
    pay_order(order, card["id"], shop.buyer)
    return db.session.get(Order, order.id)


def finance_client(client_for):
    client = client_for("northwind.localhost")
    client.login("finance@northwind.example")
    return client


def refund(client, order, **data):
    token = client.csrf_token("/")
    return client.post(
        f"/payments/orders/{order.number}/refund", data={"csrf_token": token, **data}
    )


def test_finance_refunds_a_card_order_once(northwind_shop, card_order, localstripe, client_for):
    order = paid_order(northwind_shop, card_order)
    finance = finance_client(client_for)
    response = refund(finance, order, reason="Customer cancelled")
    assert response.status_code == 302
    invoice = db.session.scalar(select(Invoice.number).where(Invoice.order_id == order.id))
    assert response.headers["Location"] == f"/invoices/{invoice}"
    again = refund(finance, order)
    assert again.status_code == 302
    [stripe_refund] = localstripe.client.v1.refunds.list().data
    assert stripe_refund.amount == order.total_minor
    assert stripe_refund.payment_intent == order.payment_intent_id
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == "refunded"
    refunded = [e for e in order.events if e.kind == "refunded"]
    assert len(refunded) == 1
    assert refunded[0].note == "Customer cancelled"
    assert refunded[0].data["refund"] == stripe_refund.id
    subscriptions = db.session.scalars(
        select(Subscription.status).where(Subscription.order_id == order.id)
    ).all()
    assert subscriptions == ["cancelled"]
    page = finance.get("/").get_data(as_text=True)
    assert f"Order {order.number} was already refunded." in page


def test_buyers_cannot_refund(northwind_shop, card_order, localstripe, bluebird_buyer):
    order = paid_order(northwind_shop, card_order)
    assert refund(bluebird_buyer, order).status_code == 403
    assert localstripe.count("refunds") == 0


def test_an_on_account_order_cannot_be_refunded_by_card(
    northwind_shop, card_order, localstripe, client_for
):
    order = card_order(northwind_shop, payment_method="on_account")
    response = refund(finance_client(client_for), order)
    assert response.status_code == 422
    assert "Only an order paid by card can be refunded." in response.get_data(as_text=True)
    assert localstripe.count("refunds") == 0


def test_unknown_orders_and_other_tenants_orders_are_not_found(
    northwind_shop, card_order, localstripe, client_for
):
    order = paid_order(northwind_shop, card_order)
    sakura_staff = client_for("sakura.localhost")
    assert sakura_staff.login("finance@northwind.example").status_code != 302
    response = refund(finance_client(client_for), type("O", (), {"number": "NW-999999"})())
    assert response.status_code == 404
    assert localstripe.count("refunds") == 0
    assert order.status == "invoiced"


def test_a_refund_made_in_stripe_shows_on_the_order(
    northwind_shop, card_order, localstripe, northwind
):
    order = paid_order(northwind_shop, card_order)
    localstripe.client.v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    # localstripe sends no charge.refunded: build the event from its charge.
    intent = localstripe.client.v1.payment_intents.retrieve(order.payment_intent_id)
    charge = intent.latest_charge.to_dict()
    assert charge["amount_refunded"] == charge["amount"]
    event = {
        "id": "evt_refund_1",
        "type": "charge.refunded",
        "created": int(time.time()),
        "data": {"object": {**charge, "object": "charge", "payment_intent": intent.id}},
    }
    payload, signature = localstripe.signed(event)
    response = northwind.post(
        "/webhooks/stripe", data=payload, headers={"Stripe-Signature": signature}
    )
    assert response.get_json()["outcome"] == "processed"
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "refunded"


def refund_form_for(app, email, order):
    with app.test_request_context("/", base_url="http://northwind.localhost"):
        resolve_tenant()
        login_user(db.session.scalar(select(User).where(User.email == email)))
        return render_template_string(
            '{% include "payments/refund_form.html" %}', order=db.session.get(Order, order.id)
        )


def test_the_refund_form_shows_for_staff_on_card_paid_orders_only(
    app, northwind_shop, card_order, localstripe
):
    order = paid_order(northwind_shop, card_order)
    on_account = card_order(northwind_shop, payment_method="on_account")
    form = refund_form_for(app, "finance@northwind.example", order)
    assert f'action="/payments/orders/{order.number}/refund"' in form
    assert "Refund $" in form
    assert "refund-form" not in refund_form_for(app, "buyer@bluebird.example", order)
    assert "refund-form" not in refund_form_for(app, "finance@northwind.example", on_account)
