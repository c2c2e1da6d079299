"""``/partners/staff``: the distributor administrator manages this storefront's staff."""

from __future__ import annotations

from werkzeug.wrappers import Response

from channelfront.accounts import staff_pages
from channelfront.accounts.staff_services import distributor_team
from channelfront.orders.view_support import actor, tenant_row
from channelfront.partners.blueprint import ADMIN_ROLES, bp, roles


def _site() -> staff_pages.StaffSite:
    tenant_id = tenant_row().id
    return staff_pages.StaffSite(
        team=distributor_team(tenant_id),
        link_tenant_id=tenant_id,
        template="partners/staff.html",
        endpoint="partners.staff",
        may_write=True,
    )


@bp.get("/staff")
@roles(*ADMIN_ROLES)
def staff() -> tuple[str, int]:
    return staff_pages.page(_site())


@bp.post("/staff")
@roles(*ADMIN_ROLES)
def invite_staff() -> Response | tuple[str, int]:
    return staff_pages.invite(_site(), actor())


@bp.post("/staff/<int:user_id>/role")
@roles(*ADMIN_ROLES)
def staff_role(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_site(), "role", user_id, actor())


@bp.post("/staff/<int:user_id>/deactivate")
@roles(*ADMIN_ROLES)
def staff_deactivate(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_site(), "deactivate", user_id, actor())


@bp.post("/staff/<int:user_id>/reactivate")
@roles(*ADMIN_ROLES)
def staff_reactivate(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_site(), "reactivate", user_id, actor())


@bp.post("/staff/<int:user_id>/resend")
@roles(*ADMIN_ROLES)
def staff_resend(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_site(), "resend", user_id, actor())


@bp.post("/staff/<int:user_id>/revoke")
@roles(*ADMIN_ROLES)
def staff_revoke(user_id: int) -> Response | tuple[str, int]:
    return staff_pages.act(_site(), "revoke", user_id, actor())
