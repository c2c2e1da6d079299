"""Staff teams: the vendor's staff, and each tenant's distributor staff.

A team is the users of one kind (and, for distributor staff, one tenant). Its
administrators change roles, deactivate and reactivate members; a team always keeps
one active administrator. Every change is audited; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from channelfront.accounts.invitations import InvitationRefused
from channelfront.accounts.models import ROLES, User, UserKind
from channelfront.accounts.sessions import end_all_sessions
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.row_locks import hold
from channelfront.tenancy.models import Tenant, Vendor

ADMIN_ROLE = {UserKind.VENDOR: "vendor_admin", UserKind.DISTRIBUTOR: "distributor_admin"}


@dataclass(frozen=True)
class Team:
    """The vendor's staff (``tenant_id`` None) or one tenant's distributor staff."""

    kind: UserKind
    tenant_id: int | None = None

    @property
    def admin_role(self) -> str:
        return ADMIN_ROLE[self.kind]

    @property
    def roles(self) -> tuple[str, ...]:
        return ROLES[self.kind]

    def _users(self) -> Select[Any]:
        stmt = select(User).where(User.kind == self.kind.value)
        if self.kind == UserKind.DISTRIBUTOR:
            stmt = stmt.where(User.tenant_id == self.tenant_id)
        return stmt


def vendor_team() -> Team:
    return Team(UserKind.VENDOR)


def distributor_team(tenant_id: int) -> Team:
    return Team(UserKind.DISTRIBUTOR, tenant_id)


def members(team: Team) -> list[User]:
    """The team's users, by name."""
    return list(db.session.scalars(team._users().order_by(func.lower(User.name), User.id)))


def member(team: Team, user_id: int) -> User | None:
    """The team's user with this id; None for anyone else's."""
    return db.session.scalar(team._users().where(User.id == user_id))


def _snapshot(user: User) -> dict[str, str]:
    return {"role": user.role, "status": user.status.value}


def _audit(action: str, team: Team, user: User, before: dict[str, str], actor: User) -> None:
    record(
        action,
        user,
        label=user.email,
        before=before,
        after=_snapshot(user),
        tenant_id=team.tenant_id,
        actor=actor,
    )


def _keep_an_admin(team: Team, user: User) -> None:
    """Refuse to take away the team's last active administrator.

    The team's owner row (tenant or vendor) is locked first, so two administrators
    removing each other at the same time cannot both succeed.
    """
    if user.role != team.admin_role or not user.is_active:
        return
    if team.tenant_id is not None:
        hold(Tenant, team.tenant_id)
    else:
        hold(Vendor, *db.session.scalars(select(Vendor.id)))
    others = select(func.count()).select_from(
        team._users()
        .where(
            User.role == team.admin_role,
            User.active.is_(True),
            User.invitation_pending.is_(False),
            User.id != user.id,
        )
        .subquery()
    )
    if not db.session.scalar(others):
        raise InvitationRefused(
            "user",
            _(
                "%(email)s is the last active administrator; make someone else one first.",
                email=user.email,
            ),
        )


def change_role(team: Team, user: User, role: str, actor: User) -> None:
    """Give a member another of the team's roles."""
    if role not in team.roles:
        raise InvitationRefused("role", _("Choose a role from the list."))
    if role == user.role:
        return
    if role != team.admin_role:
        _keep_an_admin(team, user)
    before = _snapshot(user)
    user.role = role
    _audit("user.role_changed", team, user, before, actor)


def deactivate(team: Team, user: User, actor: User) -> int:
    """Stop a member from signing in and end their sessions; how many sessions ended."""
    if not user.active:
        return 0
    _keep_an_admin(team, user)
    before = _snapshot(user)
    user.active = False
    ended = end_all_sessions(user.id, datetime.now(UTC))
    _audit("user.deactivated", team, user, before, actor)
    return ended


def reactivate(team: Team, user: User, actor: User) -> None:
    """Let a deactivated member sign in again."""
    if user.active:
        return
    before = _snapshot(user)
    user.active = True
    _audit("user.reactivated", team, user, before, actor)
