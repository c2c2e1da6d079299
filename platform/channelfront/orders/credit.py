"""A company's line of credit on the active tenant: limit, outstanding, available, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select

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


def credit_status(enrollment: Enrollment, currency: str, today: date) -> CreditStatus:
    """Outstanding is every open invoice plus on-account orders not yet invoiced.

    Both sums read through (company, status) indexes, so the cost does not grow with
    the company's order history.
    """
    company_id = enrollment.company_id
    open_invoices = db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(
            Invoice.company_id == company_id, Invoice.status == "open"
        )
    )
    in_flight = db.session.scalar(
        select(func.coalesce(func.sum(Order.total_minor - Order.credit_minor), 0)).where(
            Order.company_id == company_id,
            Order.status.in_([s.value for s in NOT_YET_INVOICED]),
            Order.payment_method == PaymentMethod.ON_ACCOUNT,
        )
    )
    overdue = db.session.scalar(
        select(
            exists().where(
                Invoice.company_id == company_id, Invoice.status == "open", Invoice.due_on < today
            )
        )
    )
    return CreditStatus(
        limit=Money(enrollment.credit_limit_minor, currency),
        outstanding=Money(int(open_invoices or 0) + int(in_flight or 0), currency),
        overdue=bool(overdue),
    )
