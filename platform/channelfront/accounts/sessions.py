"""Server-side session records: start one at sign-in, check it on every request, end it.

The session cookie carries a random id; the server keeps only its SHA-256, with the
user, the host it was issued on and its timestamps. A cookie whose record is missing,
ended, expired or from another host signs nobody in, however well it is signed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update

from channelfront.accounts.models import User
from channelfront.accounts.session_models import UserSession
from channelfront.extensions import db

# The last use is written at most once a minute per session, so a signed-in page view
# rarely writes; the idle timeout may end a session up to a minute late.
TOUCH_EVERY = timedelta(minutes=1)
# token_urlsafe(32) gives 43 characters; a longer id is not one of ours.
MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class Lifetimes:
    """How long a session may sit unused, and how long it may live in all."""

    idle: timedelta
    absolute: timedelta


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _aware(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)  # SQLite drops the zone


def start_session(user_id: int, host: str, now: datetime) -> str:
    """Record a new session of the user on ``host``; return the id for the cookie.

    The caller commits.
    """
    raw = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_digest(raw), user_id=user_id, host=host, created_at=now, last_seen_at=now
        )
    )
    return raw


def live_session_user(raw: str, host: str, lifetimes: Lifetimes, now: datetime) -> User | None:
    """The user of a session that is live on ``host``, or None.

    Marks the session as used (and commits that) when its last use is more than
    :data:`TOUCH_EVERY` ago, so call it before a request writes anything else.
    """
    if not raw or len(raw) > MAX_ID_LENGTH:
        return None
    found = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _digest(raw))
    ).first()
    if found is None:
        return None
    record, user = found
    last_seen = _aware(record.last_seen_at)
    if record.revoked_at is not None or record.host != host:
        return None
    if now - last_seen > lifetimes.idle or now - _aware(record.created_at) > lifetimes.absolute:
        return None
    if now - last_seen >= TOUCH_EVERY:
        record.last_seen_at = now
        db.session.commit()
    return user


def end_session(raw: str, now: datetime) -> None:
    """End the session with this id. The caller commits."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _digest(raw), UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def end_all_sessions(user_id: int, now: datetime) -> int:
    """End every session of the user, on every host; return how many were not ended yet.

    The caller commits.
    """
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def end_other_sessions(user_id: int, keep_raw_token: str | None, now: datetime) -> int:
    """End every session of the user but the one with this id; return how many ended.

    The caller commits.
    """
    keep = _digest(keep_raw_token) if keep_raw_token else ""
    result = db.session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.token_hash != keep,
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def prune_sessions(user_id: int, lifetimes: Lifetimes, now: datetime) -> None:
    """Delete the user's sessions that can never be used again. The caller commits."""
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user_id,
            or_(
                UserSession.revoked_at.is_not(None),
                UserSession.created_at < now - lifetimes.absolute,
            ),
        )
    )
