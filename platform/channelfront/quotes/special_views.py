"""Special price pages.

- On a quote (``/quotes/<number>/...``): the reseller asks for a special price on a
  line, accepts a counter offer or withdraws a request; each answers with the quote
  again (a refusal is flashed, naming the field).
- ``/partners/special-prices``: the distributor's staff read their storefront's
  requests and decide them; ``/partners/special-price-rules``: the rule per program tier.
- ``/admin/special-prices`` on the vendor console: the requests that need the vendor.

Someone who may see a request but not decide it gets the page read-only, saying why.
A request, quote or line of anyone else is not found (404).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from channelfront.accounts.models import UserKind
from channelfront.admin.blueprint import bp as admin_bp
from channelfront.extensions import db, login_manager
from channelfront.orders.errors import OrderInputError
from channelfront.orders.view_support import actor, has_endpoint, storefront_only, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.partners.blueprint import _distributor_staff_only as distributor_staff_only
from channelfront.pricing.models import Program
from channelfront.quotes import services, special_pages, special_requests, special_rules
from channelfront.quotes.models import Quote, SpecialPriceRequest
from channelfront.quotes.special_requests import DecisionRefused
from channelfront.tenancy.scoping import tenant_scope
from channelfront.theming.views import render
from channelfront.web.params import MAX_ID

Page = Response | tuple[str, int]

reseller_bp = Blueprint("quote_special", __name__, url_prefix="/quotes")
reseller_bp.before_request(storefront_only)
partner_bp = Blueprint("partner_special", __name__, url_prefix="/partners")
partner_bp.before_request(storefront_only)
partner_bp.before_request(distributor_staff_only)

reseller_bp.add_app_template_global(special_pages.line_view, "special_price_line")
reseller_bp.add_app_template_global(special_pages.quote_views, "special_price_requests")

STOREFRONT = {
    "queue": "partner_special.queue",
    "detail": "partner_special.detail",
    "decide": "partner_special.decide",
}
CONSOLE = {
    "queue": "admin.special_prices",
    "detail": "admin.special_price",
    "decide": "admin.decide_special_price",
}


def field_label(name: str) -> str:
    labels = {
        "unit_price": _("Unit price"),
        "discount_percent": _("Discount off your buy price"),
        "justification": _("Justification"),
        "deal_ref": _("Deal reference"),
        "comment": _("Comment"),
        "decision": _("Decision"),
        "quote": _("Quote"),
        "line": _("Line"),
        "auto_max_discount_percent": _("Approve at once up to this discount"),
        "auto_max_line_total": _("and up to this line total"),
        "vendor_above_discount_percent": _("Ask the vendor too above this discount"),
        "vendor_above_line_total": _("or above this line total"),
    }
    return str(labels.get(name, name))


def _named(error: OrderInputError) -> str:
    return str(_("%(field)s: %(message)s", field=field_label(error.field), message=error.message))


# --- the reseller, on its quote ------------------------------------------------------------


@reseller_bp.before_request
def _resellers_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if current_user.kind != UserKind.RESELLER:
        abort(404)
    if current_user.role not in special_requests.REQUESTING_ROLES:
        abort(403, description=_("Your role can read quotes but not ask for prices."))
    return None


def _quote(number: str) -> Quote:
    quote = services.find(actor().company_id or 0, number)
    if quote is None:
        abort(404)
    return quote


def _back(quote: Quote, line_id: int | None = None) -> Response:
    anchor = f"special-{line_id}" if line_id else "special-prices"
    if has_endpoint("quotes.detail"):
        return redirect(url_for("quotes.detail", number=quote.number, _anchor=anchor), 303)
    return redirect(f"/quotes/{quote.number}#{anchor}", 303)


def _row_of(quote: Quote, request_id: int) -> SpecialPriceRequest:
    row = db.session.get(SpecialPriceRequest, request_id) if 0 < request_id <= MAX_ID else None
    if row is None or row.quote_id != quote.id:
        abort(404)
    return row


@reseller_bp.post("/<number>/lines/<int:line_id>/special-price", endpoint="ask")
def ask(number: str, line_id: int) -> Response:
    quote = _quote(number)
    line = next((item for item in quote.lines if item.id == line_id), None)
    if line is None:
        abort(404)
    form = request.form
    try:
        row = special_requests.request_price(
            quote,
            line,
            actor(),
            unit_price=form.get("unit_price"),
            discount_percent=form.get("discount_percent"),
            justification=form.get("justification"),
            deal_ref=form.get("deal_ref"),
        )
    except OrderInputError as error:
        db.session.rollback()
        flash(_named(error), "error")
        return _back(quote, line_id)
    approved = row.auto_approved
    commit_and_dispatch()
    if approved:
        flash(_("The special price is approved."), "success")
    else:
        flash(_("Your request is sent; you will get an e-mail with the decision."), "success")
    return _back(quote, line_id)


def _reseller_act(number: str, request_id: int, act: str) -> Response:
    quote = _quote(number)
    row = _row_of(quote, request_id)
    line_id = row.quote_line_id
    try:
        if act == "accept":
            special_requests.accept_counter(row, actor())
        else:
            special_requests.withdraw(row, actor())
    except DecisionRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _back(quote, line_id)
    commit_and_dispatch()
    flash(
        _("You accepted the offered price.") if act == "accept" else _("The request is withdrawn."),
        "success",
    )
    return _back(quote, line_id)


@reseller_bp.post("/<number>/special-prices/<int:request_id>/accept", endpoint="accept")
def accept(number: str, request_id: int) -> Response:
    return _reseller_act(number, request_id, "accept")


@reseller_bp.post("/<number>/special-prices/<int:request_id>/withdraw", endpoint="withdraw")
def withdraw(number: str, request_id: int) -> Response:
    return _reseller_act(number, request_id, "withdraw")


# --- staff: the queue and one request ------------------------------------------------------


def _queue_page(endpoints: dict[str, str], console: bool) -> str:
    status = request.args.get("status") or ""
    rows = special_pages.queue(actor(), status, with_tenant=console)
    template = "quotes/special/admin_queue.html" if console else "quotes/special/queue.html"
    return render(
        template,
        rows=rows,
        status=status if status in special_pages.STATUSES else "",
        statuses=[(s, special_pages.status_label(s)) for s in special_pages.STATUSES],
        endpoints=endpoints,
        console=console,
        limit=special_pages.QUEUE_LIMIT,
        section="special_prices",
    )


def _visible(request_id: int) -> SpecialPriceRequest:
    row = special_pages.visible(actor(), request_id) if 0 < request_id <= MAX_ID else None
    if row is None:
        abort(404)
    return row


def _detail_page(
    row: SpecialPriceRequest,
    endpoints: dict[str, str],
    console: bool,
    status: int = 200,
    error: str | None = None,
    error_field: str | None = None,
) -> tuple[str, int]:
    [view] = special_pages.views([row], with_tenant=console)
    me = actor()
    template = "quotes/special/admin_detail.html" if console else "quotes/special/detail.html"
    html = render(
        template,
        view=view,
        may_decide=special_requests.may_decide(me, row),
        blocked=special_requests.why_not(me, row),
        error=error,
        error_field=error_field,
        form=request.form if error else {},
        endpoints=endpoints,
        console=console,
        section="special_prices",
    )
    return html, status


def _decide(request_id: int, endpoints: dict[str, str], console: bool) -> Page:
    row = _visible(request_id)
    form = request.form
    try:
        special_requests.decide(
            row,
            actor(),
            str(form.get("decision") or ""),
            unit_price=form.get("unit_price"),
            comment=form.get("comment"),
        )
    except DecisionRefused as refused:
        db.session.rollback()
        row = _visible(request_id)
        return _detail_page(row, endpoints, console, refused.status, refused.message, "decision")
    except OrderInputError as error:
        db.session.rollback()
        row = _visible(request_id)
        return _detail_page(row, endpoints, console, 422, _named(error), error.field)
    commit_and_dispatch()
    flash(_("Your decision is saved."), "success")
    return redirect(url_for(endpoints["queue"]), 303)


@partner_bp.get("/special-prices", endpoint="queue")
def partner_queue() -> str:
    return _queue_page(STOREFRONT, console=False)


@partner_bp.get("/special-prices/<int:request_id>", endpoint="detail")
def partner_detail(request_id: int) -> Page:
    return _detail_page(_visible(request_id), STOREFRONT, console=False)


@partner_bp.post("/special-prices/<int:request_id>/decision", endpoint="decide")
def partner_decide(request_id: int) -> Page:
    return _decide(request_id, STOREFRONT, console=False)


def _console_tenant(request_id: int) -> int:
    """The console runs unscoped: each request is read and decided in its storefront."""
    tenant_id = (
        db.session.scalar(
            select(SpecialPriceRequest.tenant_id).where(SpecialPriceRequest.id == request_id)
        )
        if 0 < request_id <= MAX_ID
        else None
    )
    if tenant_id is None:
        abort(404)
    return tenant_id


@admin_bp.get("/special-prices", endpoint="special_prices")
def console_queue() -> str:
    return _queue_page(CONSOLE, console=True)


@admin_bp.get("/special-prices/<int:request_id>", endpoint="special_price")
def console_detail(request_id: int) -> Page:
    with tenant_scope(_console_tenant(request_id)):
        return _detail_page(_visible(request_id), CONSOLE, console=True)


@admin_bp.post("/special-prices/<int:request_id>/decision", endpoint="decide_special_price")
def console_decide(request_id: int) -> Page:
    with tenant_scope(_console_tenant(request_id)):
        return _decide(request_id, CONSOLE, console=True)


# --- staff: the rules ----------------------------------------------------------------------


def _rules_page(
    status: int = 200,
    program_id: int | None = None,
    entry: special_rules.RuleInput | None = None,
    error: OrderInputError | None = None,
) -> tuple[str, int]:
    currency = tenant_row().currency
    tiers = [
        {
            "program": program,
            "rule": rule,
            "entry": entry
            if entry is not None and program.id == program_id
            else special_rules.as_input(rule, currency),
            "error": error if program.id == program_id else None,
        }
        for program, rule in special_rules.programs_with_rules()
    ]
    html = render(
        "quotes/special/rules.html",
        tiers=tiers,
        currency=currency,
        may_edit=special_rules.may_edit(actor()),
        fields=special_rules.FIELDS,
        field_label=field_label,
        error_message=_named(error) if error else None,
    )
    return html, status


@partner_bp.get("/special-price-rules", endpoint="rules")
def rules() -> Page:
    return _rules_page()


@partner_bp.post("/special-price-rules/<int:program_id>", endpoint="save_rule")
def save_rule(program_id: int) -> Page:
    if not special_rules.may_edit(actor()):
        abort(403, description=_("Your role cannot change special price rules."))
    program = db.session.get(Program, program_id) if 0 < program_id <= MAX_ID else None
    if program is None:
        abort(404)
    entry = special_rules.RuleInput(*(request.form.get(name, "") for name in special_rules.FIELDS))
    try:
        special_rules.save(program, actor(), entry, tenant_row().currency)
    except OrderInputError as error:
        db.session.rollback()
        return _rules_page(422, program_id, entry, error)
    name = program.name
    commit_and_dispatch()
    flash(_("The special price rule of %(program)s is saved.", program=name), "success")
    return redirect(url_for("partner_special.rules"), 303)
