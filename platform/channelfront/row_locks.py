"""Row locks held until commit, on PostgreSQL and on SQLite alike.

Spending a limited amount (the credit left on a line, room under an incentive cap) is a
read, a comparison and a write. Two transactions that both read before either writes
both see the room, and both spend it. ``hold`` makes a transaction wait for the others
that spend from the same rows, and it must come before the read:

- PostgreSQL: ``SELECT ... FOR UPDATE`` on the rows. Under READ COMMITTED each later
  statement sees what the transaction that held the lock committed.
- SQLite has no row locks, only one writer per database: a no-op UPDATE of the rows
  takes the write lock (pysqlite opens the transaction at the first write), and
  later reads see everything committed before it.

A lock is waited for at most ``DB_LOCK_TIMEOUT`` seconds (default 30): PostgreSQL's
``lock_timeout`` for the rest of the transaction, SQLite's busy timeout on every
connection (pysqlite's default of 5 s is too short for ten checkouts in a row). A
wait that runs out raises ``sqlalchemy.exc.OperationalError``, which the error
handlers answer with 503.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Engine, event, select, text, update

from channelfront.extensions import db

DEFAULT_TIMEOUT = 30  # seconds
# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
GAVE_UP_STATES = frozenset({"55P03", "40P01", "40001"})


def timeout_seconds() -> int:
    """How long a transaction waits for a lock before it gives up."""
    if has_app_context():
        return int(current_app.config.get("DB_LOCK_TIMEOUT") or DEFAULT_TIMEOUT)
    return DEFAULT_TIMEOUT


def hold(model: Any, *row_ids: int) -> int:
    """Lock rows of ``model`` until the transaction ends; returns how many exist.

    Waits while another transaction holds any of them; rows are taken in id order, so
    two callers never wait for each other in a circle. Call it before reading what the
    lock guards.
    """
    ids = sorted(set(row_ids))
    if not ids:
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        # For this transaction only: a connection option would not pass PgBouncer.
        db.session.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"),
            {"wait": f"{timeout_seconds()}s"},
        )
        locked = db.session.scalars(
            select(model.id).where(model.id.in_(ids)).order_by(model.id).with_for_update()
        )
        return len(locked.all())
    result = db.session.execute(
        update(model)
        .where(model.id.in_(ids))
        .values(id=model.id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


def gave_up_waiting(exc: BaseException) -> bool:
    """True when a database error means "busy, try again", not a fault of the request."""
    cause = getattr(exc, "orig", exc)
    if isinstance(cause, sqlite3.OperationalError):
        return "locked" in str(cause)
    return getattr(cause, "sqlstate", None) in GAVE_UP_STATES


@event.listens_for(Engine, "do_connect")
def _sqlite_busy_timeout(dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
    if dialect.name == "sqlite":
        params.setdefault("timeout", timeout_seconds())
