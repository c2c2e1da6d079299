"""Special price test helpers: a rule for Bluebird's program tier on northwind, a request
as the reseller's page makes it, and what the audit log, mail and rows hold after."""

from __future__ import annotations

from sqlalchemy import func, select

from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.pricing.models import Enrollment
from channelfront.quotes import special_requests, special_rules
from channelfront.quotes.models import Quote, SpecialPriceRequest, SpecialPriceRule
from tests.quotes.world import BUYER, Shop

PARTNER_MANAGER = "partners@northwind.example"
DISTRIBUTOR_ADMIN = "admin@northwind.example"
FINANCE = "finance@northwind.example"
VENDOR = "admin@nimbus.example"
END_CUSTOMER = "it@acme.example"


def tier_rule(
    shop: Shop,
    auto: str = "",
    auto_line: str = "",
    vendor: str = "",
    vendor_line: str = "",
) -> SpecialPriceRule:
    """The rule of Bluebird's program tier, saved by the partner manager and committed."""
    company_id = shop.user(BUYER).company_id
    enrollment = db.session.scalars(
        select(Enrollment).where(Enrollment.company_id == company_id)
    ).one()
    rule = special_rules.save(
        enrollment.program,
        shop.user(PARTNER_MANAGER),
        special_rules.RuleInput(auto, auto_line, vendor, vendor_line),
        shop.tenant.currency,
    )
    commit_and_dispatch()
    return rule


def ask(
    shop: Shop, quote: Quote, line: int = 0, by: str = BUYER, **fields: object
) -> SpecialPriceRequest:
    """A request on the quote's line, committed and its mail sent."""
    fields.setdefault("justification", "Competitive deal against another vendor")
    row = special_requests.request_price(
        quote,
        quote.lines[line],
        shop.user(by),
        **fields,  # type: ignore[arg-type]
    )
    commit_and_dispatch()
    return row


def decide(shop: Shop, row: SpecialPriceRequest, by: str, decision: str, **fields: object):  # type: ignore[no-untyped-def]
    fields.setdefault("comment", None)
    special_requests.decide(row, shop.user(by), decision, **fields)  # type: ignore[arg-type]
    commit_and_dispatch()
    return row


def requests() -> list[SpecialPriceRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(SpecialPriceRequest).order_by(SpecialPriceRequest.id)))


def audit_actions(row: SpecialPriceRequest) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.subject_type == "special_price_request",
                AuditEvent.subject_id == str(row.id),
            )
            .order_by(AuditEvent.id)
        )
    )


def audit_count() -> int:
    return int(db.session.scalar(select(func.count(AuditEvent.id))) or 0)
