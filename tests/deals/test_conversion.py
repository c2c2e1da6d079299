"""A deal becomes a quote and then an order: registered through the API, approved by the
partner manager, quoted from the deal page, ordered on account (or paid by the end
customer). The deal and the CRM ids are on the quote, the order, their pages, the API and
the CSV export, and the deal is won; a cancelled or refunded order opens it again."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from channelfront.deals import services as deal_services
from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.outbox.services import commit_and_dispatch
from channelfront.quotes import booking
from channelfront.quotes import services as quote_services
from channelfront.quotes.models import Quote, QuoteStatus
from tests.deals.conftest import post_form, the_deal
from tests.quotes.customer_paid import charge

BUYER = "buyer@bluebird.example"
CRM = {"external_id": "CRM-DEAL-1", "crm_account_id": "ACC-1", "crm_opportunity_id": "OPP-1"}
ORDER_HIDDEN = re.compile(
    r'name="(csrf_token|idempotency_key|cart_digest|quote_number)" value="([^"]*)"'
)


def quote_from_deal(client, deal: dict) -> str:
    """The buyer opens "Create quote" on the deal page and saves the form as it comes."""
    page = client.get(f"/deals/{deal['number']}").get_data(as_text=True)
    link = f"/quotes/new?from=deal&amp;number={deal['number']}"
    assert link in page
    form = client.get(f"/quotes/new?from=deal&number={deal['number']}")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert f'name="deal" value="{deal["number"]}"' in text
    assert f'<option value="{deal["end_customer"]["id"]}" selected>' in text
    saved = post_form(
        client,
        "/quotes/new",
        {
            "deal": deal["number"],
            "end_customer_choice": "existing",
            "customer_id": str(deal["end_customer"]["id"]),
            "lines[0].sku": deal["lines"][0]["sku"],
            "lines[0].quantity": str(deal["lines"][0]["quantity"]),
            "pricing_mode": "markup",
            "pricing_percent": "10",
            "language": "en",
        },
        "/quotes",
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    return saved.headers["Location"].rsplit("/", 1)[1]


def quote_by_services(deal: dict) -> Quote:
    """The deal's quote made as the quote page makes it, in this test's context."""
    from flask import g

    from channelfront.accounts.models import User
    from channelfront.deals import conversion
    from channelfront.pricing.services import load_terms
    from channelfront.quotes.services import QuoteInput, QuoteLineInput
    from channelfront.tenancy.models import Tenant

    buyer = db.session.scalars(select(User).where(User.email == BUYER)).one()
    terms = load_terms(buyer.company_id)
    assert terms is not None
    data = QuoteInput(
        lines=[QuoteLineInput(line["sku"], line["quantity"]) for line in deal["lines"]],
        customer_id=deal["end_customer"]["id"],
        pricing_mode="markup",
        pricing_percent="10",
    )
    tenant = db.session.get(Tenant, g.tenant.id)
    quote = quote_services.create(tenant, buyer, terms, data)
    conversion.attach(quote, buyer.company_id, deal["number"])
    db.session.commit()
    return quote


def accept(number: str) -> Quote:
    quote = db.session.scalars(select(Quote).where(Quote.number == number)).one()
    assert quote_services.move(quote, (QuoteStatus.DRAFT.value,), QuoteStatus.SENT)
    assert quote_services.move(quote, (QuoteStatus.SENT.value,), QuoteStatus.ACCEPTED)
    db.session.commit()
    return quote


def order_quote_on_account(client, quote: Quote) -> str:
    moved = post_form(client, f"/quotes/{quote.number}/order", {"replace_cart": "1"}, "/quotes")
    assert moved.status_code == 303, moved.get_data(as_text=True)
    page = client.get("/checkout").get_data(as_text=True)
    placed = client.post(
        "/checkout",
        data={
            **dict(ORDER_HIDDEN.findall(page)),
            "end_customer_choice": "existing",
            "customer_id": str(quote.customer_id),
            "payment_method": "on_account",
        },
    )
    assert placed.status_code == 303, placed.get_data(as_text=True)
    return placed.headers["Location"].rsplit("/", 1)[1]


def assert_crm_ids(row: Order | Quote, deal_id: int) -> None:
    assert row.deal_id == deal_id
    assert (row.crm_deal_id, row.crm_account_id, row.crm_opportunity_id) == (
        "CRM-DEAL-1",
        "ACC-1",
        "OPP-1",
    )


def assert_api_crm(data: dict, deal: dict) -> None:
    assert data["deal"] == {"id": deal["id"], "number": deal["number"], "external_id": "CRM-DEAL-1"}
    assert "crm_deal_id" not in data  # the deal's external_id says it
    assert data["crm_account_id"] == "ACC-1"
    assert data["crm_opportunity_id"] == "OPP-1"


def test_deal_to_quote_to_order_on_account(
    approved_deal, bluebird_buyer, token_for, call, on_northwind, inbox
) -> None:
    deal = approved_deal()
    quote_number = quote_from_deal(bluebird_buyer, deal)
    quote = accept(quote_number)
    assert_crm_ids(quote, deal["id"])
    assert the_deal(deal["id"]).quote_id == quote.id

    order_number = order_quote_on_account(bluebird_buyer, quote)
    order = db.session.scalars(select(Order).where(Order.number == order_number)).one()
    assert_crm_ids(order, deal["id"])
    won = the_deal(deal["id"])
    assert (won.status, won.order_id, won.quote_id) == ("won", order.id, quote.id)
    assert [e.kind for e in won.events][-1] == "won"
    subjects = [m["Subject"] for m in inbox.to(BUYER)]
    assert f"Deal {deal['number']} is approved" in subjects
    assert f"Deal {deal['number']} is won" not in subjects  # the buyer ordered it themselves

    for path in (f"/quotes/{quote_number}", f"/orders/{order_number}"):
        page = bluebird_buyer.get(path).get_data(as_text=True)
        assert "deal CRM-DEAL-1" in page, path
        assert "account ACC-1" in page
        assert "opportunity OPP-1" in page

    token = token_for(BUYER)
    assert_api_crm(call("GET", f"/orders/{order_number}", token).get_json(), deal)
    assert_api_crm(call("GET", f"/quotes/{quote_number}", token).get_json(), deal)
    read = call("GET", f"/deals/{deal['id']}", token).get_json()
    assert (read["status"], read["quote"], read["order"]) == ("won", quote_number, order_number)

    export = bluebird_buyer.get("/orders.csv", buffered=True)
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    [row] = [r for r in rows if order_number in r.values()]
    assert {"CRM-DEAL-1", "ACC-1", "OPP-1"} <= set(row.values())


def paid_by_customer(deal: dict, localstripe) -> Order:
    """The deal's quote, sent and paid by its end customer (a real localstripe charge)."""
    quote = quote_by_services(deal)
    assert quote_services.move(quote, (QuoteStatus.DRAFT.value,), QuoteStatus.SENT)
    db.session.commit()
    intent = charge(localstripe.client, quote.resale_total_minor, quote.currency)
    order = booking.book(quote, intent, quote.resale_total_minor)
    commit_and_dispatch()
    row = db.session.get(Order, order.id)
    assert row is not None
    return row


