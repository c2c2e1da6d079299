"""Vendor console: tenants, reseller companies and enrollments, products, programs,
incentives (statements and incentive programs, in `channelfront.statements.views_admin`),
stored themes (editor and preview),
vendor staff, sign-in security and the audit log.

Each page group lives in its own module and adds its routes to the one blueprint.
"""

from __future__ import annotations

from channelfront.admin import (
    audit,
    catalog,
    companies,
    enrollments,
    programs,
    security,
    staff,
    tenants,
    theme_preview,
    themes,
)
from channelfront.admin.blueprint import bp
from channelfront.statements import views_admin as incentives

PAGE_MODULES = (
    tenants,
    companies,
    enrollments,
    catalog,
    themes,
    theme_preview,
    programs,
    incentives,
    staff,
    security,
    audit,
)

__all__ = ["PAGE_MODULES", "bp"]
