"""Vendor console: tenants, reseller companies and enrollments, products, programs and
incentives (statements and incentive programs, in `channelfront.statements.views_admin`).

Each page group lives in its own module and adds its routes to the one blueprint.
"""

from __future__ import annotations

import channelfront.admin.audit  # noqa: F401  (pages on bp)
from channelfront.admin import catalog, companies, enrollments, programs, tenants
from channelfront.admin import security  # noqa: F401  (pages on bp)
from channelfront.admin import staff  # noqa: F401  (pages on bp)
from channelfront.admin.blueprint import bp
from channelfront.statements import views_admin as incentives

PAGE_MODULES = (tenants, companies, enrollments, catalog, programs, incentives)

__all__ = ["PAGE_MODULES", "bp"]
