"""Product pages: the catalog list and adding a product."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from channelfront.admin import product_texts, queries
from channelfront.admin.blueprint import attach_errors, bp, form_page, initial
from channelfront.admin.catalog_services import ProductSpec, create_product
from channelfront.admin.forms import ProductForm, price_fields
from channelfront.admin.inputs import InvalidInput
from channelfront.admin.labels import KIND_LABELS
from channelfront.catalog.models import ProductKind
from channelfront.catalog.texts import missing_locales
from channelfront.extensions import db
from channelfront.tenancy.manifests import CURRENCIES
from channelfront.theming.views import render

# The texts pages (edit per locale, CSV import and export) join the console's blueprint.
__all__ = ["product_texts"]


@bp.route("/products")
def products() -> str:
    return render(
        "admin/products.html",
        rows=queries.product_rows(str(get_locale())),
        currencies=CURRENCIES,
        kind_labels=KIND_LABELS,
        missing=missing_locales(),
    )


def _product_form() -> ProductForm:
    form = ProductForm(data=initial({"kind": ProductKind.SUBSCRIPTION.value, "term_months": 12}))
    form.category.choices = queries.categories(str(get_locale()))
    form.kind.choices = list(KIND_LABELS.items())
    form.groups.choices = [(g.id, g.name) for g in queries.groups()]
    return form


@bp.route("/products/new", methods=["GET", "POST"])
def new_product() -> Response | tuple[str, int]:
    form = _product_form()
    if form.validate_on_submit():
        spec = ProductSpec(
            sku=form.sku.data or "",
            category_id=form.category.data,
            kind=form.kind.data or "",
            term_months=form.term_months.data,
            name=form.name.data or "",
            description=form.description.data or "",
            group_ids=tuple(form.groups.data or ()),
            prices={cur: field.data or "" for cur, field in price_fields(form).items()},
        )
        try:
            product = create_product(spec)
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Product %(sku)s is added.", sku=product.sku), "success")
            return redirect(url_for(".products"))
    return form_page("admin/product_form.html", form=form, prices=price_fields(form))
