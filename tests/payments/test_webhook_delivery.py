"""End to end: localstripe signs and delivers its own webhook to the app served over HTTP."""

import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from channelfront.extensions import db
from channelfront.orders.models import Order
from channelfront.payments.charges import order_metadata
from channelfront.payments.customers import find_customer
from channelfront.payments.devstripe import free_port
from tests.payments.conftest import save_card
from tests.stripe_fixtures import WEBHOOK_SECRET

pytestmark = pytest.mark.slow


class Served:
    """The app on a loopback port behind a proxy that sets the storefront's Host.

    One lock serialises the server's requests with the test's own reads: both use the
    test's single database connection.
    """

    def __init__(self, app, host: str) -> None:
        self.lock = threading.Lock()
        self.port = free_port()

        def proxied(environ, start_response):  # type: ignore[no-untyped-def]
            environ["HTTP_HOST"] = host
            with self.lock:
                return list(app(environ, start_response))

        self.server = make_server("127.0.0.1", self.port, proxied)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Served":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def configure_webhook(localstripe, url: str, events: list[str]) -> None:
    body = urllib.parse.urlencode(
        {"url": url, "secret": WEBHOOK_SECRET, **{f"events[{i}]": e for i, e in enumerate(events)}}
    ).encode()
    request = urllib.request.Request(f"{localstripe.url}/_config/webhooks/tests", data=body)  # noqa: S310
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass


@pytest.fixture
def served(app, localstripe) -> Iterator[Served]:
    with Served(app, "northwind.localhost") as served:
        configure_webhook(
            localstripe,
            f"http://127.0.0.1:{served.port}/webhooks/stripe",
            ["payment_intent.succeeded"],
        )
        try:
            yield served
        finally:
            # Later tests must not post to this closed port.
            configure_webhook(localstripe, "http://127.0.0.1:9/", ["none.none"])


def test_localstripe_delivers_a_signed_success_that_pays_the_order(
    northwind_shop, card_order, localstripe, served
):
    with served.lock:
        card = save_card(northwind_shop)
        order = card_order(northwind_shop)
        customer = find_customer(northwind_shop.terms.enrollment.company_id)
        metadata = order_metadata(order)
    # Paid at Stripe; our page never heard back. Only the webhook can tell.
    localstripe.client.v1.payment_intents.create(
        params={
            "amount": order.total_minor,
            "currency": "usd",
            "customer": customer,
            "payment_method": card["id"],
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": metadata,
        }
    )
    deadline = time.monotonic() + 15
    status = "placed"
    while time.monotonic() < deadline and status != "invoiced":
        time.sleep(0.2)
        with served.lock:
            db.session.expire_all()
            status = db.session.get(Order, order.id).status
    assert status == "invoiced"
