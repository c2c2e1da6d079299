"""Vendor console: tenants, reseller companies and enrollments, products and programs."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channelfront.accounts.models import Company, UserKind
from channelfront.catalog.models import Product
from channelfront.extensions import db
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.middleware import is_admin_site
from channelfront.tenancy.models import Tenant
from channelfront.theming.views import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _vendor_staff_only() -> None:
    if not is_admin_site():
        abort(404)
    if current_user.kind != UserKind.VENDOR:
        abort(403)


@bp.route("/")
def index() -> str:
    tenants = db.session.scalars(
        select(Tenant).options(selectinload(Tenant.hosts)).order_by(Tenant.name)
    ).all()
    return render("admin/tenants.html", tenants=tenants)


@bp.route("/companies")
def companies() -> str:
    rows = db.session.scalars(select(Company).order_by(Company.name)).all()
    enrollments = db.session.scalars(
        select(Enrollment).options(selectinload(Enrollment.program))
    ).all()
    tenants = {t.id: t for t in db.session.scalars(select(Tenant))}
    return render("admin/companies.html", companies=rows, enrollments=enrollments, tenants=tenants)


@bp.route("/products")
def products() -> str:
    rows = db.session.scalars(
        select(Product).options(selectinload(Product.texts), selectinload(Product.prices)).order_by(Product.sku)
    ).all()
    programs = db.session.scalars(select(Program).options(selectinload(Program.rules))).all()
    return render("admin/products.html", products=rows, programs=programs)
