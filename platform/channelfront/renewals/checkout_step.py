"""Renewal lines in checkout: checked against their subscription, given their term when
the order is accepted, and fulfilled by extending the subscription."""

from __future__ import annotations

from typing import Any

from channelfront.orders import pipeline
from channelfront.orders.models import Order, OrderLine
from channelfront.renewals import partner


class RenewalsStep(pipeline.Step):
    name = "renewals"

    def check(self, ctx: pipeline.CheckoutContext) -> None:
        partner.check_lines(ctx.company_id, ctx.customer, ctx.lines)

    def settle(self, order: Order) -> None:
        partner.claim_terms(order)

    def fulfil_line(self, order: Order, line: OrderLine) -> bool:
        if line.renews_subscription_id is None:
            return False
        partner.record_line(order, line)
        return True

    def checkout_page(self, ctx: pipeline.PageContext) -> dict[str, Any]:
        return {"checkout_defaults": partner.checkout_defaults(ctx.lines)}
