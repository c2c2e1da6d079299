"""Partner-placed renewals: a cart line that renews a subscription, through the order.

The line carries ``renews_subscription_id`` from the cart to the order. When the order
is accepted (paid by card or accepted on account) the line is given the term index it
will have, before ``order_accepted`` is sent, so listeners can read it. When the order
is fulfilled the subscription is extended and the term recorded, instead of a new
subscription being created.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.catalog.models import Product
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.orders import cart as carts
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, PricedLine
from channelfront.orders.models import Cart, Order, OrderLine, OrderStatus
from channelfront.orders.signals import order_refunded
from channelfront.pricing.services import PartnerTerms
from channelfront.renewals import terms
from channelfront.renewals.models import Channel, SubscriptionTerm
from channelfront.subscriptions import services as subscriptions
from channelfront.subscriptions.models import ACTIVE, Subscription

ACCEPTED = (OrderStatus.PAID.value, OrderStatus.ACCEPTED.value)


def renew_in_cart(
    cart: Cart, price_terms: PartnerTerms, currency: str, locale: str, subscription: Subscription
) -> PricedLine:
    """Put a renewal of the subscription in the cart at today's buy price (no commit).

    Same product, quantity and term as the subscription's last term; pressing again
    sets those values again. A cart holding the product for another purpose is refused.
    """
    if subscription.status != ACTIVE:
        raise OrderInputError("subscription", _("A cancelled subscription cannot be renewed."))
    line = next((ln for ln in cart.lines if ln.product_id == subscription.product_id), None)
    if line is not None and line.renews_subscription_id != subscription.id:
        raise OrderInputError(
            "subscription",
            _(
                "This product is already in your cart. Order it or remove it from the cart "
                "before you renew this subscription."
            ),
        )
    sku = db.session.scalar(select(Product.sku).where(Product.id == subscription.product_id))
    request = LineRequest(sku or "", subscription.quantity, subscription.term_months)
    priced = carts.set_line(cart, price_terms, currency, locale, request, add=False)
    line = next(ln for ln in cart.lines if ln.product_id == subscription.product_id)
    line.renews_subscription_id = subscription.id
    return priced


def check_lines(company_id: int, customer: Customer | None, lines: list[PricedLine]) -> None:
    """Refuse an order whose renewal lines it cannot carry; names the line or the customer.

    A renewal must be of an active subscription of the company, for the same product,
    and ordered for the subscription's end customer.
    """
    for index, line in enumerate(lines):
        if line.renews_subscription_id is None:
            continue
        subscription = terms.find_subscription(line.renews_subscription_id, company_id)
        if (
            subscription is None
            or subscription.status != ACTIVE
            or subscription.product_id != line.product.id
        ):
            raise OrderInputError(
                f"lines[{index}]",
                _(
                    "The subscription that %(sku)s renews can no longer be renewed. "
                    "Remove the line from your cart.",
                    sku=line.product.sku,
                ),
            )
        if customer is None or customer.id != subscription.customer_id:
            owner = db.session.get(Customer, subscription.customer_id)
            raise OrderInputError(
                "end_customer",
                _(
                    "%(sku)s renews a subscription of %(customer)s: choose that end customer.",
                    sku=line.product.sku,
                    customer=owner.company_name if owner else "",
                ),
            )


def checkout_defaults(lines: list[PricedLine]) -> dict[str, str]:
    """The checkout form's starting values: a renewal's end customer is preselected."""
    for line in lines:
        if line.renews_subscription_id is not None:
            subscription = terms.find_subscription(line.renews_subscription_id)
            if subscription is not None:
                return {"customer_id": str(subscription.customer_id)}
    return {}


def claim_terms(order: Order) -> None:
    """Give each renewal line of an order being accepted its term index (no commit)."""
    for line in order.lines:
        if line.renews_subscription_id is not None and line.renewal_term_index is None:
            line.renewal_term_index = subscriptions.claim_next_index(line.renews_subscription_id)


def _accepted_at(order: Order) -> datetime:
    stamps = [event.at for event in order.events if event.kind in ACCEPTED and event.at]
    return stamps[-1] if stamps else datetime.now(UTC)


def record_line(order: Order, line: OrderLine) -> SubscriptionTerm | None:
    """Fulfil a renewal line: extend its subscription and record the term (no commit)."""
    subscription = terms.find_subscription(line.renews_subscription_id)
    if subscription is None:
        return None
    if line.renewal_term_index is None:  # accepted before renewals existed: claim now
        line.renewal_term_index = subscriptions.claim_next_index(subscription.id)
    term = SubscriptionTerm(
        tenant_id=order.tenant_id,
        term_index=line.renewal_term_index,
        channel=Channel.PARTNER.value,
        company_id=order.company_id,
        order_id=order.id,
        order_line_id=line.id,
        amount_minor=line.total_minor,
        currency=order.currency,
        quantity=line.quantity,
        term_months=line.term_months or subscription.term_months,
        paid_at=_accepted_at(order),
    )
    return terms.record_term(subscription, term)


@order_refunded.connect
def _refunded(order: Order, **_extra: object) -> None:
    """A refunded renewal order no longer pays for its term: the term is marked refunded,
    and when it is the subscription's latest term, the subscription ends where it began."""
    line_ids = [line.id for line in order.lines if line.renews_subscription_id is not None]
    if not line_ids:
        return
    for term in db.session.scalars(
        select(SubscriptionTerm).where(
            SubscriptionTerm.order_line_id.in_(line_ids), SubscriptionTerm.refunded_at.is_(None)
        )
    ):
        term.refunded_at = datetime.now(UTC)
        # Only while no later term extends it: compare-and-set on the end date.
        subscriptions.end_at(term.subscription_id, term.starts_on, if_ends_on=term.ends_on)
