"""The customer list upload: the form, the check's preview and progress, and the import.

Only reseller users who may write customers (buyers and up) reach these pages; a
viewer gets 403. An upload belongs to the company: another company's id is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from channelfront.catalog.views import current_terms
from channelfront.customers import csv_import, import_tasks
from channelfront.customers.models import CustomerImport
from channelfront.extensions import csrf, db
from channelfront.orders.history_views import resellers_only
from channelfront.orders.view_support import BUYING_ROLES, storefront_only
from channelfront.theming.views import render

bp = Blueprint("customer_imports", __name__, url_prefix="/customers/import")
bp.before_request(storefront_only)
bp.before_request(resellers_only)

# Room for the multipart envelope around a file of the largest size allowed.
UPLOAD_LIMIT = csv_import.MAX_BYTES + 64 * 1024
RECENT = 10
WORKING = frozenset({"checking", "importing"})


def _company_id() -> int:
    """The writer's company; 403 for a viewer or anyone without a catalog here."""
    terms = current_terms()
    if current_user.role not in BUYING_ROLES:
        abort(403, description=_("Your role can see customers but not import them."))
    return terms.enrollment.company_id


def _upload(import_id: int) -> CustomerImport:
    found = db.session.scalar(
        select(CustomerImport).where(
            CustomerImport.id == import_id, CustomerImport.company_id == _company_id()
        )
    )
    if found is None:
        abort(404)
    return found


def _form(error: str | None = None, status: int = 200) -> tuple[str, int]:
    recent = db.session.scalars(
        select(CustomerImport)
        .where(CustomerImport.company_id == _company_id())
        .order_by(CustomerImport.id.desc())
        .limit(RECENT)
    ).all()
    page = render(
        "customers/import_form.html",
        error=error,
        recent=recent,
        columns=csv_import.FIELDS,
        max_mb=csv_import.MAX_BYTES // 2**20,
        max_rows=csv_import.MAX_ROWS,
    )
    return page, status


@bp.route("")
@login_required
def form() -> tuple[str, int]:
    return _form()


class NoFile(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _posted_file() -> tuple[str, bytes]:
    """The uploaded file's name and bytes; NoFile says what is wrong."""
    # The app's default request size is smaller than a customer list may be, and the
    # CSRF check reads the form: raise the limit first, then check the token.
    request.max_content_length = UPLOAD_LIMIT
    size = csv_import.MAX_BYTES // 2**20
    if (request.content_length or 0) > UPLOAD_LIMIT:
        # Refused unread: a parse cut short leaves its temporary file behind.
        raise NoFile(_("The file is larger than %(size)s MB.", size=size), 413)
    try:
        csrf.protect()
        posted = request.files.get("file")
        data = posted.read(csv_import.MAX_BYTES + 1) if posted is not None else b""
    except RequestEntityTooLarge:
        raise NoFile(_("The file is larger than %(size)s MB.", size=size), 413) from None
    if posted is None or not posted.filename:
        raise NoFile(_("Choose a CSV file to upload."))
    if not data:
        raise NoFile(_("The file is empty."))
    return posted.filename[-200:], data


@bp.route("", methods=["POST"])
@csrf.exempt
@login_required
def upload() -> Response | tuple[str, int]:
    company_id = _company_id()
    try:
        filename, data = _posted_file()
    except NoFile as exc:
        return _form(exc.message, exc.status)
    upload = CustomerImport(
        company_id=company_id, user_id=current_user.id, filename=filename, content=""
    )
    try:
        upload.content = csv_import.decode(data)
    except csv_import.FileRefused as exc:
        upload.status = "invalid"
        upload.counts = {"new": 0, "updated": 0, "unchanged": 0, "invalid": 0}
        upload.errors = [exc.error.as_dict()]
    db.session.add(upload)
    db.session.flush()
    job = import_tasks.Job.of(upload) if upload.status == "checking" else None
    import_id = upload.id
    db.session.commit()
    if job is not None:
        import_tasks.start(job)
    return redirect(url_for("customer_imports.detail", import_id=import_id), 303)


@bp.route("/<int:import_id>")
@login_required
def detail(import_id: int) -> str:
    upload = _upload(import_id)
    return render(
        "customers/import_detail.html",
        upload=upload,
        working=upload.status in WORKING,
        max_errors=csv_import.MAX_ERRORS,
        max_preview=csv_import.MAX_PREVIEW,
    )


@bp.route("/<int:import_id>/status")
@login_required
def status(import_id: int) -> Response:
    upload = _upload(import_id)
    response = jsonify(
        {
            "status": upload.status,
            "processed_rows": upload.processed_rows,
            "total_rows": upload.total_rows,
            "counts": upload.counts,
            "working": upload.status in WORKING,
        }
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:import_id>/run", methods=["POST"])
@login_required
def run(import_id: int) -> Response | tuple[str, int]:
    upload = _upload(import_id)
    if upload.status != "checked" or not import_tasks.start_run(import_tasks.Job.of(upload)):
        return render(
            "customers/import_detail.html",
            upload=upload,
            working=upload.status in WORKING,
            max_errors=csv_import.MAX_ERRORS,
            max_preview=csv_import.MAX_PREVIEW,
            refused=_("This list cannot be imported now: it is not checked and valid."),
        ), 409
    return redirect(url_for("customer_imports.detail", import_id=import_id), 303)
