"""Issuing and settling invoices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.audit.values import money
from channelfront.extensions import db
from channelfront.invoices.models import Invoice
from channelfront.invoices.signals import invoice_issued, invoice_paid
from channelfront.orders import events, numbering
from channelfront.orders.models import Order, OrderStatus, PaymentMethod
from channelfront.tenancy.models import Tenant

NET_DAYS = 30


def issue_invoice(order: Order, today: date) -> Invoice:
    """The order's invoice: net 30 on account, already paid for card (no commit).

    Its total is what the company pays: the order's total less its credit notes (an
    order the notes paid in full has a paid invoice of zero).
    """
    existing = db.session.scalar(db.select(Invoice).where(Invoice.order_id == order.id))
    if existing is not None:
        return existing
    tenant = db.session.get(Tenant, order.tenant_id)
    on_account = order.payment_method == PaymentMethod.ON_ACCOUNT and order.due_minor > 0
    invoice = Invoice(
        tenant_id=order.tenant_id,
        order_id=order.id,
        company_id=order.company_id,
        number=numbering.invoice_number(
            tenant.document_prefix, numbering.next_value(order.tenant_id, "invoice")
        ),
        currency=order.currency,
        total_minor=order.due_minor,
        issued_on=today,
        due_on=today + timedelta(days=NET_DAYS) if on_account else today,
        status="open" if on_account else "paid",
        paid_at=None if on_account else datetime.now(UTC),
    )
    db.session.add(invoice)
    events.record(order, OrderStatus.INVOICED, data={"invoice": invoice.number})
    invoice_issued.send(invoice, order=order)
    return invoice


def mark_paid(
    invoice: Invoice, order: Order, actor_id: int | None, how: str, data: dict | None = None
) -> None:
    """Settle an open invoice (finance marks it, or the buyer pays by card); no commit."""
    if invoice.status == "paid":
        return
    invoice.status = "paid"
    invoice.paid_at = datetime.now(UTC)
    record(
        "invoice.marked_paid",
        invoice,
        label=invoice.number,
        before={"status": "open"},
        after={
            "status": "paid",
            "amount": money(invoice.total_minor, invoice.currency),
            "how": how,
        },
        tenant_id=invoice.tenant_id,
        company_id=invoice.company_id,
        actor=db.session.get(User, actor_id) if actor_id else None,
    )
    events.record(
        order,
        "invoice_paid",
        actor_id=actor_id,
        data={"invoice": invoice.number, "how": how, **(data or {})},
    )
    invoice_paid.send(invoice, order=order)
