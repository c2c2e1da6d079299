"""Paying an on-account invoice by card: paid once, credit freed, a decline keeps it open."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.invoices.services import mark_paid
from channelfront.orders.credit import credit_status
from channelfront.orders.models import Order
from channelfront.payments import invoice_charges
from channelfront.payments.card import CardDeclined, PaymentInputError, pay_invoice
from tests.payments.conftest import DECLINED_CARD, save_card


def open_invoice(shop, card_order):
    order = card_order(shop, payment_method="on_account")
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.status == "open"
    return invoice, db.session.get(Order, order.id)


def outstanding(shop):
    return credit_status(shop.terms.enrollment, "USD", datetime.now(UTC).date()).outstanding.minor


def test_a_card_pays_the_invoice_once_and_frees_the_credit(northwind_shop, card_order, localstripe):
    card = save_card(northwind_shop)
    invoice, order = open_invoice(northwind_shop, card_order)
    before = outstanding(northwind_shop)
    pay_invoice(invoice, order, card["id"], northwind_shop.buyer)
    pay_invoice(db.session.get(Invoice, invoice.id), order, card["id"], northwind_shop.buyer)
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.status == "paid"
    assert outstanding(northwind_shop) == before - invoice.total_minor
    [intent] = localstripe.intents()
    assert intent.amount == invoice.total_minor
    assert intent.metadata["invoice_number"] == invoice.number
    paid = [e for e in db.session.get(Order, order.id).events if e.kind == "invoice_paid"]
    assert len(paid) == 1
    assert paid[0].data["how"] == "card"


def test_a_declined_card_keeps_the_invoice_open(northwind_shop, card_order, localstripe):
    card = save_card(northwind_shop, DECLINED_CARD)
    invoice, order = open_invoice(northwind_shop, card_order)
    with pytest.raises(CardDeclined) as declined:
        pay_invoice(invoice, order, card["id"], northwind_shop.buyer)
    assert declined.value.reason == "The card was declined."
    assert db.session.get(Invoice, invoice.id).status == "open"
    kinds = [e.kind for e in db.session.get(Order, order.id).events]
    assert kinds[-1] == "invoice_payment_failed"
    assert db.session.get(Order, order.id).status == "invoiced"


def test_an_unknown_card_is_refused(northwind_shop, card_order, localstripe):
    invoice, order = open_invoice(northwind_shop, card_order)
    with pytest.raises(PaymentInputError):
        pay_invoice(invoice, order, "pm_nope", northwind_shop.buyer)
    assert localstripe.count("payment_intents") == 0


def test_a_payment_that_lost_the_race_with_finance_is_refunded(
    northwind_shop, card_order, localstripe
):
    """Finance marked the invoice paid while the card was being charged: no double payment."""
    card = save_card(northwind_shop)
    invoice, order = open_invoice(northwind_shop, card_order)
    customer = localstripe.client.v1.customers.list().data[0].id
    intent = localstripe.client.v1.payment_intents.create(
        params={
            "amount": invoice.total_minor,
            "currency": "usd",
            "customer": customer,
            "payment_method": card["id"],
            "payment_method_types": ["card"],
            "confirm": True,
        }
    )
    mark_paid(invoice, order, None, "finance")
    db.session.commit()
    invoice_charges._settled_meanwhile(invoice, order, intent.id, "claim:x", None)
    assert localstripe.count("refunds") == 1


def test_the_invoice_page_pays_by_card_and_shows_a_decline(
    northwind_shop, card_order, localstripe, bluebird_buyer
):
    good, bad = save_card(northwind_shop), save_card(northwind_shop, DECLINED_CARD)
    invoice, _order = open_invoice(northwind_shop, card_order)
    path = f"/invoices/{invoice.number}"
    page = bluebird_buyer.get(path).get_data(as_text=True)
    assert "4242" in page
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = bluebird_buyer.post(
        f"{path}/pay", data={"csrf_token": token, "payment_method": bad["id"]}
    )
    assert response.status_code == 402
    assert "The card was declined." in response.get_data(as_text=True)
    response = bluebird_buyer.post(
        f"{path}/pay", data={"csrf_token": token, "payment_method": good["id"]}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "paid"
