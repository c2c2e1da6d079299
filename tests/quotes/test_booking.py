"""A quote the end customer paid is booked to the reseller at its buy prices, and the
margin becomes a credit note: customer paid = order total at buy price + margin credit."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.orders.models import OrderStatus
from channelfront.quotes import booking, margin
from channelfront.quotes.models import QuoteStatus
from channelfront.statements.models import CreditNote
from tests.quotes.world import Shop, make_quote


def test_paid_quote_books_order_at_buy_price_and_credits_margin(shop: Shop) -> None:
    quote = make_quote(
        shop,
        [("SHD-STD-1Y", 3)],
        status=QuoteStatus.SENT,
        pricing_mode="markup",
        pricing_percent="20",
    )
    line = quote.lines[0]
    assert line.resale_unit_minor == round(line.buy_unit_minor * 1.2)
    order = booking.book(quote, "pi_test_1", quote.resale_total_minor)
    db.session.commit()
    assert order.payment_method == "end_customer_card"
    assert order.status == OrderStatus.PAID
    assert order.total_minor == line.buy_unit_minor * 3
    assert quote.status == QuoteStatus.PAID
    assert quote.order_id == order.id
    note = db.session.scalar(select(CreditNote).where(CreditNote.order_id == order.id))
    assert note is not None
    assert note.amount_minor + order.total_minor == quote.resale_total_minor
    assert margin.note_of(order) is note
