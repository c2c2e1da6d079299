"""The reseller's customer pages: the list (and its CSV), a customer's page with its
history, and the edit, merge and archive actions. Routes on the ``customers`` blueprint.

Reseller users only: on the vendor console and for staff users these pages do not
exist (404). Viewers read; buyers, approvers and company admins change (403 otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from channelfront.accounts.models import UserKind
from channelfront.catalog.views import current_terms
from channelfront.customers import csv_export, editing, listing, merging
from channelfront.customers.history import customer_history
from channelfront.customers.models import Customer
from channelfront.customers.services import CustomerInput, live
from channelfront.customers.views import bp
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.orders.view_support import BUYING_ROLES, actor
from channelfront.tenancy.middleware import current_tenant, is_admin_site
from channelfront.theming.views import render
from channelfront.web.params import ParamError

MERGE_CHOICES = 500


def _company_id() -> int:
    """The signed-in reseller's company here; 404 on the console and for staff."""
    if is_admin_site() or current_user.kind != UserKind.RESELLER:
        abort(404)
    return current_terms().enrollment.company_id


def may_write() -> bool:
    return current_user.role in BUYING_ROLES


def _writer() -> int:
    company_id = _company_id()
    if not may_write():
        abort(403, description=_("Your role can see customers but not change them."))
    return company_id


def _customer(company_id: int, customer_id: int) -> Customer:
    found = editing.find(company_id, customer_id)
    if found is None:
        abort(404)
    return found


@bp.route("/customers")
@login_required
def index() -> tuple[str, int] | str:
    company_id = _company_id()
    context = {"args": request.args, "may_write": may_write()}
    try:
        filters = listing.parse_filters(request.args)
        size = current_app.config.get("CUSTOMER_LIST_PAGE_SIZE", 25)
        page = listing.customer_page(company_id, filters, per_page=size)
    except ParamError as error:
        return render("customers/list.html", page=None, error=error, **context), 400
    return render("customers/list.html", page=page, **context)


@bp.route("/customers.csv")
@login_required
def export_csv() -> Response:
    company_id = _company_id()
    try:
        filters = listing.parse_filters(request.args)
    except ParamError as error:
        abort(400, description=error.message)
    tenant = current_tenant()
    assert tenant is not None
    stmt = listing.recent_first(company_id, filters)
    filename = f"customers-{tenant.slug}-{datetime.now(UTC):%Y%m%d}.csv"
    return Response(
        stream_with_context(csv_export.csv_chunks(stmt, tenant.id)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _merge_choices(customer: Customer) -> list[Customer]:
    stmt = live(
        select(Customer).where(
            Customer.company_id == customer.company_id, Customer.id != customer.id
        )
    )
    return list(
        db.session.scalars(stmt.order_by(Customer.company_name, Customer.id).limit(MERGE_CHOICES))
    )


def _values(customer: Customer) -> MultiDict[str, str]:
    return MultiDict({name: getattr(customer, name) or "" for name in editing.FIELDS})


def _detail_page(
    customer: Customer,
    values: MultiDict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> tuple[str, int] | str:
    writer = may_write()
    page = render(
        "customers/detail.html",
        customer=customer,
        history=customer_history(customer),
        values=values if values is not None else _values(customer),
        errors=errors or {},
        may_write=writer,
        merge_choices=_merge_choices(customer) if writer else [],
        Money=Money,
    )
    return (page, 422) if errors else page


def _back(customer: Customer) -> Response:
    return redirect(url_for("customers.detail", customer_id=customer.id), 303)


@bp.route("/customers/<int:customer_id>")
@login_required
def detail(customer_id: int) -> tuple[str, int] | str:
    return _detail_page(_customer(_company_id(), customer_id))


def posted_customer(form: MultiDict[str, str]) -> CustomerInput:
    """The edit form's values, as the service reads them."""
    return CustomerInput(**{name: form.get(name, "") for name in editing.FIELDS})


@bp.route("/customers/<int:customer_id>", methods=["POST"])
@login_required
def update(customer_id: int) -> Response | tuple[str, int] | str:
    customer = _customer(_writer(), customer_id)
    try:
        with db.session.no_autoflush:
            changed = editing.update(customer, posted_customer(request.form), actor())
    except OrderInputError as error:
        db.session.rollback()
        return _detail_page(customer, request.form.copy(), {error.field: error.message})
    db.session.commit()
    if changed:
        flash(_("%(name)s is saved.", name=customer.company_name), "info")
    else:
        flash(_("Nothing was changed."), "info")
    return _back(customer)


@bp.route("/customers/<int:customer_id>/merge", methods=["POST"])
@login_required
def merge(customer_id: int) -> Response | tuple[str, int] | str:
    company_id = _writer()
    customer = _customer(company_id, customer_id)
    try:
        merged = merging.merge(company_id, customer.id, request.form.get("duplicate_id"), actor())
    except OrderInputError as error:
        db.session.rollback()
        return _detail_page(customer, errors={error.field: error.message})
    db.session.commit()
    flash(
        _(
            "%(duplicate)s is merged into %(survivor)s: its orders, subscriptions and quotes "
            "are now here.",
            duplicate=merged.duplicate.company_name,
            survivor=merged.survivor.company_name,
        ),
        "info",
    )
    return _back(merged.survivor)


def _set_archived(customer_id: int, archived: bool) -> Response:
    customer = _customer(_writer(), customer_id)
    editing.set_archived(customer, archived, actor())
    db.session.commit()
    if archived:
        message = _("%(name)s is archived: pickers no longer offer it.", name=customer.company_name)
    else:
        message = _("%(name)s is back in your customer list.", name=customer.company_name)
    flash(message, "info")
    return _back(customer)


@bp.route("/customers/<int:customer_id>/archive", methods=["POST"])
@login_required
def archive(customer_id: int) -> Response:
    return _set_archived(customer_id, True)


@bp.route("/customers/<int:customer_id>/unarchive", methods=["POST"])
@login_required
def unarchive(customer_id: int) -> Response:
    return _set_archived(customer_id, False)
