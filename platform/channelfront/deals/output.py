"""A deal as JSON-ready data: what the API answers and what ``deal.*`` webhooks carry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from channelfront.accounts.models import Company
from channelfront.deals.models import Deal
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.models import Order
from channelfront.quotes.models import Quote


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _number(model: Any, row_id: int | None) -> str | None:
    if row_id is None:
        return None
    return db.session.scalar(select(model.number).where(model.id == row_id))


def deal_ref(deal_id: int | None) -> dict[str, Any] | None:
    """The few fields that name a deal on a quote or an order (null without one)."""
    deal = db.session.get(Deal, deal_id) if deal_id is not None else None
    if deal is None:
        return None
    return {"id": deal.id, "number": deal.number, "external_id": deal.external_id}


def deal_json(deal: Deal) -> dict[str, Any]:
    """Everything a CRM needs to match the deal back: its ids, status and documents."""
    company = db.session.get(Company, deal.company_id)
    customer = deal.customer
    return {
        "id": deal.id,
        "number": deal.number,
        "status": deal.status,
        "external_id": deal.external_id,
        "crm_account_id": deal.crm_account_id,
        "crm_opportunity_id": deal.crm_opportunity_id,
        "company": {"id": deal.company_id, "name": company.name if company else ""},
        "end_customer": {
            "id": customer.id,
            "company_name": customer.company_name,
            "contact_name": customer.contact_name,
            "email": customer.email,
            "country": customer.country,
            "vat_id": customer.vat_id,
        },
        "lines": [
            {"sku": line.sku, "name": line.name, "quantity": line.quantity} for line in deal.lines
        ],
        "currency": deal.currency,
        "expected_value": str(Money(deal.expected_value_minor, deal.currency).amount),
        "expected_close": deal.expected_close.isoformat(),
        "competitor": deal.competitor,
        "note": deal.note,
        "reason": deal.reason,
        "decided_at": _moment(deal.decided_at),
        "protected_until": deal.protected_until.isoformat() if deal.protected_until else None,
        "conflict_deal_ids": list(deal.conflict_deal_ids or []),
        "quote": _number(Quote, deal.quote_id),
        "order": _number(Order, deal.order_id),
        "created_at": _moment(deal.created_at),
        "events": [
            {"kind": event.kind, "at": _moment(event.at), "note": event.note}
            for event in deal.events
        ],
    }
