"""Paying an order or an invoice by card: the interface pages and the API call.

Stripe through the official SDK: a Stripe customer per company per tenant holds the
company's saved cards, so every buyer of the company can use them.
"""

from __future__ import annotations

from channelfront.accounts.models import User
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order
from channelfront.payments import cards, charges, invoice_charges
from channelfront.payments.errors import CardDeclined, PaymentInputError, PaymentUnavailable
from channelfront.payments.stripe_client import configured

__all__ = [
    "CardDeclined",
    "PaymentInputError",
    "PaymentUnavailable",
    "check_card",
    "pay_invoice",
    "pay_order",
    "saved_cards",
]


def pay_order(order: Order, payment_method_id: str, actor: User) -> None:
    """Charge the order's total to a saved card of the company (commits).

    Success: the order is paid and queued for fulfilment. A decline: status
    ``payment_failed`` with the reason in ``order.payment_error``; nothing else changes.
    A card the company does not own raises PaymentInputError (field ``payment_method``);
    Stripe out of reach raises PaymentUnavailable and leaves the order as it was.
    """
    charges.pay_order(order, payment_method_id, actor)


def check_card(company_id: int, payment_method_id: object, field: str) -> None:
    """Refuse a card that is not one of the company's saved cards, before anything is written.

    Raises PaymentInputError naming `field`. Without Stripe set up, or with Stripe out of
    reach, there is nothing to check against: the charge that follows the order says so.
    """
    if not configured():
        return
    try:
        cards.find_card(company_id, payment_method_id, field)
    except PaymentUnavailable:
        return


def pay_invoice(invoice: Invoice, order: Order, payment_method_id: str, actor: User) -> None:
    """Charge an open invoice to a saved card of the company and mark it paid (commits).

    A decline raises CardDeclined (its ``reason`` is for the buyer); the invoice stays open.
    """
    invoice_charges.pay_invoice(invoice, order, payment_method_id, actor)


def saved_cards(company_id: int) -> list[dict[str, str]]:
    """The company's saved cards: ``[{"id", "brand", "last4", "exp"}]``; empty without Stripe."""
    try:
        return cards.saved_cards(company_id)
    except PaymentUnavailable:
        return []
