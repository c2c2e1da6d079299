"""The reseller's quote pages: the list, the form (new and edit), and the quote with its
margins, timeline and actions (send, withdraw, order it yourself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy import update as update_rows
from sqlalchemy.engine import CursorResult
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from channelfront.accounts.models import User
from channelfront.catalog.views import current_terms
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.orders import cart as carts
from channelfront.orders import templates_service
from channelfront.orders.checkout_views import CHECKOUT_FOR
from channelfront.orders.errors import OrderInputError
from channelfront.orders.history import company_customers
from channelfront.orders.history_views import resellers_only
from channelfront.orders.lines import LineRequest, price_lines
from channelfront.orders.models import Cart, Order
from channelfront.orders.view_support import (
    BUYING_ROLES,
    actor,
    has_endpoint,
    locale,
    storefront_only,
    tenant_row,
)
from channelfront.outbox.services import commit_and_dispatch
from channelfront.pricing.services import PartnerTerms
from channelfront.quotes import forms, links, listing, sending, services
from channelfront.quotes.forms import StartLine
from channelfront.quotes.models import EDITABLE, OPEN_TO_CUSTOMER, Quote, QuoteStatus
from channelfront.tenancy.models import Tenant
from channelfront.theming.views import render
from channelfront.web.params import ParamError, parse_whole

bp = Blueprint("quotes", __name__, url_prefix="/quotes")
bp.before_request(storefront_only)
bp.before_request(resellers_only)


@dataclass(frozen=True)
class Totals:
    """What the reseller buys and sells the quote for, and keeps."""

    buy: Money
    resale: Money
    margin: Money
    # The margin as a share of the resale total, formatted; None when that is zero.
    margin_percent: str | None


def totals(quote: Quote) -> Totals:
    buy = sum(line.buy_total_minor for line in quote.lines)
    resale = sum(line.resale_total_minor for line in quote.lines)
    share = Decimal(resale - buy) / Decimal(resale) if resale else None
    return Totals(
        Money(buy, quote.currency),
        Money(resale, quote.currency),
        Money(resale - buy, quote.currency),
        format_percent(share, "#,##0.0%") if share is not None else None,
    )


def may_write() -> bool:
    return bool(getattr(current_user, "company_id", None)) and current_user.role in BUYING_ROLES


def _company_id() -> int:
    return current_terms().enrollment.company_id


def _writer() -> PartnerTerms:
    """The terms of a reseller user who may make and change quotes; 403 for a viewer."""
    terms = current_terms()
    if current_user.role not in BUYING_ROLES:
        abort(403, description=_("Your role can see quotes but not make or change them."))
    return terms


def _quote(number: str) -> Quote:
    """One of the signed-in user's company's quotes; 404 for anyone else's or none."""
    quote = services.find(_company_id(), number)
    if quote is None:
        abort(404)
    return quote


def _unchanged_since(quote: Quote, status: str, revision: int) -> bool:
    """Claim the quote's row if it still has the status and revision the page read (the
    customer may have accepted or paid meanwhile); call it before anything is flushed."""
    claimed: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update_rows(Quote)
        .where(Quote.id == quote.id, Quote.status == status, Quote.revision == revision)
        .values(updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _back(quote: Quote) -> Response:
    return redirect(url_for("quotes.detail", number=quote.number), 303)


# The list


@bp.route("")
@login_required
def index() -> tuple[str, int] | str:
    company_id = _company_id()
    context = {
        "args": request.args,
        "statuses": [s.value for s in QuoteStatus],
        "may_write": may_write(),
        "editable": EDITABLE,
        "Money": Money,
    }
    try:
        filters = listing.parse_filters(request.args)
        size = current_app.config.get("QUOTE_LIST_PAGE_SIZE", 25)
        page = listing.quote_page(company_id, filters, per_page=size)
    except ParamError as error:
        return render("quotes/list.html", page=None, error=error, **context), 400
    return render("quotes/list.html", page=page, **context)


# The form


def language_name(code: str) -> str:
    """A language's name in the page's language ("Spanish" for ``es`` on an English page)."""
    try:
        name = Locale.parse(code).get_display_name(locale()) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def _languages(tenant: Tenant) -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in tenant.locales]


def _form_page(
    values: MultiDict[str, str],
    errors: dict[str, str] | None = None,
    quote: Quote | None = None,
    source: str = "",
    more: bool = False,
) -> tuple[str, int] | str:
    tenant = tenant_row()
    selected = parse_whole(values.get("customer_id"), minimum=1)
    page = render(
        "quotes/form.html",
        values=values,
        errors=errors or {},
        quote=quote,
        source=source,
        rows=forms.row_count(values, more),
        customers=company_customers(_company_id(), selected),
        languages=_languages(tenant),
        currency=tenant.currency,
        will_revise=quote is not None and quote.status != QuoteStatus.DRAFT,
    )
    return (page, 422) if errors else page


