"""Flask-Login wiring: who may hold a session on which host.

Flask-Login keeps the user id in the signed session cookie; a server-side record
(:mod:`channelfront.accounts.sessions`) decides whether that session is still live and
on this host. Each request checks the record before any view runs, so marking the
session as used never commits a view's unfinished work.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from channelfront.accounts import sessions
from channelfront.accounts.models import User, UserKind
from channelfront.accounts.two_factor import must_enrol
from channelfront.extensions import db, login_manager
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.hosts import InvalidHost, normalize_host
from channelfront.tenancy.middleware import (
    HOSTLESS_PATHS,
    current_tenant,
    is_admin_site,
    is_draft,
)

SESSION_KEY = "_sid"
# What staff who must still set up two-factor sign-in may open meanwhile.
ENROLMENT_ENDPOINTS = frozenset(
    {"accounts.two_factor", "accounts.logout", "accounts.switch_locale", "static"}
)


def may_sign_in_here(user: User) -> bool:
    """Vendor staff on the admin host; distributor staff and enrolled resellers on their tenant
    (only its distributor staff while the tenant is a draft)."""
    if not user.is_active:
        return False
    if is_admin_site():
        return user.kind == UserKind.VENDOR
    tenant = current_tenant()
    if tenant is None:
        return False
    if user.kind == UserKind.DISTRIBUTOR:
        return user.tenant_id == tenant.id
    if is_draft():
        return False
    if user.kind == UserKind.RESELLER and user.company_id is not None:
        enrolled = select(Enrollment.id).where(Enrollment.company_id == user.company_id)
        return db.session.scalar(enrolled) is not None
    return False


def lifetimes() -> sessions.Lifetimes:
    return sessions.Lifetimes(
        idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=current_app.config["SESSION_MAX_HOURS"]),
    )


def _request_host() -> str | None:
    try:
        return normalize_host(request.headers.get("Host", ""))
    except InvalidHost:
        return None


def sign_in(user: User) -> None:
    """Start a session for the user on this host: its server record, then Flask-Login's."""
    now = datetime.now(UTC)
    host = normalize_host(request.headers.get("Host", ""))  # checked by the tenant middleware
    previous = session.pop(SESSION_KEY, None)
    if isinstance(previous, str):
        sessions.end_session(previous, now)
    sessions.prune_sessions(user.id, lifetimes(), now)
    raw = sessions.start_session(user.id, host, now)
    db.session.commit()
    login_user(user)
    session[SESSION_KEY] = raw


def sign_out() -> None:
    """End every session of the signed-in user, on every host and device, and sign out."""
    now = datetime.now(UTC)
    raw = session.pop(SESSION_KEY, None)
    if current_user.is_authenticated:
        sessions.end_all_sessions(current_user.id, now)
    elif isinstance(raw, str):
        sessions.end_session(raw, now)
    db.session.commit()
    logout_user()


def _check_session() -> None:
    g.session_user = None
    if request.path in HOSTLESS_PATHS or (SESSION_KEY not in session and "_user_id" not in session):
        return
    raw, host = session.get(SESSION_KEY), _request_host()
    user = None
    if isinstance(raw, str) and host is not None:
        user = sessions.live_session_user(raw, host, lifetimes(), datetime.now(UTC))
    if user is None or str(user.id) != session.get("_user_id"):
        # Ended, expired, from another host, or never issued: signed out here.
        session.pop(SESSION_KEY, None)
        logout_user()
        return
    g.session_user = user


def _require_two_factor() -> Response | None:
    """Staff of a vendor that requires a second factor use nothing else until enrolled."""
    endpoint = request.endpoint or ""
    if endpoint in ENROLMENT_ENDPOINTS or endpoint.endswith("static"):
        return None
    if not current_user.is_authenticated or not must_enrol(current_user):
        return None
    if request.method == "GET":
        flash(_("Set up two-factor sign-in to continue."), "info")
    return redirect(url_for("accounts.two_factor"), 303)


def _load_user(user_id: str) -> User | None:
    user = g.get("session_user")
    if user is None or str(user.id) != user_id:
        return None
    return user if may_sign_in_here(user) else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.before_request(_check_session)
    app.before_request(_require_two_factor)
