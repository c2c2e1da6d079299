"""Sign-in throttling per client address and per account, with one answer for both.

The address limit counts every attempt, as Flask-Limiter's decorator did; the account
limit counts failed ones (a wrong password, or an e-mail without an account, alike),
so a user who signs in often is never held back by it. A refused attempt gets the same
429 page whichever limit it hit and whether or not the account exists, and no rate-limit
headers that would tell the limits apart.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from channelfront.extensions import limiter

ADDRESS_SCOPE = "sign-in-address"
ACCOUNT_SCOPE = "sign-in-account"


def _limits(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


def _account_key(email: str) -> str | None:
    # Hashed: the storage (Redis) never holds e-mail addresses, and keys stay short.
    normalized = email.strip().lower()
    if not normalized:
        return None
    return hashlib.sha256(normalized.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def check_sign_in(email: str) -> None:
    """Count the attempt against the client address; raise 429 when either limit is spent."""
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    address = request.remote_addr or "unknown"
    # Every window is counted, not only up to the first one that is full.
    address_left = [
        strategy.hit(item, ADDRESS_SCOPE, address) for item in _limits("LOGIN_RATE_LIMIT")
    ]
    account = _account_key(email)
    account_left = [
        strategy.test(item, ACCOUNT_SCOPE, account)
        for item in _limits("LOGIN_ACCOUNT_RATE_LIMIT")
        if account is not None
    ]
    if not all(address_left) or not all(account_left):
        raise TooManyRequests


def count_failure(email: str) -> None:
    """Count a failed sign-in against the account the e-mail names (or would name)."""
    account = _account_key(email)
    if not limiter.enabled or account is None:
        return
    for item in _limits("LOGIN_ACCOUNT_RATE_LIMIT"):
        limiter.limiter.hit(item, ACCOUNT_SCOPE, account)


RESET_ADDRESS_SCOPE = "password-reset-address"
RESET_ACCOUNT_SCOPE = "password-reset-account"
# Requests for a reset link: few per e-mail address (each sends a mail), more per client.
RESET_ACCOUNT_LIMIT = "5 per hour"
RESET_ADDRESS_LIMIT = "20 per hour"


def check_reset_request(email: str) -> None:
    """Count a request for a password reset link against the client address and the
    e-mail address it names; raise 429 when either limit is spent."""
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    config = current_app.config
    address = request.remote_addr or "unknown"
    address_left = [
        strategy.hit(item, RESET_ADDRESS_SCOPE, address)
        for item in parse_many(config.get("PASSWORD_RESET_RATE_LIMIT", RESET_ADDRESS_LIMIT))
    ]
    account = _account_key(email)
    account_left = [
        strategy.hit(item, RESET_ACCOUNT_SCOPE, account)
        for item in parse_many(config.get("PASSWORD_RESET_ACCOUNT_RATE_LIMIT", RESET_ACCOUNT_LIMIT))
        if account is not None
    ]
    if not all(address_left) or not all(account_left):
        raise TooManyRequests
