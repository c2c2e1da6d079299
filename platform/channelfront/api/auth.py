"""Bearer-token authentication for the API (no cookies, so no CSRF exposure)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from channelfront.accounts.auth import may_sign_in_here
from channelfront.accounts.models import User
from channelfront.api.errors import api_error
from channelfront.api.tokens import user_for_token


def api_user() -> User:
    """The user the current API request acts for."""
    return g.api_user


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        user = user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
        if user is None or not may_sign_in_here(user):
            return api_error(401, "A valid bearer token for this storefront is required.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
