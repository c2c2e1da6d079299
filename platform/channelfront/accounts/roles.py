"""Role names as people read them, and which roles each kind of user may hold."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from channelfront.accounts.models import ROLES, UserKind, UserStatus

ROLE_LABELS: dict[str, LazyString] = {
    "vendor_admin": _l("Vendor administrator"),
    "vendor_ops": _l("Vendor operations"),
    "distributor_admin": _l("Distributor administrator"),
    "distributor_finance": _l("Distributor finance"),
    "partner_manager": _l("Partner manager"),
    "buyer": _l("Buyer"),
    "approver": _l("Approver"),
    "company_admin": _l("Company administrator"),
    "viewer": _l("Viewer"),
}

STATUS_LABELS: dict[str, LazyString] = {
    UserStatus.INVITED.value: _l("Invited"),
    UserStatus.ACTIVE.value: _l("Active"),
    UserStatus.DEACTIVATED.value: _l("Deactivated"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def role_choices(kind: UserKind) -> list[tuple[str, str]]:
    """``(role, label)`` for a select of the roles a user of this kind may hold."""
    return [(role, role_label(role)) for role in ROLES[kind]]
