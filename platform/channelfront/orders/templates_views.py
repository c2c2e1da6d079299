"""Order templates and re-orders: save an order or the cart under a name, refill a cart."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from channelfront.catalog.views import current_terms
from channelfront.extensions import db
from channelfront.orders import cart as carts
from channelfront.orders import templates_service as service
from channelfront.orders.errors import OrderInputError
from channelfront.orders.history_views import resellers_only
from channelfront.orders.view_support import (
    actor,
    buyer_terms,
    has_endpoint,
    locale,
    may_buy,
    storefront_only,
)
from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.views import render

bp = Blueprint("order_templates", __name__)
bp.before_request(storefront_only)
bp.before_request(resellers_only)


def _cart_page() -> str:
    return url_for("cart.view") if has_endpoint("cart.view") else url_for("order_templates.index")


@bp.route("/orders/templates")
@login_required
def index() -> str:
    company_id = current_terms().enrollment.company_id
    templates = service.company_templates(company_id)
    product_ids = [line.product_id for t in templates for line in t.lines]
    labels = service.product_labels(product_ids, locale()) if product_ids else {}
    return render(
        "orders/templates_list.html", templates=templates, labels=labels, may_buy=may_buy()
    )


def _source() -> tuple[str, str]:
    """(``order``, number) or (``cart``, "") from the form or the query string."""
    values = request.form if request.method == "POST" else request.args
    number = (values.get("order") or "").strip()
    if number:
        return "order", number[:40]
    return "cart", ""


def _form(error: OrderInputError | None = None, name: str = "") -> tuple[str, int] | str:
    kind, number = _source()
    page = render("orders/templates_new.html", source=kind, number=number, error=error, name=name)
    return (page, 422) if error else page


@bp.route("/orders/templates/new")
@login_required
def new() -> tuple[str, int] | str:
    company_id = buyer_terms().enrollment.company_id
    kind, number = _source()
    if kind == "order" and service.find_order(company_id, number) is None:
        abort(404)
    return _form()


@bp.route("/orders/templates", methods=["POST"])
@login_required
def create() -> Response | tuple[str, int] | str:
    company_id = buyer_terms().enrollment.company_id
    kind, number = _source()
    name = request.form.get("name", "")
    try:
        if kind == "order":
            order = service.find_order(company_id, number)
            if order is None:
                abort(404)
            template = service.save_from_order(company_id, actor(), order, name)
        else:
            template = service.save_from_cart(company_id, actor(), carts.get_cart(actor()), name)
        db.session.commit()
    except OrderInputError as error:
        db.session.rollback()
        return _form(error, name)
    except IntegrityError:  # the same name saved by a colleague a moment ago
        db.session.rollback()
        taken = _("Your company already has a template with this name.")
        return _form(OrderInputError("name", taken), name)
    flash(_("The template %(name)s is saved.", name=template.name), "info")
    return redirect(url_for("order_templates.index"), 303)


def _flash_fill(fill: service.CartFill) -> None:
    if fill.added:
        flash(
            ngettext(
                "%(num)d product is in your cart at today's buy prices.",
                "%(num)d products are in your cart at today's buy prices.",
                len(fill.added),
            ),
            "info",
        )
    if fill.dropped:
        flash(
            _(
                "Left out, no longer available to you: %(products)s.",
                products=", ".join(fill.dropped),
            ),
            "warning",
        )


def _fill(wanted: list[service.Wanted], fallback: str) -> Response:
    """Refill the cart; show it, or go back to ``fallback`` when nothing could go in."""
    terms = buyer_terms()
    cart = carts.get_cart(actor())
    fill = service.fill_cart(cart, terms, current_tenant().currency, locale(), wanted)
    db.session.commit()
    _flash_fill(fill)
    return redirect(_cart_page() if fill.added else url_for(fallback), 303)


@bp.route("/orders/templates/<int:template_id>/cart", methods=["POST"])
@login_required
def to_cart(template_id: int) -> Response:
    company_id = buyer_terms().enrollment.company_id
    template = service.find_template(company_id, template_id)
    if template is None:
        abort(404)
    return _fill(service.template_lines(template), "order_templates.index")


@bp.route("/orders/templates/<int:template_id>/delete", methods=["POST"])
@login_required
def delete(template_id: int) -> Response:
    company_id = buyer_terms().enrollment.company_id
    template = service.find_template(company_id, template_id)
    if template is None:
        abort(404)
    name = template.name
    service.delete_template(template)
    db.session.commit()
    flash(_("The template %(name)s is deleted.", name=name), "info")
    return redirect(url_for("order_templates.index"), 303)


@bp.route("/orders/<number>/reorder", methods=["POST"])
@login_required
def reorder(number: str) -> Response:
    company_id = buyer_terms().enrollment.company_id
    order = service.find_order(company_id, number)
    if order is None:
        abort(404)
    return _fill(service.order_lines(order), "order_history.index")
