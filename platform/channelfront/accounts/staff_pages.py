"""What the vendor's and a distributor's staff pages share: the list, inviting, and the
actions on one member (role, deactivate, reactivate, resend, revoke).

Each site names its team, where invitation links lead, its template and the endpoint
prefix of its routes (``<prefix>`` lists, ``<prefix>_role``, ``<prefix>_deactivate``...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from channelfront.accounts import invitations, staff_services
from channelfront.accounts.invitations import InvitationRefused, Invitee
from channelfront.accounts.models import User
from channelfront.accounts.roles import STATUS_LABELS
from channelfront.accounts.staff_forms import InviteForm, invite_form, role_form
from channelfront.accounts.staff_services import Team
from channelfront.extensions import db
from channelfront.outbox.services import commit_and_dispatch
from channelfront.theming.views import render

ACTIONS = ("role", "deactivate", "reactivate", "resend", "revoke")


@dataclass(frozen=True)
class StaffSite:
    team: Team
    link_tenant_id: int | None
    template: str
    endpoint: str
    may_write: bool


def page(
    site: StaffSite,
    form: InviteForm | None = None,
    error: tuple[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The members with their role forms, the invite form, and an error (field, message)."""
    people = staff_services.members(site.team)
    return render(
        site.template,
        members=people,
        role_forms={u.id: role_form(site.team.kind, u.role) for u in people},
        invite_form=form or invite_form(site.team.kind, submitted=False),
        error=error,
        may_write=site.may_write,
        endpoint=site.endpoint,
        admin_role=site.team.admin_role,
        status_labels=STATUS_LABELS,
    ), status


def invite(site: StaffSite, actor: User) -> Response | tuple[str, int]:
    form = invite_form(site.team.kind)
    if not form.validate_on_submit():
        return page(site, form, status=400)
    invitee = Invitee(
        email=form.email.data or "",
        name=form.name.data or "",
        kind=site.team.kind,
        role=form.role.data or "",
        link_tenant_id=site.link_tenant_id,
        tenant_id=site.team.tenant_id,
    )
    try:
        user = invitations.invite(invitee, actor)
    except InvitationRefused as refused:
        db.session.rollback()
        field = getattr(form, refused.field, None)
        if field is None:
            return page(site, form, error=(refused.field, refused.message), status=400)
        field.errors = [*field.errors, refused.message]
        return page(site, form, status=400)
    commit_and_dispatch()
    flash(_("%(email)s is invited; the invitation is on its way.", email=user.email), "success")
    return redirect(url_for(site.endpoint))


def _member(site: StaffSite, user_id: int) -> User:
    user = staff_services.member(site.team, user_id)
    if user is None:
        abort(404)
    return user


def act(site: StaffSite, action: str, user_id: int, actor: User) -> Response | tuple[str, int]:
    """Run one action on a member; a refusal shows the list with the reason (422, 400)."""
    user = _member(site, user_id)
    steps: dict[str, Callable[[], str]] = {
        "role": lambda: _change_role(site, user, actor),
        "deactivate": lambda: _deactivate(site, user, actor),
        "reactivate": lambda: _reactivate(site, user, actor),
        "resend": lambda: _resend(site, user, actor),
        "revoke": lambda: _revoke(site, user, actor),
    }
    try:
        message = steps[action]()
    except InvitationRefused as refused:
        db.session.rollback()
        status = 400 if refused.field == "role" else 422
        return page(site, error=(refused.field, refused.message), status=status)
    commit_and_dispatch()
    flash(message, "success")
    return redirect(url_for(site.endpoint))


def _change_role(site: StaffSite, user: User, actor: User) -> str:
    form = role_form(site.team.kind)
    if not form.validate_on_submit():
        raise InvitationRefused("role", _("Choose a role from the list."))
    staff_services.change_role(site.team, user, form.role.data or "", actor)
    return _("The role of %(email)s is saved.", email=user.email)


def _deactivate(site: StaffSite, user: User, actor: User) -> str:
    staff_services.deactivate(site.team, user, actor)
    return _("%(email)s is deactivated and signed out everywhere.", email=user.email)


def _reactivate(site: StaffSite, user: User, actor: User) -> str:
    staff_services.reactivate(site.team, user, actor)
    return _("%(email)s can sign in again.", email=user.email)


def _resend(site: StaffSite, user: User, actor: User) -> str:
    invitations.resend(user, site.link_tenant_id, actor)
    return _("A new invitation is on its way to %(email)s.", email=user.email)


def _revoke(site: StaffSite, user: User, actor: User) -> str:
    invitations.revoke(user, actor, site.team.tenant_id)
    return _("The invitation of %(email)s is withdrawn.", email=user.email)
