"""The storefront home page of each tenant host."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.accounts.models import UserKind
from channelfront.catalog.services import category_names
from channelfront.orders.history import recent_orders
from channelfront.storefront.nav import cart_count
from channelfront.storefront.staff import staff_queues
from channelfront.tenancy.middleware import is_admin_site
from channelfront.theming.stored import featured_products
from channelfront.theming.views import brand, render

bp = Blueprint("storefront", __name__)
bp.add_app_template_global(cart_count, "cart_count")


@bp.route("/")
def home() -> str | Response:
    if is_admin_site():
        return redirect(url_for("admin.index"))
    if current_user.is_authenticated and current_user.kind == UserKind.DISTRIBUTOR:
        # Distributor staff do not buy: their home is the work waiting for them.
        queues = staff_queues(current_user, set(current_app.view_functions))
        return render("storefront/staff_home.html", queues=queues)
    locale = str(get_locale())
    categories = category_names(locale) if current_user.is_authenticated else {}
    look = brand()
    company_id = getattr(current_user, "company_id", None)
    # Every user of a reseller company sees the company's latest orders on this storefront.
    recent = recent_orders(company_id) if company_id else None
    return render(
        "storefront/home.html",
        categories=categories,
        recent_orders=recent,
        banner=look["banner"].get(locale) or look["banner"].get("en"),
        featured=featured_products(look["featured"], locale),
    )
