"""A worker killed (SIGKILL) inside a webhook's HTTP call: a new worker sends the event
again once the dead worker's claim is stale, and the receiver, which verifies every
signature with ``standardwebhooks`` and de-duplicates by ``webhook-id``, sees it once.

Runs under ``CI=true`` or with ``WORKER_TEST=1`` (otherwise skipped); then a missing
PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) fails it. Everything runs in
processes of its own: a fresh database (``flask db upgrade`` and ``flask demo load``),
the API under gunicorn, tokens from ``flask api-token create``, and workers started as
``celery -A wsgi:celery worker``.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from celery import Celery
from standardwebhooks import Webhook

from tests.live import (
    PG_ADMIN,
    WORKER_ARGS,
    Api,
    Processes,
    SlowReceiver,
    base_env,
    fetch,
    flask,
    require_services,
    serve,
    serve_receiver,
    wait_for,
)

RUN = os.environ.get("CI") == "true" or os.environ.get("WORKER_TEST") == "1"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RUN, reason="real workers: set WORKER_TEST=1 (CI=true runs it)"),
]
REDIS_DB = int(os.environ.get("WEBHOOK_WORKER_TEST_REDIS_DB", "13"))
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
CLAIM_SECONDS = 3  # a claim this old belongs to a dead worker
FIRST_ANSWER_SECONDS = 5.0  # the receiver's first answer takes this long (timeout: 10 s)


@pytest.fixture
def database() -> Iterator[str]:
    require_services(BROKER)
    name = f"cf_webhook_worker_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(database: str) -> Iterator[dict[str, str]]:
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    found = {
        **base_env(database, BROKER),
        "WEBHOOK_ALLOW_LOOPBACK": "1",
        "WEBHOOK_CLAIM_SECONDS": str(CLAIM_SECONDS),
    }
    flask(found, "db", "upgrade")
    flask(found, "demo", "load")
    try:
        yield found
    finally:
        client.flushdb()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def receiver() -> Iterator[SlowReceiver]:
    found = SlowReceiver(first_sleep=FIRST_ANSWER_SECONDS)
    server = serve_receiver(found)
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


def token(env: dict[str, str], email: str) -> str:
    return flask(env, "api-token", "create", email, "northwind").strip().splitlines()[-1]


def delivery_row(database: str, endpoint_id: int) -> tuple[str, object, int]:
    """(status, claimed_at, attempt_count) of the endpoint's only delivery."""
    rows = fetch(
        database,
        "SELECT status, claimed_at, attempt_count FROM webhook_delivery WHERE endpoint_id = %s",
        endpoint_id,
    )
    assert len(rows) <= 1, rows
    return rows[0] if rows else ("none", None, 0)


def a_licensed_sku(buyer: Api) -> str:
    items = buyer.call("GET", "/products").json()["items"]
    return next(i["sku"] for i in items if i["kind"] in ("perpetual", "subscription"))


def test_a_worker_killed_mid_delivery_sends_again_and_the_receiver_sees_the_event_once(
    database: str, env: dict[str, str], processes: Processes, receiver: SlowReceiver
) -> None:
    port = serve(processes, env)
    admin = Api(port, token(env, "admin@bluebird.example"))
    buyer = Api(port, token(env, "buyer@bluebird.example"))
    created = admin.call(
        "POST", "/webhooks", json={"url": receiver.url, "events": ["order.placed"]}
    )
    assert created.status_code == 201, created.text
    endpoint_id, secret = created.json()["id"], created.json()["secret"]

    first = processes.start("worker-1", WORKER_ARGS, env)
    order = {
        "lines": [{"sku": a_licensed_sku(buyer), "quantity": 1}],
        "end_customer": {
            "company_name": "Acme Corp",
            "contact_name": "Ada Acme",
            "email": "ada@acme.example",
            "country": "US",
        },
        "payment": {"method": "on_account"},
    }
    placed = buyer.call(
        "POST", "/orders", json=order, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert placed.status_code == 201, placed.text

    # The worker is inside the HTTP call once the receiver has the request: kill it there.
    assert receiver.arrived.wait(30), processes.log("worker-1")
    assert first.poll() is None, processes.log("worker-1")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    status, claimed_at, attempts = delivery_row(database, endpoint_id)
    assert (status, attempts) == ("pending", 0), "the killed attempt recorded nothing"
    assert claimed_at is not None, "the dead worker's claim stays until it is stale"

    processes.start("worker-2", WORKER_ARGS, env)
    # Beat sends webhooks.retry_due every 30 s; send it as beat would, more often.
    sender = Celery(broker=BROKER, set_as_current=False)

    def delivered() -> bool:
        if delivery_row(database, endpoint_id)[0] == "succeeded":
            return True
        sender.send_task("webhooks.retry_due")
        return False

    try:
        wait_for("the new worker to deliver", delivered, timeout=30, every=1)
    finally:
        sender.close()

    # The receiver: every request verifies; de-duplicated by webhook-id, the event is seen once.
    verifier = Webhook(secret)
    seen: list[str] = []
    for arrival in receiver.arrivals:
        payload = verifier.verify(arrival.body, arrival.headers)
        if arrival.headers["webhook-id"] not in seen:
            seen.append(arrival.headers["webhook-id"])
            assert payload["type"] == "order.placed"
            assert payload["data"]["number"] == placed.json()["number"]
    assert len(receiver.arrivals) == 2, "sent during the kill, and once more after it"
    assert len(seen) == 1

    log = admin.call("GET", f"/webhooks/{endpoint_id}/deliveries").json()
    assert log["total"] == 1
    [delivery] = log["items"]
    assert delivery["event_id"] == seen[0]
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [200]
