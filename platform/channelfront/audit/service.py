"""Recording audit events, in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import has_request_context
from flask_login import current_user

from channelfront.accounts.models import User
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db

SYSTEM = "system"


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: money and dates as text, never a float."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _signed_in_user() -> User | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]
    return None


def record(
    action: str,
    subject: Any,
    *,
    label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    tenant_id: int | None = None,
    company_id: int | None = None,
    actor: User | None = None,
) -> AuditEvent:
    """Add an event to the session (the caller's commit writes it with the change).

    ``action`` is a dotted name such as ``user.role_changed``; ``subject`` is the changed
    row (its table and id are kept). Only keys whose values differ are kept of
    ``before`` and ``after``. The actor is the signed-in user unless given; tasks and
    the CLI record "system".
    """
    if getattr(subject, "id", 0) is None:
        db.session.flush()  # a new row gets its id
    who = actor or _signed_in_user()
    old, new = _plain(before), _plain(after)
    if old is not None and new is not None:
        keys = [k for k in {**old, **new} if old.get(k) != new.get(k)]
        old = {k: old.get(k) for k in keys}
        new = {k: new.get(k) for k in keys}
    event = AuditEvent(
        at=datetime.now(UTC),
        actor_id=who.id if who else None,
        actor_label=who.email if who else SYSTEM,
        tenant_id=tenant_id,
        company_id=company_id,
        action=action,
        subject_type=getattr(subject, "__tablename__", type(subject).__name__),
        subject_id=str(getattr(subject, "id", subject)),
        subject_label=label[:254],
        before=old,
        after=new,
    )
    db.session.add(event)
    return event
