"""Changing a user's password and deactivating a user: both end every session."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.accounts.password_policy import password_problem
from channelfront.accounts.passwords import hash_password
from channelfront.accounts.sessions import end_all_sessions
from channelfront.extensions import db


class PasswordRefused(ValueError):
    """The new password breaks a rule; the message names it."""


def find_user(email: str) -> User | None:
    """The user with this e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def set_password(user: User, password: str) -> None:
    """Set a new password (the caller commits). Raises PasswordRefused, changing nothing,
    when the password breaks a rule."""
    problem = password_problem(password, user.email)
    if problem is not None:
        raise PasswordRefused(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = datetime.now(UTC)


def change_password(user: User, password: str) -> int:
    """Set a new password and end every session of the user; return how many ended.

    Raises PasswordRefused (nothing changed) when the password breaks a rule. Commits.
    """
    set_password(user, password)
    ended = end_all_sessions(user.id, datetime.now(UTC))
    db.session.commit()
    return ended


def deactivate(user: User) -> int:
    """Stop the user from signing in and end every session; return how many ended. Commits."""
    user.active = False
    ended = end_all_sessions(user.id, datetime.now(UTC))
    db.session.commit()
    return ended


def sign_out_everywhere(user: User) -> int:
    """End every session of the user; return how many ended. Commits."""
    ended = end_all_sessions(user.id, datetime.now(UTC))
    db.session.commit()
    return ended