def test_the_end_customer_paying_the_deals_quote_wins_it(
    approved_deal, on_northwind, localstripe
) -> None:
    deal = approved_deal()
    order = paid_by_customer(deal, localstripe)
    assert_crm_ids(order, deal["id"])
    won = the_deal(deal["id"])
    assert (won.status, won.order_id) == ("won", order.id)
    assert won.events[-1].actor_id is None  # the customer paid, not a user


def test_a_refunded_order_opens_the_deal_again(approved_deal, on_northwind, localstripe) -> None:
    from channelfront.accounts.models import User
    from channelfront.payments.refunds import refund_order

    deal = approved_deal()
    order = paid_by_customer(deal, localstripe)
    admin = db.session.scalars(select(User).where(User.email == BUYER)).one()
    assert refund_order(order, admin, "Customer changed its mind")
    commit_and_dispatch()
    reopened = the_deal(deal["id"])
    assert (reopened.status, reopened.order_id) == ("approved", None)
    assert reopened.events[-1].kind == "reopened"
    assert reopened.protected_until is not None


def test_a_cancelled_order_after_the_protection_expires_the_deal(
    approved_deal, on_northwind, localstripe, inbox
) -> None:
    from channelfront.orders.cancel import cancel_unpaid
    from channelfront.orders.models import OrderStatus

    deal = approved_deal()
    order = paid_by_customer(deal, localstripe)
    row = the_deal(deal["id"])
    row.protected_until = deal_services.today() - timedelta(days=1)
    # An unpaid card order is what can be cancelled; this one stands in for it.
    order.status = OrderStatus.PLACED.value
    db.session.commit()
    cancel_unpaid(order, order.buyer_id)
    commit_and_dispatch()
    expired = the_deal(deal["id"])
    assert (expired.status, expired.order_id) == ("expired", None)
    assert f"Deal {deal['number']} has expired" in [m["Subject"] for m in inbox.to(BUYER)]


def test_a_quote_only_from_an_approved_protected_deal(
    token_for, call, bluebird_buyer, on_northwind
) -> None:
    from tests.deals.conftest import deal_body

    pending = call("POST", "/deals", token_for(BUYER), json=deal_body()).get_json()
    start = bluebird_buyer.get(f"/quotes/new?from=deal&number={pending['number']}")
    assert start.status_code == 404
    page = bluebird_buyer.get(f"/deals/{pending['number']}").get_data(as_text=True)
    assert "create-quote" not in page
