"""The event types an endpoint can subscribe to."""

from __future__ import annotations

EVENT_TYPES: tuple[str, ...] = (
    "order.placed",
    "order.awaiting_approval",
    "order.approved",
    "order.fulfilled",
    "order.cancelled",
    "order.refunded",
    "license.issued",
    "invoice.issued",
    "invoice.paid",
    "quote.sent",
    "quote.accepted",
    "quote.paid",
    "deal.approved",
    "deal.declined",
    "subscription.renewal_due",
    "subscription.renewed",
    "statement.closed",
)
#: Sent by "Send test event"; no business event has this type.
TEST_EVENT = "webhook.test"
