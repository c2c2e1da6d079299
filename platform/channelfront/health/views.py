"""``/healthz``: the database, and the broker once one is configured."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from channelfront.extensions import db

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means the database is down for us
        db.session.rollback()
        return False


def _broker_ok(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # kombu raises many transport-specific errors
        return False


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    checks = {"database": "ok" if _database_ok() else "down"}
    broker = current_app.config.get("CELERY_BROKER_URL")
    if broker:
        checks["broker"] = "ok" if _broker_ok(broker) else "down"
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "down", checks=checks), 200 if healthy else 503
