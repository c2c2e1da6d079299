"""Whose rows the read-only API shows: the token's company, or its tenant for finance staff.

A reseller token reads its company's rows on the token's storefront (another company's
are simply not found). Distributor admins and finance read every company's rows of
their tenant; partner managers have no business with money and get a 403, as does any
reseller not enrolled here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from channelfront.accounts.models import UserKind
from channelfront.api.auth import api_user
from channelfront.api.context import require_terms, tenant_info
from channelfront.api.errors import api_error
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment

STAFF_READERS = frozenset({"distributor_admin", "distributor_finance"})
NO_COMPANY = "No reseller company with this id on this storefront."
STAFF_ONLY = "Distributor staff read these with an admin or finance account."


@dataclass(frozen=True)
class ReadScope:
    tenant_id: int
    company_id: int | None  # None: the whole tenant (distributor staff)

    @property
    def is_staff(self) -> bool:
        return self.company_id is None


def read_scope() -> ReadScope:
    """The caller's scope; answers 403 for a caller who may read none of these."""
    user = api_user()
    tenant_id = tenant_info().id
    if user.kind == UserKind.DISTRIBUTOR:
        if user.role not in STAFF_READERS:
            abort(api_error(403, STAFF_ONLY))
        return ReadScope(tenant_id, None)
    return ReadScope(tenant_id, require_terms().enrollment.company_id)


def company_filter(scope: ReadScope, company_id: int | None) -> int | None:
    """The company a ``company`` query parameter narrows to; 404 for one not in scope.

    A company token may name only its own company; staff any company enrolled here.
    """
    if company_id is None:
        return scope.company_id
    if scope.company_id is not None:
        if company_id != scope.company_id:
            abort(api_error(404, NO_COMPANY, {"company": [NO_COMPANY]}))
        return company_id
    enrolled = db.session.scalar(
        select(Enrollment.id).where(
            Enrollment.tenant_id == scope.tenant_id, Enrollment.company_id == company_id
        )
    )
    if enrolled is None:
        abort(api_error(404, NO_COMPANY, {"company": [NO_COMPANY]}))
    return company_id
