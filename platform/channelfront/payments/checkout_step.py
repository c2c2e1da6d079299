"""Card payments in checkout: the chosen card must be the company's, and it is charged
once the order may proceed (at once, or after its last approval)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.orders import lifecycle, pipeline
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order, PaymentMethod
from channelfront.payments import card
from channelfront.payments.claims import is_fresh_claim


class CardPaymentStep(pipeline.Step):
    name = "card_payment"

    def check(self, ctx: pipeline.CheckoutContext) -> None:
        chosen = ctx.request.card_payment_method
        if chosen is not None and ctx.request.payment_method == PaymentMethod.CARD:
            # Another company's card would leave a placed order nobody can pay.
            card.check_card(ctx.company_id, chosen, "card_payment_method")

    def may_cancel(self, order: Order) -> bool:
        return not is_fresh_claim(order.payment_intent_id)

    def collect(self, order: Order, actor: User) -> str | None:
        if (
            order.payment_method != PaymentMethod.CARD
            or order.status not in lifecycle.PAYABLE
            or not order.card_payment_method
        ):
            return None
        try:
            card.pay_order(order, order.card_payment_method, actor)
        except card.PaymentUnavailable:
            db.session.rollback()
            return _("Card payments are not available. The order is placed but not paid.")
        except OrderInputError as error:
            db.session.rollback()
            return error.message
        return None

    def checkout_page(self, ctx: pipeline.PageContext) -> dict[str, Any]:
        company_id = ctx.company_id
        return {"saved_cards": lambda: card.saved_cards(company_id)}

    def order_page(self, order: Order) -> dict[str, Any]:
        company_id = order.company_id
        return {"saved_cards": lambda: card.saved_cards(company_id)}
