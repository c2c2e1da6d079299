"""Special price mail: deciders hear that a request waits for them, the requester hears
the outcome. Each mail is an outbox message written with the change, so it goes out
only once the change commits, in the recipient's language and the storefront's theme.

Only the reseller's own people and the distributor's and vendor's staff get these
mails: they carry buy prices, so never an end customer.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.account_mail import mail_locale
from channelfront.accounts.models import Company, User, UserKind
from channelfront.approvals.mail import link
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.mail.services import send
from channelfront.outbox.handlers import handles
from channelfront.outbox.services import enqueue
from channelfront.quotes.models import Quote, SpecialPriceRequest
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name

TOPIC = "mail.special_price"
#: Mail kinds, each with ``quotes/mail/special_price_<kind>.txt``.
WAITING = "waiting"
APPROVED = "approved"
COUNTERED = "countered"
DECLINED = "declined"
KINDS = (WAITING, APPROVED, COUNTERED, DECLINED)

DISTRIBUTOR_DECIDERS = ("partner_manager", "distributor_admin")
VENDOR_DECIDERS = ("vendor_admin", "vendor_ops")


def _active(query: Any) -> Any:
    return query.where(User.active.is_(True), User.invitation_pending.is_(False))


def distributor_deciders(tenant_id: int) -> list[User]:
    """The storefront's partner managers and distributor administrators."""
    query = select(User).where(
        User.kind == UserKind.DISTRIBUTOR.value,
        User.tenant_id == tenant_id,
        User.role.in_(DISTRIBUTOR_DECIDERS),
    )
    return list(db.session.scalars(_active(query).order_by(User.id)))


def vendor_deciders() -> list[User]:
    query = select(User).where(User.kind == UserKind.VENDOR.value, User.role.in_(VENDOR_DECIDERS))
    return list(db.session.scalars(_active(query).order_by(User.id)))


def _url_for(user: User, row: SpecialPriceRequest, quote_number: str) -> str:
    if user.kind == UserKind.VENDOR:
        return link(None, f"/admin/special-prices/{row.id}")
    if user.kind == UserKind.DISTRIBUTOR:
        return link(row.tenant_id, f"/partners/special-prices/{row.id}")
    return link(row.tenant_id, f"/quotes/{quote_number}")


def tell(kind: str, row: SpecialPriceRequest, users: list[User], *, comment: str | None) -> None:
    """Queue one mail of ``kind`` about the request to each user (in the caller's
    transaction). The prices are the row's as it is now."""
    if kind not in KINDS:
        raise LookupError(f"unknown special price mail {kind!r}")
    quote = db.session.get(Quote, row.quote_id)
    number = quote.number if quote is not None else ""
    for user in users:
        if user.id == row.requested_by and kind == WAITING:
            continue  # nobody decides their own request
        enqueue(
            row.tenant_id,
            TOPIC,
            {
                "kind": kind,
                "request_id": row.id,
                "user_id": user.id,
                "quote": number,
                "status": row.status,
                "stage": row.stage,
                "unit_minor": (
                    row.approved_unit_minor
                    if kind in (APPROVED, COUNTERED)
                    else row.requested_unit_minor
                ),
                "comment": comment or "",
                "url": _url_for(user, row, number),
            },
        )


def tell_requester(kind: str, row: SpecialPriceRequest, comment: str | None) -> None:
    requester = db.session.get(User, row.requested_by)
    if requester is not None and requester.is_active:
        tell(kind, row, [requester], comment=comment)


@handles(TOPIC)
def deliver(tenant_id: int, payload: dict[str, Any]) -> None:
    """Render and send one special price mail (the handler runs in the tenant's scope)."""
    row = db.session.get(SpecialPriceRequest, int(payload["request_id"]))
    user = db.session.get(User, int(payload["user_id"]))
    tenant = db.session.get(Tenant, tenant_id)
    if row is None or user is None or tenant is None or not user.is_active:
        return
    kind = str(payload["kind"])
    company = db.session.get(Company, row.company_id)
    customer = db.session.get(Customer, row.customer_id)
    context = {
        "tenant": tenant,
        "user": user,
        "row": row,
        "quote": str(payload.get("quote") or ""),
        "company": company.name if company else "",
        "customer": customer.company_name if customer else "",
        "normal": Money(row.normal_unit_minor, row.currency),
        "requested": Money(row.requested_unit_minor, row.currency),
        "price": Money(int(payload.get("unit_minor") or 0), row.currency),
        "line_total": Money(int(payload.get("unit_minor") or 0) * row.units, row.currency),
        "stage": payload.get("stage"),
        "comment": str(payload.get("comment") or ""),
        "url": str(payload["url"]),
    }
    with force_locale(mail_locale(user.locale, tenant)):
        subjects = {
            WAITING: _(
                "Special price request on quote %(number)s waits for your decision",
                number=context["quote"],
            ),
            APPROVED: _("Special price approved on quote %(number)s", number=context["quote"]),
            COUNTERED: _(
                "Counter offer on your special price request, quote %(number)s",
                number=context["quote"],
            ),
            DECLINED: _("Special price declined on quote %(number)s", number=context["quote"]),
        }
        body = render_template(
            themed_name(tenant.theme, f"quotes/mail/special_price_{kind}.txt"), **context
        )
    send([user.email], subjects[kind], body)
