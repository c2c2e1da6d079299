"""``/apply``: a reseller applies to become a partner of this storefront, and confirms its
e-mail address through the link mailed to it. Storefront hosts only."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from limits import RateLimitItem, parse_many
from werkzeug.wrappers import Response

from channelfront.accounts.link_pages import link_refused_page
from channelfront.accounts.links import LinkRefused
from channelfront.admin.blueprint import attach_errors
from channelfront.admin.inputs import InvalidInput
from channelfront.extensions import db, limiter
from channelfront.orders.view_support import storefront_only, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.partners import application_services as services
from channelfront.partners.application_forms import ApplyForm, apply_form, program_id
from channelfront.theming.views import render

bp = Blueprint("apply", __name__)
bp.before_request(storefront_only)

RATE_SCOPE = "partner-application"
DEFAULT_RATE = "5 per hour"


def _limits() -> list[RateLimitItem]:
    return parse_many(str(current_app.config.get("APPLY_RATE_LIMIT") or DEFAULT_RATE))


def _spent() -> bool:
    """True when this address has sent as many applications as the limit allows."""
    if not limiter.enabled:
        return False
    address = request.remote_addr or "unknown"
    return not all(limiter.limiter.test(item, RATE_SCOPE, address) for item in _limits())


def _count() -> None:
    if limiter.enabled:
        address = request.remote_addr or "unknown"
        for item in _limits():
            limiter.limiter.hit(item, RATE_SCOPE, address)


def _too_many() -> tuple[str, int]:
    message = _(
        "Too many applications have been sent from your network. "
        "Please try again in an hour, or contact us directly."
    )
    title = _("Too many applications")
    return render("error.html", status=429, title=title, message=message), 429


def _input(form: ApplyForm) -> services.ApplicationInput:
    def text(name: str) -> str:
        return " ".join(str(form[name].data or "").split())

    return services.ApplicationInput(
        company_name=text("company_name"),
        address_line=text("address_line"),
        postal_code=text("postal_code"),
        city=text("city"),
        country=str(form.country.data),
        tax_id=text("tax_id"),
        website=text("website"),
        contact_name=text("contact_name"),
        contact_email=text("contact_email"),
        program_id=program_id(form),
    )


@bp.route("/apply", methods=["GET", "POST"])
def apply() -> Response | tuple[str, int]:
    tenant = tenant_row()
    if request.method == "POST" and _spent():
        return _too_many()
    form = apply_form()
    if form.validate_on_submit():
        try:
            services.submit(_input(form), tenant, str(get_locale()))
        except InvalidInput as refused:
            db.session.rollback()
            attach_errors(form, refused.errors)
        else:
            _count()
            commit_and_dispatch()
            return redirect(url_for("apply.sent"), 303)
    status = 400 if request.method == "POST" else 200
    return render("partners/apply.html", form=form), status


@bp.get("/apply/sent")
def sent() -> str:
    return render("partners/apply_sent.html")


@bp.get("/apply/verify/<token>")
def verify(token: str) -> str | tuple[str, int]:
    tenant = tenant_row()
    try:
        application = services.verify(token, tenant)
    except LinkRefused as refused:
        db.session.rollback()
        return link_refused_page(refused)
    commit_and_dispatch()
    return render("partners/apply_verified.html", application=application)
