"""Booking the order of a quote the end customer paid: to the reseller, at its buy (or
special) prices, paid with ``end_customer_card``; the margin becomes a credit note.

``quote_total`` prices the quote as its order would be, without writing anything, so
the customer's page can refuse a quote that can no longer be booked before any card is
charged. ``book`` writes the order in the transaction that records the payment.
"""

from __future__ import annotations

from flask_babel import gettext as _

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.orders import lifecycle
from channelfront.orders.checkout import CheckoutRequest, place_order
from channelfront.orders.errors import OrderInputError
from channelfront.orders.lines import LineRequest, price_lines
from channelfront.orders.models import Order, PaymentMethod
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.quotes import margin
from channelfront.quotes.checkout_step import with_special_prices
from channelfront.quotes.models import Quote
from channelfront.tenancy.models import Tenant


class NotBookable(Exception):
    """The quote can no longer become an order (prices, catalog or enrollment changed)."""


def _terms(quote: Quote) -> PartnerTerms:
    terms = load_terms(quote.company_id)
    if terms is None:
        raise NotBookable(_("This reseller can no longer order here."))
    return terms


def _line_requests(quote: Quote) -> list[LineRequest]:
    return [LineRequest(line.sku, line.quantity, line.term_months) for line in quote.lines]


def buy_total(quote: Quote) -> int:
    """What the order of this quote would cost the reseller today (no writes).

    Raises NotBookable when a product can no longer be bought or costs the reseller
    more than the customer would pay for the quote.
    """
    terms = _terms(quote)
    try:
        lines = price_lines(terms, quote.currency, quote.language, _line_requests(quote))
    except OrderInputError as exc:
        raise NotBookable(exc.message) from exc
    total = sum(line.total.minor for line in with_special_prices(quote, lines))
    if total > quote.resale_total_minor:
        raise NotBookable(_("The prices of this quote have changed."))
    return total


def book(quote: Quote, intent_id: str, paid_minor: int) -> Order:
    """The customer paid ``paid_minor`` with PaymentIntent ``intent_id``: write the order,
    mark it paid and credit the margin to the reseller (no commit).

    The order's idempotency key is the quote's revision, so a retried booking finds the
    order it made. Raises NotBookable (nothing written) when the quote cannot be booked.
    """
    tenant = db.session.get(Tenant, quote.tenant_id)
    buyer = db.session.get(User, quote.buyer_id)
    assert tenant is not None
    assert buyer is not None
    request = CheckoutRequest(
        lines=_line_requests(quote),
        idempotency_key=f"quote-{quote.id}-revision-{quote.revision}",
        payment_method=PaymentMethod.END_CUSTOMER_CARD.value,
        customer_id=quote.customer_id,
        notify_end_customer=quote.license_to_customer,
        customer_locale=quote.language,
        quote_number=quote.number,
        end_customer_payment=intent_id,
    )
    try:
        order, created = place_order(tenant, buyer, _terms(quote), quote.language, request)
    except OrderInputError as exc:
        raise NotBookable(exc.message) from exc
    if not created:
        return order
    if order.total_minor > paid_minor:
        raise NotBookable(_("The prices of this quote have changed."))
    lifecycle.mark_paid(
        order,
        None,
        {"payment_intent": intent_id, "paid_by": "end_customer", "amount_minor": paid_minor},
    )
    margin.credit(order, paid_minor - order.total_minor)
    return order
