"""Forgotten passwords: a single-use link by mail, and the new password it sets.

Asking for a link answers the same whether or not the address has an account here,
and does the same work (a token is made either way; the mail is sent by a task after
the answer), so neither the page nor its timing tells who has an account.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

from channelfront.accounts import links
from channelfront.accounts.account_mail import mail_kind, send_later
from channelfront.accounts.auth import may_sign_in_here
from channelfront.accounts.models import LinkPurpose, User
from channelfront.accounts.sessions import end_all_sessions
from channelfront.accounts.users import find_user, set_password
from channelfront.audit.service import record
from channelfront.extensions import db

RESET_MAIL = mail_kind("password_reset", _l("Reset your password on %(site)s"))
LIFETIME = timedelta(hours=1)


def request_reset(email: str, site_tenant_id: int | None) -> None:
    """Mail a reset link to the user with this address, if one may sign in on this site
    (the caller commits). Older reset links of the user stop working."""
    user = find_user(email)
    if user is None or not may_sign_in_here(user):
        secrets.token_urlsafe(32)  # the work of making a token, as for a real address
        return
    links.revoke_links(LinkPurpose.PASSWORD_RESET, user_id=user.id)
    issued = links.issue(
        LinkPurpose.PASSWORD_RESET, LIFETIME, user_id=user.id, tenant_id=site_tenant_id
    )
    url = links.external_url(site_tenant_id, "accounts.reset_password", token=issued.token)
    send_later(
        RESET_MAIL,
        user.email,
        locale=user.locale,
        tenant_id=site_tenant_id,
        url=url,
        name=user.name,
        minutes=int(LIFETIME.total_seconds() // 60),
    )


def user_of(token: str, site_tenant_id: int | None) -> User:
    """The user a reset link names, if the link can still be used here."""
    link = links.peek(LinkPurpose.PASSWORD_RESET, token, site_tenant_id)
    user = db.session.get(User, link.user_id) if link.user_id else None
    if user is None or not user.is_active:
        raise links.LinkRefused(links.LinkProblem.INVALID)
    return user


def reset(token: str, site_tenant_id: int | None, password: str) -> User:
    """Use the link to set a new password and end every session of the user (the caller
    commits). Raises LinkRefused or PasswordRefused with nothing changed."""
    user = user_of(token, site_tenant_id)
    set_password(user, password)
    links.use(LinkPurpose.PASSWORD_RESET, token, site_tenant_id)
    end_all_sessions(user.id, datetime.now(UTC))
    record(
        "user.password_reset",
        user,
        label=user.email,
        tenant_id=user.tenant_id or site_tenant_id,
        company_id=user.company_id,
        actor=user,
    )
    return user
