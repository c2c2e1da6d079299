"""Staff sign-in security: a vendor admin requires vendor and distributor staff to sign
in with a second factor."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField

from channelfront.admin.blueprint import bp, form_page, initial
from channelfront.admin.tenant_services import console_vendor
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.tenancy.models import Vendor


class StaffSecurityForm(FlaskForm):
    require_two_factor = BooleanField(
        _l("Vendor and distributor staff must use two-factor sign-in"),
        description=_l(
            "Staff without it are sent to set it up when they sign in, and can open "
            "nothing else until they have."
        ),
    )


def _vendor() -> Vendor:
    if current_user.role != "vendor_admin":
        abort(403)
    vendor = console_vendor()
    if vendor is None:
        abort(404)
    return vendor


@bp.route("/security", methods=["GET", "POST"])
def security() -> Response | tuple[str, int]:
    vendor = _vendor()
    form = StaffSecurityForm(data=initial({"require_two_factor": vendor.require_staff_two_factor}))
    if form.validate_on_submit():
        before = vendor.require_staff_two_factor
        after = bool(form.require_two_factor.data)
        if after and not current_user.two_factor_enabled:
            # Requiring it first would send this admin to enrol before anything else.
            form.require_two_factor.errors = [
                _("Turn on two-factor sign-in for your own account before requiring it of staff.")
            ]
            return form_page("admin/security.html", form=form, vendor=vendor)
        if after != before:
            vendor.require_staff_two_factor = after
            record(
                "vendor.staff_two_factor_changed",
                vendor,
                label=vendor.name,
                before={"require_staff_two_factor": before},
                after={"require_staff_two_factor": after},
            )
            db.session.commit()
        flash(_("Staff sign-in security is saved."), "success")
        return redirect(url_for("admin.security"))
    return form_page("admin/security.html", form=form, vendor=vendor)
