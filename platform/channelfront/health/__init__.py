"""Health: probes for load balancers, heartbeats of the background processes, the
console's status page and Prometheus metrics."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Metrics hooks, the heartbeat signals and beat entry, the console's status routes.

    Call before the blueprints are registered: the status routes join the console's.
    """
    from channelfront.health import console, heartbeat, metrics  # noqa: F401  (console routes)

    metrics.init_app(app)
    heartbeat.init_app(app)
