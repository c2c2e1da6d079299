"""Prometheus metrics, served at ``/metrics``.

Counters and histograms live in this process; with ``PROMETHEUS_MULTIPROC_DIR`` set in
the environment (before the app is imported) every process, gunicorn's workers and
Celery's alike, writes them to files there and a scrape adds them all up. Gauges of the
database's state (outbox backlog, heartbeat ages) are computed at scrape time.

Business counts wait for the commit of the change they count: an order placed in a
transaction that rolls back was never placed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, g, request, request_started
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.wrappers import Response

from channelfront.extensions import db

HTTP_REQUESTS = Counter(
    "channelfront_http_requests",
    "HTTP requests answered, by Flask endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "channelfront_http_request_duration_seconds",
    "Time from the request's start to its response, by Flask endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ORDERS_PLACED = Counter(
    "channelfront_orders_placed",
    "Orders placed (committed), by tenant slug and payment method.",
    ["tenant", "payment_method"],
)
FULFILMENT_SECONDS = Histogram(
    "channelfront_order_fulfilment_seconds",
    "Time from an order's placement to its fulfilment (approvals and payment included),"
    " by tenant slug.",
    # Labelled, so a process writes its file (multiprocess mode) only once it observes.
    ["tenant"],
    buckets=(1, 5, 15, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600),
)
WEBHOOK_DELIVERIES = Counter(
    "channelfront_webhook_deliveries",
    "Webhook delivery attempts, by outcome: succeeded, failed (an HTTP answer other than"
    " 2xx) or error (no answer: refused address, timeout, connection error).",
    ["outcome"],
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
AFTER_COMMIT = "metrics_after_commit"
_slugs: dict[int, str] = {}


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


# -- business events, counted once their transaction commits -------------------------


def after_commit(count: Callable[[], None]) -> None:
    """Run ``count`` when the current session's transaction commits; drop it on rollback."""
    db.session.info.setdefault(AFTER_COMMIT, []).append(count)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    for count in session.info.pop(AFTER_COMMIT, []):
        count()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(AFTER_COMMIT, None)


def _tenant_slug(tenant_id: int) -> str:
    from channelfront.tenancy.middleware import current_tenant
    from channelfront.tenancy.models import Tenant

    tenant = current_tenant()
    if tenant is not None and tenant.id == tenant_id:
        return tenant.slug
    if tenant_id not in _slugs:  # a worker, or the console: slugs do not change
        with db.session.no_autoflush:
            _slugs[tenant_id] = db.session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))
    return _slugs[tenant_id] or str(tenant_id)


def order_placed(tenant_id: int, payment_method: str) -> None:
    """Count a placed order once its transaction commits."""
    counter = ORDERS_PLACED.labels(_tenant_slug(tenant_id), payment_method)
    after_commit(counter.inc)


def order_fulfilled(tenant_id: int, seconds: float) -> None:
    """Observe an order's time from placement to fulfilment once that commits."""
    histogram = FULFILMENT_SECONDS.labels(_tenant_slug(tenant_id))
    after_commit(lambda: histogram.observe(max(seconds, 0.0)))


def webhook_attempted(status_code: int | None, succeeded: bool) -> None:
    """Count one delivery attempt (called after its outcome is committed)."""
    outcome = "succeeded" if succeeded else "error" if status_code is None else "failed"
    WEBHOOK_DELIVERIES.labels(outcome).inc()


def _on_order_event(order: Any, event: Any, **_extra: object) -> None:
    from channelfront.health.status import aware
    from channelfront.orders.models import OrderStatus

    if event.kind == OrderStatus.PLACED:
        order_placed(order.tenant_id, str(order.payment_method))
    elif event.kind == OrderStatus.FULFILLED:
        with db.session.no_autoflush:
            placed = order.created_at
        if placed is not None:
            order_fulfilled(order.tenant_id, time.time() - aware(placed).timestamp())


# -- HTTP requests ----------------------------------------------------------------------


def _started(_sender: Flask, **_extra: object) -> None:
    g.metrics_started = time.perf_counter()


def _finished(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    endpoint = request.endpoint or "unmatched"
    method = request.method if request.method in METHODS else "other"
    HTTP_REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    if started is not None:
        HTTP_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)
    return response


# -- the scrape -------------------------------------------------------------------------


class _DatabaseGauges:
    """Gauges read from the database as the scrape asks (one process answers them)."""

    def collect(self) -> Iterator[Metric]:
        from channelfront.health.status import outbox_backlog, processes

        try:
            backlog, found = outbox_backlog(), processes()
        except Exception:  # the database is down: say so instead of failing the scrape
            db.session.rollback()
            yield GaugeMetricFamily(
                "channelfront_database_up", "Whether the database answered the scrape.", value=0
            )
            return
        db.session.rollback()
        yield GaugeMetricFamily(
            "channelfront_database_up", "Whether the database answered the scrape.", value=1
        )
        yield GaugeMetricFamily(
            "channelfront_outbox_pending_messages",
            "Outbox messages not yet handled.",
            value=backlog.pending,
        )
        yield GaugeMetricFamily(
            "channelfront_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox message not yet handled (0 when none is).",
            value=backlog.oldest_age_seconds or 0.0,
        )
        ages = GaugeMetricFamily(
            "channelfront_heartbeat_age_seconds",
            "Seconds since each worker's and beat's last heartbeat.",
            labels=["name", "kind"],
        )
        for process in found:
            ages.add_metric([process.name, process.kind], process.age_seconds)
        yield ages


class _Scrape:
    def __init__(self, *sources: Any) -> None:
        self.sources = sources

    def collect(self) -> Iterable[Metric]:
        for source in self.sources:
            yield from source.collect()


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus scrape reads, and its content type."""
    if multiprocess_dir():
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    return generate_latest(_Scrape(counted, _DatabaseGauges())), CONTENT_TYPE_LATEST  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    from channelfront.orders.signals import order_event_recorded

    request_started.connect(_started, app)
    app.after_request(_finished)
    order_event_recorded.connect(_on_order_event)
