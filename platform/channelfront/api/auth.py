"""Bearer-token authentication for the API (no cookies, so no CSRF exposure)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import g, request

from channelfront.accounts.auth import may_sign_in_here
from channelfront.accounts.models import User, UserKind
from channelfront.api.errors import api_error
from channelfront.api.tokens import user_for_token
from channelfront.tenancy.middleware import current_tenant


def api_user() -> User:
    """The user the current API request acts for."""
    return cast(User, g.api_user)


def caller_company_id() -> int | None:
    """The company of the reseller the request acts for; None for staff tokens."""
    caller = api_user()
    if caller.kind != UserKind.RESELLER or caller.company_id is None:
        return None
    return caller.company_id


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, raw = request.headers.get("Authorization", "").strip().partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return None
    return raw


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 401 unless a live token of this storefront's tenant is sent.

    The user must also still be allowed to sign in here (active, enrolled or staff),
    so deactivating a user or ending an enrollment stops their tokens at once.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        tenant = current_tenant()
        raw = bearer_token()
        user = user_for_token(raw, tenant.id) if raw and tenant is not None else None
        if user is None or not may_sign_in_here(user):
            return api_error(401, "A valid bearer token for this storefront is required.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
