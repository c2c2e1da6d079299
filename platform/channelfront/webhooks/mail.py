"""The mail to an endpoint's owner when it is disabled after the retry window."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.approvals.mail import link
from channelfront.extensions import db
from channelfront.mail.services import send
from channelfront.outbox.handlers import handles
from channelfront.tenancy.models import Tenant
from channelfront.theming.loader import themed_name
from channelfront.webhooks.delivery import DISABLED_MAIL_TOPIC
from channelfront.webhooks.models import WebhookEndpoint


def owners(endpoint: WebhookEndpoint) -> list[User]:
    """The company's admins, or (a tenant endpoint) the tenant's distributor admins."""
    query = select(User).where(User.active.is_(True)).order_by(User.id)
    if endpoint.company_id is not None:
        query = query.where(User.company_id == endpoint.company_id, User.role == "company_admin")
    else:
        query = query.where(
            User.tenant_id == endpoint.tenant_id,
            User.kind == UserKind.DISTRIBUTOR,
            User.role == "distributor_admin",
        )
    return list(db.session.scalars(query))


def page_path(endpoint: WebhookEndpoint) -> str:
    area = "/company/webhooks" if endpoint.company_id is not None else "/partners/webhooks"
    return f"{area}/{endpoint.id}"


@handles(DISABLED_MAIL_TOPIC)
def send_disabled(_tenant_id: int, payload: dict[str, Any]) -> None:
    """Mail each owner in their language; nothing when the endpoint was enabled again."""
    endpoint = db.session.get(WebhookEndpoint, int(payload["endpoint_id"]))
    if endpoint is None or endpoint.disabled_at is None:
        return
    tenant = db.session.get(Tenant, endpoint.tenant_id)
    assert tenant is not None
    url = link(endpoint.tenant_id, page_path(endpoint))
    for user in owners(endpoint):
        locale = user.locale if user.locale in tenant.locales else tenant.default_locale
        with force_locale(locale):
            subject = _("Webhook endpoint disabled: %(url)s", url=endpoint.url)
            body = render_template(
                themed_name(tenant.theme, "webhooks/mail/disabled.txt"),
                tenant=tenant,
                user=user,
                endpoint=endpoint,
                url=url,
            )
        send([user.email], subject, body)
