"""Password hashing with Argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_STANDARD = PasswordHasher()
# Only for test suites and benchmarks that create many users; never in production.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    cheap = current_app and current_app.config.get("PASSWORD_HASH_COST") == "cheap"
    return _CHEAP if cheap else _STANDARD


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _STANDARD.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
