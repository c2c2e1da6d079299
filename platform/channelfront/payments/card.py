"""Paying an order or an invoice by card: the interface pages call.

Implemented by the payments feature (Stripe through the official SDK). Until then
every call answers PaymentUnavailable, which pages show as "card payments are not
available", so the on-account flow works on its own.
"""

from __future__ import annotations

from channelfront.accounts.models import User
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order


class PaymentUnavailable(RuntimeError):
    """Card payments are not configured."""


def pay_order(order: Order, payment_method_id: str, actor: User) -> None:
    """Charge the order's total to a saved card of the company (commits).

    Success: the order is paid and queued for fulfilment. A decline: status
    ``payment_failed`` with the reason in ``order.payment_error``; nothing else changes.
    """
    raise PaymentUnavailable


def pay_invoice(invoice: Invoice, order: Order, payment_method_id: str, actor: User) -> None:
    """Charge an open invoice to a saved card of the company and mark it paid (commits)."""
    raise PaymentUnavailable


def saved_cards(company_id: int) -> list[dict[str, str]]:
    """The company's saved cards: ``[{"id", "brand", "last4", "exp"}]``; empty without Stripe."""
    return []
