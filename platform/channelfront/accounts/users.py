"""Changing a user's password and deactivating a user: both end every session."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.accounts.passwords import hash_password
from channelfront.accounts.sessions import end_all_sessions
from channelfront.extensions import db

MIN_PASSWORD_LENGTH = 12
# The sign-in form accepts no more than this.
MAX_PASSWORD_LENGTH = 200


class PasswordRefused(ValueError):
    """The new password breaks a rule; the message names it."""


def find_user(email: str) -> User | None:
    """The user with this e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password must have at most {MAX_PASSWORD_LENGTH} characters."
    return None


def change_password(user: User, password: str) -> int:
    """Set a new password and end every session of the user; return how many ended.

    Raises PasswordRefused (nothing changed) when the password breaks a rule. Commits.
    """
    problem = password_problem(password)
    if problem is not None:
        raise PasswordRefused(problem)
    user.password_hash = hash_password(password)
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
