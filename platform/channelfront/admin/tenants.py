"""Tenant pages: the list, onboarding without a manifest, and editing."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.accounts import invitations
from channelfront.accounts.models import UserKind
from channelfront.accounts.roles import STATUS_LABELS as USER_STATUS_LABELS
from channelfront.accounts.staff_forms import AdminInviteForm
from channelfront.accounts.staff_services import distributor_team, members
from channelfront.admin import queries
from channelfront.admin.blueprint import attach_errors, bp, form_page, initial
from channelfront.admin.forms import OnboardForm, TenantEndCustomerForm, TenantForm
from channelfront.admin.inputs import InvalidInput, split_hosts
from channelfront.admin.labels import STATUS_LABELS, locale_choices
from channelfront.admin.mail_forms import TenantMailForm
from channelfront.admin.tenant_services import (
    SiteFacts,
    TenantSettings,
    console_vendor,
    onboard_tenant,
    publish,
    set_end_customer_rule,
    set_mail_addresses,
    update_tenant,
)
from channelfront.extensions import db
from channelfront.orders.view_support import actor
from channelfront.outbox.services import commit_and_dispatch
from channelfront.tenancy.manifests import CURRENCIES
from channelfront.tenancy.models import Tenant, TenantStatus
from channelfront.theming.stored import theme_choices
from channelfront.theming.views import render


def _site() -> SiteFacts:
    return SiteFacts(
        themes_dir=current_app.config["THEMES_DIR"], admin_host=current_app.config["ADMIN_HOST"]
    )


F = TypeVar("F", bound=TenantForm)


def _with_choices(form: F) -> F:
    choices = locale_choices()
    form.status.choices = list(STATUS_LABELS.items())
    vendor = console_vendor()
    form.theme.choices = (
        theme_choices(current_app.config["THEMES_DIR"], vendor.id) if vendor else []
    )
    form.default_locale.choices = choices
    form.locales.choices = choices
    if isinstance(form, OnboardForm):
        form.currency.choices = [(code, code) for code in CURRENCIES]
    return form


def _settings(form: TenantForm) -> TenantSettings:
    return TenantSettings(
        name=form.name.data or "",
        status=form.status.data or "",
        theme=form.theme.data or "",
        default_locale=form.default_locale.data or "",
        locales=tuple(form.locales.data or ()),
        hosts=tuple(split_hosts(form.hosts.data or "")),
        primary_color=(form.primary_color.data or "").strip() or None,
        accent_color=(form.accent_color.data or "").strip() or None,
    )


@bp.route("/")
def index() -> str:
    return render("admin/tenants.html", tenants=queries.tenants(), status_labels=STATUS_LABELS)


@bp.route("/tenants/new", methods=["GET", "POST"])
def new_tenant() -> Response | tuple[str, int]:
    defaults = {"status": TenantStatus.DRAFT.value, "theme": "base", "locales": ["en"]}
    form = _with_choices(OnboardForm(data=initial(defaults)))
    if form.validate_on_submit():
        try:
            tenant = onboard_tenant(
                console_vendor(),
                form.slug.data or "",
                form.currency.data or "",
                _settings(form),
                _site(),
            )
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            publish()
            flash(_("Tenant %(name)s is onboarded.", name=tenant.name), "success")
            return redirect(url_for(".index"))
    return form_page("admin/tenant_form.html", form=form, edited_tenant=None)


def _current(tenant: Tenant) -> dict[str, object]:
    hosts = sorted(tenant.hosts, key=lambda h: (not h.is_primary, h.host))
    return {
        "name": tenant.name,
        "status": tenant.status,
        "theme": tenant.theme,
        "default_locale": tenant.default_locale,
        "locales": tenant.locales,
        "hosts": "\n".join(h.host for h in hosts),
        "primary_color": tenant.primary_color or "",
        "accent_color": tenant.accent_color or "",
    }


@bp.route("/tenants/<int:tenant_id>", methods=["GET", "POST"])
def edit_tenant(tenant_id: int) -> Response | tuple[str, int]:
    tenant = db.get_or_404(Tenant, tenant_id)
    form = _with_choices(TenantForm(data=initial(_current(tenant))))
    if form.validate_on_submit():
        try:
            update_tenant(tenant, _settings(form), _site())
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            publish()
            flash(_("Tenant %(name)s is saved.", name=tenant.name), "success")
            return redirect(url_for(".index"))
    return _tenant_page(tenant, form)


def _end_customer_form(tenant: Tenant) -> TenantEndCustomerForm:
    rule = "required" if tenant.require_end_customer else "optional"
    return TenantEndCustomerForm(formdata=None, data={"require_end_customer": rule})


def _tenant_page(
    tenant: Tenant,
    form: TenantForm,
    admin_form: AdminInviteForm | None = None,
    end_customer_form: TenantEndCustomerForm | None = None,
    mail_form: TenantMailForm | None = None,
) -> tuple[str, int]:
    """A tenant's settings form, its distributor staff and the form inviting an administrator."""
    return form_page(
        "admin/tenant_form.html",
        form=form,
        edited_tenant=tenant,
        staff=members(distributor_team(tenant.id)),
        user_status_labels=USER_STATUS_LABELS,
        admin_form=admin_form or AdminInviteForm(formdata=None),
        end_customer_form=end_customer_form or _end_customer_form(tenant),
        mail_form=mail_form or _mail_form(tenant),
    )


