"""Signed renewal links for end customers: bound to one tenant and one subscription.

The token is signed with the app's ``SECRET_KEY`` (itsdangerous, its own salt) and
carries its time, so a link stops working after ``LINK_MAX_AGE``. The reseller's
subscriptions page makes a fresh link every time it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "channelfront.renewal-link"
LINK_MAX_AGE = 90 * 24 * 3600  # seconds: a renewal notice is sent well ahead of the end date
MAX_TOKEN_LENGTH = 300


class LinkExpired(Exception):
    """The link was genuine but is older than LINK_MAX_AGE."""


@dataclass(frozen=True)
class LinkTarget:
    tenant_id: int
    subscription_id: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(tenant_id: int, subscription_id: int) -> str:
    return str(_serializer().dumps({"t": tenant_id, "s": subscription_id}))


def renewal_url(tenant_id: int, subscription_id: int) -> str:
    """The absolute renewal link on the host of the current request (the distributor's)."""
    return url_for("renewals.renew", token=make_token(tenant_id, subscription_id), _external=True)


def read_token(token: str) -> LinkTarget | None:
    """What a token names; None when it is malformed or tampered with.

    Raises LinkExpired for a genuine token past its age.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    tenant_id, subscription_id = data.get("t"), data.get("s")
    if not isinstance(tenant_id, int) or not isinstance(subscription_id, int):
        return None
    return LinkTarget(tenant_id, subscription_id)
