"""The distributor admin's audit log: ``/partners/audit``."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.audit.pages import audit_log
from channelfront.audit.queries import reader_for
from channelfront.orders.view_support import tenant_row
from channelfront.partners.blueprint import ADMIN_ROLES, bp, roles


@bp.route("/audit")
@roles(*ADMIN_ROLES)
def audit() -> Response | tuple[str, int]:
    """Every event recorded on this storefront's tenant."""
    tenant = tenant_row()
    intro = _("Changes of permissions and money on %(tenant)s.", tenant=tenant.name)
    return audit_log(
        reader_for(current_user, tenant.id),
        "audit/log.html",
        "partners.audit",
        tenant.slug,
        intro=intro,
    )
