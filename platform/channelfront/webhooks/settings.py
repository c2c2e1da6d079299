"""Webhook settings: read from the app config, else the environment, else safe defaults.

``WEBHOOK_ALLOW_LOOPBACK`` defaults to true in development (``make run``) and tests,
false in production: there, URLs must be https and resolve to public addresses only.
"""

from __future__ import annotations

import os

from flask import current_app

DEFAULTS: dict[str, float] = {
    # The first retry waits this long; each next one four times longer, up to the cap.
    "WEBHOOK_RETRY_BASE_SECONDS": 5.0,
    "WEBHOOK_RETRY_CAP_SECONDS": 6 * 3600.0,
    # Retries stop (and the endpoint is disabled) this long after the first attempt.
    "WEBHOOK_RETRY_WINDOW_SECONDS": 3 * 24 * 3600.0,
    "WEBHOOK_TIMEOUT_SECONDS": 10.0,
    # A claim older than this belongs to a worker that died: the sweeper sends again.
    "WEBHOOK_CLAIM_SECONDS": 60.0,
}


def number(name: str) -> float:
    """A numeric webhook setting (seconds)."""
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name, "").strip() or DEFAULTS[name]
    return float(value)


def allow_loopback() -> bool:
    """http and loopback addresses are allowed (development and tests only)."""
    value = current_app.config.get("WEBHOOK_ALLOW_LOOPBACK")
    if value is None:
        raw = os.environ.get("WEBHOOK_ALLOW_LOOPBACK", "").strip().lower()
        if raw:
            return raw in ("1", "true", "yes")
        return bool(current_app.config.get("TESTING")) or (
            current_app.config.get("CHANNELFRONT_ENV") == "development"
        )
    return bool(value)
