"""The facts approval rules test (``approvals.conditions.FIELDS``), read from a checkout
about to place an order or from an order already placed.

Money is in the currency's major units (``Money.amount``: exact, digits from Babel).
The end customer is new when the company has no earlier order for it that went ahead
or still waits (rejected, withdrawn, cancelled and failed orders do not count), or
when it is created in this checkout. ``credit.utilization_after`` is the share of the
credit limit used once the order counts: outstanding plus this order's due when it
goes on account, in percent with two decimals; with no limit, 100 when anything is
used and 0 otherwise.

A new fact is one value here and one line in ``FIELDS``. Every line's category and
product groups come from one query, whatever the number of lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import exists, select

from channelfront.accounts.models import User
from channelfront.approvals.conditions import Facts
from channelfront.catalog.models import Category, Product, ProductGroup
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.credit import credit_status
from channelfront.orders.models import Order, OrderStatus
from channelfront.orders.pipeline import CheckoutContext
from channelfront.pricing.models import Enrollment

#: Orders that do not make an end customer known.
NOT_COUNTED = (
    OrderStatus.REJECTED,
    OrderStatus.WITHDRAWN,
    OrderStatus.CANCELLED,
    OrderStatus.PAYMENT_FAILED,
)
CENTS = Decimal("0.01")
Catalog = dict[int, tuple[str | None, tuple[str, ...]]]


def checkout_facts(ctx: CheckoutContext) -> Facts:
    """The facts of the order this checkout is about to place."""
    currency = ctx.tenant.currency
    values = {
        "order.total": Money(ctx.total_minor, currency).amount,
        "order.payment_method": ctx.request.payment_method,
        "order.po_number": ctx.request.po_number,
        "order.currency": currency,
        **_buyer(ctx.actor),
        **_end_customer(ctx.customer, ctx.company_id),
        **_credit(ctx.terms.enrollment, currency, ctx.due_minor if ctx.on_account else 0),
    }
    catalog = _catalog(line.product.id for line in ctx.lines)
    lines = [
        _line(
            catalog,
            line.product.id,
            sku=line.product.sku,
            quantity=line.quantity,
            term_months=line.term_months,
            total=line.total.amount,
            price_source=line.price.source.kind,
        )
        for line in ctx.lines
    ]
    return Facts(values, lines)


def order_facts(order: Order) -> Facts:
    """The facts of a placed order as they are now (read in the order's tenant scope).

    The credit picture is today's, with the order counted while it is outstanding.
    """
    buyer = db.session.get(User, order.buyer_id)
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.company_id == order.company_id)
    )
    values = {
        "order.total": Money(order.total_minor, order.currency).amount,
        "order.payment_method": order.payment_method,
        "order.po_number": order.po_number,
        "order.currency": order.currency,
        **(_buyer(buyer) if buyer else {}),
        **_end_customer(order.customer, order.company_id, before=order.id),
        **(_credit(enrollment, order.currency, 0) if enrollment else {}),
    }
    catalog = _catalog(line.product_id for line in order.lines)
    lines = [
        _line(
            catalog,
            line.product_id,
            sku=line.sku,
            quantity=line.quantity,
            term_months=line.term_months,
            total=Money(line.total_minor, order.currency).amount,
            price_source=line.price_source,
        )
        for line in order.lines
    ]
    return Facts(values, lines)


def _buyer(user: User) -> dict[str, object]:
    return {"buyer.email": user.email, "buyer.role": user.role}


def _end_customer(
    customer: Customer | None, company_id: int, before: int | None = None
) -> dict[str, object]:
    if customer is None:
        return {}
    return {
        "end_customer.country": customer.country,
        "end_customer.is_new": not _known(customer, company_id, before),
    }


def _known(customer: Customer, company_id: int, before: int | None) -> bool:
    """The company ordered for this customer before (``before``: an order id)."""
    if customer.id is None:  # created in this checkout, not yet written
        return False
    earlier = exists().where(
        Order.company_id == company_id,
        Order.customer_id == customer.id,
        Order.status.not_in([status.value for status in NOT_COUNTED]),
    )
    if before is not None:
        earlier = earlier.where(Order.id < before)
    return bool(db.session.scalar(select(earlier)))


def _credit(enrollment: Enrollment, currency: str, adding_minor: int) -> dict[str, object]:
    status = credit_status(enrollment, currency, datetime.now(UTC).date())
    used = status.outstanding.minor + adding_minor
    limit = status.limit.minor
    if limit > 0:
        share = (Decimal(used) * 100 / Decimal(limit)).quantize(CENTS, ROUND_HALF_UP)
    else:
        share = Decimal(100 if used > 0 else 0)
    return {"credit.utilization_after": share, "credit.overdue": status.overdue}


def _catalog(product_ids: Iterable[int]) -> Catalog:
    """Each product's category slug and group slugs, in one query."""
    ids = set(product_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Product.id, Category.slug, ProductGroup.slug)
        .join(Category, Category.id == Product.category_id)
        .outerjoin(Product.groups)
        .where(Product.id.in_(ids))
        .order_by(Product.id, ProductGroup.slug)
    ).all()
    catalog: Catalog = {}
    for product_id, category, group in rows:
        slug, groups = catalog.get(product_id, (category, ()))
        catalog[product_id] = (slug, (*groups, group) if group else groups)
    return catalog


def _line(catalog: Catalog, product_id: int, **values: object) -> dict[str, object]:
    category, groups = catalog.get(product_id, (None, ()))
    facts = {f"line.{name}": value for name, value in values.items()}
    return {**facts, "line.category": category, "line.product_group": groups}
