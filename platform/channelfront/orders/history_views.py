"""Order history pages: the filtered list and its CSV download."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from channelfront.accounts.models import UserKind
from channelfront.catalog.params import ParamError
from channelfront.catalog.views import current_terms
from channelfront.orders import export, history
from channelfront.orders.view_support import has_endpoint, locale, may_buy, storefront_only
from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.views import render
from channelfront.web.params import parse_whole

bp = Blueprint("order_history", __name__)
bp.before_request(storefront_only)


def resellers_only() -> None:
    """before_request: order pages are for reseller users (signed-out visitors sign in)."""
    if current_user.is_authenticated and current_user.kind != UserKind.RESELLER:
        abort(403, description=_("Orders are for reseller accounts enrolled here."))


bp.before_request(resellers_only)


@bp.app_template_global()
def order_detail_url(number: str) -> str | None:
    """The order's page, once the order detail feature is there."""
    return url_for("orders.detail", number=number) if has_endpoint("orders.detail") else None


@bp.app_template_global()
def order_status_label(status: str) -> str:
    """The order status in the page's language."""
    return str(history.STATUS_LABELS.get(status, status))


@bp.route("/orders")
@login_required
def index() -> tuple[str, int] | str:
    company_id = current_terms().enrollment.company_id
    selected = parse_whole(request.args.get("customer"), minimum=1)
    customers = history.company_customers(company_id, selected)
    context = {
        "customers": customers,
        "statuses": history.STATUS_LABELS,
        "args": request.args,
        "may_buy": may_buy(),
    }
    try:
        filters = history.parse_filters(request.args)
        size = current_app.config.get("ORDER_HISTORY_PAGE_SIZE", 25)
        page = history.history_page(company_id, filters, per_page=size)
    except ParamError as error:
        context["error"] = error
        return render("orders/history.html", page=None, **context), 400
    return render("orders/history.html", page=page, **context)


@bp.route("/orders.csv")
@login_required
def export_csv() -> Response:
    company_id = current_terms().enrollment.company_id
    try:
        filters = history.parse_filters(request.args)
        stmt = export.export_query(company_id, filters)
        variant = export.csv_format(request.args.get("sep"), locale())
    except ParamError as error:
        abort(400, description=error.message)
    tenant = current_tenant()
    filename = f"orders-{tenant.slug}-{datetime.now(UTC):%Y%m%d}.csv"
    return Response(
        stream_with_context(export.csv_chunks(stmt, tenant.id, variant)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
