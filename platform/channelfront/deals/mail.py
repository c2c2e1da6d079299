"""Deal mail: the tenant's partner managers hear of a new registration, the reseller who
registered hears of every status change. Each mail is an outbox message written with the
change, so it goes out only once the change commits, in the recipient's language."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from channelfront.accounts.account_mail import mail_locale
from channelfront.accounts.models import Company, User, UserKind
from channelfront.approvals.mail import link
from channelfront.deals.models import Deal
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.mail.services import send
from channelfront.outbox.handlers import handles
from channelfront.outbox.services import enqueue
from channelfront.quotes.special_mail import distributor_deciders
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name

TOPIC = "mail.deal"
#: ``deals/mail/<kind>.txt`` exists for each.
KINDS = ("registered", "approved", "declined", "expired", "withdrawn", "won")


def _queue(kind: str, deal: Deal, user: User) -> None:
    path = f"/partners/deals/{deal.id}" if user.kind == UserKind.DISTRIBUTOR else ""
    enqueue(
        deal.tenant_id,
        TOPIC,
        {
            "kind": kind,
            "deal_id": deal.id,
            "user_id": user.id,
            "path": path or f"/deals/{deal.number}",
        },
    )


def tell_deciders(deal: Deal) -> None:
    """A new registration waits for the tenant's partner managers and admins."""
    for user in distributor_deciders(deal.tenant_id):
        _queue("registered", deal, user)


def tell_reseller(kind: str, deal: Deal, actor_id: int | None = None) -> None:
    """The reseller who registered the deal hears that its status changed (not of what
    they did themselves)."""
    user = db.session.get(User, deal.created_by)
    if user is None or not user.is_active or user.id == actor_id:
        return
    _queue(kind, deal, user)


@handles(TOPIC)
def deliver(tenant_id: int, payload: dict[str, Any]) -> None:
    """Render and send one deal mail (the handler runs in the tenant's scope)."""
    kind = str(payload.get("kind"))
    deal = db.session.get(Deal, int(payload["deal_id"]))
    user = db.session.get(User, int(payload["user_id"]))
    tenant = db.session.get(Tenant, tenant_id)
    if kind not in KINDS or deal is None or user is None or tenant is None:
        return
    if not user.is_active:
        return
    company = db.session.get(Company, deal.company_id)
    context = {
        "tenant": tenant,
        "user": user,
        "deal": deal,
        "company": company.name if company else "",
        "customer": deal.customer.company_name,
        "value": Money(deal.expected_value_minor, deal.currency),
        "url": link(tenant_id, str(payload["path"])),
    }
    with force_locale(mail_locale(user.locale, tenant)):
        subjects = {
            "registered": _("Deal %(number)s waits for your decision", number=deal.number),
            "approved": _("Deal %(number)s is approved", number=deal.number),
            "declined": _("Deal %(number)s is declined", number=deal.number),
            "expired": _("Deal %(number)s has expired", number=deal.number),
            "withdrawn": _("Deal %(number)s is withdrawn", number=deal.number),
            "won": _("Deal %(number)s is won", number=deal.number),
        }
        body = render_template(themed_name(tenant.theme, f"deals/mail/{kind}.txt"), **context)
    send([user.email], subjects[kind], body)
