"""What every API view needs: the tenant, the caller's partner terms, checked query strings."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request
from marshmallow import Schema, ValidationError

from channelfront.api.auth import api_user
from channelfront.api.errors import api_error, invalid_query
from channelfront.extensions import db
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.tenancy.hosts import TenantInfo
from channelfront.tenancy.middleware import current_tenant
from channelfront.tenancy.models import Tenant


def load_query(schema: Schema) -> dict[str, Any]:
    """Validate the query string; a parameter given twice is an error, not a guess."""
    repeated = {
        name: ["Give this parameter at most once."]
        for name, values in request.args.lists()
        if len(values) > 1
    }
    if repeated:
        raise ValidationError(repeated)
    loaded: dict[str, Any] = schema.load(request.args.to_dict())
    return loaded


def tenant_info() -> TenantInfo:
    tenant = current_tenant()
    assert tenant is not None  # token_required lets no request without a tenant through
    return tenant


def tenant_row() -> Tenant:
    """The request's tenant as a row (services that number documents need it)."""
    tenant = db.session.get(Tenant, tenant_info().id)
    assert tenant is not None
    return tenant


def partner_terms() -> PartnerTerms | None:
    """The caller's company terms on this tenant; None for anyone without a catalog here."""
    company_id = api_user().company_id
    return load_terms(company_id) if company_id else None


def no_catalog() -> Response:
    return api_error(403, "The catalog is for reseller accounts enrolled with this storefront.")


def require_terms() -> PartnerTerms:
    """The caller's terms; answers the no-catalog 403 for anyone without a catalog here."""
    terms = partner_terms()
    if terms is None:
        abort(no_catalog())
    return terms


def query_args(schema: Schema) -> dict[str, Any]:
    """The checked query string; answers 400 naming each bad parameter."""
    try:
        return load_query(schema)
    except ValidationError as exc:
        abort(invalid_query(exc))
