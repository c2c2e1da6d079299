"""Renewal mail: the link to the end customer, and news of a self-service renewal to the
reseller. Both are outbox handlers, so they are sent after the change commits."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.mail.services import send
from channelfront.orders.models import Order
from channelfront.outbox.handlers import handles
from channelfront.renewals.models import SubscriptionTerm
from channelfront.renewals.offers import product_name
from channelfront.renewals.selfservice import MAIL_TOPIC
from channelfront.subscriptions.models import Subscription
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name

LINK_TOPIC = "mail.renewal_link"


def _render(theme: str, template: str, **context: object) -> str:
    return render_template(themed_name(theme, f"renewals/mail/{template}"), **context)


@handles(LINK_TOPIC)
def send_link(_tenant_id: int, payload: dict) -> None:
    """The renewal link to the end customer's contact, in the storefront's language."""
    subscription = db.session.get(Subscription, int(payload["subscription_id"]))
    if subscription is None:
        return
    tenant = db.session.get(Tenant, subscription.tenant_id)
    customer = db.session.get(Customer, subscription.customer_id)
    company = db.session.get(Company, subscription.company_id)
    locale = tenant.default_locale
    with force_locale(locale):
        product = product_name(subscription.product_id, locale)
        subject = _("Renewal of %(product)s", product=product)
        body = _render(
            tenant.theme,
            "renewal_link.txt",
            tenant=tenant,
            customer=customer,
            company=company,
            subscription=subscription,
            product=product,
            url=str(payload["url"]),
        )
    send([customer.email], subject, body, reseller=company.name if company else None, locale=locale)


def reseller_recipients(subscription: Subscription) -> list[User]:
    """Who hears of a self-service renewal: the buyer of the subscription's order, or,
    when that account is gone or inactive, the company admins."""
    order = db.session.get(Order, subscription.order_id)
    buyer = db.session.get(User, order.buyer_id) if order else None
    if buyer is not None and buyer.is_active and buyer.company_id == subscription.company_id:
        return [buyer]
    return list(
        db.session.scalars(
            select(User).where(
                User.company_id == subscription.company_id,
                User.role == "company_admin",
                User.active.is_(True),
            )
        )
    )


@handles(MAIL_TOPIC)
def send_renewed(_tenant_id: int, payload: dict) -> None:
    """Tell the reseller that its end customer renewed alone, each in their language."""
    term = db.session.get(SubscriptionTerm, int(payload["term_id"]))
    if term is None:
        return
    subscription = term.subscription
    tenant = db.session.get(Tenant, term.tenant_id)
    customer = db.session.get(Customer, subscription.customer_id)
    for user in reseller_recipients(subscription):
        locale = user.locale if user.locale in tenant.locales else tenant.default_locale
        with force_locale(locale):
            product = product_name(subscription.product_id, locale)
            subject = _(
                "%(customer)s renewed %(product)s",
                customer=customer.company_name,
                product=product,
            )
            body = _render(
                tenant.theme,
                "renewed_by_customer.txt",
                tenant=tenant,
                user=user,
                customer=customer,
                subscription=subscription,
                term=term,
                product=product,
            )
        send([user.email], subject, body)
