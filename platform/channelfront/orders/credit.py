"""A company's line of credit on the active tenant: limit, outstanding, available, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from channelfront import row_locks
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders import pipeline
from channelfront.orders.errors import OrderInputError
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


# On-account orders waiting for approval or accepted but not yet invoiced; once
# invoiced, the invoice counts.
NOT_YET_INVOICED = (
    OrderStatus.AWAITING_APPROVAL,
    OrderStatus.ACCEPTED,
    OrderStatus.FULFILLING,
    OrderStatus.FULFILLED,
)
#: The kind of hold an order over the credit line gets when the credit desk decides.
CREDIT_HOLD = "credit"


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


class CreditLineStep(pipeline.Step):
    """On account: the order must fit the credit left and no invoice may be overdue.

    With the tenant's credit desk on, an order that does not fit waits for the
    distributor's finance staff instead of being refused. While an on-account order
    waits it counts as outstanding, so waiting orders cannot overdraw the line together.
    """

    name = "credit_line"

    def price(self, ctx: pipeline.CheckoutContext) -> None:
        if ctx.on_account or ctx.request.apply_credit_notes:
            # Parallel checkouts of the company read what is left one after the other.
            hold(ctx.terms.enrollment)

    def decide(self, ctx: pipeline.CheckoutContext) -> list[pipeline.Hold]:
        if not ctx.on_account:
            return []
        credit = credit_status(ctx.terms.enrollment, ctx.tenant.currency, datetime.now(UTC).date())
        if credit.overdue:
            reason = _("On account is not possible while an invoice is overdue.")
        elif ctx.due_minor > credit.available.minor:
            reason = _("This order exceeds the credit available on your account.")
        else:
            return []
        if not ctx.tenant.credit_desk:
            raise OrderInputError("payment", reason)
        data = {
            "available_minor": credit.available.minor,
            "limit_minor": credit.limit.minor,
            "overdue": credit.overdue,
        }
        return [pipeline.Hold(CREDIT_HOLD, reason, data)]
