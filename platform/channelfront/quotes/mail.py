"""Quote mail through the outbox: the quote to the end customer, in the quote's language,
and the customer's answers to the reseller's buyer (viewed, accepted for an invoice,
declined, paid), each in the buyer's language. Sent after the change commits.

The customer's mail is rendered from ``customer.customer_view`` only: resale prices,
never buy prices, margins or price sources.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from channelfront.accounts.models import Company
from channelfront.approvals.mail import link
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.mail.services import send
from channelfront.orders.models import Order
from channelfront.outbox.handlers import handles
from channelfront.quotes import margin
from channelfront.quotes.customer import BUYER_TOPIC, customer_view
from channelfront.quotes.expiry_mail import recipients
from channelfront.quotes.models import OPEN_TO_CUSTOMER, Quote
from channelfront.quotes.sending import CUSTOMER_TOPIC
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name

BUYER_NEWS = ("viewed", "accepted", "declined", "paid")


def _render(theme: str, template: str, **context: object) -> str:
    return render_template(themed_name(theme, f"quotes/mail/{template}"), **context)


@handles(CUSTOMER_TOPIC)
def send_to_customer(_tenant_id: int, payload: dict[str, Any]) -> None:
    """The quote and its link to the end customer, unless it was revised or closed since."""
    quote = db.session.get(Quote, int(payload["quote_id"]))
    if quote is None or quote.revision != payload["revision"]:
        return
    if quote.status not in OPEN_TO_CUSTOMER:
        return
    tenant = db.session.get(Tenant, quote.tenant_id)
    company = db.session.get(Company, quote.company_id)
    assert tenant is not None
    assert company is not None
    view = customer_view(quote, company.name)
    language = quote.language if quote.language in tenant.locales else tenant.default_locale
    with force_locale(language):
        subject = _("Quote %(number)s from %(company)s", number=quote.number, company=company.name)
        body = _render(
            tenant.theme,
            "to_customer.txt",
            tenant=tenant,
            quote=view,
            valid_until=format_date(view.valid_until, "long"),
            url=str(payload["url"]),
        )
    send([quote.customer.email], subject, body, reseller=company.name, locale=language)


def _subject(kind: str, quote: Quote, customer: str) -> str:
    values = {"number": quote.number, "customer": customer}
    if kind == "viewed":
        return str(_("%(customer)s opened quote %(number)s", **values))
    if kind == "accepted":
        return str(_("%(customer)s accepted quote %(number)s: please order it", **values))
    if kind == "declined":
        return str(_("%(customer)s declined quote %(number)s", **values))
    return str(_("%(customer)s paid quote %(number)s", **values))


@handles(BUYER_TOPIC)
def send_to_buyer(_tenant_id: int, payload: dict[str, Any]) -> None:
    """The customer's answer to the quote's buyer (or the company admins)."""
    kind = str(payload.get("kind"))
    quote = db.session.get(Quote, int(payload["quote_id"]))
    if quote is None or kind not in BUYER_NEWS:
        return
    tenant = db.session.get(Tenant, quote.tenant_id)
    assert tenant is not None
    order = db.session.get(Order, quote.order_id) if quote.order_id else None
    note = margin.note_of(order) if order is not None else None
    customer = quote.customer
    for user in recipients(quote):
        locale = user.locale if user.locale in tenant.locales else tenant.default_locale
        with force_locale(locale):
            subject = _subject(kind, quote, customer.company_name)
            body = _render(
                tenant.theme,
                f"customer_{kind}.txt",
                tenant=tenant,
                user=user,
                quote=quote,
                customer=customer,
                total=Money(quote.resale_total_minor, quote.currency),
                order=order,
                order_total=Money(order.total_minor, order.currency) if order else None,
                margin_note=note,
                margin=Money(note.amount_minor, note.currency) if note else None,
                url=link(quote.tenant_id, f"/quotes/{quote.number}"),
            )
        send([user.email], subject, body)
