"""Plain values for audit events: money as minor units with its currency."""

from __future__ import annotations

from typing import Any


def money(minor: int | None, currency: str) -> dict[str, Any] | None:
    """An amount as an event keeps it: ``{"minor": 500000, "currency": "USD"}``."""
    if minor is None:
        return None
    return {"minor": int(minor), "currency": currency}


def is_money(value: object) -> bool:
    """True for a value :func:`money` made."""
    return isinstance(value, dict) and set(value) == {"minor", "currency"}
