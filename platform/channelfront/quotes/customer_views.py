"""The end customer's quote page on the distributor's host, reached by the signed link
from the quote mail: no account, in the quote's language, the reseller's name on it.

The token names the tenant, the quote and the revision. A token of another host or a
tampered one is not found; an older revision's link says the quote was updated. The
customer pays by card, accepts and asks to be invoiced, or declines with a reason.
The token is in the URL, so these answers are never cached and never sent as a referrer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from channelfront.accounts.models import Company
from channelfront.extensions import db, limiter
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order
from channelfront.orders.view_support import storefront_only
from channelfront.outbox.services import commit_and_dispatch
from channelfront.payments.card_source import card_source
from channelfront.payments.errors import CardDeclined, PaymentUnavailable
from channelfront.payments.stripe_client import configured, elements_mode, local_mode
from channelfront.quotes import customer, customer_payment, links
from channelfront.quotes.customer import LinkState
from channelfront.quotes.models import OPEN_TO_CUSTOMER, PaymentState, Quote
from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.views import render

bp = Blueprint("quote_customer", __name__)
bp.before_request(storefront_only)

#: What each closed link answers: HTTP status (the quote itself is gone or replaced: 410).
STATE_STATUS = {
    LinkState.UPDATED: 410,
    LinkState.EXPIRED: 410,
    LinkState.WITHDRAWN: 410,
    LinkState.DECLINED: 200,
    LinkState.ACCEPTED: 200,
    LinkState.PAID: 200,
}


@bp.after_request
def _private(response: Response) -> Response:
    """The token is the key to the page: keep it out of caches, referrers and indexes."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@dataclass
class Link:
    token: str
    quote: Quote
    revision: int
    reseller: str

    @property
    def state(self) -> LinkState:
        return customer.link_state(self.quote, self.revision)


def _open(token: str) -> Link:
    """The quote a link names, on this storefront only; 404 for anything else."""
    tenant = current_tenant()
    target = links.read_token(token)
    if tenant is None or target is None or target.tenant_id != tenant.id:
        abort(404)
    quote = db.session.scalar(
        select(Quote)
        .where(Quote.id == target.quote_id)
        .options(selectinload(Quote.lines), joinedload(Quote.customer))
    )
    if quote is None:
        abort(404)
    reseller = db.session.scalar(select(Company.name).where(Company.id == quote.company_id))
    link = Link(token, quote, target.revision, str(reseller))
    if link.state == LinkState.UNKNOWN:
        abort(404)
    return link


@contextmanager
def _in_quote_language(link: Link) -> Iterator[None]:
    """Everything the customer reads, messages included, in the quote's language."""
    with force_locale(link.quote.language):
        yield


def _expire_if_due(link: Link) -> None:
    """A sent quote past its date is marked expired the first time its link is used."""
    if link.state == LinkState.EXPIRED and link.quote.status in OPEN_TO_CUSTOMER:
        customer.expire(link.quote)
        db.session.commit()


def _card_mode() -> str | None:
    return "local" if local_mode() else "elements" if elements_mode() else None


def _paid_facts(quote: Quote) -> dict[str, object]:
    payment = customer_payment.find_payment(quote.id, quote.revision)
    order = db.session.get(Order, quote.order_id) if quote.order_id else None
    paid = payment if payment is not None and payment.state == PaymentState.PAID else None
    return {
        "paid_at": paid.updated_at if paid else None,
        "refunded": payment is not None and payment.state == PaymentState.REFUNDED,
        "order_number": order and order.number,
    }


def _page(
    link: Link,
    errors: dict[str, str] | None = None,
    values: MultiDict[str, str] | None = None,
    status: int | None = None,
) -> Response:
    state = link.state
    context: dict[str, object] = {}
    if state == LinkState.PAID:
        context = _paid_facts(link.quote)
    page = render(
        "quotes/customer/quote.html",
        hide_nav=True,
        token=link.token,
        state=state.value,
        quote=customer.customer_view(link.quote, link.reseller),
        mode=_card_mode(),
        available=configured(),
        errors=errors or {},
        values=values or MultiDict(),
        **context,
    )
    code = status if status is not None else STATE_STATUS.get(state, 200)
    return current_app.make_response((page, code))


