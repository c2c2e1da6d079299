"""A reseller company's users: list, invite, change roles, deactivate and reactivate,
resend or revoke an invitation. The pages and the API both go through here.

Every query is scoped by company id, so a user of another company is never found.
The company keeps at least one active company admin: changes that could remove the
last one first lock the company's row, then count, so two admins demoting each other
at the same time cannot both succeed. Each function leaves the commit to the caller.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from channelfront import row_locks
from channelfront.accounts import invitations
from channelfront.accounts.invitations import InvitationRefused, Invitee
from channelfront.accounts.models import ROLES, Company, User, UserKind, UserStatus
from channelfront.accounts.sessions import end_all_sessions
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.web.params import MAX_ID

ADMIN_ROLE = "company_admin"
COMPANY_ROLES = ROLES[UserKind.RESELLER]


class UserChangeRefused(ValueError):
    """The change breaks a rule; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def company_users(company_id: int) -> list[User]:
    """Every user of the company, whatever their status, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.company_id == company_id, User.kind == UserKind.RESELLER.value)
            .order_by(func.lower(User.name), User.id)
        )
    )


def company_user(company_id: int, user_id: int) -> User | None:
    """The company's user with this id, or None (also for another company's user)."""
    if not 0 < user_id <= MAX_ID:  # an id the column cannot hold names no one
        return None
    return db.session.scalar(
        select(User).where(
            User.id == user_id,
            User.company_id == company_id,
            User.kind == UserKind.RESELLER.value,
        )
    )


def _storable(text: str) -> bool:
    """False for text no database stores (a lone surrogate, which JSON can carry)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def invite_user(
    company_id: int, tenant_id: int, email: str, name: str, role: str, by: User
) -> User:
    """Invite a colleague; the mail's link leads to this storefront.

    Raises UserChangeRefused (nothing added) for a bad address, name or role, or an
    address that already has an account here or with another company.
    """
    if role not in COMPANY_ROLES:
        raise UserChangeRefused("role", _("Choose a role from the list."))
    if not _storable(email):
        raise UserChangeRefused("email", _("Enter a valid e-mail address."))
    invitee = Invitee(
        email=email,
        name=name,
        kind=UserKind.RESELLER,
        role=role,
        link_tenant_id=tenant_id,
        company_id=company_id,
    )
    try:
        with db.session.begin_nested():
            return invitations.invite(invitee, by)
    except InvitationRefused as refused:
        raise UserChangeRefused(refused.field, refused.message) from refused
    except IntegrityError as clash:  # the same address, invited at the same moment
        raise UserChangeRefused(
            "email", _("This e-mail address already has an account.")
        ) from clash


def _hold_company(user: User) -> None:
    """Lock the company's row, then read the user again: what others committed counts."""
    row_locks.hold(Company, user.company_id or 0)
    db.session.refresh(user, ["role", "active", "invitation_pending"])


def _active_admins(company_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(User.id)).where(
                User.company_id == company_id,
                User.role == ADMIN_ROLE,
                User.active.is_(True),
                User.invitation_pending.is_(False),
            )
        )
        or 0
    )


def _refuse_last_admin(user: User, field: str, message: str) -> None:
    counts = user.role == ADMIN_ROLE and user.status == UserStatus.ACTIVE
    if counts and _active_admins(user.company_id or 0) <= 1:
        raise UserChangeRefused(field, message)


def change_role(user: User, role: str, by: User, tenant_id: int) -> bool:
    """Give the user another role; False when it already has it.

    Raises UserChangeRefused for a role that is not a company role, or for demoting the
    company's last active company admin.
    """
    if role not in COMPANY_ROLES:
        raise UserChangeRefused("role", _("Choose a role from the list."))
    _hold_company(user)
    if role == user.role:
        return False
    if role != ADMIN_ROLE:
        _refuse_last_admin(
            user,
            "role",
            _(
                "%(name)s is the company's last active administrator. Make someone else "
                "an administrator first.",
                name=user.name,
            ),
        )
    before = user.role
    user.role = role
    record(
        "user.role_changed",
        user,
        label=user.email,
        before={"role": before},
        after={"role": role},
        tenant_id=tenant_id,
        company_id=user.company_id,
        actor=by,
    )
    return True


def deactivate(user: User, by: User, tenant_id: int) -> bool:
    """Stop the user signing in and end all their sessions; False when already inactive.

    Raises UserChangeRefused for the company's last active company admin.
    """
    _hold_company(user)
    if not user.active:
        return False
    _refuse_last_admin(
        user,
        "active",
        _(
            "%(name)s is the company's last active administrator and cannot be "
            "deactivated. Make someone else an administrator first.",
            name=user.name,
        ),
    )
    before = user.status
    user.active = False
    end_all_sessions(user.id, datetime.now(UTC))
    record(
        "user.deactivated",
        user,
        label=user.email,
        before={"status": before},
        after={"status": user.status},
        tenant_id=tenant_id,
        company_id=user.company_id,
        actor=by,
    )
    return True


def reactivate(user: User, by: User, tenant_id: int) -> bool:
    """Let a deactivated user sign in again; False when the user is not deactivated."""
    if user.active:
        return False
    before = user.status
    user.active = True
    record(
        "user.reactivated",
        user,
        label=user.email,
        before={"status": before},
        after={"status": user.status},
        tenant_id=tenant_id,
        company_id=user.company_id,
        actor=by,
    )
    return True


def set_active(user: User, active: bool, by: User, tenant_id: int) -> bool:
    """Deactivate or reactivate; False when the user already is so."""
    return reactivate(user, by, tenant_id) if active else deactivate(user, by, tenant_id)


def resend_invitation(user: User, by: User, tenant_id: int) -> None:
    """A fresh invitation link (the old ones stop working). Raises UserChangeRefused
    when the invitation was already accepted or the user is deactivated."""
    if not user.active:
        raise UserChangeRefused("user", _("Reactivate this person before resending."))
    try:
        invitations.resend(user, tenant_id, by)
    except InvitationRefused as refused:
        raise UserChangeRefused(refused.field, refused.message) from refused


def revoke_invitation(user: User, by: User, tenant_id: int) -> None:
    """Withdraw a pending invitation; the invited user is removed."""
    try:
        invitations.revoke(user, by, tenant_id)
    except InvitationRefused as refused:
        raise UserChangeRefused(refused.field, refused.message) from refused
