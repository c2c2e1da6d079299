"""``/admin/onboarding``: the wizard pages (vendor administrators only), on the console."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from channelfront.accounts import invitations
from channelfront.accounts.models import UserKind
from channelfront.admin.blueprint import attach_errors, bp, form_page
from channelfront.admin.inputs import InvalidInput
from channelfront.admin.labels import locale_choices
from channelfront.admin.program_services import RuleTarget, add_rule, create_program
from channelfront.admin.tenant_services import SiteFacts, console_vendor, publish
from channelfront.catalog.models import Category, ProductGroup
from channelfront.extensions import db
from channelfront.onboarding import forms, prices, readiness, steps
from channelfront.orders.view_support import actor
from channelfront.outbox.services import commit_and_dispatch
from channelfront.tenancy.models import Tenant, TenantStatus
from channelfront.theming.contrast import theme_pairs
from channelfront.theming.stored import look_of, theme_choices

STEP_FORMS: dict[str, type[FlaskForm]] = {
    "name": forms.NameForm,
    "hosts": forms.HostsForm,
    "theme": forms.ThemeForm,
    "languages": forms.LanguagesForm,
    "programs": forms.ProgramStepForm,
    "staff": forms.StaffStepForm,
}


def _admin_only() -> None:
    if current_user.role != "vendor_admin":
        abort(403, description=_("Only vendor administrators can onboard tenants."))


def _site() -> SiteFacts:
    return SiteFacts(
        themes_dir=current_app.config["THEMES_DIR"], admin_host=current_app.config["ADMIN_HOST"]
    )


def _tenant(tenant_id: int) -> Tenant:
    _admin_only()
    return db.get_or_404(Tenant, tenant_id)


def step_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "hosts": _("Hosts"),
        "theme": _("Theme"),
        "languages": _("Languages and currency"),
        "prices": _("Prices"),
        "programs": _("Programs"),
        "staff": _("Staff"),
        "checklist": _("Checklist"),
    }


@bp.route("/onboarding", methods=["GET", "POST"])
def onboarding() -> Response | tuple[str, int]:
    """Start a new tenant (step 1) or resume a draft one."""
    _admin_only()
    form = forms.NameForm()
    if form.validate_on_submit():
        try:
            tenant = steps.start(console_vendor(), form.name.data or "", form.slug.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            publish()
            return redirect(url_for(".onboarding_step", tenant_id=tenant.id, step="hosts"))
    return form_page(
        "onboarding/index.html",
        form=form,
        drafts=steps.drafts(),
        step_of=steps.step_of,
        labels=step_labels(),
    )


def _choices(tenant: Tenant, step: str, form: FlaskForm) -> None:
    if step == "theme":
        choices = theme_choices(current_app.config["THEMES_DIR"], tenant.vendor_id)
        form.theme.choices = [SelectChoice(v, label) for v, label in choices]  # type: ignore[attr-defined]
    elif step == "languages":
        choices = [SelectChoice(code, label) for code, label in locale_choices()]
        form.locales.choices = choices  # type: ignore[attr-defined]
        form.default_locale.choices = choices  # type: ignore[attr-defined]
    elif step == "programs":
        locale = str(get_locale() or "en")
        cats = db.session.scalars(select(Category).order_by(Category.position, Category.slug))
        groups = db.session.scalars(select(ProductGroup).order_by(ProductGroup.name))
        form.target.choices = [  # type: ignore[attr-defined]
            *(SelectChoice(f"category:{c.id}", c.name_in(locale)) for c in cats),
            *(SelectChoice(f"group:{g.id}", g.name) for g in groups),
        ]


def _initial(tenant: Tenant, step: str) -> dict[str, Any]:
    settings = steps.settings_of(tenant)
    return {
        "name": {"name": tenant.name, "slug": tenant.slug},
        "hosts": {"hosts": "\n".join(settings.hosts)},
        "theme": {
            "theme": tenant.theme,
            "primary_color": tenant.primary_color or "",
            "accent_color": tenant.accent_color or "",
        },
        "languages": {
            "locales": tenant.locales,
            "default_locale": tenant.default_locale,
            "currency": tenant.currency,
        },
    }.get(step, {})


def _target(value: str) -> RuleTarget:
    kind, _sep, ident = (value or "").partition(":")
    number = int(ident) if ident.isdigit() else -1
    if kind == "group":
        return RuleTarget(group_id=number)
    return RuleTarget(category_id=number)


def _save_step(tenant: Tenant, step: str, form: Any) -> None:
    if step == "name":
        steps.save(tenant, _site(), step, name=form.name.data or "")
    elif step == "hosts":
        from channelfront.admin.inputs import split_hosts

        steps.save(tenant, _site(), step, hosts=tuple(split_hosts(form.hosts.data or "")))
    elif step == "theme":
        steps.save(
            tenant,
            _site(),
            step,
            theme=form.theme.data or "",
            primary_color=(form.primary_color.data or "").strip() or None,
            accent_color=(form.accent_color.data or "").strip() or None,
        )
    elif step == "languages":
        steps.set_currency(tenant, form.currency.data or "")
        steps.save(
            tenant,
            _site(),
            step,
            locales=tuple(form.locales.data or ()),
            default_locale=form.default_locale.data or "",
        )
    elif step == "programs":
        program = create_program(tenant, form.slug.data or "", form.name.data or "")
        add_rule(program, _target(form.target.data or ""), form.discount.data or "")
        steps.reach(tenant, steps.next_step(step))
    elif step == "staff":
        _invite(tenant, form)
        steps.reach(tenant, steps.next_step(step))


def _invite(tenant: Tenant, form: Any) -> None:
    invitee = invitations.Invitee(
        email=form.email.data or "",
        name=form.name.data or "",
        kind=UserKind.DISTRIBUTOR,
        role="distributor_admin",
        link_tenant_id=tenant.id,
        tenant_id=tenant.id,
        locale=tenant.default_locale,
    )
    try:
        invitations.invite(invitee, actor())
    except invitations.InvitationRefused as refused:
        raise InvalidInput({refused.field: refused.message}) from None


def _page(tenant: Tenant, step: str, **context: Any) -> tuple[str, int]:
    colors = readiness.tenant_colors(tenant)
    themes_dir = current_app.config["THEMES_DIR"]
    packs = (
        {
            value: theme_pairs(look_of(themes_dir, value, tenant.vendor_id).colors)
            for value, _label in theme_choices(themes_dir, tenant.vendor_id)
        }
        if step == "theme"
        else {}
    )
    return form_page(
        "onboarding/step.html",
        edited_tenant=tenant,
        step=step,
        steps=steps.STEPS,
        labels=step_labels(),
        pairs=theme_pairs(colors),
        packs=packs,
        checks=readiness.checklist(tenant) if step == "checklist" else [],
        unpriced=readiness.unpriced_count(tenant) if step == "prices" else 0,
        **context,
    )


@bp.route("/onboarding/<int:tenant_id>/<step>", methods=["GET", "POST"])
def onboarding_step(tenant_id: int, step: str) -> Response | tuple[str, int]:
    """One step of the wizard for a tenant: shown, saved when left, then the next step."""
    tenant = _tenant(tenant_id)
    if step not in steps.STEPS:
        abort(404)
    form_class = STEP_FORMS.get(step)
    context: dict[str, Any] = {}
    if step == "prices":
        context = {"file_form": forms.PriceFileForm(), "derive_form": forms.DeriveForm()}
    if step == "checklist":
        context = {"waive_form": _waive_form()}
    form = None
    if form_class is not None:
        data = _initial(tenant, step) if request.method == "GET" else None
        form = form_class(data=data)
        _choices(tenant, step, form)
        if form.validate_on_submit():
            try:
                _save_step(tenant, step, form)
            except InvalidInput as exc:
                db.session.rollback()
                attach_errors(form, exc.errors)
            else:
                commit_and_dispatch()  # the staff step queues an invitation mail
                publish()
                return redirect(
                    url_for(".onboarding_step", tenant_id=tenant.id, step=steps.next_step(step))
                )
    elif request.method == "POST":
        abort(405)
    return _page(tenant, step, form=form, **context)


def _waive_form() -> forms.WaiveForm:
    form = forms.WaiveForm()
    form.check.choices = [SelectChoice(key, key) for key in readiness.CHECKS]
    return form


def _uploaded(form: Any) -> bytes:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.read(prices.MAX_UPLOAD + 1)
    return (form.content.data or "").encode("utf-8")


@bp.post("/onboarding/<int:tenant_id>/prices/import")
def onboarding_price_import(tenant_id: int) -> Response | tuple[str, int]:
    """Check a ``sku, amount`` file whole; show it for review, or save it when confirmed."""
    tenant = _tenant(tenant_id)
    file_form = forms.PriceFileForm()
    if not file_form.validate_on_submit():
        return _page(tenant, "prices", file_form=file_form, derive_form=forms.DeriveForm())
    data = _uploaded(file_form)
    plan = prices.plan_from_csv(tenant, data)
    # The confirmation posts the checked text again, whether it was uploaded or pasted.
    posted = {"content": data.decode("utf-8-sig", "replace")}
    return _review_or_save(tenant, plan, file_form, forms.DeriveForm(formdata=None), posted)


@bp.post("/onboarding/<int:tenant_id>/prices/derive")
def onboarding_price_derive(tenant_id: int) -> Response | tuple[str, int]:
    """Derive list prices from another currency at a rate; review, then save when confirmed."""
    tenant = _tenant(tenant_id)
    derive_form = forms.DeriveForm()
    file_form = forms.PriceFileForm(formdata=None)
    if not derive_form.validate_on_submit():
        return _page(tenant, "prices", file_form=file_form, derive_form=derive_form)
    try:
        plan = prices.plan_from_rate(
            tenant,
            derive_form.source.data or "",
            derive_form.rate.data or "",
            derive_form.rounding.data or "",
        )
    except InvalidInput as exc:
        attach_errors(derive_form, exc.errors)
        return _page(tenant, "prices", file_form=file_form, derive_form=derive_form)
    return _review_or_save(tenant, plan, file_form, derive_form)


def _review_or_save(
    tenant: Tenant,
    plan: prices.PricePlan,
    file_form: Any,
    derive_form: Any,
    posted: dict[str, str] | None = None,
) -> Response | tuple[str, int]:
    if plan.errors or request.form.get("confirm") != "1":
        html, _status = _page(
            tenant,
            "prices",
            file_form=file_form,
            derive_form=derive_form,
            plan=plan,
            posted=posted if posted is not None else request.form,
        )
        return html, 400 if plan.errors else 200
    count = prices.save_plan(tenant, plan, actor())
    steps.reach(tenant, steps.next_step("prices"))
    publish()
    flash(
        _("%(num)d list prices in %(currency)s are saved.", num=count, currency=tenant.currency),
        "success",
    )
    return redirect(url_for(".onboarding_step", tenant_id=tenant.id, step="programs"))


@bp.post("/onboarding/<int:tenant_id>/waive")
def onboarding_waive(tenant_id: int) -> Response | tuple[str, int]:
    """Waive one readiness check with a reason (audited)."""
    tenant = _tenant(tenant_id)
    form = _waive_form()
    if form.validate_on_submit():
        try:
            readiness.waive(tenant, form.check.data or "", form.reason.data or "", actor())
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            publish()
            flash(_("The check is waived."), "success")
            return redirect(url_for(".onboarding_step", tenant_id=tenant.id, step="checklist"))
    return _page(tenant, "checklist", form=None, waive_form=form)


@bp.post("/onboarding/<int:tenant_id>/live")
def onboarding_go_live(tenant_id: int) -> Response | tuple[str, int]:
    """Set the tenant live when every check passes or is waived; it stays a draft otherwise."""
    tenant = _tenant(tenant_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            readiness.go_live(tenant, actor())
        except InvalidInput as exc:
            db.session.rollback()
            form.form_errors.extend(exc.errors.values())
        else:
            publish()
            flash(_("%(name)s is live.", name=tenant.name), "success")
            return redirect(url_for(".index"))
    if tenant.status == TenantStatus.LIVE.value:
        return redirect(url_for(".index"))
    return _page(tenant, "checklist", form=None, waive_form=_waive_form(), live_form=form)
