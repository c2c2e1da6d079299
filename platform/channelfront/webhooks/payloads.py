"""The ``data`` of each webhook event: the object as the API shows it, now.

Orders and quotes reuse the API's own output (``api.order_json`` / ``api.quote_json``
dumped through their schemas), so a receiver parses the same shape it reads from
``GET /api/v1/...``. Everything here belongs to one company (the reseller the object is
about): no other company's data is ever read into a payload.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.api.order_json import customer_json, decimal, order_json, utc
from channelfront.api.order_output import InvoiceSchema, OrderSchema
from channelfront.api.order_queries import OrderDetail
from channelfront.api.quote_json import quote_json
from channelfront.api.quote_output import QuoteSchema
from channelfront.api.quote_queries import detail_of
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order, OrderLine
from channelfront.quotes.models import Quote
from channelfront.renewals.models import SubscriptionTerm
from channelfront.statements.models import IncentiveProgram, Statement
from channelfront.subscriptions.models import Subscription

CRM_FIELDS = ("crm_deal_id", "crm_account_id", "crm_opportunity_id")


def _crm(row: Order | Quote) -> dict[str, str | None]:
    """The CRM ids that travel with a deal's quote and order (null until they exist)."""
    return {name: getattr(row, name) for name in CRM_FIELDS}


def _order_detail(order: Order) -> OrderDetail:
    """What ``order_json`` needs, read for this order (licenses etc. once they exist)."""
    user_ids = {order.buyer_id} | {e.actor_id for e in order.events if e.actor_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    return OrderDetail(
        order=order,
        buyer=users[order.buyer_id],
        actors={uid: user.name for uid, user in users.items()},
        licenses=list(
            db.session.scalars(
                select(License).where(License.order_id == order.id).order_by(License.id)
            )
        ),
        subscriptions=list(
            db.session.scalars(
                select(Subscription)
                .where(Subscription.order_id == order.id)
                .order_by(Subscription.id)
            )
        ),
        invoice=db.session.scalar(select(Invoice).where(Invoice.order_id == order.id)),
    )


def order_data(order: Order) -> dict[str, Any]:
    """The order as ``GET /api/v1/orders/<number>`` shows it, with its CRM ids."""
    data = OrderSchema().dump(order_json(_order_detail(order)))
    for name, value in _crm(order).items():
        data.setdefault(name, value)
    return data


def order_ref(order: Order) -> dict[str, Any]:
    """The few fields that name an order in another object's event."""
    return {"number": order.number, "po_number": order.po_number, **_crm(order)}


def license_data(lic: License, order: Order, line: OrderLine) -> dict[str, Any]:
    """One license key: the same fields as an order's ``licenses`` in the API."""
    return {
        "id": lic.id,
        "order": order_ref(order),
        "sku": line.sku,
        "name": line.name,
        "seats": line.quantity,
        "key": lic.key,
        "issued_at": _moment(lic.issued_at),
        "end_customer": _customer(order.customer_id),
    }


def invoice_data(invoice: Invoice, order: Order) -> dict[str, Any]:
    """The invoice as an order's ``invoice`` in the API, with the order it bills."""
    data = InvoiceSchema().dump(
        {
            "number": invoice.number,
            "status": invoice.status,
            "issued_on": invoice.issued_on,
            "due_on": invoice.due_on,
            "currency": invoice.currency,
            "total": decimal(invoice.total_minor, invoice.currency),
            "paid_at": utc(invoice.paid_at),
        }
    )
    return {**data, "order": order_ref(order)}


def quote_data(quote: Quote) -> dict[str, Any]:
    """The quote as ``GET /api/v1/quotes/<number>`` shows it (the reseller's view)."""
    data = QuoteSchema().dump(quote_json(detail_of(quote)))
    for name, value in _crm(quote).items():
        data.setdefault(name, value)
    return data


def subscription_data(subscription: Subscription) -> dict[str, Any]:
    """A subscription with its dates, its end customer and the order that started it."""
    line = db.session.get(OrderLine, subscription.order_line_id)
    order = db.session.get(Order, subscription.order_id)
    return {
        "id": subscription.id,
        "sku": line.sku if line is not None else "",
        "name": line.name if line is not None else "",
        "quantity": subscription.quantity,
        "term_months": subscription.term_months,
        "starts_on": subscription.starts_on.isoformat(),
        "ends_on": subscription.ends_on.isoformat(),
        "status": subscription.status,
        "end_customer": _customer(subscription.customer_id),
        "order": order_ref(order) if order is not None else None,
    }


def renewal_data(term: SubscriptionTerm) -> dict[str, Any]:
    """A paid renewal term and the subscription it extended."""
    order = db.session.get(Order, term.order_id) if term.order_id else None
    return {
        "subscription": subscription_data(term.subscription),
        "term": {
            "index": term.term_index,
            "channel": term.channel,
            "starts_on": term.starts_on.isoformat(),
            "ends_on": term.ends_on.isoformat(),
            "quantity": term.quantity,
            "term_months": term.term_months,
            "currency": term.currency,
            "amount": decimal(term.amount_minor, term.currency),
            "order": order_ref(order) if order is not None else None,
        },
    }


def statement_data(statement: Statement) -> dict[str, Any]:
    """A closed statement: the program, the period, the amounts and what became of them."""
    program = db.session.get(IncentiveProgram, statement.program_id)
    currency = statement.currency
    return {
        "program": {"code": program.code, "name": program.name} if program else None,
        "beneficiary": statement.beneficiary,
        "period": statement.period,
        "period_start": statement.period_start.isoformat(),
        "period_end": statement.period_end.isoformat(),
        "currency": currency,
        "opening": _signed(statement.opening_minor, currency),
        "total": _signed(statement.total_minor, currency),
        "disposition": statement.disposition,
        "closed_at": _moment(statement.closed_at),
    }


def _signed(minor: int, currency: str) -> str:
    return decimal(minor, currency) if minor >= 0 else "-" + decimal(-minor, currency)


def _moment(value: Any) -> str | None:
    moment = utc(value)
    return moment.isoformat() if moment is not None else None


def _customer(customer_id: int | None) -> dict[str, Any] | None:
    customer = db.session.get(Customer, customer_id) if customer_id else None
    return customer_json(customer) if customer is not None else None
