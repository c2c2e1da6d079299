"""Renewal pages: the reseller's subscriptions (renew through the cart, send the link),
and the end customer's renewal page on the distributor's host, reached by a signed link."""

from __future__ import annotations

from math import ceil

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from channelfront.accounts.models import UserKind
from channelfront.catalog.views import current_terms
from channelfront.customers.models import Customer
from channelfront.extensions import db, limiter
from channelfront.orders import cart as carts
from channelfront.orders.errors import OrderInputError
from channelfront.orders.signals import renewal_notice_sent
from channelfront.orders.view_support import (
    actor,
    buyer_terms,
    locale,
    may_buy,
    storefront_only,
    tenant_row,
)
from channelfront.outbox.services import commit_and_dispatch, enqueue
from channelfront.payments.card_source import card_source
from channelfront.payments.errors import CardDeclined, PaymentUnavailable
from channelfront.payments.stripe_client import configured, elements_mode, local_mode
from channelfront.renewals import links, offers, partner, queries, selfservice, terms
from channelfront.renewals.mail import LINK_TOPIC
from channelfront.renewals.models import SubscriptionTerm
from channelfront.subscriptions.models import ACTIVE, Subscription
from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.views import render
from channelfront.web.params import parse_whole

bp = Blueprint("renewals", __name__)
bp.before_request(storefront_only)
MAX_PAGE = 100_000


# --- the reseller's subscriptions -------------------------------------------------------


def _company_id() -> int:
    if current_user.kind != UserKind.RESELLER:
        abort(403, description=_("Subscriptions belong to reseller accounts."))
    return current_terms().enrollment.company_id


def _page_number() -> int:
    page = parse_whole(request.args.get("page") or "1", 1, MAX_PAGE)
    if page is None:
        abort(
            400, description=_("The page must be a whole number from 1 to %(max)d.", max=MAX_PAGE)
        )
    return page


