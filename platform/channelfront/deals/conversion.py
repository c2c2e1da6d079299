"""Deals into quotes: an approved, protected deal starts a quote with its customer and
lines; the quote carries the deal and the CRM ids, and so do special price requests on
the deal's products."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.deals import services
from channelfront.deals.models import Deal, DealLine
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.quotes.models import Quote


@dataclass(frozen=True)
class QuoteStart:
    """What a quote made from the deal starts with."""

    deal: Deal
    customer_id: int
    lines: list[tuple[str, int]]  # (SKU, quantity)


def quotable(company_id: int, number: str) -> Deal | None:
    """The company's deal if it may become a quote now (approved and protected)."""
    deal = services.find(company_id, number)
    if deal is None or not services.is_protected(deal):
        return None
    return deal


def start(deal: Deal) -> QuoteStart:
    return QuoteStart(deal, deal.customer_id, [(line.sku, line.quantity) for line in deal.lines])


def attach(quote: Quote, company_id: int, number: str) -> Deal:
    """Link a new quote to the deal it was made from, with the CRM ids (no commit)."""
    deal = quotable(company_id, number)
    if deal is None:
        raise OrderInputError("deal", _("This deal cannot be quoted: it is not approved now."))
    if quote.customer_id != deal.customer_id:
        raise OrderInputError("end_customer", _("The quote's end customer is not the deal's."))
    quote.deal_id = deal.id
    quote.crm_deal_id = deal.external_id
    quote.crm_account_id = deal.crm_account_id
    quote.crm_opportunity_id = deal.crm_opportunity_id
    db.session.flush()  # the quote's id, for the deal
    if deal.quote_id is None:
        deal.quote_id = quote.id
    services.record(deal, "quoted", quote.buyer_id, quote=quote.number)
    return deal


def deal_for_line(quote: Quote, product_id: int) -> int | None:
    """The deal a special price on this quote line is for: the quote's deal, while it is
    approved and protected and has the product; else None."""
    if quote.deal_id is None:
        return None
    deal = db.session.get(Deal, quote.deal_id)
    if deal is None or not services.is_protected(deal):
        return None
    on_deal = db.session.scalar(
        select(DealLine.id).where(DealLine.deal_id == deal.id, DealLine.product_id == product_id)
    )
    return deal.id if on_deal is not None else None
