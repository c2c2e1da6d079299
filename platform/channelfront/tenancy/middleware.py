"""Resolve the tenant of every request from its Host header, before anything else."""

from __future__ import annotations

from flask import Flask, abort, current_app, g, request
from flask_babel import gettext as _

from channelfront.tenancy import scoping
from channelfront.tenancy.hosts import InvalidHost, TenantInfo, host_map, normalize_host
from channelfront.tenancy.models import TenantStatus

# Answered on any host: load balancers and Prometheus call by IP, Stripe posts to one address.
HOSTLESS_PATHS = frozenset(
    {"/healthz", "/healthz/live", "/healthz/ready", "/metrics", "/webhooks/stripe"}
)
# What a draft tenant's host answers, so its distributor staff can accept their
# invitation and sign in before launch: the account pages and the theme's files.
DRAFT_BLUEPRINTS = frozenset({"accounts"})
DRAFT_ENDPOINTS = frozenset({"theming.theme_static", "theming.tenant_logo"})


class TenantSuspended(Exception):
    """The host belongs to a suspended tenant."""


def current_tenant() -> TenantInfo | None:
    """The tenant of the current request; None on the vendor console."""
    return g.get("tenant")


def is_admin_site() -> bool:
    return g.get("site") == "admin"


def is_draft() -> bool:
    """Whether this request is on a storefront that is not live yet."""
    tenant = current_tenant()
    return tenant is not None and tenant.status == TenantStatus.DRAFT


def open_while_draft() -> bool:
    """Whether this request may reach a draft tenant (everything else is not found)."""
    return request.blueprint in DRAFT_BLUEPRINTS or request.endpoint in DRAFT_ENDPOINTS


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
    if tenant is None or (tenant.status == TenantStatus.DRAFT and not open_while_draft()):
        abort(404)
    if tenant.status == TenantStatus.SUSPENDED:
        raise TenantSuspended
    g.tenant = tenant
    g.site = "storefront"
    scoping.activate(tenant.id)


def init_app(app: Flask) -> None:
    app.before_request(resolve_tenant)
    app.teardown_request(lambda _exc: scoping.activate(None))
