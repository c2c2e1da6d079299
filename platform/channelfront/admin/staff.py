"""``/admin/users``: the vendor's staff. Vendor operations see the list; only vendor
administrators invite and change people."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.accounts import staff_pages
from channelfront.accounts.staff_services import vendor_team
from channelfront.admin.blueprint import bp
from channelfront.orders.view_support import actor

WRITER_ROLE = "vendor_admin"


def _site() -> staff_pages.StaffSite:
    return staff_pages.StaffSite(
        team=vendor_team(),
        link_tenant_id=None,
        template="admin/users.html",
        endpoint="admin.users",
        may_write=current_user.role == WRITER_ROLE,
    )


def _writer_site() -> staff_pages.StaffSite:
    site = _site()
    if not site.may_write:
        abort(403, description=_("Only vendor administrators can change the vendor's staff."))
    return site


@bp.get("/users")
def users() -> tuple[str, int]:
    return staff_pages.page(_site())


@bp.post("/users")
def invite_user() -> Response | tuple[str, int]:
    return staff_pages.invite(_writer_site(), actor())


@bp.post("/users/<int:user_id>/role")
def users_role(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_writer_site(), "role", user_id, actor())


@bp.post("/users/<int:user_id>/deactivate")
def users_deactivate(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_writer_site(), "deactivate", user_id, actor())


@bp.post("/users/<int:user_id>/reactivate")
def users_reactivate(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_writer_site(), "reactivate", user_id, actor())


@bp.post("/users/<int:user_id>/resend")
def users_resend(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_writer_site(), "resend", user_id, actor())


@bp.post("/users/<int:user_id>/revoke")
def users_revoke(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_writer_site(), "revoke", user_id, actor())
