"""The checkout pipeline: the ordered steps every order passes, and what each decided.

``orders`` owns the order and its states; the features that take part in checkout
(the credit line, credit notes, renewals, payments, approvals) register a ``Step`` at
app start and are called through its hooks. Orders imports none of them.

Placing an order runs, for every step in order:

1. ``check(ctx)``: refuse what the step cannot carry (raise ``OrderInputError``).
2. ``price(ctx)``: adjust what is paid and how (credit notes set ``ctx.credit_minor``).
3. ``decide(ctx)``: refuse, or return the ``Hold``s that make the order wait.
4. ``reserve(ctx)``: with the order row written, take what the step spends or record
   what it needs (credit notes are spent, approvals write their chain).

An order without holds proceeds at once; with holds it waits in ``awaiting_approval``
until ``proceed`` or ``reject``. When an order is accepted for fulfilment every step's
``settle(order)`` runs; when it ends without being paid (cancelled, rejected,
withdrawn) every step's ``release(order)`` gives back what ``reserve`` took.
After the transaction commits, ``collect(order, actor)`` lets the payment step charge
a card order that may proceed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channelfront.accounts.models import User
    from channelfront.customers.models import Customer
    from channelfront.orders.checkout import CheckoutRequest
    from channelfront.orders.lines import PricedLine
    from channelfront.orders.models import Order, OrderLine
    from channelfront.pricing.services import PartnerTerms
    from channelfront.tenancy.models import Tenant


@dataclass(frozen=True)
class Hold:
    """Why an order must wait, and for whom: a step's reason to stop it halfway.

    ``kind`` names the step that raised it (``approval``, ``credit``); ``reason`` is
    shown to approvers; ``data`` is what the step needs to build its decision.
    """

    kind: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckoutContext:
    """Everything the steps read and write while one order is placed."""

    tenant: Tenant
    actor: User
    terms: PartnerTerms
    locale: str
    request: CheckoutRequest
    lines: list[PricedLine]
    customer: Customer | None
    total_minor: int
    credit_minor: int = 0
    holds: list[Hold] = field(default_factory=list)
    order: Order | None = None

    @property
    def company_id(self) -> int:
        return self.terms.enrollment.company_id

    @property
    def due_minor(self) -> int:
        return self.total_minor - self.credit_minor

    @property
    def on_account(self) -> bool:
        return self.request.payment_method == "on_account"

    @property
    def paid_by_end_customer(self) -> bool:
        """The end customer paid a quote already: nothing may hold or charge the order."""
        return bool(self.request.end_customer_payment)


class Step:
    """One feature's part in checkout. Every hook is optional; the defaults do nothing."""

    name = "step"

    def check(self, ctx: CheckoutContext) -> None:
        """Refuse an order this step cannot carry (raise OrderInputError)."""

    def price(self, ctx: CheckoutContext) -> None:
        """Adjust how the order is paid (``ctx.credit_minor``)."""

    def decide(self, ctx: CheckoutContext) -> list[Hold]:
        """Refuse (raise), or return the holds that make the order wait."""
        return []

    def reserve(self, ctx: CheckoutContext) -> None:
        """The order row exists (flushed): take what the step spends, record what it needs."""

    def settle(self, order: Order) -> None:
        """The order was accepted for fulfilment (paid, or accepted on account)."""

    def release(self, order: Order) -> None:
        """The order ended unpaid (cancelled, rejected, withdrawn): give back what it took."""

    def may_cancel(self, order: Order) -> bool:
        """False while this step is busy with the order (a card charge in flight)."""
        return True

    def collect(self, order: Order, actor: User) -> str | None:
        """After commit, for an order that may proceed: collect its payment (commits).

        Returns a message for the person who placed or approved it when that failed.
        """
        return None

    def fulfil_line(self, order: Order, line: OrderLine) -> bool:
        """Fulfil a subscription line this step owns (a renewal); False when it is not one."""
        return False

    def checkout_page(self, ctx: PageContext) -> dict[str, Any]:
        """What this step shows on the checkout page (template variables)."""
        return {}

    def page_lines(self, ctx: PageContext) -> list[PricedLine] | None:
        """The cart's lines as this step's ``price`` would price them (a quote's special
        prices), so the checkout page shows what the order will cost; None to keep them."""
        return None

    def order_page(self, order: Order) -> dict[str, Any]:
        """What this step shows on the order page (template variables)."""
        return {}


@dataclass(frozen=True)
class PageContext:
    """What the checkout page knows before an order exists."""

    tenant: Tenant
    terms: PartnerTerms
    lines: list[PricedLine]
    total_minor: int
    # The quote the checkout carries out, when it does (``CheckoutRequest.quote_number``).
    quote_number: str | None = None

    @property
    def company_id(self) -> int:
        return self.terms.enrollment.company_id


_steps: list[Step] = []


def register(step: Step, *, before: str | None = None) -> None:
    """Add a step (once per name), at the end or before the step named ``before``."""
    if any(existing.name == step.name for existing in _steps):
        return
    names = [existing.name for existing in _steps]
    index = names.index(before) if before in names else len(_steps)
    _steps.insert(index, step)


def steps() -> list[Step]:
    return list(_steps)


def place(ctx: CheckoutContext) -> None:
    """Run check, price and decide over every step, in order (before the order is written)."""
    for step in _steps:
        step.check(ctx)
    for step in _steps:
        step.price(ctx)
    for step in _steps:
        ctx.holds.extend(step.decide(ctx))


def reserve(ctx: CheckoutContext) -> None:
    for step in _steps:
        step.reserve(ctx)


def settle(order: Order) -> None:
    for step in _steps:
        step.settle(order)


def release(order: Order) -> None:
    for step in _steps:
        step.release(order)


def may_cancel(order: Order) -> bool:
    return all(step.may_cancel(order) for step in _steps)


def collect(order: Order, actor: User) -> str | None:
    for step in _steps:
        message = step.collect(order, actor)
        if message:
            return message
    return None


def fulfil_line(order: Order, line: OrderLine) -> bool:
    return any(step.fulfil_line(order, line) for step in _steps)


def page_lines(ctx: PageContext) -> list[PricedLine]:
    lines = ctx.lines
    for step in _steps:
        lines = step.page_lines(replace(ctx, lines=lines)) or lines
    return lines


def checkout_page(ctx: PageContext) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for step in _steps:
        values.update(step.checkout_page(ctx))
    return values


def order_page(order: Order) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for step in _steps:
        values.update(step.order_page(order))
    return values
