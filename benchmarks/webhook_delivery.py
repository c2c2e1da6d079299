"""Webhook delivery benchmark: deliveries a second, time and SQL statements per delivery.

Run from the repository root::

    .venv/bin/python benchmarks/webhook_delivery.py                # about 20 s
    .venv/bin/python benchmarks/webhook_delivery.py --events 2000 --postgres

One run builds a fresh database (a temporary SQLite file, or with ``--postgres`` a new
PostgreSQL database at 127.0.0.1:5432, dropped afterwards) with ``flask db upgrade`` and
``flask demo load``, starts two HTTP receivers on loopback (threads), and makes two
endpoints of Bluebird IT on northwind through ``webhooks.services.create``:

1. success path: a receiver that verifies every request with the ``standardwebhooks``
   package and answers 200; ``--events`` ``order.placed`` events are published
   (``webhooks.publish``, committed without dispatching the outbox), then each delivery
   is sent in-process by ``webhooks.delivery.attempt`` (no Celery);
2. failure path: a receiver that answers 500; as many ``invoice.issued`` events, each
   attempted once: the attempt is recorded and the next one scheduled (backoff).

Prints deliveries a second, p50/p95 time per delivery and SQL statements per delivery
for each path. Checks: every request verified, each ``webhook-id`` seen once, every
delivery succeeded (success path); every delivery still pending with one 500 attempt
and its next attempt scheduled in the future (failure path). Writes
``benchmarks/out/webhook_delivery.json``; exits with status 1 when a check fails.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
from benchdb import build, fresh_database, postgres_available, server_env
from catalog import make_app, recorded_statements
from loadgen import ROOT, BenchmarkFailed

sys.path.insert(0, str(ROOT / "platform"))  # this checkout's code, not an installed copy

COMPANY_ADMIN = "admin@bluebird.example"


@dataclass
class Receiver:
    """Answers ``status``; with a secret, verifies each request's signature first."""

    status: int
    secret: str = ""
    ids: list[str] = field(default_factory=list)
    bad: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def take(self, headers: dict[str, str], body: bytes) -> int:
        from standardwebhooks import Webhook

        if self.secret:
            try:
                Webhook(self.secret).verify(body, headers)
            except Exception:  # any failed verification is counted, never raised here
                with self.lock:
                    self.bad += 1
                return 400
        with self.lock:
            self.ids.append(headers.get("webhook-id", ""))
        return self.status


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.take({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"no")

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class PathResult:
    path: str
    deliveries: int
    seconds: float
    deliveries_per_second: float
    p50_ms: float
    p95_ms: float
    statements_per_delivery: float
    publish_seconds: float


def _endpoint(url: str, event: str) -> tuple[int, str]:
    """A Bluebird endpoint on northwind hearing ``event``: (id, secret)."""
    from sqlalchemy import select

    from channelfront.accounts.models import User
    from channelfront.extensions import db
    from channelfront.webhooks import services

    admin = db.session.scalars(select(User).where(User.email == COMPANY_ADMIN)).one()
    owner = services.Owner(_tenant_id(), admin.company_id)
    endpoint = services.create(owner, services.EndpointInput(url, [event]), admin)
    found = endpoint.id, endpoint.secret
    db.session.commit()
    return found


def _tenant_id() -> int:
    from sqlalchemy import select

    from channelfront.extensions import db
    from channelfront.tenancy.models import Tenant

    return db.session.scalar(select(Tenant.id).where(Tenant.slug == "northwind"))


def _publish(event: str, company_id: int, count: int, endpoint_id: int) -> list[int]:
    """``count`` events committed with their deliveries; the outbox is not dispatched."""
    from sqlalchemy import select

    from channelfront.extensions import db
    from channelfront.outbox.services import PENDING_KEY
    from channelfront.webhooks.models import WebhookDelivery
    from channelfront.webhooks.publish import publish

    for n in range(count):
        data = {"number": f"NW-{n:06d}", "total_minor": 1000 + n, "currency": "USD"}
        publish(event, company_id=company_id, data=data)
        if n % 100 == 99:
            db.session.commit()
    db.session.commit()
    db.session.info.pop(PENDING_KEY, None)  # delivered below, by hand
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id)
        )
    )


def _deliver(ids: list[int]) -> tuple[list[float], int, float]:
    """Attempt each delivery once: per-delivery times (ms), statements, total seconds."""
    from channelfront.extensions import db
    from channelfront.webhooks.delivery import attempt

    timings = []
    with recorded_statements(db.engine) as statements:
        started = time.perf_counter()
        for delivery_id in ids:
            begun = time.perf_counter()
            answer = attempt(delivery_id)
            timings.append((time.perf_counter() - begun) * 1000)
            if answer is None:
                raise BenchmarkFailed(f"delivery {delivery_id} was not attempted")
        total = time.perf_counter() - started
    return timings, len(statements), total


