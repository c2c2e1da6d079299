"""Setting a buyer's spending limits: what the company admin types, in the tenant's
currency, becomes minor units on the user's SpendingLimit row, with an audit event.

Both amounts are read before anything is written, so a refused form changes nothing.
The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from channelfront import row_locks
from channelfront.accounts.models import User
from channelfront.admin.inputs import amount_to_minor, minor_to_text
from channelfront.approvals.limits import limit_of
from channelfront.approvals.models import SpendingLimit
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.tenancy.scoping import active_tenant_id

FIELD_LABELS = {"per_order": _l("Limit per order"), "per_month": _l("Limit per month")}


class LimitRefused(ValueError):
    """An amount that cannot be a limit; ``field`` is ``per_order`` or ``per_month``,
    ``message`` what is wrong, and ``str()`` both, the field by its label."""

    def __init__(self, field: str, message: str) -> None:
        label = FIELD_LABELS.get(field, field)
        super().__init__(_("%(field)s: %(error)s", field=label, error=message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Limits:
    """A buyer's limits in minor units; None is no limit."""

    per_order_minor: int | None = None
    per_month_minor: int | None = None


def limits_of(user_id: int) -> Limits:
    """The user's limits on the active tenant (none set is no limit)."""
    row = limit_of(user_id)
    if row is None:
        return Limits()
    return Limits(row.per_order_minor, row.per_month_minor)


def limits_for(user_ids: list[int]) -> dict[int, Limits]:
    """Each of these users' limits on the active tenant, in one query (absent: none set)."""
    if not user_ids:
        return {}
    rows = db.session.scalars(select(SpendingLimit).where(SpendingLimit.user_id.in_(user_ids)))
    return {row.user_id: Limits(row.per_order_minor, row.per_month_minor) for row in rows}


def as_text(minor: int | None, currency: str) -> str:
    """A limit as the form shows it again: '1250.00', or '' for no limit."""
    return "" if minor is None else minor_to_text(minor, currency)


def parse_limit(field: str, text: str | None, currency: str) -> int | None:
    """'1250.50' -> 125050 minor units; '' -> None (no limit).

    Raises LimitRefused naming the field for a negative amount, something that is not a
    number, more decimals than the currency has, or an amount of 10^12 or more.
    """
    if not (text or "").strip():
        return None
    try:
        return amount_to_minor(text or "", currency)
    except ValueError as refused:
        raise LimitRefused(field, str(refused)) from None


def set_limits(
    user: User, per_order: str | None, per_month: str | None, actor: User, currency: str
) -> Limits:
    """Store the buyer's limits on the active tenant; returns them as stored.

    Raises LimitRefused (nothing written) when either amount is refused.
    """
    wanted = Limits(
        parse_limit("per_order", per_order, currency),
        parse_limit("per_month", per_month, currency),
    )
    # One row per user and tenant: take the user's row lock, so two admins saving at the
    # same moment do not both insert.
    row_locks.hold(User, user.id)
    row = limit_of(user.id)
    before = limits_of(user.id)
    if before == wanted:
        return wanted
    if row is None:
        row = SpendingLimit(user_id=user.id)
        db.session.add(row)
    row.per_order_minor = wanted.per_order_minor
    row.per_month_minor = wanted.per_month_minor
    row.updated_by_id = actor.id
    record(
        "spending_limit.changed",
        row,
        label=user.email,
        before=_audited(before, currency),
        after=_audited(wanted, currency),
        tenant_id=active_tenant_id(),
        company_id=user.company_id,
        actor=actor,
    )
    return wanted


def _audited(limits: Limits, currency: str) -> dict[str, str | None]:
    def text(minor: int | None) -> str | None:
        return None if minor is None else f"{minor_to_text(minor, currency)} {currency}"

    return {"per_order": text(limits.per_order_minor), "per_month": text(limits.per_month_minor)}
