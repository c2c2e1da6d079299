"""Single-use links sent by mail: invitations, password resets, e-mail checks.

A link's token is a random secret signed with the app's ``SECRET_KEY`` (itsdangerous,
one salt per purpose), so a token made for one purpose is refused for another and a
forged one is refused without a query. The row keeps only the secret's SHA-256 with
the link's expiry; using a link marks the row in a single conditional UPDATE, so two
parallel submissions of one link succeed once.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from channelfront.accounts.models import AccountLink, LinkPurpose
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant

MAX_TOKEN_LENGTH = 200


class LinkProblem(enum.Enum):
    INVALID = _l("This link is not valid. Check that you copied all of it.")
    EXPIRED = _l("This link has expired. Ask for a new one.")
    USED = _l("This link has already been used. Ask for a new one if you still need it.")
    REPLACED = _l("This link was replaced by a newer one or withdrawn. Use the latest mail.")


class LinkRefused(Exception):
    """The link cannot be used; ``problem.value`` is the message for the person."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.name)
        self.problem = problem

    @property
    def message(self) -> str:
        return str(self.problem.value)


def _serializer(purpose: LinkPurpose) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"channelfront.{purpose}")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class IssuedLink:
    link: AccountLink
    token: str


def issue(
    purpose: LinkPurpose,
    lifetime: timedelta,
    *,
    user_id: int | None = None,
    application_id: int | None = None,
    tenant_id: int | None = None,
    created_by_id: int | None = None,
) -> IssuedLink:
    """Add a link to the session (the caller commits); the token goes into the URL."""
    secret = secrets.token_urlsafe(32)
    moment = now()
    link = AccountLink(
        purpose=purpose.value,
        secret_hash=_digest(secret),
        user_id=user_id,
        application_id=application_id,
        tenant_id=tenant_id,
        created_by_id=created_by_id,
        created_at=moment,
        expires_at=moment + lifetime,
    )
    db.session.add(link)
    return IssuedLink(link, str(_serializer(purpose).dumps(secret)))


def _secret(purpose: LinkPurpose, token: str) -> str:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkRefused(LinkProblem.INVALID)
    try:
        secret = _serializer(purpose).loads(token)
    except BadSignature as exc:
        raise LinkRefused(LinkProblem.INVALID) from exc
    if not isinstance(secret, str):
        raise LinkRefused(LinkProblem.INVALID)
    return secret


def peek(purpose: LinkPurpose, token: str, site_tenant_id: int | None) -> AccountLink:
    """The link a token names, if it can still be used on this site (the tenant it was
    sent for, or None for the vendor console); raises LinkRefused otherwise."""
    secret = _secret(purpose, token)
    link = db.session.scalar(
        select(AccountLink).where(
            AccountLink.secret_hash == _digest(secret), AccountLink.purpose == purpose.value
        )
    )
    if link is None or link.tenant_id != site_tenant_id:
        raise LinkRefused(LinkProblem.INVALID)
    if link.revoked_at is not None:
        raise LinkRefused(LinkProblem.REPLACED)
    if link.used_at is not None:
        raise LinkRefused(LinkProblem.USED)
    if _aware(link.expires_at) <= now():
        raise LinkRefused(LinkProblem.EXPIRED)
    return link


def use(purpose: LinkPurpose, token: str, site_tenant_id: int | None) -> AccountLink:
    """Mark the link used, once: a second use, even in parallel, raises LinkRefused.

    Part of the caller's transaction: if the caller rolls back, the link is unused again.
    """
    link = peek(purpose, token, site_tenant_id)
    moment = now()
    marked = db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.id == link.id,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
        )
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkRefused(LinkProblem.USED)
    db.session.refresh(link)
    return link


def revoke_links(purpose: LinkPurpose, *, user_id: int | None = None) -> None:
    """Revoke every unused link of this purpose for the user (a new one replaces them)."""
    db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.purpose == purpose.value,
            AccountLink.user_id == user_id,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
        )
        .values(revoked_at=now())
        .execution_options(synchronize_session=False)
    )


def site_host(tenant_id: int | None) -> str:
    """The host name a link for this tenant (None: the vendor console) points at."""
    if tenant_id is None:
        return str(current_app.config["ADMIN_HOST"])
    tenant = db.session.get(Tenant, tenant_id)
    host = tenant.primary_host if tenant else None
    if host is None:
        raise LookupError(f"tenant {tenant_id} has no primary host")
    return host


def external_url(tenant_id: int | None, endpoint: str, **values: object) -> str:
    """An absolute URL on the tenant's primary host (or the console's), keeping the scheme
    and port of the current request, so a link made on one host works on another."""
    path = url_for(endpoint, **values)
    scheme = request.scheme
    port = request.host.rpartition(":")[2] if ":" in request.host else ""
    host = site_host(tenant_id)
    return f"{scheme}://{host}{':' + port if port else ''}{path}"
