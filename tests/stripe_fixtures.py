"""pytest plugin: localstripe on loopback for tests that pay by card.

One localstripe per test session, started in a child process on a free port of
127.0.0.1 (never on every interface) with its state in memory only, so parallel
sessions on one machine do not share localstripe's fixed /tmp file. The
``localstripe`` fixture wipes its data before each test and points the app at it.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import stripe
from flask import Flask

from channelfront.payments import devstripe

WEBHOOK_SECRET = "whsec_test_channelfront"
STRIPE_KEYS = ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")


@dataclass
class LocalStripe:
    url: str
    client: stripe.StripeClient

    def wipe(self) -> None:
        # Our own loopback URL: http only.
        request = urllib.request.Request(f"{self.url}/_config/data", method="DELETE")  # noqa: S310
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass

    def count(self, resource: str) -> int:
        """How many objects of a kind localstripe holds (``payment_intents``, ``refunds``)."""
        return len(getattr(self.client.v1, resource).list(params={"limit": 100}).data)

    def intents(self) -> list:
        return list(self.client.v1.payment_intents.list(params={"limit": 100}).data)

    def signed(self, event: dict, secret: str = WEBHOOK_SECRET, at: int | None = None):
        """A webhook body and its Stripe-Signature header, as Stripe would send them."""
        payload = json.dumps(event)
        stamp = int(time.time()) if at is None else at
        signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", secret)
        return payload, f"t={stamp},v1={signature}"


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[str]:
    port = devstripe.free_port()
    process = devstripe.start(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def localstripe(app: Flask, localstripe_server: str) -> Iterator[LocalStripe]:
    """Card payments against a wiped localstripe for this test; the app's keys restored after."""
    saved = {key: app.config.get(key) for key in STRIPE_KEYS}
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_channelfront",
        STRIPE_API_BASE=localstripe_server,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    client = stripe.StripeClient(
        "sk_test_channelfront",
        base_addresses={"api": localstripe_server},
        max_network_retries=0,
    )
    server = LocalStripe(localstripe_server, client)
    server.wipe()
    try:
        yield server
    finally:
        app.config.update(saved)
