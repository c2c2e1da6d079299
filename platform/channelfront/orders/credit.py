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

NOT_OWED = (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.PAYMENT_FAILED)


@dataclass(frozen=True)
class CreditStatus:
    limit: Money
    outstanding: Money
    overdue: bool

    @property
    def available(self) -> Money:
        return Money(max(0, self.limit.minor - self.outstanding.minor), self.limit.currency)


def credit_status(enrollment: Enrollment, currency: str, today: date) -> CreditStatus:
    """Outstanding is every on-account order not cancelled whose invoice is not paid."""
    company_id = enrollment.company_id
    paid = exists().where(Invoice.order_id == Order.id, Invoice.status == "paid")
    outstanding = db.session.scalar(
        select(func.coalesce(func.sum(Order.total_minor), 0)).where(
            Order.company_id == company_id,
            Order.payment_method == PaymentMethod.ON_ACCOUNT,
            Order.status.not_in([s.value for s in NOT_OWED]),
            ~paid,
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
        outstanding=Money(int(outstanding or 0), currency),
        overdue=bool(overdue),
    )
