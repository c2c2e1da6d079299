"""What the end customer sees of a quote, and the answers given without an account.

The page and the mail get a ``CustomerQuote``: resale prices only, copied out of the
quote, so no template reached by the customer can show a buy price, a margin or a
price source. ``link_state`` says what a link leads to now; ``mark_viewed``,
``accept_for_invoice`` and ``decline`` move the quote (compare-and-set, no commit) and
queue the news for the reseller's buyer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.outbox.services import enqueue
from channelfront.quotes import services
from channelfront.quotes.models import OPEN_TO_CUSTOMER, Quote, QuoteStatus

#: The outbox topic of the news to the reseller's buyer (handled in ``quotes.mail``).
BUYER_TOPIC = "mail.quote_news"
MAX_REASON_LENGTH = 2000


class LinkState(enum.StrEnum):
    """What a customer's link shows."""

    OPEN = "open"
    UPDATED = "updated"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"
    ACCEPTED = "accepted"
    PAID = "paid"
    UNKNOWN = "unknown"


class QuoteMoved(Exception):
    """Another request answered, revised or closed the quote first."""


@dataclass(frozen=True)
class CustomerLine:
    name: str
    sku: str
    quantity: int
    term_months: int | None
    #: One unit for the whole term (the resale price per period times the periods).
    unit: Money
    total: Money


@dataclass(frozen=True)
class CustomerQuote:
    """A quote as its end customer may see it: no buy prices, margins or sources."""

    number: str
    revision: int
    reseller: str
    customer_company: str
    contact_name: str
    language: str
    valid_until: date
    note: str | None
    terms: str | None
    lines: list[CustomerLine]
    total: Money
    decline_reason: str | None


def customer_lines(quote: Quote) -> list[CustomerLine]:
    currency = quote.currency
    return [
        CustomerLine(
            name=line.name,
            sku=line.sku,
            quantity=line.quantity,
            term_months=line.term_months,
            unit=Money(line.resale_unit_minor * (line.periods or 1), currency),
            total=Money(line.resale_total_minor, currency),
        )
        for line in quote.lines
    ]


def customer_view(quote: Quote, reseller: str) -> CustomerQuote:
    """What the customer's page and mail show of ``quote`` from ``reseller``."""
    customer = quote.customer
    return CustomerQuote(
        number=quote.number,
        revision=quote.revision,
        reseller=reseller,
        customer_company=customer.company_name,
        contact_name=customer.contact_name,
        language=quote.language,
        valid_until=quote.valid_until,
        note=quote.note,
        terms=quote.terms,
        lines=customer_lines(quote),
        total=Money(quote.resale_total_minor, quote.currency),
        decline_reason=quote.decline_reason,
    )


def link_state(quote: Quote, revision: int) -> LinkState:
    """What the link for ``revision`` shows. A quote answered or closed shows that to any
    of its links; an open one only to the link of its current revision."""
    status = quote.status
    if revision > quote.revision:
        return LinkState.UNKNOWN  # never made by us: the token is signed
    if status == QuoteStatus.PAID:
        return LinkState.PAID
    if status in (QuoteStatus.ACCEPTED, QuoteStatus.ORDERED):
        return LinkState.ACCEPTED
    if status == QuoteStatus.DECLINED:
        return LinkState.DECLINED
    if status == QuoteStatus.WITHDRAWN:
        return LinkState.WITHDRAWN
    if revision < quote.revision:
        return LinkState.UPDATED
    if status == QuoteStatus.EXPIRED:
        return LinkState.EXPIRED
    if status in OPEN_TO_CUSTOMER:
        return LinkState.EXPIRED if services.is_expired(quote) else LinkState.OPEN
    return LinkState.UNKNOWN  # a draft never sent at this revision


def expire(quote: Quote) -> None:
    """A sent quote seen past its validity date is expired now (no commit)."""
    services.move(quote, OPEN_TO_CUSTOMER, QuoteStatus.EXPIRED, data={"by": "customer_link"})


def tell_buyer(quote: Quote, kind: str) -> None:
    """Queue the news ``kind`` (viewed, accepted, declined, paid) for the buyer."""
    payload = {"quote_id": quote.id, "revision": quote.revision, "kind": kind}
    enqueue(quote.tenant_id, BUYER_TOPIC, payload)


def mark_viewed(quote: Quote) -> bool:
    """The customer opened the link: sent becomes viewed, the buyer hears it once."""
    if quote.status != QuoteStatus.SENT:
        return False
    if not services.move(quote, (QuoteStatus.SENT.value,), QuoteStatus.VIEWED):
        return False
    tell_buyer(quote, "viewed")
    return True


def accept_for_invoice(quote: Quote) -> None:
    """The customer accepts and asks the reseller for an invoice (no commit)."""
    if not services.move(quote, OPEN_TO_CUSTOMER, QuoteStatus.ACCEPTED, accepted_as="invoice"):
        raise QuoteMoved
    tell_buyer(quote, "accepted")


def reason_text(raw: object) -> str:
    """The customer's reason for declining; OrderInputError names ``reason``."""
    text = str(raw or "").strip()
    if not text:
        raise OrderInputError("reason", _("Tell the reseller why you decline the quote."))
    if len(text) > MAX_REASON_LENGTH:
        raise OrderInputError(
            "reason", _("The text has at most %(max)d characters.", max=MAX_REASON_LENGTH)
        )
    if not all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        raise OrderInputError("reason", _("The text contains characters that cannot be stored."))
    return text


def decline(quote: Quote, raw_reason: object) -> None:
    """The customer declines with a reason (no commit); OrderInputError for no reason."""
    reason = reason_text(raw_reason)
    moved = services.move(
        quote, OPEN_TO_CUSTOMER, QuoteStatus.DECLINED, note=reason, decline_reason=reason
    )
    if not moved:
        raise QuoteMoved
    tell_buyer(quote, "declined")
