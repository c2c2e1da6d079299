"""A quote its end customer paid, for refund tests: a real PaymentIntent confirmed on
localstripe for the resale total, then the order booked and fulfilled (its licenses,
invoice and incentive lines written) as the customer's payment would do it."""

from __future__ import annotations

import stripe
from sqlalchemy import select, update

from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.outbox.services import commit_and_dispatch
from channelfront.quotes import booking
from channelfront.quotes.models import Quote, QuoteStatus
from channelfront.statements.models import CreditNote
from tests.quotes.world import Shop, make_quote


def charge(client: stripe.StripeClient, amount_minor: int, currency: str) -> str:
    """A succeeded PaymentIntent of ``amount_minor`` paid with the test card 4242."""
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
    assert intent.status == "succeeded", intent.status
    return intent.id


def paid_quote(
    shop: Shop,
    client: stripe.StripeClient,
    lines: list[tuple] | None = None,
    markup: str = "20",
    **fields: object,
) -> tuple[Quote, Order]:
    """A sent quote at ``markup`` percent over buy, paid by its end customer and fulfilled."""
    quote = make_quote(
        shop,
        lines or [("SHD-STD-1Y", 3), ("INS-PERP", 1)],
        status=QuoteStatus.SENT,
        pricing_mode="markup",
        pricing_percent=markup,
        **fields,
    )
    intent = charge(client, quote.resale_total_minor, quote.currency)
    order = booking.book(quote, intent, quote.resale_total_minor)
    commit_and_dispatch()  # the fulfilment runs here (tests deliver the outbox inline)
    return quote, db.session.get(Order, order.id)


def only_margin_notes(company_id: int) -> None:
    """Empty the company's statement credit notes on this storefront (the test's rollback
    brings them back), so a checkout's notes are the quote margins alone."""
    db.session.execute(
        update(CreditNote)
        .where(CreditNote.company_id == company_id, CreditNote.order_id.is_(None))
        .values(remaining_minor=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def margin_note(order: Order) -> CreditNote:
    note = db.session.scalar(select(CreditNote).where(CreditNote.order_id == order.id))
    assert note is not None
    db.session.refresh(note)
    return note
