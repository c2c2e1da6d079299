"""Mail for a buyer's update of an order: to whom it concerns, each in their language.

- licenses delivered: the end customer's contact gets the keys;
- licenses assigned: the assigned contact gets the keys;
- any update made by someone other than the order's buyer: the buyer hears of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.mail.services import send
from channelfront.orders.models import Order, OrderEvent
from channelfront.orders.parties import ASSIGNED, DELIVERED, TOPIC
from channelfront.outbox.handlers import handles
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name


@dataclass(frozen=True)
class Update:
    event: OrderEvent
    order: Order
    tenant: Tenant
    company: Company
    actor: User | None
    licenses: list[tuple[str, License]]


def _render(
    update: Update, locale: str, subject: Any, template: str, **extra: Any
) -> tuple[str, str]:
    with force_locale(locale):
        return str(subject()), render_template(
            themed_name(update.tenant.theme, f"orders/mail/{template}"),
            update=update,
            **extra,
        )


def _mail(
    update: Update,
    to: str,
    locale: str,
    subject: Any,
    template: str,
    *,
    reseller: str | None = None,
    **extra: Any,
) -> None:
    title, body = _render(update, locale, subject, template, **extra)
    send([to], title, body, reseller=reseller, locale=locale)


def _load(payload: dict) -> Update | None:
    event = db.session.get(OrderEvent, int(payload["event_id"]))
    if event is None:
        return None
    order = event.order
    ids = [int(i) for i in event.data.get("licenses", [])]
    skus = {line.id: line.sku for line in order.lines}
    licenses = db.session.scalars(
        select(License).where(License.id.in_(ids)).order_by(License.order_line_id)
    )
    return Update(
        event=event,
        order=order,
        tenant=db.session.get(Tenant, order.tenant_id),
        company=db.session.get(Company, order.company_id),
        actor=db.session.get(User, event.actor_id) if event.actor_id else None,
        licenses=[(skus.get(lic.order_line_id, ""), lic) for lic in licenses],
    )


@handles(TOPIC)
def send_update(_tenant_id: int, payload: dict) -> None:
    update = _load(payload)
    if update is None:
        return
    event, order, tenant = update.event, update.order, update.tenant
    company = update.company.name
    if event.kind == DELIVERED and order.customer is not None:
        _mail(
            update,
            order.customer.email,
            tenant.default_locale,
            lambda: _("Your licenses from %(company)s", company=company),
            "licenses_delivered.txt",
            reseller=company,
        )
    if event.kind == ASSIGNED:
        _mail(
            update,
            event.data["email"],
            tenant.default_locale,
            lambda: _("%(company)s assigned licenses to you", company=company),
            "licenses_assigned.txt",
            reseller=company,
        )
    buyer = db.session.get(User, order.buyer_id)
    if buyer is not None and buyer.is_active and buyer.id != event.actor_id:
        locale = buyer.locale if buyer.locale in tenant.locales else tenant.default_locale
        _mail(
            update,
            buyer.email,
            locale,
            lambda: _("Order %(number)s was updated", number=order.number),
            "order_update.txt",
            buyer=buyer,
        )