def _message(link: Link, status: int, title: str, message: str) -> Response:
    page = render(
        "quotes/customer/message.html",
        hide_nav=True,
        reseller=link.reseller,
        title=title,
        message=message,
        back=url_for("quote_customer.show", token=link.token),
    )
    return current_app.make_response((page, status))


def _back(link: Link) -> Response:
    return redirect(url_for("quote_customer.show", token=link.token), 303)


def _answer(token: str, handle: Callable[[Link], Response], paying: bool = False) -> Response:
    """Open the link and, when the quote still waits for an answer, let ``handle`` give it;
    otherwise show what the quote is now."""
    link = _open(token)
    with _in_quote_language(link):
        _expire_if_due(link)
        if link.state == LinkState.PAID and paying:
            flash(_("This quote is already paid. Nothing more was charged."), "info")
            return _back(link)
        if link.state != LinkState.OPEN:
            return _page(link)
        return handle(link)


@bp.get("/q/<token>")
def show(token: str) -> Response:
    link = _open(token)
    with _in_quote_language(link):
        _expire_if_due(link)
        if link.state == LinkState.OPEN and customer.mark_viewed(link.quote):
            commit_and_dispatch()
        return _page(link)


def _pay_limit() -> str:
    return str(current_app.config.get("QUOTE_PAY_RATE_LIMIT") or "10 per minute")


def _pay(link: Link) -> Response:
    form = request.form
    values = form.copy()
    try:
        source = card_source(form)
        customer_payment.pay(link.quote, form.get("revision"), form.get("amount"), source)
    except customer_payment.AlreadyPaid:
        flash(_("This quote is already paid. Nothing more was charged."), "info")
        return _back(link)
    except OrderInputError as error:
        db.session.rollback()
        return _page(link, {error.field: error.message}, values, 422)
    except CardDeclined as declined:
        return _page(link, {"card": declined.reason}, values, 402)
    except PaymentUnavailable:
        db.session.rollback()
        message = _("Card payments are not available right now. Please try again later.")
        return _page(link, {"card": message}, values, 503)
    except customer_payment.PaymentBusy:
        message = _("This quote is being paid right now. Wait a moment, then reload the page.")
        return _message(link, 409, _("Payment in progress"), message)
    except customer_payment.PaymentPending:
        message = _("Your payment is still being processed. Reload this page in a few minutes.")
        return _message(link, 202, _("Payment in progress"), message)
    except customer_payment.BookingFailed as failed:
        return _message(link, 409, _("Payment refunded"), failed.message)
    except customer_payment.QuoteChanged as changed:
        db.session.rollback()
        return _message(link, 409, _("This quote cannot be paid"), changed.message)
    flash(_("Thank you. Your payment was received."), "info")
    return _back(link)


@bp.post("/q/<token>/pay")
@limiter.limit(_pay_limit)
def pay(token: str) -> Response:
    return _answer(token, _pay, paying=True)


def _accept(link: Link) -> Response:
    try:
        customer.accept_for_invoice(link.quote)
    except customer.QuoteMoved:
        db.session.rollback()
        return _back(link)
    commit_and_dispatch()
    flash(_("Thank you. %(reseller)s will send you an invoice.", reseller=link.reseller), "info")
    return _back(link)


@bp.post("/q/<token>/accept")
def accept(token: str) -> Response:
    return _answer(token, _accept)


def _decline(link: Link) -> Response:
    try:
        customer.decline(link.quote, request.form.get("reason"))
    except OrderInputError as error:
        db.session.rollback()
        return _page(link, {error.field: error.message}, request.form.copy(), 422)
    except customer.QuoteMoved:
        db.session.rollback()
        return _back(link)
    commit_and_dispatch()
    flash(_("You declined the quote. %(reseller)s has been told.", reseller=link.reseller), "info")
    return _back(link)


@bp.post("/q/<token>/decline")
def decline(token: str) -> Response:
    return _answer(token, _decline)
