"""``/invitations/<token>``: the invited person sets a name and password and is signed in."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from channelfront.accounts import invitations
from channelfront.accounts.auth import sign_in
from channelfront.accounts.forms import AcceptInvitationForm
from channelfront.accounts.link_pages import link_refused_page, site_tenant_id
from channelfront.accounts.links import LinkRefused
from channelfront.accounts.roles import role_label
from channelfront.accounts.views import bp, home_url
from channelfront.extensions import db
from channelfront.theming.views import render

bp.add_app_template_global(role_label, "role_label")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | tuple[str, int]:
    site = site_tenant_id()
    try:
        user = invitations.pending_user(token, site)
    except LinkRefused as refused:
        return link_refused_page(refused)
    form = AcceptInvitationForm(data={"name": user.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            invitations.accept(token, site, form.name.data or "", form.password.data or "")
        except LinkRefused as refused:
            db.session.rollback()
            return link_refused_page(refused)
        except invitations.InvitationRefused as refused:
            db.session.rollback()
            getattr(form, refused.field).errors = [refused.message]
        else:
            db.session.commit()
            sign_in(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(home_url())
    status = 400 if request.method == "POST" else 200
    return render("accounts/accept_invitation.html", form=form, invited=user), status
