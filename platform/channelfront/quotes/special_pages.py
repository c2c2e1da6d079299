"""What the special price pages show: the staff queue's rows, one request's page, and
a quote line's requests as the reseller sees them on its quote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from channelfront.accounts.models import Company, User, UserKind
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.quotes import services, special_requests
from channelfront.quotes.models import (
    EDITABLE,
    Quote,
    QuoteLine,
    SpecialPriceRequest,
    SpecialStage,
    SpecialStatus,
)
from channelfront.quotes.special_requests import OPEN, REQUESTING_ROLES
from channelfront.tenancy.models import Tenant

QUEUE_LIMIT = 200
STATUSES = tuple(status.value for status in SpecialStatus)


def status_label(status: str) -> str:
    labels = {
        SpecialStatus.PENDING.value: _("Waiting for a decision"),
        SpecialStatus.APPROVED.value: _("Approved"),
        SpecialStatus.COUNTERED.value: _("Counter offer"),
        SpecialStatus.DECLINED.value: _("Declined"),
        SpecialStatus.WITHDRAWN.value: _("Withdrawn"),
    }
    return str(labels.get(status, status))


def outcome_label(row: SpecialPriceRequest) -> str:
    """What the rule made of the request and where it stands."""
    if row.auto_approved:
        return str(_("Approved at once by the program's rule"))
    if row.status == SpecialStatus.PENDING:
        if row.stage == SpecialStage.VENDOR:
            return str(_("Waits for the vendor"))
        if row.needs_vendor:
            return str(_("Waits for a partner manager, then the vendor"))
        return str(_("Waits for a partner manager"))
    if row.status == SpecialStatus.COUNTERED:
        return str(_("Counter offer, waiting for the reseller"))
    return status_label(row.status)


def percent(bps: int) -> str:
    """Basis points as a percentage with up to two decimals ("12.5 %" style is the
    template's)."""
    whole, rest = divmod(bps, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") if rest else str(whole)


@dataclass
class RequestView:
    row: SpecialPriceRequest
    quote_number: str
    company: str
    customer: str
    product: str
    tenant: str = ""
    decisions: list[dict[str, Any]] = field(default_factory=list)

    def money(self, minor: int | None) -> Money | None:
        return None if minor is None else Money(minor, self.row.currency)

    @property
    def normal(self) -> Money | None:
        return self.money(self.row.normal_unit_minor)

    @property
    def requested(self) -> Money | None:
        return self.money(self.row.requested_unit_minor)

    @property
    def approved(self) -> Money | None:
        return self.money(self.row.approved_unit_minor)

    @property
    def line_total(self) -> Money | None:
        return self.money(self.row.requested_unit_minor * self.row.units)

    @property
    def normal_total(self) -> Money | None:
        return self.money(self.row.normal_unit_minor * self.row.units)

    @property
    def discount(self) -> str:
        return percent(self.row.discount_bps)

    @property
    def status(self) -> str:
        return status_label(self.row.status)

    @property
    def outcome(self) -> str:
        return outcome_label(self.row)


def _decisions(row: SpecialPriceRequest) -> list[dict[str, Any]]:
    said = []
    for entry in row.decisions or []:
        at = entry.get("at")
        said.append(
            {
                **entry,
                "at": datetime.fromisoformat(at) if isinstance(at, str) else None,
                "price": Money(entry["unit_minor"], row.currency)
                if entry.get("unit_minor") is not None
                else None,
            }
        )
    return said


def views(rows: list[SpecialPriceRequest], with_tenant: bool = False) -> list[RequestView]:
    """The rows with their quote, reseller, end customer and product names (one query
    per kind of name, not per row)."""
    if not rows:
        return []
    quotes = {
        q.id: q.number
        for q in db.session.scalars(select(Quote).where(Quote.id.in_({r.quote_id for r in rows})))
    }
    companies = dict(
        db.session.execute(
            select(Company.id, Company.name).where(Company.id.in_({r.company_id for r in rows}))
        ).all()
    )
    customers = dict(
        db.session.execute(
            select(Customer.id, Customer.company_name).where(
                Customer.id.in_({r.customer_id for r in rows})
            )
        ).all()
    )
    line_ids = {r.quote_line_id for r in rows if r.quote_line_id}
    names = dict(
        db.session.execute(
            select(QuoteLine.id, QuoteLine.name).where(QuoteLine.id.in_(line_ids))
        ).all()
    )
    tenants = (
        dict(
            db.session.execute(
                select(Tenant.id, Tenant.name).where(Tenant.id.in_({r.tenant_id for r in rows}))
            ).all()
        )
        if with_tenant
        else {}
    )
    return [
        RequestView(
            row=row,
            quote_number=quotes.get(row.quote_id, ""),
            company=companies.get(row.company_id, ""),
            customer=customers.get(row.customer_id, ""),
            product=names.get(row.quote_line_id or 0, row.sku),
            tenant=tenants.get(row.tenant_id, ""),
            decisions=_decisions(row),
        )
        for row in rows
    ]


def queue(actor: User, status: str | None, with_tenant: bool = False) -> list[RequestView]:
    """The staff user's requests, waiting ones first, at most QUEUE_LIMIT."""
    wanted = status if status in STATUSES else None
    rows = db.session.scalars(special_requests.visible_to(actor, wanted).limit(QUEUE_LIMIT)).all()
    return views(list(rows), with_tenant)


def visible(actor: User, request_id: int) -> SpecialPriceRequest | None:
    """The request if the staff user may see it (on the active tenant, if any)."""
    query = special_requests.visible_to(actor).where(SpecialPriceRequest.id == request_id)
    return db.session.scalar(query)


# --- the reseller's quote -----------------------------------------------------------------


@dataclass
class LineView:
    """One quote line's special prices as the reseller sees them."""

    quote: Quote
    line: QuoteLine
    rows: list[SpecialPriceRequest]

    def money(self, minor: int | None) -> Money | None:
        return None if minor is None else Money(minor, self.quote.currency)

    @property
    def approved(self) -> SpecialPriceRequest | None:
        return next((r for r in reversed(self.rows) if r.status == SpecialStatus.APPROVED), None)

    @property
    def open(self) -> SpecialPriceRequest | None:
        return next((r for r in reversed(self.rows) if r.status in OPEN), None)

    @property
    def shown(self) -> list[SpecialPriceRequest]:
        """The open and the approved request, or else the latest one."""
        found = [r for r in (self.open, self.approved) if r is not None]
        return found or self.rows[-1:]

    @property
    def acts(self) -> bool:
        """The signed-in user asks, accepts and withdraws for the quote's company."""
        user = current_user
        return bool(
            user.is_authenticated
            and user.kind == UserKind.RESELLER
            and user.company_id == self.quote.company_id
            and user.role in REQUESTING_ROLES
        )

    @property
    def may_request(self) -> bool:
        return (
            self.acts
            and self.quote.status in EDITABLE
            and not services.is_expired(self.quote)
            and self.line.buy_unit_minor > 0
        )

    def label(self, row: SpecialPriceRequest) -> str:
        return outcome_label(row)


def rows_of(quote: Quote) -> list[SpecialPriceRequest]:
    """The quote's requests, read once per request however many lines show them."""
    cache = g.setdefault("special_price_rows", {})
    if quote.id not in cache:
        cache[quote.id] = special_requests.of_quote(quote)
    return list(cache[quote.id])


def line_view(quote: Quote, line: QuoteLine) -> LineView:
    return LineView(quote, line, [r for r in rows_of(quote) if r.quote_line_id == line.id])


def quote_views(quote: Quote) -> list[RequestView]:
    return views(rows_of(quote))
