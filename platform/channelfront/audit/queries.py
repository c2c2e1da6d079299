"""Who reads which audit events, and the filtered, paged list they read.

The one place that decides each audience's events:

- **Company admins** (on a storefront) read the events of their own company
  (``company_id``) that were recorded either on a tenant where the company is
  enrolled now, or on no tenant at all (the company's users and profile). Events a
  distributor recorded about the company on a tenant it has left, e.g. the end of
  that enrollment, stay with that distributor: the company no longer sees them.
- **Distributor admins** (on their tenant's storefront) read the events recorded on
  their tenant (``tenant_id``), whichever company they concern.
- **Vendor admins** (on the admin host) read every event.

Everybody else reads none. Lists are newest first and use the indexes on
``(company_id, at)``, ``(tenant_id, at)`` and ``at``.

Filters come from the query string: ``from`` and ``to`` (ISO dates, UTC, both
inclusive), ``action`` (a known action name), ``actor`` (part of the actor's e-mail)
and ``subject`` (a known subject type); ``page`` picks the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, false, func, or_, select, true

from channelfront.accounts.models import UserKind
from channelfront.audit.labels import ACTION_LABELS, SUBJECT_LABELS
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.scoping import tenant_scope
from channelfront.web.params import ParamError, page_number

PER_PAGE = 50
MAX_ACTOR = 254
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

COMPANY_ADMIN = "company_admin"
DISTRIBUTOR_ADMIN = "distributor_admin"
VENDOR_ADMIN = "vendor_admin"


@dataclass(frozen=True)
class Reader:
    """What one reader may see: a company's events, a tenant's, or all of them."""

    company_id: int | None = None
    tenant_id: int | None = None
    everything: bool = False


def reader_for(user: Any, site_tenant_id: int | None) -> Reader | None:
    """The events ``user`` reads on this site (None on the admin host); None: no audit log."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return None
    if user.kind == UserKind.VENDOR and user.role == VENDOR_ADMIN and site_tenant_id is None:
        return Reader(everything=True)
    if site_tenant_id is None:
        return None
    if (
        user.kind == UserKind.DISTRIBUTOR
        and user.role == DISTRIBUTOR_ADMIN
        and user.tenant_id == site_tenant_id
    ):
        return Reader(tenant_id=site_tenant_id)
    if user.kind == UserKind.RESELLER and user.role == COMPANY_ADMIN and user.company_id:
        return Reader(company_id=user.company_id)
    return None


def _enrolled_tenant_ids(company_id: int) -> list[int]:
    # Every tenant of the company, not only the one whose host serves the page.
    with tenant_scope(None):
        return list(
            db.session.scalars(
                select(Enrollment.tenant_id).where(Enrollment.company_id == company_id)
            )
        )


def _visible(reader: Reader) -> ColumnElement[bool]:
    if reader.everything:
        return true()
    if reader.tenant_id is not None:
        return AuditEvent.tenant_id == reader.tenant_id
    if reader.company_id is not None:
        tenants = _enrolled_tenant_ids(reader.company_id)
        return (AuditEvent.company_id == reader.company_id) & or_(
            AuditEvent.tenant_id.is_(None), AuditEvent.tenant_id.in_(tenants)
        )
    return false()


@dataclass(frozen=True)
class AuditFilters:
    date_from: date | None = None
    date_to: date | None = None
    action: str | None = None
    actor: str = ""
    subject: str | None = None
    page: int = 1

    def as_args(self) -> dict[str, str]:
        """The filters as query-string parameters (without the page), for links."""
        args = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "action": self.action or "",
            "actor": self.actor,
            "subject": self.subject or "",
        }
        return {key: value for key, value in args.items() if value}


def _date(args: Mapping[str, str], name: str, message: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ParamError(name, message) from None


def _choice(
    args: Mapping[str, str], name: str, known: Mapping[str, Any], message: str
) -> str | None:
    value = (args.get(name) or "").strip() or None
    if value is not None and value not in known:
        raise ParamError(name, message)
    return value


def parse_filters(args: Mapping[str, str]) -> AuditFilters:
    """Read the filters from query parameters; ParamError names a bad one."""
    date_from = _date(args, "from", _("The start date must be a date written as YYYY-MM-DD."))
    date_to = _date(args, "to", _("The end date must be a date written as YYYY-MM-DD."))
    if date_from and date_to and date_from > date_to:
        raise ParamError("to", _("The end date is before the start date."))
    action = _choice(args, "action", ACTION_LABELS, _("There is no such action."))
    subject = _choice(args, "subject", SUBJECT_LABELS, _("There is no such kind of record."))
    actor = (args.get("actor") or "").strip()
    if len(actor) > MAX_ACTOR:
        raise ParamError("actor", _("The e-mail has at most %(max)d characters.", max=MAX_ACTOR))
    if not actor.isprintable():
        raise ParamError("actor", _("The e-mail contains characters that cannot be searched."))
    return AuditFilters(date_from, date_to, action, actor, subject, page_number(args))


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def events(reader: Reader, filters: AuditFilters) -> Select[tuple[AuditEvent]]:
    """The events ``reader`` may read that match ``filters``, newest first."""
    stmt = select(AuditEvent).where(_visible(reader))
    if filters.date_from:
        stmt = stmt.where(AuditEvent.at >= _start_of(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.at < _start_of(filters.date_to + timedelta(days=1)))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.subject:
        stmt = stmt.where(AuditEvent.subject_type == filters.subject)
    if filters.actor:
        stmt = stmt.where(
            func.lower(AuditEvent.actor_label).like(_like(filters.actor), escape="\\")
        )
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    page: int
    pages: int
    total: int
    filters: AuditFilters


def page_of(reader: Reader, filters: AuditFilters, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the reader's filtered events and how many there are."""
    stmt = events(reader, filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    rows = list(db.session.scalars(stmt.limit(per_page).offset((filters.page - 1) * per_page)))
    return AuditPage(rows, filters.page, pages, total, filters)
