"""``/api/v1/statements``: closed incentive statements, as the statement pages show them.

A reseller token (buyers, approvers and company admins, as `/commissions`) reads its
company's statements; a distributor admin or finance token reads the distributor's own
(as `/incentives`). Open periods are not listed: their statements are estimates until
the period closes. Order of answers: 401, 403, 400 (query), 404, then 200.
"""

from __future__ import annotations

from math import ceil

from flask import Response, abort, current_app, jsonify

from channelfront.accounts.models import Company
from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import query_args, tenant_row
from channelfront.api.errors import api_error
from channelfront.api.readonly_json import line_json, statement_json
from channelfront.api.readonly_output import StatementDetailSchema, StatementPageSchema
from channelfront.api.readonly_schemas import StatementLinesQuerySchema, StatementQuerySchema
from channelfront.api.readonly_scope import read_scope
from channelfront.extensions import db
from channelfront.orders.view_support import BUYING_ROLES
from channelfront.statements import partners, queries
from channelfront.statements.queries import Viewer

PER_PAGE = 20
NOT_FOUND = "No closed statement with this id for you on this storefront."
NO_PROGRAM = "No published program with this code on this storefront."
READERS = "Commissions are for buyers, approvers and administrators of reseller accounts."


def _viewer() -> Viewer:
    scope = read_scope()
    tenant = tenant_row()
    if scope.company_id is None:
        return Viewer(tenant.id, partners.distributor_id(tenant), "distributor")
    if api_user().role not in BUYING_ROLES:
        abort(api_error(403, READERS))
    return Viewer(tenant.id, partners.reseller_id(scope.company_id), "reseller", scope.company_id)


def _company_name(viewer: Viewer) -> str | None:
    if viewer.company_id is None:
        return None
    company = db.session.get(Company, viewer.company_id)
    return company.name if company else None


@bp.get("/statements")
@token_required
def list_statements() -> Response:
    viewer = _viewer()
    args = query_args(StatementQuerySchema())
    programs = queries.programs(viewer)
    program_id = None
    if "program" in args:
        found = queries.by_code(programs, args["program"])
        if found is None or found.engine is None:
            return api_error(404, NO_PROGRAM, {"program": [NO_PROGRAM]})
        program_id = found.id
    total = queries.closed_count(viewer, program_id)
    pages = max(1, ceil(total / PER_PAGE))
    page = min(args["page"], pages)
    company = _company_name(viewer)
    body = {
        "items": [
            statement_json(view, viewer, company)
            for view in queries.closed_page(viewer, programs, page, PER_PAGE, program_id)
        ],
        "page": page,
        "pages": pages,
        "per_page": PER_PAGE,
        "total": total,
    }
    return jsonify(StatementPageSchema().dump(body))


def _lines_per_page() -> int:
    return int(current_app.config.get("STATEMENT_LINES_PAGE_SIZE", 200))


@bp.get("/statements/<int:statement_id>")
@token_required
def get_statement(statement_id: int) -> Response:
    viewer = _viewer()
    args = query_args(StatementLinesQuerySchema())
    view = queries.statement(viewer, queries.programs(viewer), statement_id)
    if view is None:
        return api_error(404, NOT_FOUND)
    per_page = _lines_per_page()
    count = queries.line_count(viewer, view.program.id, view.start)
    pages = max(1, ceil(count / per_page))
    page = min(args["page"], pages)
    lines = queries.lines_page(viewer, view.program, view.start, page, per_page)
    body = {
        **statement_json(view, viewer, _company_name(viewer)),
        "line_count": count,
        "lines": [line_json(line, viewer) for line in lines],
        "lines_page": page,
        "lines_pages": pages,
        "lines_per_page": per_page,
    }
    return jsonify(StatementDetailSchema().dump(body))
