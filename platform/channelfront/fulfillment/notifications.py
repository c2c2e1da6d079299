"""The e-mails of a fulfilled order: the buyer's, and, if ticked, the end customer's.

The end customer gets a mail of their own, in their language (a quote's, else the
storefront's), from the reseller: product names and license keys, never prices.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import Company, User
from channelfront.extensions import db
from channelfront.fulfillment.models import License
from channelfront.mail.services import send
from channelfront.orders.models import Order
from channelfront.outbox.handlers import handles
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name


def _locale(user: User, tenant: Tenant) -> str:
    return user.locale if user.locale in tenant.locales else tenant.default_locale


@handles("mail.order_fulfilled")
def send_fulfilled(_tenant_id: int, payload: dict) -> None:
    order = db.session.get(Order, int(payload["order_id"]))
    if order is None:
        return
    tenant = db.session.get(Tenant, order.tenant_id)
    buyer = db.session.get(User, order.buyer_id)
    licenses = {
        lic.order_line_id: lic
        for lic in db.session.scalars(select(License).where(License.order_id == order.id))
    }
    with force_locale(_locale(buyer, tenant)):
        subject = _("Order %(number)s is fulfilled", number=order.number)
        body = render_template(
            themed_name(tenant.theme, "mail/order_fulfilled.txt"),
            order=order,
            tenant=tenant,
            licenses=licenses,
        )
    send([buyer.email], subject, body)
    if order.notify_end_customer and order.customer is not None:
        _send_to_end_customer(order, tenant, licenses)


def _send_to_end_customer(order: Order, tenant: Tenant, licenses: dict[int, License]) -> None:
    company = db.session.get(Company, order.company_id)
    reseller = company.name if company is not None else tenant.name
    locale = order.customer_locale or tenant.default_locale
    if locale not in tenant.locales:
        locale = tenant.default_locale
    with force_locale(locale):
        subject = _("Your licenses from %(reseller)s", reseller=reseller)
        body = render_template(
            themed_name(tenant.theme, "mail/licenses_for_customer.txt"),
            order=order,
            reseller=reseller,
            licenses=licenses,
        )
    send([order.customer.email], subject, body, reseller=reseller, locale=locale)
