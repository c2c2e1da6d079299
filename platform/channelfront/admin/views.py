"""Vendor console: tenants, reseller companies and enrollments, products and programs.

Each page group lives in its own module and adds its routes to the one blueprint.
"""

from __future__ import annotations

from channelfront.admin import catalog, companies, enrollments, programs, tenants
from channelfront.admin.blueprint import bp

PAGE_MODULES = (tenants, companies, enrollments, catalog, programs)

__all__ = ["PAGE_MODULES", "bp"]
