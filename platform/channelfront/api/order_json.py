"""Orders, credit and customers as the plain data the output schemas dump."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from channelfront.api.order_queries import OrderDetail
from channelfront.customers.models import Customer
from channelfront.deals.output import deal_ref
from channelfront.i18n.formatting import Money
from channelfront.orders.credit import CreditStatus
from channelfront.orders.models import Order, OrderLine


def decimal(minor: int, currency: str) -> str:
    return str(Money(minor, currency).amount)


def utc(moment: datetime | None) -> datetime | None:
    """Aware UTC: SQLite hands back naive timestamps, which are UTC by construction."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "company_name": customer.company_name,
        "contact_name": customer.contact_name,
        "email": customer.email,
        "country": customer.country,
        "vat_id": customer.vat_id,
    }


def _line(line: OrderLine, currency: str) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "name": line.name,
        "kind": line.kind,
        "quantity": line.quantity,
        "term_months": line.term_months,
        "list_price": decimal(line.list_price_minor, currency),
        "unit_price": decimal(line.unit_price_minor, currency),
        "total": decimal(line.total_minor, currency),
        "price_source": {
            "kind": line.price_source,
            "discount_percent": str(Decimal(line.discount_bps).scaleb(-2)),
        },
    }


def _periods(line: OrderLine) -> int:
    """Billing periods a line buys, recovered from its snapshot (total / unit / quantity)."""
    per_period = line.unit_price_minor * line.quantity
    return line.total_minor // per_period if per_period else 1


def _list_total(order: Order) -> int:
    return sum(line.list_price_minor * line.quantity * _periods(line) for line in order.lines)


def order_json(detail: OrderDetail) -> dict[str, Any]:
    order, currency = detail.order, detail.order.currency
    skus = {line.id: line.sku for line in order.lines}
    seats = {line.id: line.quantity for line in order.lines}
    invoice = detail.invoice
    return {
        "number": order.number,
        "status": order.status,
        "created_at": utc(order.created_at),
        "currency": currency,
        "total": decimal(order.total_minor, currency),
        "list_total": decimal(_list_total(order), currency),
        "payment": {"method": order.payment_method, "error": order.payment_error},
        "po_number": order.po_number,
        "deal": deal_ref(order.deal_id),
        "crm_account_id": order.crm_account_id,
        "crm_opportunity_id": order.crm_opportunity_id,
        "note": order.note,
        "notify_end_customer": order.notify_end_customer,
        "buyer": {"name": detail.buyer.name, "email": detail.buyer.email},
        "end_customer": customer_json(order.customer) if order.customer else None,
        "lines": [_line(line, currency) for line in order.lines],
        "events": [
            {
                "kind": event.kind,
                "at": utc(event.at),
                "actor": detail.actors.get(event.actor_id) if event.actor_id else None,
                "note": event.note,
                "data": event.data or {},
            }
            for event in order.events
        ],
        "licenses": [
            {
                "sku": skus.get(lic.order_line_id, ""),
                "key": lic.key,
                "seats": seats.get(lic.order_line_id, 0),
                "issued_at": utc(lic.issued_at),
                "delivered_at": utc(lic.delivered_at),
                "assigned_to": lic.assigned_to,
                "note": lic.note,
                "revoked_at": utc(lic.revoked_at),
            }
            for lic in detail.licenses
        ],
        "subscriptions": [
            {
                "sku": skus.get(sub.order_line_id, ""),
                "quantity": sub.quantity,
                "term_months": sub.term_months,
                "starts_on": sub.starts_on,
                "ends_on": sub.ends_on,
                "status": sub.status,
            }
            for sub in detail.subscriptions
        ],
        "invoice": None
        if invoice is None
        else {
            "number": invoice.number,
            "status": invoice.status,
            "issued_on": invoice.issued_on,
            "due_on": invoice.due_on,
            "currency": invoice.currency,
            "total": decimal(invoice.total_minor, invoice.currency),
            "paid_at": utc(invoice.paid_at),
        },
    }


def summary_json(order: Order) -> dict[str, Any]:
    customer = order.customer
    return {
        "number": order.number,
        "status": order.status,
        "created_at": utc(order.created_at),
        "currency": order.currency,
        "total": decimal(order.total_minor, order.currency),
        "payment_method": order.payment_method,
        "po_number": order.po_number,
        "end_customer": None
        if customer is None
        else {"id": customer.id, "company_name": customer.company_name},
    }


def credit_json(credit: CreditStatus) -> dict[str, Any]:
    currency = credit.limit.currency
    return {
        "currency": currency,
        "limit": decimal(credit.limit.minor, currency),
        "outstanding": decimal(credit.outstanding.minor, currency),
        "available": decimal(credit.available.minor, currency),
        "overdue": credit.overdue,
    }
