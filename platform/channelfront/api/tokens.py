"""Issuing and checking bearer tokens: one user, one tenant, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.api.models import ApiToken
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.models import Tenant

PREFIX = "cf_"
# token_urlsafe(32) gives 43 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 100


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, tenant_id: int) -> str:
    """Create a token for the user on one tenant and return it; only its hash is stored.

    The caller checks :func:`token_refusal` first and commits.
    """
    raw = PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, tenant_id=tenant_id, token_hash=_digest(raw), prefix=raw[:10])
    )
    return raw


def user_for_token(raw: str, tenant_id: int) -> User | None:
    """The user of a live token issued for this tenant, or None.

    The tenant is compared explicitly as well as by the session's tenant scoping,
    so a token can never act outside the storefront it was issued for.
    """
    if not raw.startswith(PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _digest(raw),
            ApiToken.tenant_id == tenant_id,
            ApiToken.revoked.is_(False),
        )
    )
    return token.user if token else None


def token_refusal(user: User, tenant: Tenant) -> str | None:
    """Why the user may not hold a token on the tenant, or None when they may.

    Tokens go to active distributor staff of the tenant and to active users of a
    reseller company enrolled with it: the people who may sign in on its host.
    """
    if not user.is_active:
        return f"{user.email} is deactivated"
    if user.kind == UserKind.DISTRIBUTOR:
        if user.tenant_id != tenant.id:
            return f"{user.email} is staff of another distributor, not of {tenant.slug}"
        return None
    if user.kind != UserKind.RESELLER or user.company_id is None:
        return f"{user.email} is not a reseller or distributor user; tokens are for storefronts"
    enrolled = select(Enrollment.id).where(
        Enrollment.tenant_id == tenant.id, Enrollment.company_id == user.company_id
    )
    if db.session.scalar(enrolled) is None:
        return f"{user.email}'s company is not enrolled with {tenant.slug}"
    return None
