"""A refund of the order a quote became, as the quote sees it.

The order side (its status, licenses, incentive lines, the margin note) reacts to
``order_refunded`` where it lives; here the quote's timeline gets a "refunded" entry and
the end customer's payment row reads refunded, so the reseller sees what happened.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from channelfront.extensions import db
from channelfront.orders.models import Order, OrderStatus
from channelfront.quotes import services
from channelfront.quotes.models import PaymentState, Quote, QuoteEvent, QuotePayment


def on_refunded(order: Order, **_extra: object) -> QuoteEvent | None:
    """Record the refund of a quote's order on the quote, once (no commit)."""
    quote = db.session.scalar(select(Quote).where(Quote.order_id == order.id))
    if quote is None:
        return None
    if any(e.kind == "refunded" and e.data.get("order") == order.number for e in quote.events):
        return None
    refund = next((e for e in reversed(order.events) if e.kind == OrderStatus.REFUNDED), None)
    data = refund.data if refund is not None else {}
    if order.payment_intent_id:
        db.session.execute(
            update(QuotePayment)
            .where(
                QuotePayment.quote_id == quote.id,
                QuotePayment.payment_intent_id == order.payment_intent_id,
            )
            .values(state=PaymentState.REFUNDED.value, updated_at=datetime.now(UTC))
            .execution_options(synchronize_session="fetch")
        )
    return services.record(
        quote,
        "refunded",
        actor_id=refund.actor_id if refund is not None else None,
        note=refund.note if refund is not None else None,
        data={
            "order": order.number,
            "amount_minor": data.get("amount_minor"),
            "currency": order.currency,
        },
    )
