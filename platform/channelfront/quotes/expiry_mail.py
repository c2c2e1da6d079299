"""The expiry reminder to the reseller's buyer, through the outbox: written with the
``reminded_days`` mark in one transaction, sent after it commits."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.approvals.mail import link
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.mail.services import send
from channelfront.outbox.handlers import handles
from channelfront.outbox.models import OutboxMessage
from channelfront.outbox.services import enqueue
from channelfront.quotes.models import OPEN_TO_CUSTOMER, Quote
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name

TOPIC = "mail.quote_expiry_reminder"


def remind_later(quote: Quote, days: int, days_left: int) -> OutboxMessage:
    """Queue the reminder that ``quote`` expires in ``days_left`` days (no commit)."""
    payload = {
        "quote_id": quote.id,
        "revision": quote.revision,
        "days": days,
        "days_left": days_left,
    }
    return enqueue(quote.tenant_id, TOPIC, payload)


def recipients(quote: Quote) -> list[User]:
    """The quote's buyer; when that account is gone or inactive, the company admins."""
    buyer = db.session.get(User, quote.buyer_id)
    if buyer is not None and buyer.is_active and buyer.company_id == quote.company_id:
        return [buyer]
    return list(
        db.session.scalars(
            select(User).where(
                User.company_id == quote.company_id,
                User.role == "company_admin",
                User.active.is_(True),
            )
        )
    )


@handles(TOPIC)
def send_reminder(_tenant_id: int, payload: dict[str, Any]) -> None:
    """Mail the reminder, unless the quote was revised, accepted or closed meanwhile."""
    quote = db.session.get(Quote, int(payload["quote_id"]))
    if quote is None or quote.revision != payload["revision"]:
        return
    if quote.status not in OPEN_TO_CUSTOMER:
        return
    tenant = db.session.get(Tenant, quote.tenant_id)
    assert tenant is not None
    company = db.session.get(Company, quote.company_id)
    url = link(quote.tenant_id, f"/quotes/{quote.number}")
    for user in recipients(quote):
        locale = user.locale if user.locale in tenant.locales else tenant.default_locale
        with force_locale(locale):
            valid_until = format_date(quote.valid_until, "long")
            subject = _(
                "Quote %(number)s expires on %(date)s", number=quote.number, date=valid_until
            )
            body = render_template(
                themed_name(tenant.theme, "quotes/mail/expiry_reminder.txt"),
                tenant=tenant,
                company=company,
                user=user,
                quote=quote,
                customer=quote.customer,
                total=Money(quote.resale_total_minor, quote.currency),
                valid_until=valid_until,
                days_left=int(payload["days_left"]),
                url=url,
            )
        send([user.email], subject, body)
