"""An order's timeline: every status change and party update is an event."""

from __future__ import annotations

from typing import Any

from channelfront.orders.models import Order, OrderEvent, OrderStatus
from channelfront.orders.signals import order_event_recorded

STATUS_EVENTS = {status.value for status in OrderStatus}


def record(
    order: Order,
    kind: str,
    *,
    actor_id: int | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    """Append an event; a status event also moves the order to that status."""
    event = OrderEvent(
        tenant_id=order.tenant_id, kind=kind, actor_id=actor_id, note=note, data=data or {}
    )
    order.events.append(event)
    if kind in STATUS_EVENTS:
        order.status = kind
    order_event_recorded.send(order, event=event)
    return event
