"""Deliveries to a real receiver on loopback: signed, retried, de-duplicated, disabled."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update
from standardwebhooks import Webhook

from channelfront.celery_app import app_task
from channelfront.extensions import db
from channelfront.tenancy.scoping import tenant_scope
from channelfront.webhooks import services
from channelfront.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.webhooks.conftest import COMPANY_ADMIN, endpoint_row, user
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.slow


def retry_until(app: Flask, done: Callable[[], bool], rounds: int = 30) -> None:
    """Run the beat task as beat would, until ``done``."""
    for _ in range(rounds):
        if done():
            return
        with app.app_context():
            app_task("webhooks.retry_due").delay()
        time.sleep(0.05)
    assert done()


def seen_once(receiver: Receiver, secret: str) -> dict[str, dict]:
    """What a careful receiver keeps: verified events, de-duplicated by webhook-id."""
    kept: dict[str, dict] = {}
    for request in receiver.requests:
        if request.status != 200:
            continue
        payload = Webhook(secret).verify(request.body, request.headers)
        kept.setdefault(request.headers["webhook-id"], payload)
    return kept


def attempts(app: Flask) -> list[WebhookAttempt]:
    with app.app_context(), tenant_scope(None):
        return list(db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def test_failed_twice_then_delivered_signed_with_the_same_id(
    app: Flask, receiver: Receiver, make_endpoint, emit, fast
) -> None:
    receiver.fail_first = 2
    _endpoint_id, secret = make_endpoint(receiver.url, ["order.placed", "order.approved"])
    first = emit("order.placed", {"order": "NW-1", "total": "10.00"})
    second = emit("order.approved", {"order": "NW-1"})
    retry_until(app, lambda: len(seen_once(receiver, secret)) == 2)

    kept = seen_once(receiver, secret)
    assert set(kept) == {first, second}
    body = kept[first]
    assert body["id"] == first
    assert body["type"] == "order.placed"
    assert body["data"] == {"order": "NW-1", "total": "10.00"}
    assert body["created"].endswith("Z")
    datetime.fromisoformat(body["created"])
    # The failed tries carried the same webhook-id as the one that got through.
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert ids.count(first) + ids.count(second) == len(ids) == 4
    for request in receiver.requests:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["user-agent"].startswith("Channelfront")
        assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    log = attempts(app)
    assert [a.status_code for a in log].count(500) == 2
    assert all(a.duration_ms >= 0 for a in log)
    assert any(a.response_head == "temporarily broken" for a in log)
    with app.app_context(), tenant_scope(None):
        statuses = db.session.scalars(select(WebhookDelivery.status)).all()
    assert statuses == ["succeeded", "succeeded"]


def test_a_delivered_event_sent_again_is_seen_once_after_deduplication(
    app: Flask, receiver: Receiver, make_endpoint, emit, fast
) -> None:
    _endpoint_id, secret = make_endpoint(receiver.url)
    event_id = emit("order.placed")
    with app.app_context(), tenant_scope(None):
        delivery = db.session.scalar(select(WebhookDelivery))
        services.redeliver(delivery)
        from channelfront.outbox.services import commit_and_dispatch

        commit_and_dispatch()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event_id, event_id]
    assert list(seen_once(receiver, secret)) == [event_id]
    assert [a.manual for a in attempts(app)] == [False, True]


def test_during_a_rotation_both_signatures_verify(
    app: Flask, receiver: Receiver, make_endpoint, emit
) -> None:
    endpoint_id, old = make_endpoint(receiver.url)
    with app.app_context(), tenant_scope(None):
        endpoint = services.endpoint_of(
            services.Owner(
                endpoint_row(app, endpoint_id).tenant_id, user(COMPANY_ADMIN).company_id
            ),
            endpoint_id,
        )
        new = services.rotate(endpoint, user(COMPANY_ADMIN))
        db.session.commit()
    emit("order.placed")
    [request] = receiver.requests
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2
    assert all(s.startswith("v1,") for s in signatures)
    Webhook(old).verify(request.body, request.headers)
    Webhook(new).verify(request.body, request.headers)
    assert new.startswith("whsec_")
    assert new != old
    # Once the grace has passed, only the new secret signs.
    with app.app_context(), tenant_scope(None):
        endpoint = db.session.get(type(endpoint), endpoint_id)
        endpoint.previous_secret_expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    emit("order.placed")
    later = receiver.requests[-1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(later.body, later.headers)


def test_a_timeout_is_a_failed_attempt(
    app: Flask, receiver: Receiver, make_endpoint, emit, fast
) -> None:
    receiver.sleep = 1.5  # the timeout is 1 s
    make_endpoint(receiver.url)
    emit("order.placed")
    [attempt] = attempts(app)
    assert attempt.status_code is None
    assert "No answer within" in (attempt.error or "")
    with app.app_context(), tenant_scope(None):
        delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "pending"
    assert delivery.next_attempt_at is not None


def test_a_blocked_address_at_delivery_is_a_failed_attempt(
    app: Flask, receiver: Receiver, make_endpoint, emit, production
) -> None:
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    make_endpoint(receiver.url)
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    emit("order.placed")
    assert receiver.requests == []
    [attempt] = attempts(app)
    assert attempt.error is not None
    assert attempt.error.startswith("Blocked:")


def test_after_the_window_the_endpoint_is_disabled_and_its_owner_mailed(
    app: Flask, receiver: Receiver, make_endpoint, emit, fast, inbox, monkeypatch
) -> None:
    receiver.fail_first = 1000
    endpoint_id, _secret = make_endpoint(receiver.url)
    emit("order.placed")
    # Three days pass: the first attempt is that old now.
    with app.app_context(), tenant_scope(None):
        db.session.execute(
            update(WebhookAttempt).values(at=datetime.now(UTC) - timedelta(days=3, seconds=1))
        )
        db.session.commit()
    retry_until(app, lambda: endpoint_row(app, endpoint_id).disabled_at is not None)
    with app.app_context(), tenant_scope(None):
        delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "failed"
    assert delivery.next_attempt_at is None
    mails = inbox.to(COMPANY_ADMIN)
    assert len(mails) == 1
    assert receiver.url in mails[0]["Subject"]
    assert "/company/webhooks/" in mails[0].get_content()
    # Disabled: new events are not sent to it.
    before = len(receiver.requests)
    with app.app_context(), tenant_scope(None):
        from channelfront.webhooks.publish import subscribers

        row = endpoint_row(app, endpoint_id)
        assert subscribers(row.tenant_id, user(COMPANY_ADMIN).company_id, "order.placed") == []
    assert len(receiver.requests) == before


def test_backoff_grows_and_is_capped(app: Flask) -> None:
    from channelfront.webhooks.delivery import backoff

    with app.app_context():
        waits = [backoff(n).total_seconds() for n in range(1, 12)]
    assert waits[:4] == [5, 20, 80, 320]
    assert max(waits) == 6 * 3600
    assert waits == sorted(waits)


def test_the_body_is_json_of_the_event(app: Flask, receiver: Receiver, make_endpoint, emit) -> None:
    make_endpoint(receiver.url)
    emit("order.placed", {"number": "NW-7", "name": "Müller"})
    body = json.loads(receiver.requests[0].body)
    assert set(body) == {"id", "type", "created", "data"}
    assert body["data"]["name"] == "Müller"
