"""Tenants, their host names, and the one place where tenant scoping is applied."""
