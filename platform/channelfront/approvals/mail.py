"""Approval mail: approvers hear that an order waits for them, buyers hear the outcome.

Links point at the site the approver works on: the tenant's storefront for the
company's approvers and the distributor's staff, the vendor console for vendor staff.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l

from channelfront.accounts.account_mail import mail_kind, send_later
from channelfront.accounts.links import site_host
from channelfront.accounts.models import User, UserKind
from channelfront.approvals.models import ApprovalStep
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.models import Order

REQUESTED = mail_kind("approval_requested", _l("Order %(number)s waits for your approval"))
APPROVED = mail_kind("order_approved", _l("Order %(number)s is approved"))
REJECTED = mail_kind("order_rejected", _l("Order %(number)s was rejected"))


def link(tenant_id: int | None, path: str) -> str:
    """An absolute link on the tenant's host (None: the console), in or out of a request."""
    host = site_host(tenant_id)
    if has_request_context():
        scheme = request.scheme
        port = request.host.rpartition(":")[2] if ":" in request.host else ""
    else:
        scheme = current_app.config.get("PREFERRED_URL_SCHEME", "https")
        port = ""
    return f"{scheme}://{host}{':' + port if port else ''}{path}"


def _total(order: Order) -> str:
    return str(Money(order.total_minor, order.currency))


def tell_approvers(order: Order, step: ApprovalStep, approvers: list[User]) -> None:
    """Mail everyone who may decide the step that has just opened."""
    buyer = db.session.get(User, order.buyer_id)
    for user in approvers:
        on_console = user.kind == UserKind.VENDOR
        url = link(
            None if on_console else order.tenant_id,
            f"/admin/approvals/{step.id}" if on_console else f"/approvals/{step.id}",
        )
        send_later(
            REQUESTED,
            user.email,
            locale=user.locale,
            tenant_id=order.tenant_id,
            name=user.name,
            number=order.number,
            total=_total(order),
            buyer=buyer.name if buyer else "",
            rule=step.rule_name,
            reasons=list(step.reasons or []),
            url=url,
        )


def tell_buyer(order: Order, approved: bool, comment: str | None, decided_by: User | None) -> None:
    buyer = db.session.get(User, order.buyer_id)
    if buyer is None or not buyer.active:
        return
    send_later(
        APPROVED if approved else REJECTED,
        buyer.email,
        locale=buyer.locale,
        tenant_id=order.tenant_id,
        name=buyer.name,
        number=order.number,
        total=_total(order),
        approver=decided_by.name if decided_by else "",
        comment=comment or "",
        url=link(order.tenant_id, f"/orders/{order.number}"),
    )
