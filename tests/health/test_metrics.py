"""``/metrics``: requests by endpoint and status, orders placed, fulfilment latency,
webhook deliveries, the outbox backlog; only for loopback callers or METRICS_TOKEN.

Counters live for the whole test process, so each test compares before and after."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.api.tokens import issue_token
from channelfront.customers.services import CustomerInput
from channelfront.extensions import db
from channelfront.orders.checkout import CheckoutRequest, place_order
from channelfront.orders.lines import LineRequest
from channelfront.outbox.models import OutboxMessage
from channelfront.pricing.services import load_terms
from channelfront.tenancy.middleware import resolve_tenant
from channelfront.tenancy.models import Tenant

NW = "northwind.localhost"
PLACED = "channelfront_orders_placed_total"
FULFILMENT = "channelfront_order_fulfilment_seconds_count"
ON_ACCOUNT_NW = (("payment_method", "on_account"), ("tenant", "northwind"))
ORDER = {
    "lines": [{"sku": "SHD-STD-1Y", "quantity": 1}],
    "end_customer": {
        "company_name": "Acme Corp",
        "contact_name": "Ada Acme",
        "email": "ada@acme.example",
        "country": "US",
    },
    "payment": {"method": "on_account"},
}


def token(app, email: str, slug: str = "northwind") -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        raw = issue_token(user, tenant.id)
        db.session.commit()
        return raw


def api(app, raw: str, method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    client = FlaskClient(app, app.response_class, use_cookies=False)
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": uuid.uuid4().hex}
    return client.open(
        f"/api/v1{path}", method=method, json=body, base_url=f"http://{NW}", headers=headers
    )


def test_a_request_is_counted_by_endpoint_and_status_with_its_latency(northwind, scrape):
    before = scrape()
    assert northwind.get("/healthz/live").status_code == 200
    assert northwind.get("/cart/no-such-page").status_code == 404
    after = scrape()
    live = (("endpoint", "health.live"), ("method", "GET"), ("status", "200"))
    assert after[("channelfront_http_requests_total", live)] == (
        before.get(("channelfront_http_requests_total", live), 0) + 1
    )
    timing = ("channelfront_http_request_duration_seconds_count", live[:2])
    assert after[timing] == before.get(timing, 0) + 1
    unmatched = (("endpoint", "unmatched"), ("method", "GET"), ("status", "404"))
    assert after[("channelfront_http_requests_total", unmatched)] >= 1
    assert not any("no-such-page" in str(key) for key in after), "paths never become labels"


def test_an_order_placed_is_counted_and_its_fulfilment_timed(app, scrape):
    before = scrape()
    placed = api(app, token(app, "buyer@bluebird.example"), "POST", "/orders", ORDER)
    assert placed.status_code == 201, placed.get_data(as_text=True)
    assert placed.json["status"] == "invoiced"  # no broker: fulfilled in-process
    after = scrape()
    assert after[(PLACED, ON_ACCOUNT_NW)] == before.get((PLACED, ON_ACCOUNT_NW), 0) + 1
    northwind = (("tenant", "northwind"),)
    assert after[(FULFILMENT, northwind)] == before.get((FULFILMENT, northwind), 0) + 1
    within_a_minute = (("le", "60.0"), ("tenant", "northwind"))
    bucket = "channelfront_order_fulfilment_seconds_bucket"
    assert after[(bucket, within_a_minute)] == before.get((bucket, within_a_minute), 0) + 1
    created = (("endpoint", "api.create_order"), ("method", "POST"), ("status", "201"))
    assert after[("channelfront_http_requests_total", created)] >= 1


def test_an_order_rolled_back_was_never_placed(app, ctx, scrape):
    before = scrape().get((PLACED, ON_ACCOUNT_NW), 0)
    with app.test_request_context("/", base_url=f"http://{NW}"):
        resolve_tenant()
        buyer = db.session.scalar(select(User).where(User.email == "buyer@bluebird.example"))
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
        request = CheckoutRequest(
            lines=[LineRequest("SHD-STD-1Y", 1)],
            idempotency_key=uuid.uuid4().hex,
            payment_method="on_account",
            new_customer=CustomerInput("Acme Corp", "Ada Acme", "ada@acme.example", "US"),
        )
        order, created = place_order(tenant, buyer, load_terms(buyer.company_id), "en", request)
        assert created
        assert order.id is not None
        db.session.rollback()
    assert scrape().get((PLACED, ON_ACCOUNT_NW), 0) == before


class Hooks:
    """A webhook receiver on loopback answering ``status`` to everything."""

    def __init__(self, status: int) -> None:
        answer = status

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks():  # type: ignore[no-untyped-def]
    made: list[Hooks] = []

    def make(status: int) -> str:
        made.append(Hooks(status))
        return made[-1].url

    yield make
    for receiver in made:
        receiver.close()


def test_webhook_deliveries_are_counted_by_outcome(app, scrape, hooks):
    admin = token(app, "admin@bluebird.example")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        with_closed_port = f"http://127.0.0.1:{sock.getsockname()[1]}/hooks"  # nothing listens
    for url in (hooks(200), hooks(500), with_closed_port):
        made = api(app, admin, "POST", "/webhooks", {"url": url, "events": ["order.placed"]})
        assert made.status_code == 201, made.get_data(as_text=True)
    outcomes = ("succeeded", "failed", "error")
    key = "channelfront_webhook_deliveries_total"
    before = scrape()
    placed = api(app, token(app, "buyer@bluebird.example"), "POST", "/orders", ORDER)
    assert placed.status_code == 201
    after = scrape()
    for outcome in outcomes:
        labels = (("outcome", outcome),)
        assert after[(key, labels)] == before.get((key, labels), 0) + 1, outcome


def test_the_outbox_backlog_is_read_at_each_scrape(app, ctx, scrape):
    before = scrape()
    db.session.add(
        OutboxMessage(
            topic="mail.test", payload={}, created_at=datetime.now(UTC) - timedelta(hours=2)
        )
    )
    db.session.commit()
    pending = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.done_at.is_(None))
    )
    after = scrape()
    assert after[("channelfront_outbox_pending_messages", ())] == pending
    assert pending == before[("channelfront_outbox_pending_messages", ())] + 1
    assert after[("channelfront_outbox_oldest_pending_age_seconds", ())] >= 2 * 3600
    assert after[("channelfront_database_up", ())] == 1


def test_heartbeat_ages_are_gauges(app, ctx, scrape):
    from channelfront.health import heartbeat

    heartbeat.record("worker:celery@gauge", "worker", datetime.now(UTC) - timedelta(seconds=30))
    age = scrape()[
        (
            "channelfront_heartbeat_age_seconds",
            (("kind", "worker"), ("name", "worker:celery@gauge")),
        )
    ]
    assert 30 <= age < 40


REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


def test_remote_callers_are_told_nothing_exists(client_for):
    client = client_for("metrics.example")
    assert client.get("/metrics", environ_base=REMOTE).status_code == 404
    bearer = {"Authorization": "Bearer anything"}
    assert client.get("/metrics", environ_base=REMOTE, headers=bearer).status_code == 404
    # A proxy on this machine forwards a remote visitor: loopback, but not local.
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=forwarded).status_code == 404
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_a_remote_scraper_with_the_token_is_let_in(app, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-scrape-token")
    client = client_for("192.0.2.3:8000")
    right = {"Authorization": "Bearer s3cret-scrape-token"}
    response = client.get("/metrics", environ_base=REMOTE, headers=right)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert "channelfront_http_requests_total" in response.get_data(as_text=True)
    for wrong in ("Bearer s3cret", "Basic s3cret-scrape-token", "Bearer s3cret-scrape-tokën"):
        answer = client.get("/metrics", environ_base=REMOTE, headers={"Authorization": wrong})
        assert answer.status_code == 404, wrong
