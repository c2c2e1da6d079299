"""The vendor admin's audit log of every storefront and the console: ``/admin/audit``."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.admin.blueprint import bp
from channelfront.audit.pages import audit_log
from channelfront.audit.queries import reader_for


@bp.route("/audit")
def audit() -> Response | tuple[str, int]:
    """Every audit event (vendor admins only; vendor ops get 403)."""
    return audit_log(reader_for(current_user, None), "admin/audit.html", "admin.audit", "all")
