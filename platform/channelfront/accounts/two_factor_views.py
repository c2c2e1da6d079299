"""Two-factor pages: enrolling and managing it on ``/account/two-factor``, and the
second sign-in step on ``/login/two-factor``.

After a right password, a user with two-factor sign-in is not signed in yet: the
Flask session holds who passed the password and when, for five minutes, and the code
page finishes the sign-in. Wrong codes count against the sign-in throttle of the
account, like wrong passwords.
"""

from __future__ import annotations

import time

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from channelfront.accounts import throttle, totp, two_factor
from channelfront.accounts.auth import may_sign_in_here, sign_in
from channelfront.accounts.forms import DisableTwoFactorForm, TwoFactorCodeForm
from channelfront.accounts.models import User
from channelfront.accounts.views import _safe_next, bp
from channelfront.extensions import db
from channelfront.theming.views import render
from channelfront.web.redirects import safe_next

PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60


def start_pending(user: User, next_url: str | None) -> None:
    """Remember that the user passed the password check, for the code page."""
    session[PENDING_KEY] = {"user": user.id, "at": int(time.time()), "next": safe_next(next_url)}


def _pending_user() -> tuple[User | None, str | None]:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, None
    started = pending.get("at")
    if not isinstance(started, int) or time.time() - started > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None, None
    user_id = pending.get("user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.two_factor_enabled or not may_sign_in_here(user):
        return None, None
    return user, pending.get("next")


@bp.route("/login/two-factor", methods=["GET", "POST"])
def login_two_factor() -> Response | tuple[str, int]:
    user, next_url = _pending_user()
    if user is None:
        flash(_("Your sign-in took too long or was not started. Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    if request.method == "POST":
        throttle.check_sign_in(user.email)
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        if two_factor.check_code(user, form.code.data or ""):
            db.session.commit()  # a recovery code is used up
            session.pop(PENDING_KEY, None)
            sign_in(user)
            return redirect(_safe_next(next_url))
        db.session.rollback()
        throttle.count_failure(user.email)
        form.code.errors = [
            _("This code is wrong or was already used. Enter the code your app shows now.")
        ]
    status = 400 if request.method == "POST" else 200
    return render("accounts/login_two_factor.html", form=form), status


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _codes_page(codes: list[str]) -> tuple[str, int]:
    return render("accounts/recovery_codes.html", codes=codes), 200


def _manage_page(
    code_form: TwoFactorCodeForm | None = None,
    disable_form: DisableTwoFactorForm | None = None,
) -> tuple[str, int]:
    me = _me()
    status = 400 if request.method == "POST" else 200
    context: dict[str, object] = {
        "code_form": code_form or TwoFactorCodeForm(formdata=None),
        "disable_form": disable_form or DisableTwoFactorForm(formdata=None),
    }
    if me.two_factor_enabled:
        context["unused_codes"] = two_factor.unused_recovery_codes(me)
    elif me.totp_secret or request.method == "GET":
        secret = two_factor.enrolment_secret(me)
        db.session.commit()
        uri = totp.provisioning_uri(secret, me.email, two_factor.issuer())
        context.update(secret=totp.grouped(secret), uri=uri, qr=two_factor.qr_code(uri))
    return render("accounts/two_factor.html", **context), status


@bp.route("/account/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@login_required
def two_factor_page() -> tuple[str, int]:
    """Enrol: scan the code, confirm with a code, then see the recovery codes once."""
    form = TwoFactorCodeForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            codes = two_factor.confirm(_me(), form.code.data or "")
        except two_factor.TwoFactorRefused as refused:
            db.session.rollback()
            form.code.errors = [refused.message]
        else:
            db.session.commit()
            return _codes_page(codes)
    return _manage_page(code_form=form)


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def disable_two_factor() -> Response | tuple[str, int]:
    me = _me()
    throttle.check_sign_in(me.email)
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        try:
            two_factor.disable(me, form.password.data or "", form.code.data or "")
        except two_factor.TwoFactorRefused as refused:
            db.session.rollback()
            throttle.count_failure(me.email)
            getattr(form, refused.field).errors = [refused.message]
        else:
            db.session.commit()
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("accounts.two_factor"))
    return _manage_page(disable_form=form)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def regenerate_recovery_codes() -> tuple[str, int]:
    me = _me()
    throttle.check_sign_in(me.email)
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.regenerate(me, form.code.data or "")
        except two_factor.TwoFactorRefused as refused:
            db.session.rollback()
            throttle.count_failure(me.email)
            form.code.errors = [refused.message]
        else:
            db.session.commit()
            return _codes_page(codes)
    return _manage_page(code_form=form)
