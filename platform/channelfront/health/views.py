"""Probes and metrics, answered on any host.

``/healthz/live``: the process answers (nothing else is asked). ``/healthz/ready`` (and
its old name ``/healthz``): 503 only when the database does not answer. The broker's
state is reported but never makes a node unready: during a broker outage the outbox
keeps every change, and a load balancer that dropped the web nodes would stop the
orders the outbox is there to keep. ``/metrics``: Prometheus, for loopback callers or
the bearer of ``METRICS_TOKEN``; everyone else is told it does not exist.
"""

from __future__ import annotations

import hmac
from ipaddress import ip_address

from flask import Blueprint, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from channelfront.health import metrics, status

bp = Blueprint("health", __name__)


@bp.route("/healthz/live")
def live() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.route("/healthz/ready")
@bp.route("/healthz")
def ready() -> ResponseReturnValue:
    checks = {"database": "ok" if status.database_ok() else "down"}
    broker = status.broker_state()
    if broker is not None:
        checks["broker"] = broker
    healthy = checks["database"] == "ok"
    return jsonify(status="ok" if healthy else "down", checks=checks), 200 if healthy else 503


def _from_loopback() -> bool:
    """A caller on this machine that came through no proxy (a proxy adds X-Forwarded-For,
    and a proxy on this machine would otherwise make every visitor look local)."""
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _has_token() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(value.encode(), token.encode())
    )


@bp.route("/metrics")
def prometheus() -> ResponseReturnValue:
    if not (_from_loopback() or _has_token()):
        abort(404)
    body, content_type = metrics.exposition()
    return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}
