"""Sending a quote to its end customer: a signed link by mail, through the outbox.

A draft becomes ``sent``; a sent or viewed quote may be sent again at the same
revision, which mails the same link once more. The link names the revision, so a
quote edited after sending needs sending again (the old link then says it was
updated). Nothing here commits: the caller commits with ``commit_and_dispatch``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from channelfront.accounts.models import User
from channelfront.orders.errors import OrderInputError
from channelfront.outbox.services import enqueue
from channelfront.quotes import links, services
from channelfront.quotes.models import OPEN_TO_CUSTOMER, Quote, QuoteStatus

#: The outbox topic of the mail to the end customer (handled in ``quotes.mail``).
CUSTOMER_TOPIC = "mail.quote_to_customer"


def _check(quote: Quote, actor: User) -> None:
    if actor.company_id != quote.company_id:
        raise OrderInputError("quote", _("There is no such quote."))
    if not quote.lines:
        raise OrderInputError("lines", _("Add at least one line before sending the quote."))
    if services.is_expired(quote):
        raise OrderInputError(
            "valid_until",
            _("The quote's validity date has passed. Choose a later date, then send it."),
        )


def send(quote: Quote, actor: User) -> str:
    """Send the quote to its end customer (no commit) and return the customer's link.

    OrderInputError names what stops it: another company's quote, no lines, a validity
    date in the past, or a status that cannot be sent (accepted, paid, closed...).
    """
    _check(quote, actor)
    if quote.status == QuoteStatus.DRAFT:
        sent = services.move(
            quote,
            (QuoteStatus.DRAFT.value,),
            QuoteStatus.SENT,
            actor.id,
            data={"to": quote.customer.email},
            sent_at=datetime.now(UTC),
            reminded_days=None,
        )
        if not sent:
            raise OrderInputError("quote", _("This quote was changed meanwhile. Reload it."))
    elif quote.status in OPEN_TO_CUSTOMER:
        services.record(quote, "resent", actor.id, data={"to": quote.customer.email})
    else:
        raise OrderInputError("quote", _("This quote can no longer be sent."))
    url = links.customer_url(quote.tenant_id, quote.id, quote.revision)
    enqueue(
        quote.tenant_id,
        CUSTOMER_TOPIC,
        {"quote_id": quote.id, "revision": quote.revision, "url": url},
    )
    return url
