"""Topic name to handler. Features register their handlers here at import time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[int, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Decorator: ``@handles("order.fulfil")`` on ``def fulfil(tenant_id, payload)``."""

    def register(handler: Handler) -> Handler:
        HANDLERS[topic] = handler
        return handler

    return register
