"""Paying an order with a saved card: licenses once paid, declines kept, never charged twice."""

import time

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.payments.card import PaymentInputError, PaymentUnavailable, pay_order
from channelfront.payments.charges import order_metadata
from channelfront.payments.models import PaymentAccount
from channelfront.tenancy.scoping import tenant_scope
from tests.payments.conftest import AUTH_CARD, DECLINED_CARD, lines, save_card


def kinds(order):
    return [event.kind for event in db.session.get(Order, order.id).events]


def test_a_saved_card_pays_the_order_and_licenses_are_issued(
    northwind_shop, card_order, localstripe
):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    assert order.status == "placed"
    pay_order(order, card["id"], northwind_shop.buyer)
    order = db.session.get(Order, order.id)
    assert kinds(order) == ["placed", "paid", "fulfilling", "fulfilled", "invoiced"]
    assert order.payment_error is None
    paid = order.events[1]
    assert paid.data["card"] == "visa •••• 4242"
    [intent] = localstripe.intents()
    assert (intent.amount, intent.currency, intent.status) == (
        order.total_minor,
        "usd",
        "succeeded",
    )
    assert intent.metadata["order_number"] == order.number
    assert intent.metadata["tenant_id"] == str(northwind_shop.tenant.id)
    assert order.payment_intent_id == intent.id
    assert db.session.scalar(select(Invoice.status).where(Invoice.order_id == order.id)) == "paid"
    licensed = db.session.scalars(select(License).where(License.order_id == order.id)).all()
    assert len(licensed) == 2


def test_a_declined_card_leaves_the_order_unpaid_with_the_reason(
    northwind_shop, card_order, localstripe
):
    card = save_card(northwind_shop, DECLINED_CARD)
    order = card_order(northwind_shop)
    pay_order(order, card["id"], northwind_shop.buyer)
    order = db.session.get(Order, order.id)
    assert order.status == "payment_failed"
    assert order.payment_error == "The card was declined."
    assert kinds(order) == ["placed", "payment_failed"]
    assert order.events[-1].note == "The card was declined."
    assert db.session.scalar(select(License.id).where(License.order_id == order.id)) is None
    assert db.session.scalar(select(Invoice.id).where(Invoice.order_id == order.id)) is None


def test_after_a_decline_another_card_pays(northwind_shop, card_order, localstripe):
    declined = save_card(northwind_shop, DECLINED_CARD)
    good = save_card(northwind_shop)
    order = card_order(northwind_shop)
    pay_order(order, declined["id"], northwind_shop.buyer)
    pay_order(db.session.get(Order, order.id), good["id"], northwind_shop.buyer)
    order = db.session.get(Order, order.id)
    assert order.status == "invoiced"
    assert order.payment_error is None
    assert kinds(order)[:3] == ["placed", "payment_failed", "paid"]
    assert sorted(i.status for i in localstripe.intents()) == [
        "requires_payment_method",
        "succeeded",
    ]


def test_paying_again_charges_nothing(northwind_shop, card_order, localstripe):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    for _ in range(3):
        pay_order(db.session.get(Order, order.id), card["id"], northwind_shop.buyer)
    assert localstripe.count("payment_intents") == 1
    assert kinds(order).count("paid") == 1


def test_a_payment_in_progress_elsewhere_is_not_doubled(northwind_shop, card_order, localstripe):
    """Another request holds the order's claim (a double click): this one charges nothing."""
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    order.payment_intent_id = f"claim:{int(time.time()):010d}:abcdef"
    db.session.commit()
    pay_order(order, card["id"], northwind_shop.buyer)
    assert localstripe.count("payment_intents") == 0
    assert db.session.get(Order, order.id).status == "placed"


def test_a_claim_left_by_a_dead_process_is_taken_over(northwind_shop, card_order, localstripe):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    order.payment_intent_id = f"claim:{int(time.time()) - 600:010d}:abcdef"
    db.session.commit()
    pay_order(order, card["id"], northwind_shop.buyer)
    assert localstripe.count("payment_intents") == 1
    assert db.session.get(Order, order.id).status == "invoiced"


def test_a_success_the_page_missed_settles_instead_of_charging_again(
    northwind_shop, card_order, localstripe
):
    """A charge still processing when the page gave up has since succeeded: a retry finds it."""
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    customer = db.session.scalar(select(PaymentAccount.stripe_customer_id))
    intent = localstripe.client.v1.payment_intents.create(
        params={
            "amount": order.total_minor,
            "currency": "usd",
            "customer": customer,
            "payment_method": card["id"],
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": order_metadata(order),
        }
    )
    order.payment_intent_id = intent.id
    db.session.commit()
    pay_order(order, card["id"], northwind_shop.buyer)
    assert localstripe.count("payment_intents") == 1
    order = db.session.get(Order, order.id)
    assert order.payment_intent_id == intent.id
    assert kinds(order) == ["placed", "paid", "fulfilling", "fulfilled", "invoiced"]


def test_a_card_of_another_company_is_refused_and_nothing_charged(
    northwind_shop, sakura_shop, card_order, localstripe
):
    with tenant_scope(sakura_shop.tenant.id):
        kirin_card = save_card(sakura_shop)
    with tenant_scope(northwind_shop.tenant.id):
        order = card_order(northwind_shop)
        for bogus in (kirin_card["id"], "pm_doesnotexist", "", "pm_../../x", None):
            with pytest.raises(PaymentInputError) as error:
                pay_order(order, bogus, northwind_shop.buyer)
            assert error.value.field == "payment_method"
        assert db.session.get(Order, order.id).status == "placed"
    assert localstripe.count("payment_intents") == 0


def test_a_card_asking_for_authentication_fails_clearly(northwind_shop, card_order, localstripe):
    card = save_card(northwind_shop, AUTH_CARD)
    order = card_order(northwind_shop)
    pay_order(order, card["id"], northwind_shop.buyer)
    order = db.session.get(Order, order.id)
    assert order.status == "payment_failed"
    assert "authentication" in order.payment_error
    [intent] = localstripe.intents()
    assert intent.status == "canceled"


def test_an_on_account_order_is_not_charged(northwind_shop, card_order, localstripe):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop, payment_method="on_account")
    with pytest.raises(PaymentInputError):
        pay_order(order, card["id"], northwind_shop.buyer)
    assert localstripe.count("payment_intents") == 0


def test_stripe_out_of_reach_leaves_the_order_as_it_was(
    app, northwind_shop, card_order, localstripe
):
    card = save_card(northwind_shop)
    order = card_order(northwind_shop)
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    # Listing the company's cards already fails: nothing is claimed or charged.
    with pytest.raises(PaymentUnavailable):
        pay_order(order, card["id"], northwind_shop.buyer)
    order = db.session.get(Order, order.id)
    assert (order.status, order.payment_intent_id) == ("placed", None)


def test_yen_are_charged_as_whole_yen(sakura_shop, card_order, localstripe):
    card = save_card(sakura_shop)
    order = card_order(sakura_shop, lines=lines(("INS-PERP", 1)))
    pay_order(order, card["id"], sakura_shop.buyer)
    [intent] = localstripe.intents()
    assert intent.currency == "jpy"
    assert intent.amount == db.session.get(Order, order.id).total_minor
    assert db.session.get(Order, order.id).status == "invoiced"
