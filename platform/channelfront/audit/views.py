"""The company admin's audit log on a storefront: ``/company/audit``."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from channelfront.audit.pages import audit_log
from channelfront.audit.queries import COMPANY_ADMIN, reader_for
from channelfront.orders.view_support import storefront_only, tenant_row

bp = Blueprint("audit", __name__)
bp.before_request(storefront_only)


@bp.route("/company/audit")
@login_required
def company_audit() -> Response | tuple[str, int]:
    """The company's events on the storefronts where it is enrolled (company admins only)."""
    tenant = tenant_row()
    reader = reader_for(current_user, tenant.id) if current_user.role == COMPANY_ADMIN else None
    intro = _("Changes to your company's users, profile, enrollments, invoices and refunds.")
    return audit_log(reader, "audit/log.html", "audit.company_audit", "company", intro=intro)
