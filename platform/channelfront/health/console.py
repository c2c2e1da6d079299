"""The console's status page (vendor staff): the database, the broker, each worker's and
beat's last heartbeat, and the outbox backlog; ``/admin/status.json`` for scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l

from channelfront.admin.blueprint import bp
from channelfront.health import status
from channelfront.theming.views import render

STATE_LABELS = {
    "ok": _l("OK"),
    "down": _l("Down"),
    "stale": _l("Stale"),
    "missing": _l("No heartbeat yet"),
    "unset": _l("Not configured"),
}
# Seconds up to two minutes, minutes up to two hours: the stale limit is read exactly.
PRECISE: dict[str, Any] = {"granularity": "second", "threshold": 2}
KIND_LABELS = {"worker": _l("Worker"), "beat": _l("Scheduler (beat)")}


def snapshot() -> dict[str, Any]:
    """Everything the page shows, as JSON values."""
    now = datetime.now(UTC)
    found = status.processes(now)
    workers = [p.as_json() for p in found if p.kind == "worker"]
    beats = [p.as_json() for p in found if p.kind == "beat"]
    return {
        "checked_at": now.isoformat(),
        "database": "ok" if status.database_ok() else "down",
        "broker": status.broker_state() or "unset",
        "beat": beats[0] if beats else None,
        "workers": workers,
        "outbox": status.outbox_backlog(now).as_json(),
        "stale_after_seconds": current_app.config.get("HEARTBEAT_STALE_SECONDS", 60),
    }


def ago(seconds: float) -> str:
    """Babel's "12 seconds ago" or "vor 3 Minuten", in the page's language."""
    return format_timedelta(timedelta(seconds=-seconds), **PRECISE, add_direction=True)


def duration(seconds: float | None) -> str:
    """Babel's "12 seconds" or "3 minutes"; a dash for nothing."""
    if seconds is None:
        return "\u2013"
    return format_timedelta(timedelta(seconds=seconds), **PRECISE)


@bp.route("/status")
def status_page() -> ResponseReturnValue:
    found = snapshot()
    return render(
        "admin/status.html",
        status=found,
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        ago=ago,
        duration=duration,
    )


@bp.route("/status.json")
def status_json() -> ResponseReturnValue:
    response = jsonify(snapshot())
    response.headers["Cache-Control"] = "no-store"
    return response
