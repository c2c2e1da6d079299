"""``/admin/tenants/<id>/partner-prices``: partner-specific discounts of a tenant.

Vendor staff read; vendor administrators add, remove and import.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.admin.blueprint import attach_errors, bp, form_page
from channelfront.admin.inputs import InvalidInput, bps_to_percent
from channelfront.admin.tenant_services import publish
from channelfront.extensions import db
from channelfront.onboarding import partner_prices
from channelfront.onboarding.forms import PartnerPriceFileForm, PartnerPriceForm
from channelfront.orders.view_support import actor
from channelfront.tenancy.models import Tenant


def _writer() -> None:
    if current_user.role != "vendor_admin":
        abort(403, description=_("Only vendor administrators can change partner prices."))


def _page(tenant: Tenant, **forms: Any) -> tuple[str, int]:
    return form_page(
        "onboarding/partner_prices.html",
        edited_tenant=tenant,
        prices=partner_prices.listing(tenant),
        companies=partner_prices.enrolled_companies(tenant),
        percent=bps_to_percent,
        may_write=current_user.role == "vendor_admin",
        form=forms.get("form") or PartnerPriceForm(formdata=None),
        file_form=forms.get("file_form") or PartnerPriceFileForm(formdata=None),
        file_errors=forms.get("file_errors", []),
    )


def _done(tenant: Tenant, message: str) -> Response:
    publish()
    flash(message, "success")
    return redirect(url_for(".partner_prices_page", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>/partner-prices", methods=["GET", "POST"])
def partner_prices_page(tenant_id: int) -> Response | tuple[str, int]:
    tenant = db.get_or_404(Tenant, tenant_id)
    if request.method == "GET":
        return _page(tenant)
    _writer()
    form = PartnerPriceForm()
    if form.validate_on_submit():
        try:
            partner_prices.add(
                tenant,
                form.company.data or "",
                form.sku.data or "",
                form.discount_percent.data or "",
                actor(),
            )
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            return _done(tenant, _("The partner price is saved."))
    return _page(tenant, form=form)


@bp.post("/tenants/<int:tenant_id>/partner-prices/import")
def partner_prices_import(tenant_id: int) -> Response | tuple[str, int]:
    """A whole ``company, sku, discount_percent`` file; nothing is written if any row fails."""
    tenant = db.get_or_404(Tenant, tenant_id)
    _writer()
    file_form = PartnerPriceFileForm()
    if not file_form.validate_on_submit():
        return _page(tenant, file_form=file_form)
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read(2 * 1024 * 1024)
    else:
        data = (file_form.content.data or "").encode("utf-8")
    checked = partner_prices.check_file(tenant, data)
    if checked.errors:
        return _page(tenant, file_form=file_form, file_errors=checked.errors)
    count = partner_prices.import_file(tenant, checked, actor())
    return _done(tenant, _("%(num)d partner prices are saved.", num=count))


@bp.post("/tenants/<int:tenant_id>/partner-prices/<int:price_id>/delete")
def partner_prices_delete(tenant_id: int, price_id: int) -> Response:
    tenant = db.get_or_404(Tenant, tenant_id)
    _writer()
    if not partner_prices.remove(tenant, price_id, actor()):
        abort(404)
    return _done(tenant, _("The partner price is removed."))
