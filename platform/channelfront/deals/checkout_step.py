"""Deals in checkout: an order that carries out a deal's quote gets the deal and its CRM
ids, and the deal is won. Runs after the quotes step, which checks the quote. When that
order is cancelled, rejected, withdrawn or refunded, the deal is open again (approved
while protected, else expired)."""

from __future__ import annotations

from channelfront.deals import decisions
from channelfront.deals.models import Deal
from channelfront.extensions import db
from channelfront.orders import pipeline
from channelfront.orders.models import Order
from channelfront.orders.signals import order_refunded
from channelfront.quotes.checkout_step import quote_of


class DealsStep(pipeline.Step):
    name = "deals"

    def reserve(self, ctx: pipeline.CheckoutContext) -> None:
        quote = quote_of(ctx)
        if quote is None or ctx.order is None or quote.deal_id is None:
            return
        order = ctx.order
        order.deal_id = quote.deal_id
        order.crm_deal_id = quote.crm_deal_id
        order.crm_account_id = quote.crm_account_id
        order.crm_opportunity_id = quote.crm_opportunity_id
        deal = db.session.get(Deal, quote.deal_id)
        if deal is not None:
            actor = None if ctx.paid_by_end_customer else ctx.actor
            decisions.win(deal, quote.id, order.id, actor)

    def release(self, order: Order) -> None:
        reopen_for(order)


def reopen_for(order: Order) -> None:
    """The order that won its deal no longer stands: open the deal again (no commit)."""
    if order.deal_id is None:
        return
    deal = db.session.get(Deal, order.deal_id)
    if deal is not None:
        decisions.reopen(deal, order.id)


@order_refunded.connect
def on_refunded(order: Order, **_extra: object) -> None:
    reopen_for(order)