def _cart_lines() -> list[StartLine]:
    """The signed-in user's cart lines (read only: no cart is made for it)."""
    cart = db.session.scalar(select(Cart).where(Cart.user_id == actor().id))
    if cart is None or not cart.lines:
        return []
    labels = templates_service.product_labels([ln.product_id for ln in cart.lines], locale())
    return [
        StartLine(labels[ln.product_id][0], ln.quantity, ln.term_months)
        for ln in cart.lines
        if ln.product_id in labels
    ]


def _start(company_id: int) -> tuple[list[StartLine], int | None, str]:
    """The lines (and end customer) a new quote starts from: ``?from=cart``,
    ``?from=template&id=N`` or ``?from=order&number=X``; 404 for another company's."""
    source = request.args.get("from", "")
    if source == "cart":
        return _cart_lines(), None, source
    if source == "template":
        template_id = parse_whole(request.args.get("id"), minimum=1)
        template = templates_service.find_template(company_id, template_id) if template_id else None
        if template is None:
            abort(404)
        wanted = templates_service.template_lines(template)
        labels = templates_service.product_labels([w.product_id for w in wanted], locale())
        lines = [
            StartLine(labels[w.product_id][0], w.quantity, w.term_months)
            for w in wanted
            if w.product_id in labels
        ]
        return lines, None, source
    if source == "order":
        order = templates_service.find_order(company_id, request.args.get("number", ""))
        if order is None:
            abort(404)
        lines = [StartLine(ln.sku, ln.quantity, ln.term_months) for ln in order.lines]
        return lines, order.customer_id, source
    if source == "deal":
        from channelfront.deals import conversion  # deals build on quotes

        deal = conversion.quotable(company_id, request.args.get("number", ""))
        if deal is None:
            abort(404)
        return [StartLine(ln.sku, ln.quantity) for ln in deal.lines], deal.customer_id, source
    return [], None, ""


def _refused(
    error: OrderInputError, posted: forms.PostedQuote | None, quote: Quote | None = None
) -> tuple[str, int] | str:
    db.session.rollback()
    field = posted.error_field(error.field) if posted else error.field
    return _form_page(request.form.copy(), {field: error.message}, quote)


@bp.route("/new")
@login_required
def new() -> tuple[str, int] | str:
    company_id = _writer().enrollment.company_id
    lines, customer_id, source = _start(company_id)
    values = forms.new_values(tenant_row().default_locale, lines, customer_id)
    if source == "deal":
        values["deal"] = request.args.get("number", "")
    return _form_page(values, source=source)


@bp.route("/new", methods=["POST"])
@login_required
def create() -> Response | tuple[str, int] | str:
    terms = _writer()
    if request.form.get("action") == "more_lines":
        return _form_page(request.form.copy(), more=True)
    posted = None
    try:
        posted = forms.quote_input(request.form)
        quote = services.create(tenant_row(), actor(), terms, posted.data)
        if request.form.get("deal"):
            from channelfront.deals import conversion  # deals build on quotes

            conversion.attach(quote, quote.company_id, request.form.get("deal", "")[:24])
        db.session.commit()
    except OrderInputError as error:
        return _refused(error, posted)
    flash(_("Quote %(number)s is saved as a draft.", number=quote.number), "info")
    return _back(quote)


@bp.route("/<number>/edit")
@login_required
def edit(number: str) -> Response | tuple[str, int] | str:
    _writer()
    quote = _quote(number)
    if quote.status not in EDITABLE:
        flash(_("This quote can no longer be changed."), "error")
        return _back(quote)
    return _form_page(forms.quote_values(quote), quote=quote)


@bp.route("/<number>/edit", methods=["POST"])
@login_required
def update(number: str) -> Response | tuple[str, int] | str:
    terms = _writer()
    quote = _quote(number)
    if quote.status not in EDITABLE:
        flash(_("This quote can no longer be changed."), "error")
        return _back(quote)
    if request.form.get("action") == "more_lines":
        return _form_page(request.form.copy(), quote=quote, more=True)
    status, revision = quote.status, quote.revision
    posted = None
    try:
        # Nothing is flushed until every value passed and the row is claimed.
        with db.session.no_autoflush:
            posted = forms.quote_input(request.form)
            services.revise(quote, tenant_row(), actor(), terms, posted.data)
            if not _unchanged_since(quote, status, revision):
                raise OrderInputError(
                    "quote", _("The customer answered this quote meanwhile. Look at it again.")
                )
        db.session.commit()
    except OrderInputError as error:
        return _refused(error, posted, quote)
    if quote.revision != revision:
        flash(
            _(
                "Quote %(number)s is now revision %(revision)d, a draft. Send it again: "
                "the link the customer has no longer works.",
                number=quote.number,
                revision=quote.revision,
            ),
            "info",
        )
    else:
        flash(_("Quote %(number)s is saved.", number=quote.number), "info")
    return _back(quote)


# The quote


