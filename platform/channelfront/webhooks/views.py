"""Webhook pages. ``/company/webhooks``: a company admin manages the company's endpoints
(its CRM). ``/partners/webhooks``: a distributor admin manages the tenant's (its ERP).
Create, delete, rotate the secret, enable again, send a test event, the delivery log and
redelivery. The secret is shown once, on the page that answers a create or a rotation.
Another owner's endpoint is not found (404)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from channelfront.company.blueprint import _company_admins_only as company_admins_only
from channelfront.extensions import db
from channelfront.orders.view_support import actor, storefront_only, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.partners.blueprint import ADMIN_ROLES, roles
from channelfront.partners.blueprint import _distributor_staff_only as distributor_staff_only
from channelfront.theming.views import render
from channelfront.webhooks import services
from channelfront.webhooks.events import EVENT_TYPES
from channelfront.webhooks.forms import ActionForm, EndpointForm
from channelfront.webhooks.models import WebhookEndpoint
from channelfront.webhooks.services import EndpointInput, EndpointRefused, Owner

Page = Response | tuple[str, int]

company_bp = Blueprint("company_webhooks", __name__, url_prefix="/company/webhooks")
company_bp.before_request(storefront_only)
company_bp.before_request(company_admins_only)
partner_bp = Blueprint("partner_webhooks", __name__, url_prefix="/partners/webhooks")
partner_bp.before_request(storefront_only)
partner_bp.before_request(distributor_staff_only)


@partner_bp.before_request
@roles(*ADMIN_ROLES)
def _admins_only() -> None:
    return None


@dataclass(frozen=True)
class Area:
    endpoint: str  # the blueprint's name
    title: str
    owner: Owner


def _area() -> Area:
    if request.blueprint == "company_webhooks":
        owner = Owner(tenant_row().id, actor().company_id)
        return Area("company_webhooks", _("Webhooks of your company"), owner)
    return Area("partner_webhooks", _("Webhooks of this site"), Owner(tenant_row().id, None))


def _endpoint(area: Area, endpoint_id: int) -> WebhookEndpoint:
    found = services.endpoint_of(area.owner, endpoint_id)
    if found is None:
        abort(404)
    return found


def _check_button() -> None:
    if not ActionForm().validate():
        abort(400, description=_("The form expired. Reload the page and try again."))


def _list(area: Area, form: EndpointForm | None = None, status: int = 200) -> Page:
    page = render(
        "webhooks/list.html",
        area=area,
        endpoints=services.endpoints_of(area.owner),
        form=form or EndpointForm(formdata=None),
        event_types=EVENT_TYPES,
    )
    return page, status


def _secret_page(area: Area, endpoint: WebhookEndpoint, secret: str, rotated: bool) -> Page:
    page = render(
        "webhooks/secret.html", area=area, endpoint=endpoint, secret=secret, rotated=rotated
    )
    return page, 200


def _back(area: Area, endpoint_id: int | None = None) -> Response:
    if endpoint_id is None:
        return redirect(url_for(f"{area.endpoint}.list"))
    return redirect(url_for(f"{area.endpoint}.show", endpoint_id=endpoint_id))


def list_endpoints() -> Page:
    return _list(_area())


def create() -> Page:
    area = _area()
    form = EndpointForm()
    if not form.validate():
        return _list(area, form, 400)
    entry = EndpointInput(form.url.data or "", form.chosen_events(), form.description.data or "")
    try:
        endpoint = services.create(area.owner, entry, actor())
    except EndpointRefused as refused:
        db.session.rollback()
        field = getattr(form, refused.field)
        field.errors = [*field.errors, refused.message]
        return _list(area, form, 422)
    secret = endpoint.secret
    commit_and_dispatch()
    return _secret_page(area, endpoint, secret, rotated=False)


def show(endpoint_id: int) -> Page:
    area = _area()
    endpoint = _endpoint(area, endpoint_id)
    number = request.args.get("page", "1")
    page = services.deliveries(endpoint, int(number) if number.isdigit() else 1)
    html = render(
        "webhooks/show.html",
        area=area,
        endpoint=endpoint,
        log=page,
        action_form=ActionForm(formdata=None),
    )
    return html, 200


def delete(endpoint_id: int) -> Page:
    area = _area()
    endpoint = _endpoint(area, endpoint_id)
    if request.method == "GET":
        html = render(
            "webhooks/delete.html", area=area, endpoint=endpoint, form=ActionForm(formdata=None)
        )
        return html, 200
    _check_button()
    url = endpoint.url
    services.delete(endpoint, actor())
    commit_and_dispatch()
    flash(_("The endpoint %(url)s is deleted.", url=url), "success")
    return _back(area)


def rotate(endpoint_id: int) -> Page:
    area = _area()
    endpoint = _endpoint(area, endpoint_id)
    _check_button()
    secret = services.rotate(endpoint, actor())
    commit_and_dispatch()
    return _secret_page(area, endpoint, secret, rotated=True)


def enable(endpoint_id: int) -> Page:
    area = _area()
    endpoint = _endpoint(area, endpoint_id)
    _check_button()
    services.enable(endpoint, actor())
    commit_and_dispatch()
    flash(_("The endpoint is enabled again."), "success")
    return _back(area, endpoint_id)


def test(endpoint_id: int) -> Page:
    area = _area()
    endpoint = _endpoint(area, endpoint_id)
    _check_button()
    if endpoint.disabled_at is not None:
        flash(_("Enable the endpoint before sending it a test event."), "error")
        return _back(area, endpoint_id)
    services.test(endpoint)
    commit_and_dispatch()
    flash(_("A test event is on its way; it appears in the delivery log."), "success")
    return _back(area, endpoint_id)


def redeliver(endpoint_id: int, delivery_id: int) -> Page:
    area = _area()
    endpoint = _endpoint(area, endpoint_id)
    delivery = services.delivery_of(endpoint, delivery_id)
    if delivery is None:
        abort(404)
    _check_button()
    services.redeliver(delivery)
    commit_and_dispatch()
    flash(_("The event is being sent again with the same webhook-id."), "success")
    return _back(area, endpoint_id)


for _bp in (company_bp, partner_bp):
    _bp.add_url_rule("", "list", list_endpoints, methods=["GET"])
    _bp.add_url_rule("", "create", create, methods=["POST"])
    _bp.add_url_rule("/<int:endpoint_id>", "show", show, methods=["GET"])
    _bp.add_url_rule("/<int:endpoint_id>/delete", "delete", delete, methods=["GET", "POST"])
    _bp.add_url_rule("/<int:endpoint_id>/rotate", "rotate", rotate, methods=["POST"])
    _bp.add_url_rule("/<int:endpoint_id>/enable", "enable", enable, methods=["POST"])
    _bp.add_url_rule("/<int:endpoint_id>/test", "test", test, methods=["POST"])
    _bp.add_url_rule(
        "/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver",
        "redeliver",
        redeliver,
        methods=["POST"],
    )
