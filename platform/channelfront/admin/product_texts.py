"""Product texts in the console: every shipped locale on one page, CSV export and import."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from channelfront.admin.blueprint import attach_errors, bp, form_page, initial
from channelfront.admin.forms import ProductTextsForm, ProductTextsImportForm
from channelfront.catalog import texts_csv
from channelfront.catalog.models import Product
from channelfront.catalog.texts import Text, apply_texts, check_text, texts_of
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES

EXPORT_NAME = "product-texts.csv"


def _product(product_id: int) -> Product:
    product = db.session.get(Product, product_id, options=[selectinload(Product.texts)])
    if product is None:
        abort(404)
    return product


def _form(product: Product) -> ProductTextsForm:
    stored = texts_of(product)
    values = {}
    for locale in SHIPPED_LOCALES:
        text = stored.get(locale, Text(""))
        values[f"name_{locale}"] = text.name
        values[f"description_{locale}"] = text.description
    return ProductTextsForm(data=initial(values))


def _typed(form: ProductTextsForm) -> dict[str, Text]:
    return {
        locale: Text(form[f"name_{locale}"].data or "", form[f"description_{locale}"].data or "")
        for locale in SHIPPED_LOCALES
    }


@bp.route("/products/<int:product_id>/texts", methods=["GET", "POST"])
def product_texts(product_id: int) -> Response | tuple[str, int]:
    """Edit a product's name and description in every shipped locale (English required)."""
    product = _product(product_id)
    form = _form(product)
    if form.validate_on_submit():
        typed = _typed(form)
        errors = {
            f"{field}_{locale}": message
            for locale, text in typed.items()
            for field, message in check_text(locale, text).items()
        }
        if errors:
            attach_errors(form, errors)
        else:
            apply_texts(product, typed)
            db.session.commit()
            flash(_("The texts of %(sku)s are saved.", sku=product.sku), "success")
            return redirect(url_for(".products"))
    return form_page(
        "admin/product_texts.html", form=form, product=product, locales=SHIPPED_LOCALES
    )


@bp.route("/products/texts.csv")
def product_texts_export() -> Response:
    """Every product's texts, one row per product and locale (UTF-8 with a BOM)."""
    return Response(
        "\ufeff" + texts_csv.export_csv(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{EXPORT_NAME}"',
            "Cache-Control": "no-store",
        },
    )


def _upload() -> bytes:
    try:
        posted = request.files.get("file")
    except RequestEntityTooLarge:
        return b"\0" * (texts_csv.MAX_BYTES + 1)
    if posted is None:
        return b""
    # Close at once: a large upload is spooled to a temporary file.
    with posted.stream:
        return posted.read(texts_csv.MAX_BYTES + 1)


@bp.route("/products/texts/import", methods=["GET", "POST"])
def product_texts_import() -> Response | tuple[str, int]:
    """Upload texts as CSV: checked whole; any error writes nothing and lists every error."""
    form = ProductTextsImportForm()
    errors: list[texts_csv.RowError] = []
    if form.validate_on_submit():
        data = _upload()
        checked = (
            texts_csv.check_file(data)
            if data
            else texts_csv.Checked(
                errors=[texts_csv.RowError(0, texts_csv.FILE, _("Choose a CSV file to upload."))]
            )
        )
        errors = checked.errors
        if not errors:
            changed = texts_csv.import_texts(checked)
            db.session.commit()
            flash(
                _(
                    "%(rows)d rows read; the texts of %(products)d products changed.",
                    rows=checked.rows,
                    products=changed,
                ),
                "success",
            )
            return redirect(url_for(".products"))
        db.session.rollback()
    return form_page(
        "admin/product_texts_import.html",
        form=form,
        errors=errors[: texts_csv.MAX_ERRORS],
        error_count=len(errors),
        columns=texts_csv.COLUMNS,
    )
