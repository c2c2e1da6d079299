"""Everything the order page shows, loaded in a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.orders.models import Order, OrderLine, OrderStatus, PaymentMethod
from channelfront.subscriptions.models import Subscription

ORDER_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")
# While an order is in one of these, fulfilment is under way and the page keeps polling.
IN_PROGRESS = frozenset({OrderStatus.PAID, OrderStatus.ACCEPTED, OrderStatus.FULFILLING})
PAYABLE = frozenset({OrderStatus.PLACED, OrderStatus.PAYMENT_FAILED})


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    licenses: dict[int, License]
    subscriptions: dict[int, Subscription]
    invoice: Invoice | None
    people: dict[int, str]

    @property
    def live(self) -> bool:
        return is_live(self.order)

    @property
    def waiting(self) -> bool:
        """The order waits for approval."""
        return self.order.status == OrderStatus.AWAITING_APPROVAL

    @property
    def payable(self) -> bool:
        """A card order not paid yet: the buyer may (re)try a card."""
        order = self.order
        return order.payment_method == PaymentMethod.CARD and order.status in PAYABLE

    @property
    def license_list(self) -> list[License]:
        return sorted(self.licenses.values(), key=lambda lic: lic.order_line_id)

    @property
    def lines_by_id(self) -> dict[int, OrderLine]:
        return {line.id: line for line in self.order.lines}

    def money(self, minor: int) -> Money:
        """An amount of this order, in its currency."""
        return Money(minor, self.order.currency)


def is_live(order: Order) -> bool:
    """Something is still to come: approvers' decisions, fulfilment (paid or accepted), or
    a card payment under way."""
    if order.status in IN_PROGRESS or order.status == OrderStatus.AWAITING_APPROVAL:
        return True
    return order.status == OrderStatus.PLACED and bool(order.payment_intent_id)


def find_order(company_id: int, number: str) -> Order | None:
    """One of the company's orders on the active tenant, by its number."""
    if not ORDER_NUMBER.match(number):
        return None
    return db.session.scalar(
        select(Order)
        .where(Order.number == number, Order.company_id == company_id)
        .options(
            joinedload(Order.customer),
            selectinload(Order.lines),
            selectinload(Order.events),
        )
    )


def load_detail(order: Order) -> OrderDetail:
    """The order's licenses, subscriptions, invoice and the names of the people involved."""
    licenses = db.session.scalars(select(License).where(License.order_id == order.id))
    subscriptions = db.session.scalars(
        select(Subscription).where(Subscription.order_id == order.id)
    )
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    ids = {order.buyer_id} | {e.actor_id for e in order.events if e.actor_id}
    people = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    return OrderDetail(
        order=order,
        licenses={lic.order_line_id: lic for lic in licenses},
        subscriptions={sub.order_line_id: sub for sub in subscriptions},
        invoice=invoice,
        people=people,
    )