def _list(errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    company_id = _company_id()
    total = queries.count(company_id)
    pages = max(1, ceil(total / queries.PAGE_SIZE))
    page = min(_page_number(), pages)
    tenant_id = tenant_row().id
    rows = queries.page_of(company_id, page, locale(), terms.today())
    return render(
        "renewals/subscriptions.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        may_renew=may_buy(),
        link_for=lambda sub: links.renewal_url(tenant_id, sub.id),
        errors=errors or {},
    ), status


@bp.get("/subscriptions")
@login_required
def subscriptions() -> tuple[str, int]:
    return _list()


def _own_subscription(subscription_id: int) -> Subscription:
    """One of the company's subscriptions, for a user who may buy; 404 for anyone else's."""
    terms_ = buyer_terms()
    subscription = terms.find_subscription(subscription_id, terms_.enrollment.company_id)
    if subscription is None:
        abort(404)
    return subscription


@bp.post("/subscriptions/<int:subscription_id>/renew")
@login_required
def renew_in_cart(subscription_id: int) -> Response | tuple[str, int]:
    subscription = _own_subscription(subscription_id)
    tenant = tenant_row()
    try:
        priced = partner.renew_in_cart(
            carts.get_cart(actor()), buyer_terms(), tenant.currency, locale(), subscription
        )
    except OrderInputError as error:
        db.session.rollback()
        return _list({str(subscription_id): error.message}, 422)
    db.session.commit()
    flash(_("The renewal of %(name)s is in your cart.", name=priced.name), "info")
    return redirect(url_for("cart.view"), 303)


@bp.post("/subscriptions/<int:subscription_id>/send-link")
@login_required
def send_link(subscription_id: int) -> Response | tuple[str, int]:
    subscription = _own_subscription(subscription_id)
    if subscription.status != ACTIVE:
        message = _("A cancelled subscription cannot be renewed.")
        return _list({str(subscription_id): message}, 422)
    customer = db.session.get(Customer, subscription.customer_id)
    url = links.renewal_url(tenant_row().id, subscription.id)
    enqueue(subscription.tenant_id, LINK_TOPIC, {"subscription_id": subscription.id, "url": url})
    renewal_notice_sent.send(subscription)
    commit_and_dispatch()
    flash(_("The renewal link is on its way to %(email)s.", email=customer.email), "info")
    return redirect(url_for("renewals.subscriptions"), 303)


# --- the end customer's renewal page ------------------------------------------------------


class _Gone(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _target(token: str) -> Subscription:
    """The subscription a link names, on this storefront only; 404 for anything else."""
    tenant = current_tenant()
    try:
        target = links.read_token(token)
    except links.LinkExpired:
        raise _Gone(
            410, _("This renewal link has expired. Please ask your reseller for a new one.")
        ) from None
    if tenant is None or target is None or target.tenant_id != tenant.id:
        abort(404)
    subscription = terms.find_subscription(target.subscription_id)
    if subscription is None:
        abort(404)
    return subscription


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _public(page: str, status: int) -> Response:
    response = current_app.make_response((page, status))
    return _no_store(response)


def _message(status: int, title: str, message: str) -> Response:
    return _public(render("renewals/message.html", title=title, message=message), status)


def _card_mode() -> str | None:
    return "local" if local_mode() else "elements" if elements_mode() else None


def _renew_page(
    token: str,
    offer: offers.Offer,
    errors: dict[str, str] | None = None,
    values: MultiDict[str, str] | None = None,
    status: int = 200,
) -> Response:
    page = render(
        "renewals/renew.html",
        token=token,
        offer=offer,
        mode=_card_mode(),
        available=configured(),
        errors=errors or {},
        values=values or MultiDict(),
    )
    return _public(page, status)


def _offer_or_message(token: str) -> offers.Offer | Response:
    try:
        subscription = _target(token)
        return offers.offer(subscription, tenant_row().currency, locale())
    except _Gone as gone:
        return _message(gone.status, _("Renewal link expired"), gone.message)
    except offers.NotRenewable as refused:
        status = 410 if refused.reason == "cancelled" else 409
        return _message(status, _("Renewal not possible"), refused.message)


@bp.get("/renew/<token>")
def renew(token: str) -> Response:
    offer = _offer_or_message(token)
    if isinstance(offer, Response):
        return offer
    return _renew_page(token, offer)


def _pay_limit() -> str:
    return str(current_app.config.get("RENEWAL_PAY_RATE_LIMIT") or "10 per minute")


@bp.post("/renew/<token>")
@limiter.limit(_pay_limit)
def pay(token: str) -> Response:
    offer = _offer_or_message(token)
    if isinstance(offer, Response):
        return offer
    form = request.form
    try:
        source = card_source(form)
        term = selfservice.pay(offer, form.get("term"), form.get("amount"), source)
    except selfservice.AlreadyRenewed as done:
        return redirect(url_for("renewals.renewed", token=token, term_index=done.term_index), 303)
    except OrderInputError as error:
        db.session.rollback()
        return _renew_page(token, offer, {error.field: error.message}, form.copy(), 422)
    except CardDeclined as declined:
        return _renew_page(token, offer, {"card": declined.reason}, form.copy(), 402)
    except PaymentUnavailable:
        db.session.rollback()
        message = _("Card payments are not available right now. Please try again later.")
        return _renew_page(token, offer, {"card": message}, form.copy(), 503)
    except selfservice.PaymentBusy:
        message = _("This renewal is being paid right now. Wait a moment, then reload the page.")
        return _message(409, _("Payment in progress"), message)
    except selfservice.PaymentPending:
        message = _("Your payment is still being processed. Reload this page in a few minutes.")
        return _message(202, _("Payment in progress"), message)
    except selfservice.RenewedMeanwhile:
        message = _(
            "This subscription was renewed by someone else a moment ago. "
            "Your card payment has been refunded."
        )
        return _message(409, _("Already renewed"), message)
    return redirect(url_for("renewals.renewed", token=token, term_index=term.term_index), 303)


@bp.get("/renew/<token>/terms/<int:term_index>")
def renewed(token: str, term_index: int) -> Response:
    try:
        subscription = _target(token)
    except _Gone as gone:
        return _message(gone.status, _("Renewal link expired"), gone.message)
    term = db.session.scalar(
        select(SubscriptionTerm).where(
            SubscriptionTerm.subscription_id == subscription.id,
            SubscriptionTerm.term_index == term_index,
        )
    )
    if term is None:
        if 0 < term_index <= subscription.term_index:
            message = _("The renewal is paid and is being recorded. Reload this page shortly.")
            return _message(200, _("Renewal paid"), message)
        abort(404)
    page = render(
        "renewals/renewed.html",
        term=term,
        subscription=subscription,
        product_name=offers.product_name(subscription.product_id, locale()),
    )
    return _public(page, 200)
