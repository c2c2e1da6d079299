"""Incentive programs, their ledger and statements in the storefront (engine: `incentives`)."""

from __future__ import annotations


def connect() -> None:
    """Feed order signals to the ledger and register the close task (app factory)."""
    from channelfront.statements import capture, tasks  # noqa: F401  (the Celery task)

    capture.connect()
