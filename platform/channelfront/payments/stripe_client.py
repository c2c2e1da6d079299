"""The one Stripe client of the app, built from its configuration.

``STRIPE_API_BASE`` is set only when the app talks to a local stand-in (localstripe
in tests and ``make run``): that is the "test mode" the pages label, and the only
mode in which our own server may see a card number.
"""

from __future__ import annotations

import stripe
from flask import current_app

LOCAL_TEST_CARD = "4242 4242 4242 4242"


class PaymentUnavailable(RuntimeError):
    """Card payments are not configured, or Stripe cannot be reached right now."""


def configured() -> bool:
    """True when a Stripe secret key is set."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def local_mode() -> bool:
    """True when Stripe calls go to a local stand-in instead of api.stripe.com."""
    return configured() and bool(current_app.config.get("STRIPE_API_BASE"))


def elements_mode() -> bool:
    """True when cards are entered in Stripe's own form (a real publishable key)."""
    return (
        configured() and not local_mode() and bool(current_app.config.get("STRIPE_PUBLISHABLE_KEY"))
    )


def payment_method_types() -> list[str]:
    raw = current_app.config.get("STRIPE_PAYMENT_METHOD_TYPES") or "card"
    types = raw.split(",") if isinstance(raw, str) else list(raw)
    return [t.strip() for t in types if t.strip()]


def client() -> stripe.StripeClient:
    """The SDK client for the configured key and API base; PaymentUnavailable without a key."""
    key = current_app.config.get("STRIPE_SECRET_KEY") or ""
    if not key:
        raise PaymentUnavailable("STRIPE_SECRET_KEY is not set")
    base = current_app.config.get("STRIPE_API_BASE") or ""
    cache = current_app.extensions.setdefault("stripe_clients", {})
    if (key, base) not in cache:
        # Retries stay with us: a retried charge must reuse its idempotency key, which
        # the SDK does; but localstripe ignores keys, so no silent network retries.
        options: dict = {"max_network_retries": 0 if base else 2}
        if base:
            options["base_addresses"] = {"api": base}
        cache[(key, base)] = stripe.StripeClient(key, **options)
    return cache[(key, base)]
