"""The margin credit note of a customer-paid quote: the reseller sees it with its credit
notes, spends it at checkout like the others, and a refund of the customer's payment
takes back what is left; what was spent already is owed, on the invoices page, and
comes off again when the order that spent it is refunded or cancelled in turn."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from channelfront.extensions import db
from channelfront.orders.cancel import cancel_unpaid
from channelfront.orders.checkout import CheckoutRequest, submit
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order
from channelfront.payments import cards, refunds
from channelfront.payments.card import pay_order
from channelfront.quotes import margin
from channelfront.quotes.models import MarginClawback
from channelfront.statements import credit_notes
from channelfront.statements.models import CreditNoteUse
from tests.quotes.customer_paid import margin_note, only_margin_notes, paid_quote
from tests.quotes.world import BUYER, Shop

FINANCE = "finance@northwind.example"
BIG = [("SHD-ENT-1Y", 40)]  # a quote whose margin pays a small later order in full


def later_order(shop: Shop, sku: str, quantity: int, method: str = "on_account") -> Order:
    """The buyer's next order, credit notes applied."""
    buyer = shop.user(BUYER)
    request = CheckoutRequest(
        lines=[LineRequest(sku, quantity)],
        idempotency_key=uuid.uuid4().hex,
        payment_method=method,
        customer_id=None,
        new_customer=None,
        require_end_customer=False,
        apply_credit_notes=True,
    )
    order, created = submit(shop.tenant, buyer, shop.terms(), "en", request)
    assert created
    return db.session.get(Order, order.id)


def used(note_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(CreditNoteUse.amount_minor), 0)).where(
                CreditNoteUse.credit_note_id == note_id
            )
        )
    )


def signed_in(client_for, email: str, host: str = "northwind.localhost"):  # type: ignore[no-untyped-def]
    client = client_for(host)
    assert client.login(email).status_code == 302
    return client


def refund_as_finance(shop: Shop, order: Order) -> bool:
    """Refund the order in full as the distributor's finance staff (commits)."""
    db.session.expire_all()
    return refunds.refund_order(db.session.get(Order, order.id), shop.user(FINANCE))


def test_the_margin_note_is_listed_and_pays_part_of_a_later_order(
    shop: Shop, localstripe, client_for
) -> None:
    quote, order = paid_quote(shop, localstripe.client)
    note = margin_note(order)
    only_margin_notes(order.company_id)
    assert credit_notes.available(order.company_id, shop.tenant.id, "USD").minor == (
        note.amount_minor
    )

    admin = signed_in(client_for, "admin@bluebird.example")
    page = admin.get("/commissions").get_data(as_text=True)
    assert f'data-credit-note="{note.number}"' in page
    assert f"Margin on order {order.number}" in page

    later = later_order(shop, "SHD-ENT-1Y", 20)  # more than the margin
    assert later.total_minor > note.amount_minor
    assert later.credit_minor == note.amount_minor
    assert margin_note(order).remaining_minor == 0
    assert used(note.id) == note.amount_minor
    assert quote.resale_total_minor == order.total_minor + note.amount_minor


def test_a_spent_margin_is_owed_after_the_refund_once(shop: Shop, localstripe, client_for) -> None:
    _quote, order = paid_quote(shop, localstripe.client, BIG)
    note = margin_note(order)
    only_margin_notes(order.company_id)
    later = later_order(shop, "INS-PERP", 1)
    spent = later.credit_minor
    assert 0 < spent == later.total_minor < note.amount_minor

    assert refund_as_finance(shop, order)
    note = margin_note(order)
    assert note.remaining_minor == 0
    [owed] = db.session.scalars(
        select(MarginClawback).where(MarginClawback.order_id == order.id)
    ).all()
    assert (owed.amount_minor, owed.credit_note_id) == (spent, note.id)
    assert margin.owed(order.company_id, "USD").minor == spent
    assert used(note.id) == spent  # what was spent is owed, what was left is voided

    buyer = signed_in(client_for, BUYER)
    invoices = buyer.get("/invoices").get_data(as_text=True)
    assert "Margin to pay back: $" in invoices
    assert f'data-order="{order.number}"' in invoices
    assert f"{spent / 100:,.2f}" in invoices

    assert not refund_as_finance(shop, order)  # the second refund does nothing more
    assert margin.owed(order.company_id, "USD").minor == spent
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(MarginClawback)
            .where(MarginClawback.order_id == order.id)
        )
        == 1
    )
    assert margin_note(order).remaining_minor == 0

    # Bluebird's invoices on another storefront owe nothing.
    alpen = signed_in(client_for, BUYER, "alpenhandel.localhost")
    assert "Margin to pay back" not in alpen.get("/invoices").get_data(as_text=True)


def test_a_cancelled_order_gives_a_taken_back_margin_to_the_clawback(
    shop: Shop, localstripe, client_for
) -> None:
    _quote, order = paid_quote(shop, localstripe.client, BIG)
    note = margin_note(order)
    only_margin_notes(order.company_id)
    spender = later_order(shop, "SHD-ENT-1Y", 20, method="card")  # placed, not paid yet
    assert spender.status == "placed"
    spent = spender.credit_minor
    assert spent == note.amount_minor < spender.total_minor
    assert refund_as_finance(shop, order)
    assert margin.owed(order.company_id, "USD").minor == spent

    cancel_unpaid(db.session.get(Order, spender.id), shop.user(BUYER).id)
    db.session.commit()
    assert margin_note(order).remaining_minor == 0  # the taken-back note stays empty
    assert margin.owed(order.company_id, "USD").minor == 0
    assert credit_notes.available(order.company_id, shop.tenant.id, "USD").minor == 0
    buyer = signed_in(client_for, BUYER)
    assert "Margin to pay back" not in buyer.get("/invoices").get_data(as_text=True)


def test_a_refunded_order_gives_a_taken_back_margin_to_the_clawback(
    shop: Shop, localstripe
) -> None:
    _quote, order = paid_quote(shop, localstripe.client, BIG)
    note = margin_note(order)
    only_margin_notes(order.company_id)
    card = cards.add_card(order.company_id, cards.parse_card("4242424242424242", "12/39", "123"))
    spender = later_order(shop, "SHD-ENT-1Y", 20, method="card")
    assert spender.credit_minor == note.amount_minor < spender.total_minor
    pay_order(spender, card["id"], shop.user(BUYER))  # the card pays the rest
    assert refund_as_finance(shop, order)
    assert margin.owed(order.company_id, "USD").minor == note.amount_minor  # all spent

    assert refund_as_finance(shop, spender)
    assert margin_note(order).remaining_minor == 0
    assert margin.owed(order.company_id, "USD").minor == 0
    assert credit_notes.available(order.company_id, shop.tenant.id, "USD").minor == 0
    assert used(note.id) == 0  # taken, then given back: the note's history is whole
