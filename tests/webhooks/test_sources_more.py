"""Quotes, refunds, renewals and statement closes reach the right endpoints, once each."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.lines import LineRequest
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments.refunds import refund_order
from channelfront.quotes import booking, customer, sending, services
from channelfront.quotes.models import QuoteStatus
from channelfront.quotes.services import QuoteInput, QuoteLineInput
from channelfront.statements import close, programs
from channelfront.statements.partners import company_id_of
from channelfront.subscriptions.models import Subscription
from incentives.periods import period_of
from tests.statements.programs_data import RESELLER, live_program
from tests.webhooks.sources_world import (  # noqa: F401  (shop_fixture: the fixture)
    BUYER,
    about,
    heard,
    place,
    shop_fixture,
    types,
)


def _quote(shop):  # type: ignore[no-untyped-def]
    from channelfront.customers.services import CustomerInput
    from channelfront.pricing.services import load_terms

    buyer = shop.user(BUYER)
    data = QuoteInput(
        lines=[QuoteLineInput("SHD-STD-1Y", 3)],
        new_customer=CustomerInput(
            company_name="Acme Labs", contact_name="Casey", email="it@acme.example", country="US"
        ),
        pricing_mode="markup",
        pricing_percent="20",
    )
    quote = services.create(shop.tenant, buyer, load_terms(buyer.company_id), data)
    db.session.commit()
    return quote


def test_a_quote_sent_and_accepted_for_an_invoice(shop):
    quote = _quote(shop)
    assert types(shop.a) == []  # a draft is nobody's business
    sending.send(quote, shop.user(BUYER))
    commit_and_dispatch()
    sending.send(quote, shop.user(BUYER))  # sent again, same revision: no new event
    commit_and_dispatch()
    customer.accept_for_invoice(quote)
    commit_and_dispatch()
    assert types(shop.a) == ["quote.sent", "quote.accepted"]
    assert types(shop.own) == ["quote.sent", "quote.accepted"]
    assert types(shop.b) == []
    [accepted] = about(shop.a, "quote.accepted", "number", quote.number)
    assert (accepted["status"], accepted["accepted_as"]) == ("accepted", "invoice")
    assert accepted["totals"]["resale"] == accepted["lines"][0]["resale_total"]
    assert {"crm_deal_id", "crm_account_id", "crm_opportunity_id"} <= accepted.keys()


def _charge(client, amount_minor: int, currency: str) -> str:  # type: ignore[no-untyped-def]
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2039, "cvc": "123"},
        }
    )
    intent = client.v1.payment_intents.create(
        params={
            "amount": amount_minor,
            "currency": currency.lower(),
            "payment_method": method.id,
            "confirm": True,
        }
    )
    return intent.id


def test_a_quote_its_customer_pays_then_refunded(shop, localstripe):
    quote = _quote(shop)
    sending.send(quote, shop.user(BUYER))
    commit_and_dispatch()
    intent = _charge(localstripe.client, quote.resale_total_minor, quote.currency)
    order = booking.book(quote, intent, quote.resale_total_minor)
    commit_and_dispatch()
    assert quote.status == QuoteStatus.PAID
    flow = [
        "quote.sent",
        "order.placed",
        "quote.paid",
        "order.fulfilled",
        "license.issued",
        "invoice.issued",
        "invoice.paid",  # a card order's invoice is issued paid
    ]
    assert types(shop.a) == flow
    [paid] = about(shop.a, "quote.paid", "number", quote.number)
    assert (paid["status"], paid["accepted_as"]) == ("paid", "card")
    assert paid["order_number"] == order.number
    assert refund_order(order, shop.user("finance@northwind.example"), "Changed their mind")
    assert not refund_order(order, shop.user("finance@northwind.example"))  # once
    assert types(shop.a) == [*flow, "order.refunded"]
    [refunded] = about(shop.a, "order.refunded", "number", order.number)
    assert refunded["status"] == "refunded"
    assert types(shop.own) == types(shop.a)
    assert types(shop.b) == []


def _subscription(order) -> Subscription:  # type: ignore[no-untyped-def]
    return db.session.scalars(select(Subscription).where(Subscription.order_id == order.id)).one()


def test_the_renewal_notice_and_a_partner_renewal(shop, client_for):
    order = place(shop)
    subscription = _subscription(order)
    browser = client_for("northwind.localhost")
    assert browser.login(BUYER).status_code == 302
    token = browser.csrf_token("/subscriptions")
    response = browser.post(
        f"/subscriptions/{subscription.id}/send-link", data={"csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    [due] = [data for kind, data in heard(shop.a) if kind == "subscription.renewal_due"]
    assert (due["id"], due["sku"], due["quantity"]) == (subscription.id, "SHD-STD-1Y", 2)
    assert due["ends_on"] == subscription.ends_on.isoformat()
    assert due["order"]["number"] == order.number
    renewal = place(
        shop,
        lines=[LineRequest("SHD-STD-1Y", 2, None, subscription.id)],
        customer_id=subscription.customer_id,
        new_customer=None,
    )
    [renewed] = [data for kind, data in heard(shop.a) if kind == "subscription.renewed"]
    assert renewed["term"]["index"] == 1
    assert renewed["term"]["channel"] == "partner"
    assert renewed["term"]["order"]["number"] == renewal.number
    assert renewed["subscription"]["id"] == subscription.id
    assert types(shop.own).count("subscription.renewed") == 1
    assert "subscription.renewed" not in types(shop.b)
    assert "subscription.renewal_due" not in types(shop.b)


def test_each_statement_of_a_closing_period_is_heard_by_its_company(shop):
    live_program("northwind", "webhook-renewals", RESELLER, "reseller")
    db.session.commit()
    place(shop)
    now = datetime.now(UTC)
    closed = []
    for row in programs.published(shop.tenant.id):
        program = programs.engine_program(row)
        period = period_of(now.date(), program.statement_period)
        due = close.Due(shop.tenant.id, row.id, period)
        if close.close_one(due, now):
            closed.append(row.code)
    assert closed, [(r.code, r.version) for r in programs.published(shop.tenant.id)]
    mine = about(shop.a, "statement.closed", "beneficiary", f"company-{shop.a.company_id}")
    every = [data for kind, data in heard(shop.own) if kind == "statement.closed"]
    assert mine, every
    assert len(every) >= len(mine)
    for data in mine:
        assert company_id_of(data["beneficiary"]) == shop.a.company_id
        assert re.fullmatch(r"-?\d+(\.\d+)?", data["total"])
    assert [d for k, d in heard(shop.b) if k == "statement.closed"] == []
