"""Signing in."""

from __future__ import annotations

from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.accounts.passwords import verify_password
from channelfront.extensions import db

# Verified against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "0Pxd4IVMcF7Z8XbpW+OZlYx8XmX0GWp0Jz8lXw4n2kM"
)


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None
