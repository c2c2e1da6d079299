"""Subscriptions, invoices and statements as the plain data the output schemas dump."""

from __future__ import annotations

from typing import Any

from flask import url_for

from channelfront.api.order_json import decimal, utc
from channelfront.api.readonly_queries import InvoiceRow, SubscriptionRow
from channelfront.customers.models import Customer
from channelfront.i18n.formatting import Money
from channelfront.invoices.views import state_of as invoice_state
from channelfront.statements.partners import company_id_of
from channelfront.statements.queries import LineView, StatementView, Viewer


def _customer(customer: Customer | None) -> dict[str, Any] | None:
    return None if customer is None else {"id": customer.id, "company_name": customer.company_name}


def subscription_json(row: SubscriptionRow) -> dict[str, Any]:
    sub = row.subscription
    return {
        "id": sub.id,
        "sku": row.sku,
        "product_name": row.product_name,
        "quantity": sub.quantity,
        "term_months": sub.term_months,
        "starts_on": sub.starts_on,
        "ends_on": sub.ends_on,
        "renewal_date": None if row.state == "cancelled" else sub.ends_on,
        "status": row.state,
        "end_customer": _customer(row.customer),
        "order_number": row.order_number,
        "company": {"id": sub.company_id, "name": row.company},
    }


def invoice_json(row: InvoiceRow) -> dict[str, Any]:
    invoice, order = row.invoice, row.order
    return {
        "number": invoice.number,
        "order_number": order.number,
        "status": invoice.status,
        "state": invoice_state(invoice),
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "paid_at": utc(invoice.paid_at),
        "currency": invoice.currency,
        "total": decimal(invoice.total_minor, invoice.currency),
        "po_number": order.po_number or None,
        "end_customer": _customer(order.customer),
        "company": {"id": invoice.company_id, "name": row.company},
        "url": url_for("invoices.detail", number=invoice.number, _external=True),
    }


def invoice_detail_json(row: InvoiceRow) -> dict[str, Any]:
    order = row.order
    currency = order.currency
    return {
        **invoice_json(row),
        "order_total": decimal(order.total_minor, currency),
        "credit_applied": decimal(order.credit_minor, currency),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "kind": line.kind,
                "quantity": line.quantity,
                "term_months": line.term_months,
                "unit_price": decimal(line.unit_price_minor, currency),
                "total": decimal(line.total_minor, currency),
            }
            for line in order.lines
        ],
    }


def _amount(money: Money | None) -> str | None:
    return None if money is None else str(money.amount)


def statement_json(view: StatementView, viewer: Viewer, company: str | None) -> dict[str, Any]:
    note = view.credit_note
    company_id = company_id_of(viewer.beneficiary)
    return {
        "id": view.id,
        "program": {"code": view.program.code, "name": view.program.name},
        "period": view.period,
        "period_start": view.start,
        "period_end": view.end,
        "currency": view.total.currency,
        "opening": _amount(view.opening),
        "lines_total": _amount(view.lines_total),
        "total": _amount(view.total),
        "renewal_commissions": _amount(view.renewal_commissions),
        "disposition": view.disposition,
        "closed_at": utc(view.closed_at),
        "credit_note": None
        if note is None
        else {
            "number": note.number,
            "amount": _amount(note.amount),
            "remaining": _amount(note.remaining),
        },
        "beneficiary": {
            "kind": viewer.audience,
            "company": None if company_id is None else {"id": company_id, "name": company or ""},
        },
    }


def line_json(line: LineView, viewer: Viewer) -> dict[str, Any]:
    # A reseller's commission may come from another reseller's order: not theirs to know.
    mine = viewer.audience == "distributor" or line.order_company_id == viewer.company_id
    return {
        "id": line.id,
        "rule_id": line.rule_id,
        "kind": line.kind,
        "type": line.type,
        "reason": line.reason,
        "origin_period": line.origin_period,
        "amount": _amount(line.amount),
        "order_number": line.order_number if mine else None,
    }
