"""Registering deals: check the reseller's input, number the deal, find conflicts.

Every status change afterwards goes through ``decisions``. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.audit import service as audit
from channelfront.customers import services as customers
from channelfront.customers.models import Customer
from channelfront.customers.services import CustomerInput
from channelfront.deals import conflicts, mail
from channelfront.deals.models import Deal, DealEvent, DealLine, DealStatus
from channelfront.extensions import db
from channelfront.orders import numbering
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, price_lines
from channelfront.pricing.services import PartnerTerms
from channelfront.quotes import prices
from channelfront.tenancy.models import Tenant

MAX_EXTERNAL_ID = 80
MAX_CRM_ACCOUNT_ID = 64
MAX_COMPETITOR = 120
MAX_NOTE = 2000
#: A close date at most this far ahead: a registration protects a near opportunity.
MAX_CLOSE_DAYS = 730


class DuplicateExternalId(OrderInputError):
    """The company registered a deal with this CRM id already (the API answers 409)."""


@dataclass(frozen=True)
class DealLineInput:
    sku: str
    quantity: object


@dataclass(frozen=True)
class DealInput:
    lines: list[DealLineInput] = field(default_factory=list)
    customer_id: object = None
    new_customer: CustomerInput | None = None
    expected_value: object = None
    expected_close: object = None
    competitor: str = ""
    note: str = ""
    external_id: str = ""
    crm_account_id: str = ""
    crm_opportunity_id: str = ""


def today() -> date:
    return datetime.now(UTC).date()


def deal_number(prefix: str, value: int) -> str:
    return f"{prefix}-D-{value:06d}"


def record(
    deal: Deal, kind: str, actor_id: int | None = None, note: str | None = None, **data: object
) -> DealEvent:
    """A timeline entry on the deal (no commit)."""
    event = DealEvent(
        tenant_id=deal.tenant_id,
        kind=kind,
        actor_id=actor_id,
        note=note,
        data=dict(data),
        at=datetime.now(UTC),
    )
    deal.events.append(event)
    return event


def text(raw: object, field_name: str, maximum: int) -> str | None:
    """Trimmed printable text of at most ``maximum`` characters, None when blank."""
    value = str(raw or "").strip()
    if not all(ch.isprintable() or ch in "\r\n\t" for ch in value):
        raise OrderInputError(field_name, _("The text contains characters that cannot be stored."))
    if len(value) > maximum:
        raise OrderInputError(
            field_name, _("The text has at most %(max)d characters.", max=maximum)
        )
    return value or None


def _one_line(raw: object, field_name: str, maximum: int) -> str | None:
    value = text(raw, field_name, maximum)
    if value is not None and any(ch in value for ch in "\r\n\t"):
        raise OrderInputError(field_name, _("Enter this on one line."))
    return value


def _close_date(raw: object) -> date:
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw or "").strip())
        except ValueError as exc:
            raise OrderInputError(
                "expected_close", _("Enter the expected close date (YYYY-MM-DD).")
            ) from exc
    if value < today() or value > today() + timedelta(days=MAX_CLOSE_DAYS):
        raise OrderInputError(
            "expected_close",
            _(
                "The expected close date is from today to %(days)d days ahead.",
                days=MAX_CLOSE_DAYS,
            ),
        )
    return value


def _value(raw: object, currency: str) -> int:
    if raw in (None, ""):
        raise OrderInputError("expected_value", _("Enter the deal's expected value."))
    return prices.parse_amount(raw, currency, "expected_value")


def _lines(terms: PartnerTerms, tenant: Tenant, data: DealInput) -> list[DealLine]:
    """The deal's lines: products the reseller may buy here, each once, a whole quantity."""
    requests = [LineRequest(line.sku, line.quantity) for line in data.lines]
    priced = price_lines(terms, tenant.currency, tenant.default_locale, requests)
    return [
        DealLine(
            tenant_id=tenant.id,
            product_id=line.product.id,
            sku=line.product.sku,
            name=line.name,
            quantity=line.quantity,
        )
        for line in priced
    ]


def _external_id(company_id: int, raw: object) -> str | None:
    external_id = _one_line(raw, "external_id", MAX_EXTERNAL_ID)
    if external_id is None:
        return None
    taken = db.session.scalar(
        select(Deal.number).where(Deal.company_id == company_id, Deal.external_id == external_id)
    )
    if taken is not None:
        raise DuplicateExternalId(
            "external_id",
            _(
                "Deal %(number)s already has this CRM id. Each registration needs its own.",
                number=taken,
            ),
        )
    return external_id


def _customer(company_id: int, data: DealInput) -> Customer:
    if data.customer_id not in (None, ""):
        return customers.get_for_company(company_id, data.customer_id)
    if data.new_customer is not None:
        return customers.create(company_id, customers.validate(data.new_customer))
    raise OrderInputError("end_customer", _("Choose an end customer or enter a new one."))


def register(tenant: Tenant, actor: User, terms: PartnerTerms, data: DealInput) -> Deal:
    """A pending deal for an end customer (no commit); OrderInputError names a bad field.

    Everything is checked before a number is taken or a new customer is written.
    """
    company_id = terms.enrollment.company_id
    lines = _lines(terms, tenant, data)
    deal = Deal(
        tenant_id=tenant.id,
        company_id=company_id,
        created_by=actor.id,
        status=DealStatus.PENDING.value,
        currency=tenant.currency,
        expected_value_minor=_value(data.expected_value, tenant.currency),
        expected_close=_close_date(data.expected_close),
        competitor=_one_line(data.competitor, "competitor", MAX_COMPETITOR),
        note=text(data.note, "note", MAX_NOTE),
        crm_opportunity_id=_one_line(data.crm_opportunity_id, "crm_opportunity_id", 80),
        conflict_deal_ids=[],
    )
    crm_account_id = _one_line(data.crm_account_id, "crm_account_id", MAX_CRM_ACCOUNT_ID)
    deal.external_id = _external_id(company_id, data.external_id)
    customer = _customer(company_id, data)
    deal.customer = customer
    deal.crm_account_id = crm_account_id or customer.crm_account_id
    deal.lines = lines
    deal.number = deal_number(tenant.document_prefix, numbering.next_value(tenant.id, "deal"))
    now = datetime.now(UTC)
    deal.created_at = deal.updated_at = now
    db.session.add(deal)
    db.session.flush()
    deal.conflict_deal_ids = conflicts.find(deal)
    record(deal, "registered", actor.id, conflicts=list(deal.conflict_deal_ids))
    audit.record(
        "deal.registered",
        deal,
        label=deal.number,
        after={"status": deal.status, "external_id": deal.external_id},
        tenant_id=tenant.id,
        company_id=company_id,
        actor=actor,
    )
    mail.tell_deciders(deal)
    return deal


def find(company_id: int, number: str) -> Deal | None:
    """The company's deal with this number on the active tenant."""
    if not isinstance(number, str) or len(number) > 24:
        return None
    return db.session.scalar(
        select(Deal).where(Deal.company_id == company_id, Deal.number == number)
    )


def is_protected(deal: Deal, on: date | None = None) -> bool:
    """Approved and within its protection period."""
    return (
        deal.status == DealStatus.APPROVED
        and deal.protected_until is not None
        and deal.protected_until >= (on or today())
    )
