"""Errors of card payments that pages and the API show to the buyer."""

from __future__ import annotations

from channelfront.orders.errors import OrderInputError
from channelfront.payments.stripe_client import PaymentUnavailable

__all__ = ["CardDeclined", "PaymentInputError", "PaymentUnavailable"]


class PaymentInputError(OrderInputError):
    """Card input refused before anything was charged or saved; ``field`` names it."""


class CardDeclined(RuntimeError):
    """The card was declined; ``reason`` is the message to show the buyer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
