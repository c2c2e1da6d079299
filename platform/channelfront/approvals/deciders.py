"""Who may decide an approval step: a role at the ordering company, named users,
distributor staff of the tenant or vendor staff, but never the order's own buyer."""

from __future__ import annotations

from sqlalchemy import select

from channelfront.accounts.models import ROLES, User, UserKind
from channelfront.approvals.models import ApprovalStep
from channelfront.extensions import db
from channelfront.orders.models import Order

COMPANY_ROLES = ROLES[UserKind.RESELLER]
DISTRIBUTOR_ROLES = ROLES[UserKind.DISTRIBUTOR]
VENDOR_ROLES = ROLES[UserKind.VENDOR]
#: Every role a step may name.
STEP_ROLES = ("approver", "company_admin", *DISTRIBUTOR_ROLES, *VENDOR_ROLES)


def step_roles(step: ApprovalStep) -> tuple[str, ...]:
    approvers = step.approvers or {}
    if "roles" in approvers:
        return tuple(approvers["roles"])
    return (approvers["role"],) if "role" in approvers else ()


def step_users(step: ApprovalStep) -> tuple[int, ...]:
    return tuple(int(uid) for uid in (step.approvers or {}).get("users", ()))


def _holds_role(user: User, role: str, order: Order) -> bool:
    """The user has this role where it counts for the order (admins include their staff)."""
    if role in COMPANY_ROLES:
        return (
            user.kind == UserKind.RESELLER
            and user.company_id == order.company_id
            and (user.role == role)
        )
    if role in DISTRIBUTOR_ROLES:
        return (
            user.kind == UserKind.DISTRIBUTOR
            and user.tenant_id == order.tenant_id
            and user.role in (role, "distributor_admin")
        )
    if role in VENDOR_ROLES:
        return user.kind == UserKind.VENDOR and user.role in (role, "vendor_admin")
    return False


def qualifies(user: User, step: ApprovalStep, order: Order) -> bool:
    """The user is one of the step's approvers (whether or not they decided already)."""
    if not user.is_active or user.id == order.buyer_id:
        return False  # nobody approves their own order, whatever their role
    if user.id in step_users(step):
        return _named_user_counts(user, order)
    return any(_holds_role(user, role, order) for role in step_roles(step))


def _named_user_counts(user: User, order: Order) -> bool:
    """A named user decides for the company's orders, or as staff of the tenant or vendor."""
    if user.kind == UserKind.RESELLER:
        return user.company_id == order.company_id
    if user.kind == UserKind.DISTRIBUTOR:
        return user.tenant_id == order.tenant_id
    return user.kind == UserKind.VENDOR


def may_decide(user: User, step: ApprovalStep, order: Order) -> bool:
    """The step is open, the user is one of its approvers and has not decided on it yet."""
    if step.status != "open" or not qualifies(user, step, order):
        return False
    return all(decision.user_id != user.id for decision in step.decisions)


def approvers_of(step: ApprovalStep, order: Order) -> list[User]:
    """Everyone who may decide the step now: the people to tell that it waits for them."""
    roles, named = step_roles(step), step_users(step)
    query = select(User).where(User.active.is_(True), User.invitation_pending.is_(False))
    candidates = list(db.session.scalars(query.where(User.id.in_(named)))) if named else []
    if any(role in COMPANY_ROLES for role in roles):
        candidates += db.session.scalars(query.where(User.company_id == order.company_id))
    if any(role in DISTRIBUTOR_ROLES for role in roles):
        candidates += db.session.scalars(query.where(User.tenant_id == order.tenant_id))
    if any(role in VENDOR_ROLES for role in roles):
        candidates += db.session.scalars(query.where(User.kind == UserKind.VENDOR.value))
    unique = {user.id: user for user in candidates}
    return [user for user in unique.values() if qualifies(user, step, order)]
