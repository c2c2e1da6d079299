"""The tenant's credit desk: when on, an on-account order over the available credit, or
with an overdue invoice, waits for distributor finance instead of being refused
(``orders.credit``). The distributor administrator turns it on and off."""

from __future__ import annotations

from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.tenancy.models import Tenant


def set_credit_desk(tenant: Tenant, enabled: bool, actor: User) -> bool:
    """Turn the credit desk on or off; False when it already was so. The caller commits."""
    if tenant.credit_desk == enabled:
        return False
    before = tenant.credit_desk
    tenant.credit_desk = enabled
    record(
        "tenant.credit_desk_changed",
        tenant,
        label=tenant.name,
        before={"credit_desk": before},
        after={"credit_desk": enabled},
        tenant_id=tenant.id,
        actor=actor,
    )
    return True