def _people(quote: Quote) -> dict[int, str]:
    ids = {quote.buyer_id} | {event.actor_id for event in quote.events if event.actor_id}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def customer_link(quote: Quote) -> str | None:
    """The end customer's link while it works (sent or viewed, not expired)."""
    if quote.status not in OPEN_TO_CUSTOMER or services.is_expired(quote):
        return None
    if not has_endpoint("quote_customer.show"):
        return None
    return links.customer_url(quote.tenant_id, quote.id, quote.revision)


def _detail_page(
    quote: Quote, errors: dict[str, str] | None = None, confirm_order: int = 0
) -> tuple[str, int] | str:
    expired = services.is_expired(quote)
    page = render(
        "quotes/detail.html",
        quote=quote,
        totals=totals(quote),
        people=_people(quote),
        expired=expired,
        customer_link=customer_link(quote),
        may_write=may_write(),
        may_edit=quote.status in EDITABLE,
        may_send=quote.status in EDITABLE and not expired,
        may_withdraw=quote.status in services.WITHDRAWABLE,
        may_order=quote.status == QuoteStatus.ACCEPTED and not expired,
        order_number=_order_number(quote),
        confirm_order=confirm_order,
        language_name=language_name(quote.language),
        Money=Money,
        errors=errors or {},
    )
    return (page, 422) if errors else page


def _order_number(quote: Quote) -> str | None:
    if quote.order_id is None:
        return None
    return db.session.scalar(select(Order.number).where(Order.id == quote.order_id))


@bp.route("/<number>")
@login_required
def detail(number: str) -> tuple[str, int] | str:
    return _detail_page(_quote(number))


@bp.route("/<number>/send", methods=["POST"])
@login_required
def send(number: str) -> Response | tuple[str, int] | str:
    _writer()
    quote = _quote(number)
    again = quote.status != QuoteStatus.DRAFT
    try:
        sending.send(quote, actor())
    except OrderInputError as error:
        db.session.rollback()
        return _detail_page(quote, {error.field: error.message})
    commit_and_dispatch()
    email = quote.customer.email
    if again:
        message = _("Quote %(number)s is sent again to %(email)s.", number=number, email=email)
    else:
        message = _("Quote %(number)s is sent to %(email)s.", number=number, email=email)
    flash(message, "info")
    return _back(quote)


@bp.route("/<number>/withdraw", methods=["POST"])
@login_required
def withdraw(number: str) -> Response | tuple[str, int] | str:
    _writer()
    quote = _quote(number)
    try:
        services.withdraw(quote, actor())
    except OrderInputError as error:
        db.session.rollback()
        return _detail_page(quote, {error.field: error.message})
    db.session.commit()
    flash(
        _("Quote %(number)s is withdrawn: the customer's link no longer works.", number=number),
        "info",
    )
    return _back(quote)


@bp.route("/<number>/order", methods=["POST"])
@login_required
def order(number: str) -> Response | tuple[str, int] | str:
    """Put an accepted quote's lines in the user's cart (replacing what is there, once the
    user confirmed) and go to the checkout, which then carries the quote's number."""
    terms = _writer()
    quote = _quote(number)
    if quote.status != QuoteStatus.ACCEPTED or services.is_expired(quote):
        message = _("Only an accepted quote that has not expired can be ordered.")
        return _detail_page(quote, {"order": message})
    tenant = tenant_row()
    wanted = [LineRequest(ln.sku, ln.quantity, ln.term_months) for ln in quote.lines]
    try:  # every line still buyable, before the cart is touched
        price_lines(terms, tenant.currency, locale(), wanted, field="quote")
    except OrderInputError as error:
        message = _(
            "The quote cannot be ordered: %(problem)s Make a new quote without that line.",
            problem=error.message,
        )
        return _detail_page(quote, {"order": message})
    cart = carts.get_cart(actor())
    if cart.lines and request.form.get("replace_cart") != "1":
        db.session.rollback()
        return _detail_page(quote, confirm_order=len(cart.lines))
    carts.empty(cart)
    db.session.flush()  # the old lines go before the new ones come (one line per product)
    for line in wanted:
        carts.set_line(cart, terms, tenant.currency, locale(), line, add=False)
    db.session.commit()
    session[CHECKOUT_FOR] = {
        "quote_number": quote.number,
        "customer_id": quote.customer_id,
        "notify_end_customer": quote.license_to_customer,
    }
    flash(
        ngettext(
            "The quote's %(num)d product is in your cart. Check the order and place it.",
            "The quote's %(num)d products are in your cart. Check the order and place it.",
            len(quote.lines),
        ),
        "info",
    )
    return redirect(url_for("checkout.show"), 303)


@bp.route("/leave-checkout", methods=["POST"])
@login_required
def leave_checkout() -> Response:
    """Check out the cart as an ordinary order, without the quote."""
    session.pop(CHECKOUT_FOR, None)
    return redirect(url_for("checkout.show"), 303)
