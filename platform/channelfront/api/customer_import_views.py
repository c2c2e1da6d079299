"""``POST /api/v1/customers/import``: a customer list as a ``text/csv`` body, all or nothing.

The same rules as the upload page (``customers.csv_import``), answered at once: 422
with the row and field of every error (nothing written), or 200 with the counts.
Order of answers: 401 (token), 403 (not a reseller enrolled here; a viewer), 415 (not
``text/csv``), 413 (over 5 MB), 422, 200. Error messages are English.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, jsonify, request
from flask_babel import force_locale
from werkzeug.exceptions import RequestEntityTooLarge

from channelfront.api import bp
from channelfront.api.auth import api_user, token_required
from channelfront.api.context import partner_terms, query_args
from channelfront.api.errors import api_error
from channelfront.api.schemas import NoQuerySchema
from channelfront.audit.service import record
from channelfront.customers import csv_import
from channelfront.customers.models import CustomerImport
from channelfront.extensions import db
from channelfront.orders.view_support import BUYING_ROLES

NOT_A_RESELLER = "Customer lists are for reseller accounts enrolled with this storefront."
READ_ONLY = "Your role may read customers but not import them."
NOT_CSV = "Send the list as a text/csv body."
INVALID = "The list has errors; nothing was imported."
UPLOAD_LIMIT = csv_import.MAX_BYTES + 1


def _refused(check: csv_import.Check) -> Response:
    db.session.rollback()
    body = {
        "status": 422,
        "message": INVALID,
        "errors": check.error_dicts(),
        "counts": check.counts(),
    }
    response = jsonify(error=body)
    response.status_code = 422
    return response


def _body() -> str | Response:
    """The request's CSV text, or the 415/413/422 that says why there is none."""
    if request.mimetype != "text/csv":
        return api_error(415, NOT_CSV, {"Content-Type": [NOT_CSV]})
    request.max_content_length = UPLOAD_LIMIT
    try:
        data = request.get_data(cache=False)
    except RequestEntityTooLarge:
        size = csv_import.MAX_BYTES // 2**20
        message = f"The file is larger than {size} MB."
        return api_error(413, message, {"body": [message]})
    try:
        return csv_import.decode(data)
    except csv_import.FileRefused as exc:
        check = csv_import.Check(errors=[exc.error])
        return _refused(check)


@bp.post("/customers/import")
@token_required
def import_customers() -> Response:
    terms = partner_terms()
    if terms is None:
        return api_error(403, NOT_A_RESELLER)
    user = api_user()
    if user.role not in BUYING_ROLES:
        return api_error(403, READ_ONLY)
    query_args(NoQuerySchema())
    company_id = terms.enrollment.company_id
    with force_locale("en"):
        text = _body()
        if isinstance(text, Response):
            return text
        written = csv_import.write(text, company_id)
    if not written.check.valid:
        return _refused(written.check)
    counts = written.check.counts()
    upload = CustomerImport(
        company_id=company_id,
        user_id=user.id,
        filename="api",
        content=text,
        status="done",
        total_rows=written.check.total_rows,
        processed_rows=written.check.total_rows,
        counts=counts,
        errors=[],
        preview=written.check.preview(),
        finished_at=datetime.now(UTC),
    )
    db.session.add(upload)
    record(
        "customer.imported",
        upload,
        label="api",
        after={"file": "api", **counts},
        tenant_id=terms.enrollment.tenant_id,
        company_id=company_id,
        actor=user,
    )
    db.session.commit()
    return jsonify(
        {"status": "done", "import_id": upload.id, "total_rows": upload.total_rows, **counts}
    )
