"""Refunding a quote its end customer paid: distributor staff refund it from the invoice
page like any card order, and everything the payment started is reversed: the order,
its licenses, its incentive lines, the unspent margin credit; the quote's timeline says
so. A margin the reseller had spent already becomes an amount owed on its invoices page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.quotes import margin
from channelfront.quotes.models import MarginClawback, PaymentState, QuoteEvent, QuotePayment
from channelfront.statements.models import IncentiveEvent
from tests.quotes.customer_paid import margin_note, paid_quote
from tests.quotes.customer_support import fresh, pay, send_quote
from tests.quotes.world import Shop

FINANCE = "finance@northwind.example"


@pytest.fixture(autouse=True)
def _no_pay_limit(app: Flask) -> Iterator[None]:
    """The customer's page pays here too; its rate limit is tested with the renewal link."""
    saved = app.config.get("QUOTE_PAY_RATE_LIMIT")
    app.config["QUOTE_PAY_RATE_LIMIT"] = "1000 per minute"
    try:
        yield
    finally:
        app.config["QUOTE_PAY_RATE_LIMIT"] = saved


def staff(client_for, email: str = FINANCE, host: str = "northwind.localhost"):  # type: ignore[no-untyped-def]
    client = client_for(host)
    assert client.login(email).status_code == 302
    return client


def invoice_of(order: Order) -> str:
    number = db.session.scalar(select(Invoice.number).where(Invoice.order_id == order.id))
    assert number is not None
    return number


def refund(client, order: Order, path: str = "/", **data: str):  # type: ignore[no-untyped-def]
    token = client.csrf_token(path)
    return client.post(
        f"/payments/orders/{order.number}/refund", data={"csrf_token": token, **data}
    )


def test_refunding_a_customer_paid_order_reverses_it_once(
    shop: Shop, localstripe, client_for, app
) -> None:
    quote, order = paid_quote(shop, localstripe.client, license_to_customer=True)
    assert order.status == "invoiced"
    keys = db.session.scalars(select(License.key).where(License.order_id == order.id)).all()
    assert keys, "the order's licenses were issued"
    note = margin_note(order)
    assert note.remaining_minor == note.amount_minor == quote.resale_total_minor - order.total_minor
    purchases = db.session.scalars(
        select(IncentiveEvent.key).where(
            IncentiveEvent.order_id == order.id, IncentiveEvent.type == "purchase"
        )
    ).all()
    assert len(purchases) == len(order.lines)

    finance = staff(client_for)
    invoice_page = f"/invoices/{invoice_of(order)}"
    page = finance.get(invoice_page).get_data(as_text=True)
    # The button names what goes back to the customer: the resale total, not the order's.
    resale = re.search(r"Refund ([^<]+) to the end customer(?:&#39;|')s card", page)
    assert resale, page[-3000:]
    assert resale.group(1).replace(",", "").endswith(f"{quote.resale_total_minor / 100:.2f}")

    answer = refund(finance, order, invoice_page, reason="Customer changed its mind")
    assert answer.status_code == 302

    [stripe_refund] = localstripe.client.v1.refunds.list().data
    assert stripe_refund.amount == quote.resale_total_minor
    assert stripe_refund.payment_intent == order.payment_intent_id
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == "refunded"
    revoked = db.session.scalars(select(License.revoked_at).where(License.order_id == order.id))
    assert all(at is not None for at in revoked)
    refunds = db.session.scalars(
        select(IncentiveEvent.refund_of).where(
            IncentiveEvent.order_id == order.id, IncentiveEvent.type == "refund"
        )
    ).all()
    assert sorted(refunds) == sorted(purchases)
    note = margin_note(order)
    assert note.remaining_minor == 0
    assert (
        db.session.scalar(select(MarginClawback).where(MarginClawback.order_id == order.id)) is None
    )
    events = db.session.scalars(
        select(QuoteEvent).where(QuoteEvent.quote_id == quote.id, QuoteEvent.kind == "refunded")
    ).all()
    assert [(e.data["order"], e.data["amount_minor"], e.note) for e in events] == [
        (order.number, quote.resale_total_minor, "Customer changed its mind")
    ]
    assert events[0].actor_id == shop.user(FINANCE).id

    # The reseller's order page no longer presents the keys as valid.
    buyer = staff(client_for, "buyer@bluebird.example")
    order_page = buyer.get(f"/orders/{order.number}").get_data(as_text=True)
    assert order_page.count('data-revoked="1"') == len(keys)
    assert "Revoked" in order_page
    assert 'name="license"' not in order_page  # nothing left to deliver or assign
    invoices = buyer.get("/invoices").get_data(as_text=True)
    assert "Margin to pay back" not in invoices  # nothing was spent: nothing owed
    timeline = buyer.get(f"/quotes/{quote.number}").get_data(as_text=True)
    assert f"Order {order.number} refunded: the customer" in timeline

    # A second refund does nothing more.
    again = refund(finance, order, invoice_page)
    assert again.status_code == 302
    assert len(localstripe.client.v1.refunds.list().data) == 1
    db.session.expire_all()
    assert (
        len(
            db.session.scalars(
                select(QuoteEvent).where(
                    QuoteEvent.quote_id == quote.id, QuoteEvent.kind == "refunded"
                )
            ).all()
        )
        == 1
    )
    assert margin_note(order).remaining_minor == 0
    assert margin.owed(order.company_id, order.currency).minor == 0

    runner = app.test_cli_runner()
    verified = runner.invoke(args=["licenses", "verify", keys[0]])
    assert verified.exit_code == 1
    assert "REVOKED" in verified.output


def test_a_buyer_or_another_storefronts_staff_cannot_refund_it(
    shop: Shop, localstripe, client_for
) -> None:
    _quote, order = paid_quote(shop, localstripe.client)
    buyer = staff(client_for, "buyer@bluebird.example")
    assert refund(buyer, order).status_code == 403
    # Alpenhandel's own distributor admin may refund there, but does not find Northwind's.
    alpen = staff(client_for, "admin@alpenhandel.example", "alpenhandel.localhost")
    assert refund(alpen, order).status_code == 404
    assert localstripe.count("refunds") == 0
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "invoiced"
    assert all(
        at is None
        for at in db.session.scalars(select(License.revoked_at).where(License.order_id == order.id))
    )


def test_a_quote_paid_on_its_page_and_refunded_reads_refunded_there(
    shop: Shop, localstripe, client_for
) -> None:
    quote, path = send_quote(shop, [("INS-PERP", 2)], pricing_mode="markup", pricing_percent="10")
    customer = client_for("northwind.localhost")
    paid, form = pay(customer, path)
    assert paid.status_code == 303
    quote = fresh(quote)
    order = db.session.get(Order, quote.order_id)
    assert order is not None
    finance = staff(client_for)
    assert refund(finance, order, f"/invoices/{invoice_of(order)}").status_code == 302

    page = customer.get(path).get_data(as_text=True)
    assert "Your payment of this quote was refunded." in page
    again = customer.post(f"{path}/pay", data=form)
    assert again.status_code in (303, 409)
    assert localstripe.count("payment_intents") == 1  # nothing charged again
    [row] = db.session.scalars(select(QuotePayment).where(QuotePayment.quote_id == quote.id))
    assert row.state == PaymentState.REFUNDED
