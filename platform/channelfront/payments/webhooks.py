"""POST /webhooks/stripe: Stripe's signed events, checked with the SDK, applied once.

A forged, tampered or stale (over five minutes old) delivery is refused with 400 and
logged; a replay of an event already applied is acknowledged and changes nothing.
"""

from __future__ import annotations

import logging

import stripe
from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from channelfront.extensions import csrf, db
from channelfront.payments.webhook_events import apply

log = logging.getLogger(__name__)
bp = Blueprint("stripe_webhooks", __name__)
csrf.exempt(bp)  # Stripe signs its requests; it cannot hold a CSRF token
TOLERANCE_SECONDS = 300


def _refuse(message: str) -> ResponseReturnValue:
    return jsonify({"error": {"status": 400, "message": message}}), 400


@bp.post("/webhooks/stripe")
def receive() -> ResponseReturnValue:
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if not secret:
        log.warning("Stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set")
        return _refuse("Webhooks are not configured.")
    try:
        event = stripe.Webhook.construct_event(
            request.get_data(),
            request.headers.get("Stripe-Signature", ""),
            secret,
            tolerance=TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        log.warning("Stripe webhook with a bad signature from %s: %s", request.remote_addr, exc)
        return _refuse("The signature does not match.")
    except ValueError:
        log.warning("Stripe webhook with an unreadable body from %s", request.remote_addr)
        return _refuse("The body is not a Stripe event.")
    try:
        outcome = apply(event)
    except stripe.StripeError as exc:
        db.session.rollback()
        # Stripe retries a delivery answered with 5xx: the event is applied later.
        log.warning("Stripe event %s not applied yet: %s", getattr(event, "id", "?"), exc)
        return jsonify({"error": {"status": 503, "message": "Try again later."}}), 503
    return jsonify({"received": True, "outcome": outcome})