def _mail_form(tenant: Tenant) -> TenantMailForm:
    data = {"mail_sender": tenant.mail_sender or "", "support_email": tenant.support_email or ""}
    return TenantMailForm(formdata=None, data=data)


@bp.route("/tenants/<int:tenant_id>/staff", methods=["POST"])
def invite_distributor_admin(tenant_id: int) -> Response | tuple[str, int]:
    """Invite a distributor administrator of the tenant; the link opens on its primary host."""
    tenant = db.get_or_404(Tenant, tenant_id)
    if current_user.role != "vendor_admin":
        abort(403, description=_("Only vendor administrators can invite people."))
    admin_form = AdminInviteForm()
    if admin_form.validate_on_submit():
        invitee = invitations.Invitee(
            email=admin_form.email.data or "",
            name=admin_form.name.data or "",
            kind=UserKind.DISTRIBUTOR,
            role="distributor_admin",
            link_tenant_id=tenant.id,
            tenant_id=tenant.id,
            locale=tenant.default_locale,
        )
        try:
            user = invitations.invite(invitee, actor())
        except invitations.InvitationRefused as refused:
            db.session.rollback()
            attach_errors(admin_form, {refused.field: refused.message})
        else:
            commit_and_dispatch()
            flash(
                _("%(email)s is invited to %(tenant)s.", email=user.email, tenant=tenant.name),
                "success",
            )
            return redirect(url_for(".edit_tenant", tenant_id=tenant.id))
    return _tenant_page(
        tenant, _with_choices(TenantForm(formdata=None, data=_current(tenant))), admin_form
    )


@bp.route("/tenants/<int:tenant_id>/end-customer", methods=["POST"])
def tenant_end_customer(tenant_id: int) -> Response | tuple[str, int]:
    """Whether the tenant's orders must name an end customer (programs may override it)."""
    tenant = db.get_or_404(Tenant, tenant_id)
    if current_user.role != "vendor_admin":
        abort(403, description=_("Only vendor administrators can change this setting."))
    form = TenantEndCustomerForm()
    if form.validate_on_submit():
        try:
            set_end_customer_rule(tenant, form.require_end_customer.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            publish()
            flash(_("Tenant %(name)s is saved.", name=tenant.name), "success")
            return redirect(url_for(".edit_tenant", tenant_id=tenant.id, _anchor="end-customer"))
    tenant_form = _with_choices(TenantForm(formdata=None, data=_current(tenant)))
    return _tenant_page(tenant, tenant_form, end_customer_form=form)


@bp.route("/tenants/<int:tenant_id>/mail", methods=["POST"])
def tenant_mail(tenant_id: int) -> Response | tuple[str, int]:
    """The storefront's sender and support addresses (empty: the deployment's defaults)."""
    tenant = db.get_or_404(Tenant, tenant_id)
    if current_user.role != "vendor_admin":
        abort(403, description=_("Only vendor administrators can change this setting."))
    form = TenantMailForm()
    if form.validate_on_submit():
        try:
            set_mail_addresses(tenant, form.mail_sender.data or "", form.support_email.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            publish()
            flash(_("Tenant %(name)s is saved.", name=tenant.name), "success")
            return redirect(url_for(".edit_tenant", tenant_id=tenant.id, _anchor="mail"))
    tenant_form = _with_choices(TenantForm(formdata=None, data=_current(tenant)))
    return _tenant_page(tenant, tenant_form, mail_form=form)
