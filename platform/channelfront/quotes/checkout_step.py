"""Quotes in checkout: an order that carries out a quote must match it, its lines get
their approved special prices, and the quote records the order.

The reseller orders an accepted quote through the normal checkout (``quote_number`` on
the request); the end customer's payment books its order the same way, with
``end_customer_payment`` set by the server. Either way the lines, quantities, terms and
end customer must be the quote's, and the quote must still be valid.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders import pipeline
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import PricedLine
from channelfront.orders.models import Order
from channelfront.pricing.services import BuyPrice, PriceSource
from channelfront.quotes import margin, prices, services
from channelfront.quotes.models import (
    OPEN_TO_CUSTOMER,
    Quote,
    QuoteStatus,
    SpecialPriceRequest,
    SpecialStatus,
)

LineKey = tuple[int, int, int | None]


def approved_prices(quote: Quote) -> dict[LineKey, SpecialPriceRequest]:
    """The quote's approved special prices by (product, quantity, term), while it is valid."""
    if services.is_expired(quote):
        return {}
    rows = db.session.scalars(
        select(SpecialPriceRequest)
        .where(
            SpecialPriceRequest.quote_id == quote.id,
            SpecialPriceRequest.status == SpecialStatus.APPROVED.value,
            SpecialPriceRequest.customer_id == quote.customer_id,
        )
        .order_by(SpecialPriceRequest.id)
    )
    return {(r.product_id, r.quantity, r.term_months): r for r in rows}


def with_special_prices(quote: Quote, lines: list[PricedLine]) -> list[PricedLine]:
    """The lines, each at its approved special price when it has one and it is lower."""
    special = approved_prices(quote)
    priced = []
    for line in lines:
        found = special.get((line.product.id, line.quantity, line.term_months))
        unit = found.approved_unit_minor if found is not None else None
        if unit is None or unit >= line.price.buy_price.minor:
            priced.append(line)
            continue
        listed = line.price.list_price
        source = PriceSource("special", prices.bps_below(listed.minor, unit), ref=str(found.id))
        priced.append(replace(line, price=BuyPrice(listed, Money(unit, listed.currency), source)))
    return priced


def _key(line: PricedLine) -> LineKey:
    return (line.product.id, line.quantity, line.term_months)


def _check_matches(quote: Quote, ctx: pipeline.CheckoutContext) -> None:
    wanted = sorted((line.product_id, line.quantity, line.term_months) for line in quote.lines)
    given = sorted(_key(line) for line in ctx.lines)
    if wanted != given:
        raise OrderInputError(
            "quote", _("The order's lines are not the quote's. Start again from the quote.")
        )
    if ctx.customer is None or ctx.customer.id != quote.customer_id:
        raise OrderInputError("quote", _("The order's end customer is not the quote's."))


def quote_of(ctx: pipeline.CheckoutContext) -> Quote | None:
    number = ctx.request.quote_number
    if not number:
        return None
    quote = services.find(ctx.company_id, number)
    if quote is None:
        raise OrderInputError("quote", _("There is no such quote."))
    return quote


class QuotesStep(pipeline.Step):
    name = "quotes"

    def check(self, ctx: pipeline.CheckoutContext) -> None:
        quote = quote_of(ctx)
        if quote is None:
            return
        wanted = OPEN_TO_CUSTOMER if ctx.paid_by_end_customer else (QuoteStatus.ACCEPTED.value,)
        if quote.status not in wanted:
            raise OrderInputError("quote", _("This quote cannot be ordered in its present state."))
        if services.is_expired(quote):
            raise OrderInputError("quote", _("This quote has expired."))
        _check_matches(quote, ctx)

    def price(self, ctx: pipeline.CheckoutContext) -> None:
        quote = quote_of(ctx)
        if quote is None:
            return
        ctx.lines = with_special_prices(quote, ctx.lines)
        ctx.total_minor = sum(line.total.minor for line in ctx.lines)

    def reserve(self, ctx: pipeline.CheckoutContext) -> None:
        quote = quote_of(ctx)
        if quote is None or ctx.order is None:
            return
        if ctx.paid_by_end_customer:
            moved = services.move(
                quote,
                OPEN_TO_CUSTOMER,
                QuoteStatus.PAID,
                order_id=ctx.order.id,
                accepted_as="card",
                data={"order": ctx.order.number},
            )
        else:
            moved = services.move(
                quote,
                (QuoteStatus.ACCEPTED.value,),
                QuoteStatus.ORDERED,
                ctx.actor.id,
                order_id=ctx.order.id,
                data={"order": ctx.order.number},
            )
        if not moved:
            raise OrderInputError("quote", _("This quote was ordered or changed meanwhile."))

    def release(self, order: Order) -> None:
        # Margin notes the order spent go back like any credit note, unless taken back.
        margin.give_back(order)
        quote = db.session.scalar(
            select(Quote).where(Quote.order_id == order.id, Quote.status == QuoteStatus.ORDERED)
        )
        if quote is not None:
            services.move(
                quote,
                (QuoteStatus.ORDERED.value,),
                QuoteStatus.ACCEPTED,
                order_id=None,
                data={"order": order.number, "order_status": order.status},
            )

    def page_lines(self, ctx: pipeline.PageContext) -> list[PricedLine] | None:
        if not ctx.quote_number:
            return None
        quote = services.find(ctx.company_id, ctx.quote_number)
        if quote is None or quote.status != QuoteStatus.ACCEPTED:
            return None
        return with_special_prices(quote, ctx.lines)

    def order_page(self, order: Order) -> dict[str, Any]:
        quote = db.session.scalar(select(Quote).where(Quote.order_id == order.id))
        return {"from_quote": quote} if quote is not None else {}
