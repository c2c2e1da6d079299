"""The storefront home page of each tenant host."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.catalog.services import category_names
from channelfront.orders.history import recent_orders
from channelfront.tenancy.middleware import is_admin_site
from channelfront.theming.views import render

bp = Blueprint("storefront", __name__)


@bp.route("/")
def home() -> str | Response:
    if is_admin_site():
        return redirect(url_for("admin.index"))
    categories = category_names(str(get_locale())) if current_user.is_authenticated else {}
    company_id = getattr(current_user, "company_id", None)
    # Every user of a reseller company sees the company's latest orders on this storefront.
    recent = recent_orders(company_id) if company_id else None
    return render("storefront/home.html", categories=categories, recent_orders=recent)
