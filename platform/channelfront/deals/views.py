"""The reseller's deal pages: the list, registering a deal, a deal with its timeline,
withdrawing it and starting a quote from it. Viewers read; buyers and up write."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from channelfront.catalog.views import current_terms
from channelfront.deals import decisions, forms, listing, services, templating
from channelfront.deals.decisions import DecisionRefused
from channelfront.deals.models import Deal, DealStatus
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders.errors import OrderInputError
from channelfront.orders.history import company_customers
from channelfront.orders.history_views import resellers_only
from channelfront.orders.view_support import BUYING_ROLES, actor, storefront_only, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.theming.views import render
from channelfront.web.params import parse_whole

bp = Blueprint("deals", __name__, url_prefix="/deals")
bp.before_request(storefront_only)
bp.before_request(resellers_only)
bp.app_context_processor(templating.template_helpers)

Page = Response | tuple[str, int] | str


def may_write() -> bool:
    return bool(getattr(current_user, "company_id", None)) and current_user.role in BUYING_ROLES


def _company_id() -> int:
    return current_terms().enrollment.company_id


def _writer() -> None:
    current_terms()
    if current_user.role not in BUYING_ROLES:
        abort(403, description=_("Your role can see deals but not register or change them."))


def _deal(number: str) -> Deal:
    deal = services.find(_company_id(), number)
    if deal is None:
        abort(404)
    return deal


@bp.get("")
@login_required
def index() -> str:
    status = request.args.get("status", "")
    q = request.args.get("q", "")[:100]
    page = listing.deal_page(
        _company_id(), status, q, parse_whole(request.args.get("page"), minimum=1) or 1
    )
    return render(
        "deals/list.html",
        page=page,
        status=status if status in listing.STATUSES else "",
        q=q,
        statuses=listing.STATUSES,
        may_write=may_write(),
        Money=Money,
    )


def _form_page(values: MultiDict[str, str], errors: dict[str, str] | None = None) -> Page:
    selected = parse_whole(values.get("customer_id"), minimum=1)
    page = render(
        "deals/form.html",
        values=values,
        errors=errors or {},
        rows=forms.row_count(values),
        customers=company_customers(_company_id(), selected),
        currency=tenant_row().currency,
        today=services.today().isoformat(),
    )
    return (page, 422) if errors else page


@bp.get("/new")
@login_required
def new() -> Page:
    _writer()
    return _form_page(MultiDict())


@bp.post("/new")
@login_required
def create() -> Page:
    _writer()
    posted = None
    try:
        posted = forms.deal_input(request.form)
        deal = services.register(tenant_row(), actor(), current_terms(), posted.data)
        db.session.flush()
    except OrderInputError as error:
        db.session.rollback()
        field = posted.error_field(error.field) if posted else error.field
        return _form_page(request.form.copy(), {field: error.message})
    number = deal.number
    commit_and_dispatch()
    flash(_("Deal %(number)s is registered and waits for a decision.", number=number), "info")
    return redirect(url_for("deals.detail", number=number), 303)


@bp.get("/<number>")
@login_required
def detail(number: str) -> str:
    deal = _deal(number)
    return render(
        "deals/detail.html",
        deal=deal,
        may_write=may_write(),
        may_withdraw=deal.status in decisions.WITHDRAWABLE,
        may_quote=services.is_protected(deal),
        Money=Money,
        Status=DealStatus,
    )


@bp.post("/<number>/withdraw")
@login_required
def withdraw(number: str) -> Response:
    _writer()
    deal = _deal(number)
    try:
        decisions.withdraw(deal, actor())
    except DecisionRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("deals.detail", number=number), 303)
    commit_and_dispatch()
    flash(_("Deal %(number)s is withdrawn.", number=number), "info")
    return redirect(url_for("deals.detail", number=number), 303)
