"""Issuing and checking bearer tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.api.models import ApiToken
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.models import Tenant
from channelfront.extensions import db

PREFIX = "cf_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(user: User, tenant_id: int) -> str:
    """Create a token for the user on one tenant; the plain token is returned once."""
    raw = PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, tenant_id=tenant_id, token_hash=_digest(raw), prefix=raw[:10])
    )
    return raw


def user_for_token(raw: str) -> User | None:
    """The user of a valid token of the active tenant, or None."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(raw), ApiToken.revoked.is_(False))
    )
    return token.user if token else None


def may_hold_token(user: User, tenant: Tenant) -> bool:
    """Tokens go to distributor staff of the tenant and resellers enrolled with it."""
    if user.kind == UserKind.DISTRIBUTOR:
        return user.tenant_id == tenant.id
    if user.kind != UserKind.RESELLER or user.company_id is None:
        return False
    enrolled = select(Enrollment.id).where(
        Enrollment.tenant_id == tenant.id, Enrollment.company_id == user.company_id
    )
    return db.session.scalar(enrolled) is not None
