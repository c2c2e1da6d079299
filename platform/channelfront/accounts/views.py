"""Sign in (with a second factor when the user has one), sign out and the language
switcher."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.accounts import throttle
from channelfront.accounts.auth import may_sign_in_here, sign_in, sign_out
from channelfront.accounts.forms import LoginForm
from channelfront.accounts.services import authenticate
from channelfront.accounts.two_factor import must_enrol
from channelfront.extensions import db
from channelfront.i18n.locale import LOCALE_COOKIE, offered_locales
from channelfront.tenancy.middleware import is_admin_site, is_draft
from channelfront.theming.views import render
from channelfront.web.redirects import safe_next

bp = Blueprint("accounts", __name__)


def home_url() -> str:
    """Where signing in leads: the console, the storefront, or before a storefront's
    launch (when it shows only account pages) the account page."""
    if is_admin_site():
        return url_for("admin.index")
    return url_for("accounts.account") if is_draft() else url_for("storefront.home")


def _safe_next(target: str | None) -> str:
    return safe_next(target) or home_url()


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "POST":
        throttle.check_sign_in(request.form.get("email", ""))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render("accounts/login.html", form=form), status
    user = authenticate(form.email.data or "", form.password.data or "")
    if user is None:
        throttle.count_failure(form.email.data or "")
        form.password.errors = [_("The e-mail address or password is wrong.")]
        return render("accounts/login.html", form=form), 401
    if not may_sign_in_here(user):
        message = _("Your account cannot sign in on this storefront.")
        form.email.errors = [message]
        return render("accounts/login.html", form=form), 403
    if user.two_factor_enabled:
        two_factor_views.start_pending(user, request.args.get("next"))
        return redirect(url_for("accounts.login_two_factor"))
    sign_in(user)
    if must_enrol(user):
        flash(_("Set up two-factor sign-in to continue."), "info")
        return redirect(url_for("accounts.two_factor"))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Response | str:
    if request.method == "GET":
        return render("accounts/logout.html")
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/locale", methods=["POST"])
def switch_locale() -> Response:
    code = request.form.get("locale", "")
    back = _safe_next(request.form.get("next"))
    if code not in offered_locales():
        flash(_("That language is not offered here."), "error")
        return redirect(back)
    response = redirect(back)
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return response


# Pages that add their routes to this blueprint.
from channelfront.accounts import account_views, two_factor_views  # noqa: E402, F401
