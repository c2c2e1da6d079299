"""A quote the end customer paid is booked to the reseller at its buy prices, and the
margin becomes a credit note: customer paid = order total at buy price + margin credit."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.orders.models import OrderStatus
from channelfront.outbox.services import commit_and_dispatch
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


def test_the_end_customer_gets_the_license_keys_in_the_quotes_language(
    shop: Shop, inbox, translated
) -> None:
    quote = make_quote(
        shop, [("SHD-STD-1Y", 1)], status=QuoteStatus.SENT, language="es", license_to_customer=True
    )
    order = booking.book(quote, "pi_test_es", quote.resale_total_minor)
    commit_and_dispatch()
    [mail] = inbox.to("it@acme.example")
    assert mail["Subject"] == translated(
        "es", "Your licenses from %(reseller)s", reseller="Bluebird IT"
    )
    assert mail["Subject"] != "Your licenses from Bluebird IT"
    keys = db.session.scalars(select(License.key).where(License.order_id == order.id)).all()
    assert keys
    assert all(key in mail.get_content() for key in keys)
    # The buyer's own mail stays in the buyer's language.
    assert inbox.to("buyer@bluebird.example")
