"""From a checked API body to a placed order, through the same services as checkout.

Both payment methods go through ``orders.checkout.submit`` (one order per key). A
card order is checked first (card payments set up, the card one of the company's
saved cards), so a refusal writes nothing; then the order is placed and charged with
``payments.card.pay_order``. A decline leaves the order unpaid with its reason; a
charge that could not be made at all (Stripe out of reach) leaves it placed, unpaid.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app

from channelfront.accounts.models import User
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.orders.checkout import CheckoutRequest, end_customer_required, submit
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest
from channelfront.orders.models import Order, OrderStatus, PaymentMethod
from channelfront.payments import card
from channelfront.pricing.services import PartnerTerms
from channelfront.tenancy.models import Tenant


class CardsNotOffered(Exception):
    """This storefront takes no card payments (no Stripe key); nothing was written."""


class ChargeNotMade(Exception):
    """The order is placed, but its card charge could not be made; ``number`` names it."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(reason)
        self.number = number
        self.reason = reason


def checkout_request(data: dict[str, Any], key: str, tenant: Tenant) -> CheckoutRequest:
    """The checkout request a loaded ``OrderRequestSchema`` body stands for."""
    end = data.get("end_customer") or {}
    payment = data["payment"]
    new_customer = None
    if end.get("kind") == "new":
        new_customer = CustomerInput(
            company_name=end["company_name"],
            contact_name=end["contact_name"],
            email=end["email"],
            country=end["country"],
            vat_id=end.get("vat_id", ""),
        )
    return CheckoutRequest(
        lines=[LineRequest(line["sku"], line["quantity"], line["term"]) for line in data["lines"]],
        idempotency_key=key,
        payment_method=payment["method"],
        customer_id=end.get("id"),
        new_customer=new_customer,
        po_number=data["po_number"],
        note=data["note"],
        notify_end_customer=data["notify_end_customer"],
        card_payment_method=payment.get("payment_method"),
        require_end_customer=tenant.require_end_customer,
    )


def _check_card(company_id: int, payment_method_id: str) -> None:
    if not current_app.config.get("STRIPE_SECRET_KEY"):
        raise CardsNotOffered
    if payment_method_id not in {c["id"] for c in card.saved_cards(company_id)}:
        raise OrderInputError("payment_method", "Choose one of your company's saved cards.")


def place(
    tenant: Tenant, actor: User, terms: PartnerTerms, locale: str, request: CheckoutRequest
) -> tuple[Order, bool]:
    """Place (and for card, charge) the order; returns (order, created).

    Raises OrderInputError or CardsNotOffered before anything is written, and
    ChargeNotMade when a placed card order could not be charged.
    """
    # The reseller's program may override the storefront's end customer rule.
    request = replace(request, require_end_customer=end_customer_required(tenant, terms))
    is_card = request.payment_method == PaymentMethod.CARD
    if is_card:
        _check_card(terms.enrollment.company_id, str(request.card_payment_method))
    order, created = submit(tenant, actor, terms, locale, request)
    if not (created and is_card) or order.status == OrderStatus.AWAITING_APPROVAL:
        return order, created  # a waiting order is charged after its last approval
    number = order.number
    try:
        card.pay_order(order, str(request.card_payment_method), actor)
    except card.PaymentUnavailable as exc:
        db.session.rollback()
        raise ChargeNotMade(number, "Stripe could not be reached.") from exc
    except OrderInputError as exc:  # the card was removed between the check and the charge
        db.session.rollback()
        raise ChargeNotMade(number, exc.message) from exc
    return order, True
