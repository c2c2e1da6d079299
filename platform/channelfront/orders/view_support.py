"""What the cart, checkout and order pages share: who may buy, the tenant row, errors."""

from __future__ import annotations

from flask import abort, current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from channelfront.accounts.models import User
from channelfront.catalog.views import current_terms
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.pricing.services import PartnerTerms
from channelfront.tenancy.middleware import current_tenant, is_admin_site
from channelfront.tenancy.models import Tenant

# Viewers read the company's orders; every other reseller role buys on the company account.
BUYING_ROLES = frozenset({"buyer", "approver", "company_admin"})


def storefront_only() -> None:
    """before_request of the order blueprints: nothing of this on the vendor console."""
    if is_admin_site():
        abort(404)


def actor() -> User:
    """The signed-in user as a model instance (not the proxy)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def buyer_terms() -> PartnerTerms:
    """The terms of a reseller user who may buy here; 403 for anyone else."""
    terms = current_terms()
    if current_user.role not in BUYING_ROLES:
        abort(403, description=_("Your role can see orders but not place them."))
    return terms


def may_buy() -> bool:
    return bool(getattr(current_user, "company_id", None)) and current_user.role in BUYING_ROLES


def tenant_row() -> Tenant:
    info = current_tenant()
    if info is None:
        abort(404)
    tenant = db.session.get(Tenant, info.id)
    if tenant is None:
        abort(404)
    return tenant


def locale() -> str:
    return str(get_locale())


def errors_of(error: OrderInputError, prefix: str = "") -> dict[str, str]:
    """``{field: message}`` for a template; ``prefix`` is dropped from the field name."""
    field = error.field.removeprefix(prefix) if prefix else error.field
    return {field: error.message}


def has_endpoint(name: str) -> bool:
    """Templates link to pages other features add only once those pages exist."""
    return name in current_app.view_functions
