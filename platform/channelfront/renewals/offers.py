"""What the end customer is offered on the renewal page: the next term and its price.

The price is the product's list price in the tenant's currency (the end customer has
no partner terms), times the quantity and the billing periods of the term, exactly
as an order line computes its total.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.catalog.models import ListPrice, Product, ProductText
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.renewals import terms
from channelfront.subscriptions.dates import TermDates, next_term
from channelfront.subscriptions.models import ACTIVE, Subscription


class NotRenewable(Exception):
    """The subscription cannot be renewed online now; ``message`` says why to the customer."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Offer:
    subscription: Subscription
    sku: str
    product_name: str
    term_index: int
    term_months: int
    period_months: int  # the billing period the unit price is for
    quantity: int
    dates: TermDates
    unit_price: Money
    total: Money


def product_name(product_id: int, locale: str) -> str:
    rows = dict(
        db.session.execute(
            select(ProductText.locale, ProductText.name).where(
                ProductText.product_id == product_id, ProductText.locale.in_({locale, "en"})
            )
        ).all()
    )
    return rows.get(locale) or rows.get("en") or ""


def list_price(product: Product, currency: str) -> Money | None:
    """The product's list price per billing period in ``currency``; None when it has none."""
    minor = db.session.scalar(
        select(ListPrice.amount_minor).where(
            ListPrice.product_id == product.id, ListPrice.currency == currency
        )
    )
    return None if minor is None else Money(int(minor), currency)


def offer(subscription: Subscription, currency: str, locale: str) -> Offer:
    """The next term of the subscription at list price; NotRenewable says why not."""
    if subscription.status != ACTIVE:
        raise NotRenewable(
            "cancelled",
            _(
                "This subscription was cancelled and cannot be renewed. "
                "Please contact your reseller."
            ),
        )
    product = db.session.get(Product, subscription.product_id)
    price = list_price(product, currency) if product is not None and product.active else None
    if product is None or price is None:
        raise NotRenewable(
            "unavailable",
            _("This subscription cannot be renewed online. Please contact your reseller."),
        )
    if subscription.term_index > terms.recorded_index(subscription.id):
        # A renewal was paid and its term is being recorded: its dates are not known yet.
        raise NotRenewable(
            "pending",
            _(
                "A renewal of this subscription is being processed. "
                "Please try again in a few minutes."
            ),
        )
    months = subscription.term_months
    period = product.term_months or months
    periods = max(1, months // period)
    return Offer(
        subscription=subscription,
        sku=product.sku,
        product_name=product_name(product.id, locale) or product.sku,
        term_index=subscription.term_index + 1,
        term_months=months,
        period_months=period,
        quantity=subscription.quantity,
        dates=next_term(subscription.ends_on, months, terms.today()),
        unit_price=price,
        total=Money(price.minor * subscription.quantity * periods, currency),
    )
