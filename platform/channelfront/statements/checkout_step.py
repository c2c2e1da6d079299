"""Credit notes in checkout: they pay first when the buyer asks, and come back when the
order ends unpaid."""

from __future__ import annotations

from typing import Any

from channelfront.orders import pipeline
from channelfront.orders.models import Order
from channelfront.statements import credit_notes


class CreditNotesStep(pipeline.Step):
    name = "credit_notes"

    def price(self, ctx: pipeline.CheckoutContext) -> None:
        if ctx.request.apply_credit_notes:
            ctx.credit_minor = credit_notes.usable(
                ctx.company_id, ctx.tenant.id, ctx.tenant.currency, ctx.total_minor
            )

    def reserve(self, ctx: pipeline.CheckoutContext) -> None:
        if ctx.order is not None and ctx.order.credit_minor:
            credit_notes.spend(ctx.order)

    def release(self, order: Order) -> None:
        credit_notes.restore(order)

    def checkout_page(self, ctx: pipeline.PageContext) -> dict[str, Any]:
        notes = credit_notes.available(ctx.company_id, ctx.tenant.id, ctx.tenant.currency)
        return {"credit_notes": notes}
