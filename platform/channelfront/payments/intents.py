"""Stripe PaymentIntents for a saved card: create, look back, cancel, explain."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from flask_babel import gettext as _

from channelfront.orders.models import Order
from channelfront.payments import claims
from channelfront.payments.errors import PaymentUnavailable
from channelfront.payments.stripe_client import client, payment_method_types

log = logging.getLogger(__name__)
UNREACHABLE = (
    stripe.APIConnectionError,
    stripe.AuthenticationError,
    stripe.PermissionError,
    stripe.RateLimitError,
    stripe.APIError,
)


def intent_id_of(exc: stripe.StripeError) -> str | None:
    intent = getattr(getattr(exc, "error", None), "payment_intent", None)
    if intent is None:
        return None
    return intent if isinstance(intent, str) else getattr(intent, "id", None)


def create(
    customer_id: str, card: dict[str, str], amount: int, currency: str, metadata: dict, key: str
) -> Any:
    return client().v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency.lower(),
            "customer": customer_id,
            "payment_method": card["id"],
            "payment_method_types": payment_method_types(),
            "confirm": True,
            "metadata": metadata,
        },
        options={"idempotency_key": key},
    )


def retrieve(intent_id: str) -> Any | None:
    try:
        return client().v1.payment_intents.retrieve(intent_id)
    except stripe.InvalidRequestError:
        return None
    except stripe.StripeError as exc:
        raise PaymentUnavailable(str(exc)) from exc


def cancel_quietly(intent_id: str) -> None:
    try:
        client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError as exc:
        log.warning("could not cancel payment intent %s: %s", intent_id, exc)


def earlier(order: Order, metadata: dict[str, str], amount: int, currency: str) -> Any | None:
    """The last charge of this payment when it went through (or still runs) after all.

    Asked before a retry: a success the page never heard of (a lost response, a webhook
    not yet arrived) must settle the order rather than charge the card a second time.
    """
    if not claims.is_intent(order.payment_intent_id):
        return None
    intent = retrieve(str(order.payment_intent_id))
    if intent is None or intent.status not in ("succeeded", "processing"):
        return None
    meta = intent.metadata.to_dict() if intent.metadata else {}
    same = (
        all(meta.get(k) == v for k, v in metadata.items())
        and int(intent.amount) == amount
        and str(intent.currency).lower() == currency.lower()
    )
    return intent if same else None


def unfinished_reason(status: str) -> str:
    if status == "requires_action":
        return _(
            "The card issuer asks for authentication, which checkout cannot do yet. "
            "Please use another card."
        )
    return _("The card payment did not complete. Please try again or use another card.")


def refund_quietly(intent_id: str) -> None:
    try:
        client().v1.refunds.create(
            params={"payment_intent": intent_id},
            options={"idempotency_key": f"channelfront-refund-{intent_id}"},
        )
    except stripe.StripeError as exc:
        log.error("could not refund payment intent %s: %s", intent_id, exc)
