"""A deal's status changes: the staff's decision, the reseller's withdrawal, expiry and
winning it with an order. Each takes the deal's row lock first, so two people acting at
once give one outcome; each is on the timeline and mails the reseller. Nothing commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.audit import service as audit
from channelfront.deals import mail, services
from channelfront.deals.models import Deal, DealStatus
from channelfront.deals.output import deal_json
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.pricing.models import Enrollment, Program
from channelfront.row_locks import hold
from channelfront.webhooks.publish import publish

DECIDERS = ("partner_manager", "distributor_admin")
DECISIONS = ("approve", "decline")
MAX_REASON = 2000
DEFAULT_PROTECTION_DAYS = 90
WITHDRAWABLE = (DealStatus.PENDING.value, DealStatus.APPROVED.value)


class DecisionRefused(Exception):
    """Not this person's to decide (403) or no longer open (409); nothing written."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def may_decide(user: User) -> bool:
    return user.kind == UserKind.DISTRIBUTOR and user.role in DECIDERS


def _locked(deal: Deal) -> Deal:
    """Wait for anyone else changing the deal, then read it as they left it."""
    hold(Deal, deal.id)
    db.session.refresh(deal)
    return deal


def protection_days(deal: Deal) -> int:
    """How long the reseller's program protects an approved deal."""
    program = db.session.scalar(
        select(Program)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(Enrollment.company_id == deal.company_id)
    )
    days = program.deal_protection_days if program is not None else None
    return days if days and days > 0 else DEFAULT_PROTECTION_DAYS


def _changed(deal: Deal, status: DealStatus, actor: User | None, note: str | None) -> None:
    before = deal.status
    deal.status = status.value
    deal.updated_at = datetime.now(UTC)
    services.record(deal, status.value, actor.id if actor else None, note)
    audit.record(
        f"deal.{status.value}",
        deal,
        label=deal.number,
        before={"status": before},
        after={"status": deal.status, "reason": note},
        tenant_id=deal.tenant_id,
        company_id=deal.company_id,
        actor=actor,
    )
    mail.tell_reseller(status.value, deal, actor.id if actor else None)


def decide(deal: Deal, actor: User, decision: str, reason: object = None) -> Deal:
    """Approve or decline a pending deal (no commit); a decline needs a reason."""
    if not may_decide(actor):
        raise DecisionRefused(
            _("Deals are decided by partner managers and distributor administrators."), 403
        )
    if decision not in DECISIONS:
        raise OrderInputError("decision", _("Choose approve or decline."))
    note = services.text(reason, "reason", MAX_REASON)
    if decision == "decline" and note is None:
        raise OrderInputError("reason", _("Say why the deal is declined."))
    _locked(deal)
    if deal.status != DealStatus.PENDING:
        raise DecisionRefused(_("This deal is decided already."))
    deal.reason = note
    deal.decided_by = actor.id
    deal.decided_at = datetime.now(UTC)
    if decision == "approve":
        deal.protected_until = services.today() + timedelta(days=protection_days(deal))
        _changed(deal, DealStatus.APPROVED, actor, note)
    else:
        _changed(deal, DealStatus.DECLINED, actor, note)
    db.session.flush()
    publish(f"deal.{deal.status}", company_id=deal.company_id, data=deal_json(deal))
    return deal


def withdraw(deal: Deal, actor: User) -> Deal:
    """The reseller takes back a pending or approved deal (no commit)."""
    _locked(deal)
    if deal.status not in WITHDRAWABLE:
        raise DecisionRefused(_("Only a pending or approved deal can be withdrawn."))
    _changed(deal, DealStatus.WITHDRAWN, actor, None)
    return deal


def is_due(deal: Deal, today: date) -> bool:
    """Approved past its protection, or pending past its expected close."""
    if deal.status == DealStatus.APPROVED:
        return deal.protected_until is not None and deal.protected_until < today
    return deal.status == DealStatus.PENDING and deal.expected_close < today


def expire(deal: Deal, today: date) -> bool:
    """Expire the deal if it is still due (no commit); False when nothing changed."""
    _locked(deal)
    if not is_due(deal, today):
        return False
    _changed(deal, DealStatus.EXPIRED, None, None)
    return True


def win(deal: Deal, quote_id: int, order_id: int, actor: User | None) -> bool:
    """The deal's quote became an order: the opportunity is won (no commit)."""
    _locked(deal)
    if deal.status != DealStatus.APPROVED:
        return False
    deal.quote_id = quote_id
    deal.order_id = order_id
    _changed(deal, DealStatus.WON, actor, None)
    return True


def reopen(deal: Deal, order_id: int) -> bool:
    """The order that won the deal was cancelled or refunded (no commit): the deal is
    approved again while its protection lasts, else expired. False when the deal was not
    won by this order."""
    _locked(deal)
    if deal.status != DealStatus.WON or deal.order_id != order_id:
        return False
    deal.order_id = None
    if deal.protected_until is not None and deal.protected_until >= services.today():
        deal.status = DealStatus.APPROVED.value
        deal.updated_at = datetime.now(UTC)
        services.record(deal, "reopened", None, None, order_id=order_id)
        audit.record(
            "deal.reopened",
            deal,
            label=deal.number,
            before={"status": DealStatus.WON.value},
            after={"status": deal.status},
            tenant_id=deal.tenant_id,
            company_id=deal.company_id,
            actor=None,
        )
    else:
        _changed(deal, DealStatus.EXPIRED, None, None)
    return True
