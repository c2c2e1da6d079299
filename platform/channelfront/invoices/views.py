"""Invoice pages: the list, the printable invoice, marking paid (finance) and paying by card.

Reseller users see their company's invoices; distributor staff see every invoice of
their tenant. Anyone else, or any other number, gets a 404.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from channelfront.accounts.models import Company, User, UserKind
from channelfront.catalog.params import ParamError
from channelfront.catalog.views import current_terms
from channelfront.extensions import db
from channelfront.i18n.formatting import Money
from channelfront.invoices.models import Invoice
from channelfront.invoices.services import mark_paid
from channelfront.orders.credit import credit_status
from channelfront.orders.errors import OrderInputError
from channelfront.orders.models import Order
from channelfront.orders.view_support import BUYING_ROLES, actor, storefront_only
from channelfront.payments import card
from channelfront.quotes import margin
from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.views import render
from channelfront.web.params import page_number

bp = Blueprint("invoices", __name__)
bp.before_request(storefront_only)

STATES = ("open", "overdue", "paid")
FINANCE_ROLE = "distributor_finance"


def _today() -> date:
    return datetime.now(UTC).date()


def _company_scope() -> int | None:
    """The company whose invoices the user sees; None for distributor staff (all of them)."""
    if current_user.kind == UserKind.DISTRIBUTOR:
        return None
    return current_terms().enrollment.company_id  # 403 for anyone not enrolled here


def state_of(invoice: Invoice) -> str:
    if invoice.status == "open" and invoice.due_on < _today():
        return "overdue"
    return invoice.status


def _listing(company_id: int | None, state: str | None) -> Select[Any]:
    stmt = (
        select(Invoice, Order.number, Company.name)
        .join(Order, Order.id == Invoice.order_id)
        .join(Company, Company.id == Invoice.company_id)
    )
    if company_id is not None:
        stmt = stmt.where(Invoice.company_id == company_id)
    if state == "paid":
        stmt = stmt.where(Invoice.status == "paid")
    elif state == "open":
        stmt = stmt.where(Invoice.status == "open", Invoice.due_on >= _today())
    elif state == "overdue":
        stmt = stmt.where(Invoice.status == "open", Invoice.due_on < _today())
    return stmt.order_by(Invoice.issued_on.desc(), Invoice.id.desc())


def _list_args() -> tuple[str | None, int]:
    state = (request.args.get("status") or "").strip() or None
    if state is not None and state not in STATES:
        raise ParamError("status", _("Choose open, overdue or paid invoices."))
    return state, page_number(request.args)


@bp.route("/invoices")
@login_required
def index() -> str:
    company_id = _company_scope()
    try:
        state, page = _list_args()
    except ParamError as error:
        abort(400, description=error.message)
    stmt = _listing(company_id, state)
    per_page = current_app.config.get("INVOICE_PAGE_SIZE", 25)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-(total or 0) // per_page))
    page = min(page, pages)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    credit = None
    owed, clawbacks = None, []
    if company_id is not None:
        currency = current_tenant().currency
        credit = credit_status(current_terms().enrollment, currency, _today())
        # Margin of refunded quotes the reseller had spent already: owed back.
        owed = margin.owed(company_id, currency)
        clawbacks = margin.clawbacks(company_id, currency) if owed.minor else []
    return render(
        "invoices/list.html",
        rows=[
            (
                invoice,
                number,
                company,
                state_of(invoice),
                Money(invoice.total_minor, invoice.currency),
            )
            for invoice, number, company in rows
        ],
        state=state,
        page=page,
        pages=pages,
        total=total or 0,
        credit=credit,
        owed=owed,
        clawbacks=clawbacks,
        for_finance=company_id is None,
        may_mark_paid=current_user.role == FINANCE_ROLE,
    )


def _find(number: str, *, lock: bool = False) -> tuple[Invoice, Order]:
    """The invoice by number if the user may see it, with its order; 404 otherwise."""
    company_id = _company_scope()
    if not number or len(number) > 20 or not number.isprintable():
        abort(404)
    stmt = select(Invoice).where(Invoice.number == number)
    if company_id is not None:
        stmt = stmt.where(Invoice.company_id == company_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    invoice = db.session.scalar(stmt)
    if invoice is None:
        abort(404)
    order = db.session.scalar(
        select(Order)
        .where(Order.id == invoice.order_id)
        .options(selectinload(Order.lines), joinedload(Order.customer))
    )
    return invoice, order


def _may_pay(invoice: Invoice) -> bool:
    return (
        current_user.kind == UserKind.RESELLER
        and current_user.role in BUYING_ROLES
        and invoice.status == "open"
    )


def _detail(
    invoice: Invoice, order: Order, error: OrderInputError | None = None, status: int = 200
) -> tuple[str, int]:
    may_pay = _may_pay(invoice)
    page = render(
        "invoices/detail.html",
        invoice=invoice,
        order=order,
        state=state_of(invoice),
        total=Money(invoice.total_minor, invoice.currency),
        credit_used=Money(order.credit_minor, order.currency) if order.credit_minor else None,
        lines=[
            (
                line,
                Money(line.unit_price_minor, order.currency),
                Money(line.total_minor, order.currency),
            )
            for line in order.lines
        ],
        company=db.session.get(Company, invoice.company_id),
        buyer=db.session.get(User, order.buyer_id),
        may_mark_paid=current_user.role == FINANCE_ROLE and invoice.status == "open",
        may_pay=may_pay,
        cards=card.saved_cards(invoice.company_id) if may_pay else [],
        error=error,
    )
    return page, status


@bp.route("/invoices/<number>")
@login_required
def detail(number: str) -> tuple[str, int]:
    return _detail(*_find(number))


@bp.route("/invoices/<number>/mark-paid", methods=["POST"])
@login_required
def mark_invoice_paid(number: str) -> Response:
    invoice, order = _find(number, lock=True)
    if current_user.role != FINANCE_ROLE:
        abort(403, description=_("Only the distributor's finance team can mark invoices paid."))
    if invoice.status == "paid":
        flash(_("Invoice %(number)s was already paid.", number=invoice.number), "info")
    else:
        mark_paid(invoice, order, current_user.id, "finance")
        db.session.commit()
        flash(_("Invoice %(number)s is marked paid.", number=invoice.number), "info")
    return redirect(url_for("invoices.detail", number=invoice.number), 303)


def _card_field() -> str:
    value = (request.form.get("payment_method") or "").strip()
    if not value or len(value) > 100 or not value.isprintable():
        raise OrderInputError("payment_method", _("Choose one of your company's saved cards."))
    return value


@bp.route("/invoices/<number>/pay", methods=["POST"])
@login_required
def pay(number: str) -> Response | tuple[str, int]:
    invoice, order = _find(number)
    if not (current_user.kind == UserKind.RESELLER and current_user.role in BUYING_ROLES):
        abort(403, description=_("Your role can see invoices but not pay them."))
    if invoice.status != "open":
        flash(_("Invoice %(number)s was already paid.", number=invoice.number), "info")
        return redirect(url_for("invoices.detail", number=invoice.number), 303)
    try:
        card.pay_invoice(invoice, order, _card_field(), actor())
    except card.PaymentUnavailable:
        db.session.rollback()
        message = _("Card payments are not available right now. Please try again later.")
        return _detail(invoice, order, OrderInputError("payment_method", message), 503)
    except OrderInputError as error:  # not one of the company's saved cards
        db.session.rollback()
        return _detail(invoice, order, error, 422)
    except card.CardDeclined as error:  # the invoice stays open; the reason is for the buyer
        db.session.rollback()
        return _detail(invoice, order, OrderInputError("payment_method", error.reason), 402)
    flash(_("Invoice %(number)s is paid. Thank you.", number=invoice.number), "info")
    return redirect(url_for("invoices.detail", number=invoice.number), 303)
