"""Resolve the tenant of every request from its Host header, before anything else."""

from __future__ import annotations

from flask import Flask, abort, current_app, g, request
from flask_babel import gettext as _

from channelfront.tenancy import scoping
from channelfront.tenancy.hosts import InvalidHost, TenantInfo, host_map, normalize_host
from channelfront.tenancy.models import TenantStatus

# Answered on any host: load balancers call /healthz by IP, Stripe posts to one address.
HOSTLESS_PATHS = frozenset({"/healthz", "/webhooks/stripe"})


class TenantSuspended(Exception):
    """The host belongs to a suspended tenant."""


def current_tenant() -> TenantInfo | None:
    """The tenant of the current request; None on the vendor console."""
    return g.get("tenant")


def is_admin_site() -> bool:
    return g.get("site") == "admin"


def resolve_tenant() -> None:
    g.tenant = None
    g.site = None
    scoping.activate(None)
    if request.path in HOSTLESS_PATHS:
        return
    try:
        host = normalize_host(request.headers.get("Host", ""))
    except InvalidHost:
        abort(400, description=_("The Host header is not a valid host name."))
    if host == current_app.config["ADMIN_HOST"]:
        g.site = "admin"
        return
    tenant = host_map.lookup(host)
    if tenant is None or tenant.status == TenantStatus.DRAFT:
        abort(404)
    if tenant.status == TenantStatus.SUSPENDED:
        raise TenantSuspended
    g.tenant = tenant
    g.site = "storefront"
    scoping.activate(tenant.id)


def init_app(app: Flask) -> None:
    app.before_request(resolve_tenant)
    app.teardown_request(lambda _exc: scoping.activate(None))
