"""A company's line of credit on the active tenant: limit, outstanding, available, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select

from channelfront import row_locks
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order, OrderStatus, PaymentMethod
from channelfront.pricing.models import Enrollment


@dataclass(frozen=True)
class CreditStatus:
    limit: Money
    outstanding: Money
    overdue: bool

    @property
    def available(self) -> Money:
        return Money(max(0, self.limit.minor - self.outstanding.minor), self.limit.currency)


# On-account orders accepted but not yet invoiced; once invoiced, the invoice counts.
NOT_YET_INVOICED = (OrderStatus.ACCEPTED, OrderStatus.FULFILLING, OrderStatus.FULFILLED)


def hold(enrollment: Enrollment) -> None:
    """Make this transaction the only one spending the company's credit line and credit
    notes on the tenant until it ends (no commit); the limit is read again under the lock.

    Checkout calls it before it reads what is available, so parallel orders are checked
    one after the other against what the earlier ones left.
    """
    row_locks.hold(Enrollment, enrollment.id)
    db.session.refresh(enrollment, ["credit_limit_minor"])


def credit_status(enrollment: Enrollment, currency: str, today: date) -> CreditStatus:
    """Outstanding is every open invoice plus on-account orders not yet invoiced.

    One statement, so one snapshot: invoicing moves an order's amount from the orders to
    an open invoice, and two statements could see it in neither (PostgreSQL's READ
    COMMITTED takes a snapshot per statement). Both sums read through (company, status)
    indexes, so the cost does not grow with the company's order history.
    """
    company_id = enrollment.company_id
    open_invoices = select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(
        Invoice.company_id == company_id, Invoice.status == "open"
    )
    in_flight = select(func.coalesce(func.sum(Order.total_minor - Order.credit_minor), 0)).where(
        Order.company_id == company_id,
        Order.status.in_([s.value for s in NOT_YET_INVOICED]),
        Order.payment_method == PaymentMethod.ON_ACCOUNT,
    )
    overdue = exists().where(
        Invoice.company_id == company_id, Invoice.status == "open", Invoice.due_on < today
    )
    invoiced, ordered, late = db.session.execute(
        select(open_invoices.scalar_subquery(), in_flight.scalar_subquery(), overdue)
    ).one()
    return CreditStatus(
        limit=Money(enrollment.credit_limit_minor, currency),
        outstanding=Money(int(invoiced or 0) + int(ordered or 0), currency),
        overdue=bool(late),
    )
