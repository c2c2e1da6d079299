"""Mounts the Partners area's pages on its blueprint, and ``/partners/settings``: the
distributor administrator's storefront-wide switches (the credit desk)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField

import channelfront.partners.audit_views  # noqa: F401  (pages on bp)
from channelfront.approvals.credit_desk import set_credit_desk
from channelfront.orders.view_support import actor, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.partners import applications, companies, staff  # noqa: F401  (pages on bp)
from channelfront.partners.blueprint import ADMIN_ROLES, bp, roles
from channelfront.theming.views import render

__all__ = ["bp"]


class SettingsForm(FlaskForm):
    credit_desk = BooleanField(
        _l(
            "Orders over the available credit, or with an overdue invoice, wait for the "
            "credit desk instead of being refused"
        ),
        description=_l("Distributor finance then approves or rejects each such order on account."),
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def settings() -> Response | tuple[str, int]:
    tenant = tenant_row()
    form = SettingsForm(data={"credit_desk": tenant.credit_desk})
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render("partners/settings.html", form=form, tenant=tenant), status
    changed = set_credit_desk(tenant, bool(form.credit_desk.data), actor())
    commit_and_dispatch()
    if not changed:
        flash(_("Nothing changed."), "success")
    elif form.credit_desk.data:
        flash(_("Orders over credit now wait for the credit desk."), "success")
    else:
        flash(_("Orders over credit are refused again."), "success")
    return redirect(url_for("partners.settings"))
