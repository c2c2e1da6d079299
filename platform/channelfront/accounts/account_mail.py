"""Mail about a person's account (invitations, password resets, e-mail checks,
application decisions), in the recipient's language and the storefront's theme.

A feature names a kind of mail once with :func:`mail_kind` (its subject) and ships
``accounts/mail/<kind>.txt`` in the base theme. :func:`send_later` writes the mail to
the outbox in the caller's transaction; it goes out after the commit.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.mail.services import send
from channelfront.outbox.handlers import handles
from channelfront.outbox.services import enqueue
from channelfront.tenancy.models import Tenant, Vendor
from channelfront.theming.loader import themed_name

TOPIC = "mail.account"
SUBJECTS: dict[str, LazyString] = {}


def mail_kind(kind: str, subject: LazyString) -> str:
    """Register a kind of account mail with its subject (which may use the context's
    values, e.g. ``%(site)s``); returns the kind."""
    SUBJECTS[kind] = subject
    return kind


def mail_locale(requested: str | None, tenant: Tenant | None) -> str:
    """The recipient's language if the site offers it, else the site's default."""
    offered = [c for c in (tenant.locales if tenant else SHIPPED_LOCALES) if c in SHIPPED_LOCALES]
    if requested in offered:
        return str(requested)
    return tenant.default_locale if tenant else "en"


def send_later(
    kind: str, to: str, *, locale: str | None, tenant_id: int | None, **context: Any
) -> None:
    """Queue a mail of this kind to one address; ``context`` must be JSON (strings, numbers)."""
    if kind not in SUBJECTS:
        raise LookupError(f"unknown account mail {kind!r}")
    payload = {"kind": kind, "to": to, "locale": locale, "context": context}
    enqueue(tenant_id, TOPIC, payload)


@handles(TOPIC)
def deliver(tenant_id: int | None, payload: dict[str, Any]) -> None:
    tenant = db.session.get(Tenant, tenant_id) if tenant_id is not None else None
    kind, context = str(payload["kind"]), dict(payload["context"])
    site = tenant.name if tenant else (_vendor_name() or "Channelfront")
    with force_locale(mail_locale(payload.get("locale"), tenant)):
        subject = str(SUBJECTS[kind]) % {"site": site, **context}
        body = render_template(
            themed_name(tenant.theme if tenant else "base", f"accounts/mail/{kind}.txt"),
            site=site,
            tenant=tenant,
            **context,
        )
    send([str(payload["to"])], subject, body)


def _vendor_name() -> str | None:
    """The vendor's name, for mail from the vendor console."""
    return db.session.scalar(select(Vendor.name).order_by(Vendor.id).limit(1))
