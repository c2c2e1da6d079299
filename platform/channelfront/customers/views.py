"""Type-ahead for the checkout: the company's end customers matching a few letters, as JSON."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from channelfront.customers.services import search
from channelfront.tenancy.middleware import is_admin_site

bp = Blueprint("customers", __name__)
MAX_QUERY = 100


@bp.route("/customers/search")
@login_required
def search_json() -> Response | tuple[Response, int]:
    if is_admin_site():
        abort(404)
    company_id = getattr(current_user, "company_id", None)
    if not company_id:
        message = _("Customer lists belong to reseller accounts.")
        return jsonify({"error": {"status": 403, "message": message}}), 403
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY or not query.isprintable():
        message = _("The search text has at most %(max)d characters.", max=MAX_QUERY)
        errors = {"q": [message]}
        return jsonify({"error": {"status": 400, "message": message, "errors": errors}}), 400
    found = search(company_id, query, limit=10)
    response = jsonify(
        {
            "customers": [
                {
                    "id": c.id,
                    "company_name": c.company_name,
                    "contact_name": c.contact_name,
                    "email": c.email,
                    "country": c.country,
                }
                for c in found
            ]
        }
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
