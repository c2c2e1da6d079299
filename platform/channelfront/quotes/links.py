"""Signed links for the end customer: one quote, one revision, until the quote expires.

The token is signed with ``SECRET_KEY`` (itsdangerous, its own salt) and names the
tenant, the quote and its revision. It carries no expiry of its own: the page refuses
it once the quote's validity date has passed, or once the quote was revised.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "channelfront.quote-link"
MAX_TOKEN_LENGTH = 300


@dataclass(frozen=True)
class LinkTarget:
    tenant_id: int
    quote_id: int
    revision: int


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(tenant_id: int, quote_id: int, revision: int) -> str:
    return str(_serializer().dumps({"t": tenant_id, "q": quote_id, "r": revision}))


def customer_url(tenant_id: int, quote_id: int, revision: int) -> str:
    """The absolute link on the host of the current request (the distributor's)."""
    token = make_token(tenant_id, quote_id, revision)
    return url_for("quote_customer.show", token=token, _external=True)


def read_token(token: str) -> LinkTarget | None:
    """What a token names; None when it is malformed or tampered with."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    values = (data.get("t"), data.get("q"), data.get("r"))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    return LinkTarget(*values)  # type: ignore[arg-type]