def run_path(name: str, receiver: Receiver, event: str, count: int) -> tuple[PathResult, int]:
    from sqlalchemy import select

    from channelfront.accounts.models import User
    from channelfront.extensions import db

    endpoint_id, secret = _endpoint(f"http://127.0.0.1:{receiver.port}/hooks", event)
    if receiver.status == 200:
        receiver.secret = secret
    company_id = db.session.scalar(select(User.company_id).where(User.email == COMPANY_ADMIN))
    started = time.perf_counter()
    ids = _publish(event, company_id, count, endpoint_id)
    published = time.perf_counter() - started
    timings, statements, total = _deliver(ids)
    timings.sort()
    result = PathResult(
        path=name,
        deliveries=len(ids),
        seconds=round(total, 2),
        deliveries_per_second=round(len(ids) / total, 1),
        p50_ms=round(statistics.median(timings), 2),
        p95_ms=round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        statements_per_delivery=round(statements / max(len(ids), 1), 2),
        publish_seconds=round(published, 2),
    )
    return result, endpoint_id


def check_success(receiver: Receiver, endpoint_id: int, count: int) -> list[str]:
    from sqlalchemy import func, select

    from channelfront.extensions import db
    from channelfront.webhooks.models import WebhookDelivery

    failed = []
    if receiver.bad:
        failed.append(f"{receiver.bad} requests failed the signature check")
    if len(receiver.ids) != count or len(set(receiver.ids)) != count:
        failed.append(f"{len(set(receiver.ids))} distinct webhook-ids of {count} events")
    succeeded = db.session.scalar(
        select(func.count(WebhookDelivery.id)).where(
            WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "succeeded"
        )
    )
    if succeeded != count:
        failed.append(f"{succeeded} of {count} deliveries succeeded")
    return failed


def check_failure(endpoint_id: int, count: int) -> list[str]:
    from sqlalchemy import select

    from channelfront.extensions import db
    from channelfront.webhooks.models import WebhookAttempt, WebhookDelivery
    from channelfront.webhooks.signing import aware

    now = datetime.now(UTC)
    deliveries = list(
        db.session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        )
    )
    attempts = list(
        db.session.scalars(
            select(WebhookAttempt.status_code)
            .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
        )
    )
    scheduled = [
        d
        for d in deliveries
        if d.status == "pending"
        and d.attempt_count == 1
        and d.next_attempt_at is not None
        and aware(d.next_attempt_at) > now
    ]
    failed = []
    if len(scheduled) != count:
        failed.append(f"{len(scheduled)} of {count} failed deliveries pending with a retry due")
    if attempts != [500] * count:
        failed.append(f"{len(attempts)} attempts recorded, not {count} answers 500")
    return failed


def run(url: str, events: int) -> tuple[dict, list[str]]:
    from channelfront.extensions import db
    from channelfront.tenancy.scoping import tenant_scope

    env = server_env(url)
    click.echo(f"building {url.split('@')[-1]} ...", err=True)
    build(env)
    app = make_app(url)
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = True  # the receivers are on loopback
    good, broken = Receiver(200), Receiver(500)
    servers = [serve(good), serve(broken)]
    try:
        with app.app_context():
            with tenant_scope(None):
                tenant_id = _tenant_id()
            with tenant_scope(tenant_id):
                ok, ok_endpoint = run_path("200 (verified)", good, "order.placed", events)
                failed = check_success(good, ok_endpoint, events)
                bad, bad_endpoint = run_path(
                    "500 (retry scheduled)", broken, "invoice.issued", events
                )
                failed += check_failure(bad_endpoint, events)
            db.session.remove()
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    result = {
        "database": url.split(":")[0].split("+")[0],
        "events": events,
        "paths": [asdict(ok), asdict(bad)],
    }
    return result, failed


def report(result: dict) -> list[str]:
    lines = [
        f"Webhook delivery, {result['database']}, {result['events']} events per path, one "
        "endpoint, a loopback receiver; in-process, one thread (delivery.attempt, no Celery):",
        "",
        f"{'receiver answers':<24} {'deliveries/s':>12} {'p50':>9} {'p95':>9} "
        f"{'SQL/delivery':>12} {'publish':>9}",
    ]
    for path in result["paths"]:
        lines.append(
            f"{path['path']:<24} {path['deliveries_per_second']:>12.1f} "
            f"{path['p50_ms']:>6.2f} ms {path['p95_ms']:>6.2f} ms "
            f"{path['statements_per_delivery']:>12.2f} {path['publish_seconds']:>7.2f} s"
        )
    return lines


@click.command()
@click.option("--events", default=500, show_default=True, help="Events per path.")
@click.option("--postgres", is_flag=True, help="A fresh PostgreSQL database instead of SQLite.")
@click.option(
    "--json-out",
    default=str(ROOT / "benchmarks" / "out" / "webhook_delivery.json"),
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
def main(events: int, postgres: bool, json_out: Path) -> None:
    """Deliver webhooks in-process to loopback receivers; speed and statements per delivery."""
    if events < 1:
        raise click.BadParameter("at least 1", param_hint="--events")
    if postgres and not postgres_available():
        raise BenchmarkFailed("PostgreSQL does not answer at 127.0.0.1:5432")
    workdir = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    try:
        with fresh_database("postgresql" if postgres else "sqlite", workdir) as url:
            result, failed = run(url, events)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for line in report(result):
        click.echo(line)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(result, indent=2))
    if failed:
        raise BenchmarkFailed("; ".join(failed))


if __name__ == "__main__":
    main()
