"""Inviting people: a user row waiting for its owner, and a signed single-use link.

Every path in (a vendor admin inviting staff or a tenant's first distributor admin,
a distributor admin inviting staff, a company admin inviting colleagues, an approved
partner application) goes through :func:`invite`. The invited person follows the link
(``/invitations/<token>``) within ``INVITATION_DAYS`` days, sets a name and password,
and is signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from channelfront.accounts import links
from channelfront.accounts.account_mail import mail_kind, send_later
from channelfront.accounts.models import ROLES, LinkPurpose, User, UserKind
from channelfront.accounts.users import find_user, set_password
from channelfront.audit.service import record
from channelfront.customers.services import EMAIL
from channelfront.extensions import db

INVITATION_MAIL = mail_kind("invitation", _l("You are invited to %(site)s"))
MAX_NAME_LENGTH = 120


class InvitationRefused(ValueError):
    """The invitation cannot be made or accepted; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Invitee:
    """Who is invited, as what, and where the link leads (a tenant, or None: the console)."""

    email: str
    name: str
    kind: UserKind
    role: str
    link_tenant_id: int | None
    company_id: int | None = None
    tenant_id: int | None = None  # distributor staff belong to one tenant
    locale: str | None = None


def clean_email(email: str, field: str = "email") -> str:
    """The address as stored: trimmed and in lower case, so that addresses differing only
    in case (non-ASCII letters included, which SQLite's lower() leaves alone) are one."""
    address = (email or "").strip().lower()
    if len(address) > 254 or not EMAIL.match(address) or not _encodable(address):
        raise InvitationRefused(field, _("Enter a valid e-mail address."))
    return address


def _encodable(text: str) -> bool:
    """False for text with lone surrogates (JSON can carry them; no database stores them)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return text.isprintable()


def clean_name(name: str, field: str = "name") -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvitationRefused(field, _("Enter a name."))
    if not _encodable(cleaned):
        raise InvitationRefused(field, _("A name cannot contain control characters."))
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvitationRefused(
            field, _("A name has at most %(max)d characters.", max=MAX_NAME_LENGTH)
        )
    return cleaned


def _refuse_existing(existing: User, invitee: Invitee) -> None:
    same_company = invitee.company_id is not None and existing.company_id == invitee.company_id
    same_tenant = invitee.tenant_id is not None and existing.tenant_id == invitee.tenant_id
    if existing.kind == invitee.kind and (same_company or same_tenant):
        raise InvitationRefused("email", _("This person already has an account here."))
    if existing.kind == UserKind.RESELLER and existing.company_id is not None:
        raise InvitationRefused(
            "email",
            _(
                "This e-mail address already has an account with another company. "
                "Each person has one account; ask them to use another address."
            ),
        )
    raise InvitationRefused("email", _("This e-mail address already has an account."))


def invite(invitee: Invitee, invited_by: User | None) -> User:
    """Create the invited user and queue the invitation mail (the caller commits).

    Raises InvitationRefused, adding nothing, for a bad address, name or role, or an
    address that already has an account.
    """
    return invite_with_link(invitee, invited_by)[0]


def invite_with_link(invitee: Invitee, invited_by: User | None) -> tuple[User, str]:
    """:func:`invite`, also answering the link the mail carries (for the operator's CLI)."""
    email = clean_email(invitee.email)
    name = clean_name(invitee.name) if invitee.name.strip() else email.split("@")[0]
    if invitee.role not in ROLES[invitee.kind]:
        raise InvitationRefused("role", _("Choose a role from the list."))
    existing = find_user(email)
    if existing is not None:
        _refuse_existing(existing, invitee)
    user = User(
        email=email,
        name=name,
        password_hash="",
        kind=invitee.kind.value,
        role=invitee.role,
        company_id=invitee.company_id,
        tenant_id=invitee.tenant_id,
        locale=invitee.locale,
        active=True,
        invitation_pending=True,
    )
    try:
        with db.session.begin_nested():  # the unique index decides a race with another invite
            db.session.add(user)
    except IntegrityError as exc:
        raise InvitationRefused("email", _("This e-mail address already has an account.")) from exc
    record(
        "user.invited",
        user,
        label=user.email,
        after={"email": user.email, "role": user.role, "status": user.status},
        tenant_id=invitee.tenant_id or invitee.link_tenant_id,
        company_id=invitee.company_id,
        actor=invited_by,
    )
    return user, _send_link(user, invitee.link_tenant_id, invited_by)


def _send_link(user: User, link_tenant_id: int | None, invited_by: User | None) -> str:
    days = int(current_app.config.get("INVITATION_DAYS", 7))
    links.revoke_links(LinkPurpose.INVITATION, user_id=user.id)
    issued = links.issue(
        LinkPurpose.INVITATION,
        timedelta(days=days),
        user_id=user.id,
        tenant_id=link_tenant_id,
        created_by_id=invited_by.id if invited_by else None,
    )
    url = links.external_url(link_tenant_id, "accounts.accept_invitation", token=issued.token)
    send_later(
        INVITATION_MAIL,
        user.email,
        locale=user.locale,
        tenant_id=link_tenant_id,
        url=url,
        name=user.name,
        inviter=invited_by.name if invited_by else "",
        role=user.role,
        days=days,
    )
    return url


def resend(user: User, link_tenant_id: int | None, invited_by: User | None) -> None:
    """A fresh link (the old ones stop working) for a pending invitation."""
    if not user.invitation_pending:
        raise InvitationRefused("user", _("This person has already accepted the invitation."))
    _send_link(user, link_tenant_id, invited_by)
    record(
        "user.invitation_resent",
        user,
        label=user.email,
        tenant_id=user.tenant_id or link_tenant_id,
        company_id=user.company_id,
        actor=invited_by,
    )


def revoke(user: User, revoked_by: User | None, tenant_id: int | None = None) -> None:
    """Withdraw a pending invitation: its links stop working and the invited user is gone."""
    if not user.invitation_pending:
        raise InvitationRefused("user", _("This person has already accepted the invitation."))
    record(
        "user.invitation_revoked",
        user,
        label=user.email,
        before={"email": user.email, "role": user.role, "status": user.status},
        tenant_id=user.tenant_id or tenant_id,
        company_id=user.company_id,
        actor=revoked_by,
    )
    links.revoke_links(LinkPurpose.INVITATION, user_id=user.id)
    db.session.delete(user)


def pending_user(token: str, site_tenant_id: int | None) -> User:
    """The invited user a link names, if the link can still be used here."""
    link = links.peek(LinkPurpose.INVITATION, token, site_tenant_id)
    user = db.session.get(User, link.user_id) if link.user_id else None
    if user is None or not user.invitation_pending or not user.active:
        raise links.LinkRefused(links.LinkProblem.USED)
    return user


def accept(token: str, site_tenant_id: int | None, name: str, password: str) -> User:
    """Use the link: the user gets a name and a password and may sign in (caller commits).

    Raises LinkRefused (expired, used, not valid here) or InvitationRefused (name,
    password) with nothing changed.
    """
    user = pending_user(token, site_tenant_id)
    cleaned = clean_name(name)
    try:
        set_password(user, password)
    except ValueError as exc:
        raise InvitationRefused("password", str(exc)) from exc
    links.use(LinkPurpose.INVITATION, token, site_tenant_id)
    user.name = cleaned
    user.invitation_pending = False
    record(
        "user.invitation_accepted",
        user,
        label=user.email,
        before={"status": "invited"},
        after={"status": "active"},
        tenant_id=user.tenant_id or site_tenant_id,
        company_id=user.company_id,
        actor=user,
    )
    return user
