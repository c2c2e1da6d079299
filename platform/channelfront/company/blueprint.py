"""The company area (``/company``) of a storefront, for a reseller company's admins.

One guard for the whole area: on a storefront host, signed in, a reseller user of a
company enrolled on this tenant, with the ``company_admin`` role; others get 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from channelfront.accounts.models import Company, UserKind
from channelfront.extensions import db, login_manager
from channelfront.orders.view_support import storefront_only
from channelfront.pricing.models import Enrollment
from channelfront.tenancy.middleware import current_tenant

bp = Blueprint("company", __name__, url_prefix="/company")
bp.before_request(storefront_only)

ADMIN_ROLE = "company_admin"


@bp.before_request
def _company_admins_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.kind != UserKind.RESELLER or current_user.company_id is None:
        abort(403, description=_("The company area is for reseller companies."))
    enrolled = select(Enrollment.id).where(Enrollment.company_id == current_user.company_id)
    if db.session.scalar(enrolled) is None:
        abort(403, description=_("Your company is not enrolled with this storefront."))
    if current_user.role != ADMIN_ROLE:
        abort(403, description=_("Only a company administrator can manage the company."))
    return None


def tenant_id() -> int:
    """The storefront's tenant (the guard lets no request without one through)."""
    tenant = current_tenant()
    if tenant is None:
        abort(404)
    return tenant.id


def own_company() -> Company:
    company = db.session.get(Company, current_user.company_id)
    if company is None:
        abort(404)
    return company
