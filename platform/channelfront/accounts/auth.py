"""Flask-Login wiring: who may hold a session on which host."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from channelfront.accounts.models import User, UserKind
from channelfront.extensions import db, login_manager
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.middleware import current_tenant, is_admin_site


def may_sign_in_here(user: User) -> bool:
    """Vendor staff on the admin host; distributor staff and enrolled resellers on their tenant."""
    if not user.is_active:
        return False
    if is_admin_site():
        return user.kind == UserKind.VENDOR
    tenant = current_tenant()
    if tenant is None:
        return False
    if user.kind == UserKind.DISTRIBUTOR:
        return user.tenant_id == tenant.id
    if user.kind == UserKind.RESELLER and user.company_id is not None:
        enrolled = select(Enrollment.id).where(Enrollment.company_id == user.company_id)
        return db.session.scalar(enrolled) is not None
    return False


def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and may_sign_in_here(user) else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
