"""Catalog pages: the authorized products with list price, buy price and saving."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from channelfront.catalog import services
from channelfront.catalog.params import ParamError, parse_catalog_args
from channelfront.pricing.services import PartnerTerms, load_terms
from channelfront.tenancy.middleware import current_tenant, is_admin_site
from channelfront.theming.views import render

bp = Blueprint("catalog", __name__)


@bp.before_request
def _storefront_only() -> None:
    if is_admin_site():
        abort(404)


def current_terms() -> PartnerTerms:
    """The signed-in reseller's terms on this tenant; 403 for anyone else."""
    if "terms" not in g:
        company_id = getattr(current_user, "company_id", None)
        g.terms = load_terms(company_id) if company_id else None
    if g.terms is None:
        abort(403, description=_("The catalog is for reseller accounts enrolled here."))
    return g.terms


@bp.route("/catalog")
@login_required
def index() -> tuple[str, int] | str:
    terms = current_terms()
    locale = str(get_locale())
    categories = services.category_names(locale)
    try:
        args = parse_catalog_args(request.args)
    except ParamError as exc:
        abort(400, description=exc.message)
    category_id = None
    if args.category is not None:
        category_id = next(
            (cid for cid, (slug, _n) in categories.items() if slug == args.category), None
        )
        if category_id is None:
            abort(400, description=_("There is no such category."))
    page = services.browse(
        terms,
        current_tenant().currency,
        locale,
        query=args.query,
        category_id=category_id,
        page=args.page,
        per_page=current_app.config["CATALOG_PAGE_SIZE"],
        categories=categories,
    )
    return render("catalog/index.html", page=page, args=args, categories=categories)


@bp.route("/catalog/<sku>")
@login_required
def detail(sku: str) -> str:
    terms = current_terms()
    if len(sku) > 40 or not sku.isprintable():
        abort(404)
    item = services.find(terms, current_tenant().currency, str(get_locale()), sku)
    if item is None:
        abort(404)
    return render("catalog/detail.html", item=item)
