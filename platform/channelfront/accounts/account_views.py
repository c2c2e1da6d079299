"""A person's own account: name and language, password change, and forgotten passwords.

After a reset by mail the person is sent to the sign-in page rather than signed in: the
link proves only the mailbox, so a second factor, when the user has one, is still asked
for, and every session (including any an intruder held) has ended.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from channelfront.accounts import password_reset, throttle
from channelfront.accounts.auth import SESSION_KEY
from channelfront.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    NewPasswordForm,
    ProfileForm,
)
from channelfront.accounts.invitations import InvitationRefused, clean_name
from channelfront.accounts.link_pages import link_refused_page, site_tenant_id
from channelfront.accounts.links import LinkRefused
from channelfront.accounts.models import User
from channelfront.accounts.passwords import verify_password
from channelfront.accounts.sessions import end_other_sessions
from channelfront.accounts.users import PasswordRefused, set_password
from channelfront.accounts.views import bp
from channelfront.admin.labels import locale_choices
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.i18n.locale import offered_locales
from channelfront.outbox.services import commit_and_dispatch
from channelfront.theming.views import render


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _profile_form() -> ProfileForm:
    me = _me()
    data = {"name": me.name, "locale": me.locale} if request.method == "GET" else None
    form = ProfileForm(data=data)
    offered = offered_locales()
    form.locale.choices = [(code, label) for code, label in locale_choices() if code in offered]
    return form


def _account_page(
    profile: ProfileForm | None = None, password: ChangePasswordForm | None = None
) -> tuple[str, int]:
    status = 400 if request.method == "POST" else 200
    page = render(
        "accounts/account.html",
        profile_form=profile or _profile_form(),
        password_form=password or ChangePasswordForm(formdata=None),
    )
    return page, status


@bp.route("/account")
@login_required
def account() -> tuple[str, int]:
    return _account_page()


@bp.route("/account/profile", methods=["POST"])
@login_required
def edit_profile() -> Response | tuple[str, int]:
    form = _profile_form()
    if not form.validate_on_submit():
        return _account_page(profile=form)
    me = _me()
    try:
        me.name = clean_name(form.name.data or "")
    except InvitationRefused as refused:
        form.name.errors = [refused.message]
        return _account_page(profile=form)
    me.locale = form.locale.data
    db.session.commit()
    flash(_("Your details are saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    """A new password for the signed-in user: every other session ends, this one stays."""
    me = _me()
    throttle.check_sign_in(me.email)
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(password=form)
    if not verify_password(me.password_hash, form.current.data or ""):
        throttle.count_failure(me.email)
        form.current.errors = [_("The current password is wrong.")]
        return _account_page(password=form)
    try:
        set_password(me, form.password.data or "")
    except PasswordRefused as refused:
        db.session.rollback()
        form.password.errors = [str(refused)]
        return _account_page(password=form)
    raw = session.get(SESSION_KEY)
    end_other_sessions(me.id, raw if isinstance(raw, str) else None, datetime.now(UTC))
    tenant_id = site_tenant_id()
    record(
        "user.password_changed",
        me,
        label=me.email,
        tenant_id=me.tenant_id or tenant_id,
        company_id=me.company_id,
    )
    db.session.commit()
    flash(_("Your password is changed. You are signed out everywhere else."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Response | str | tuple[str, int]:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render("accounts/forgot_password.html", form=form), status
    email = form.email.data or ""
    try:
        throttle.check_reset_request(email)
    except TooManyRequests:
        message = _("Too many requests for a reset link. Please wait an hour, then ask again.")
        return render("accounts/forgot_password.html", form=form, refused=message), 429
    password_reset.request_reset(email, site_tenant_id())
    commit_and_dispatch()
    return render("accounts/forgot_password_sent.html", email=email)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | tuple[str, int]:
    site = site_tenant_id()
    try:
        user = password_reset.user_of(token, site)
    except LinkRefused as refused:
        return link_refused_page(refused)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset(token, site, form.password.data or "")
        except LinkRefused as refused:
            db.session.rollback()
            return link_refused_page(refused)
        except PasswordRefused as refused:
            db.session.rollback()
            form.password.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("accounts.login"))
    status = 400 if request.method == "POST" else 200
    return render("accounts/reset_password.html", form=form, user=user), status
