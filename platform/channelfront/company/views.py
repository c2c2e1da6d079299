"""``/company/users`` and ``/company/profile``: a company admin manages colleagues and
the company's profile. Every change answers with a redirect and a flash; refused input
shows the page again with the error next to the field (400 for a malformed form, 422
for a change the rules refuse)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from channelfront.accounts.models import User
from channelfront.accounts.roles import STATUS_LABELS, role_label
from channelfront.approvals import limit_services
from channelfront.company import profile_service, users_service
from channelfront.company.blueprint import bp, own_company, tenant_id
from channelfront.company.forms import ActionForm, InviteForm, ProfileForm, RoleForm
from channelfront.company.users_service import UserChangeRefused
from channelfront.extensions import db
from channelfront.i18n.formatting import Money, money
from channelfront.orders.view_support import actor, tenant_row
from channelfront.outbox.services import commit_and_dispatch
from channelfront.theming.views import render

Page = Response | tuple[str, int]

# Invoices print the billing company's country by name.
bp.add_app_template_global(profile_service.country_name, "country_name")


def _users_page(
    status: int = 200,
    invite_form: InviteForm | None = None,
    problem: dict[str, Any] | None = None,
    limits_entered: dict[str, Any] | None = None,
) -> tuple[str, int]:
    me = actor()
    people = users_service.company_users(me.company_id or 0)
    page = render(
        "company/users.html",
        company=own_company(),
        users=people,
        limits=_limit_rows(people, tenant_row().currency, limits_entered),
        currency=tenant_row().currency,
        invite_form=invite_form or InviteForm(formdata=None),
        action_form=ActionForm(formdata=None),
        role_form=RoleForm(formdata=None),
        status_labels=STATUS_LABELS,
        problem=problem,
        me=me,
        invitation_days=int(current_app.config.get("INVITATION_DAYS", 7)),
    )
    return page, status


@dataclass(frozen=True)
class LimitRow:
    """A user's limits as the row shows them, and the form's values."""

    per_order: str
    per_month: str
    per_order_input: str
    per_month_input: str


def _limit_rows(
    people: list[User], currency: str, entered: dict[str, Any] | None
) -> dict[int, LimitRow]:
    stored = limit_services.limits_for([user.id for user in people])
    rows = {}
    for user in people:
        limits = stored.get(user.id, limit_services.Limits())
        shown = [
            money(Money(minor, currency)) if minor is not None else str(_("no limit"))
            for minor in (limits.per_order_minor, limits.per_month_minor)
        ]
        inputs = [
            limit_services.as_text(minor, currency)
            for minor in (limits.per_order_minor, limits.per_month_minor)
        ]
        if entered is not None and entered["user_id"] == user.id:
            inputs = [entered["per_order"], entered["per_month"]]
        rows[user.id] = LimitRow(shown[0], shown[1], inputs[0], inputs[1])
    return rows


def _back() -> Response:
    return redirect(url_for("company.users"))


def _colleague(user_id: int) -> User:
    user = users_service.company_user(actor().company_id or 0, user_id)
    if user is None:
        abort(404)
    return user


def _refused(user: User | None, refused: UserChangeRefused) -> tuple[str, int]:
    db.session.rollback()
    problem = {
        "field": refused.field,
        "message": refused.message,
        "user_id": user.id if user is not None else None,
    }
    return _users_page(422, problem=problem)


@bp.get("/users")
def users() -> Page:
    return _users_page()


@bp.post("/users/invite")
def invite() -> Page:
    form = InviteForm()
    if not form.validate():
        return _users_page(400, invite_form=form)
    me = actor()
    try:
        invited = users_service.invite_user(
            me.company_id or 0,
            tenant_id(),
            form.email.data or "",
            form.name.data or "",
            form.role.data or "",
            me,
        )
    except UserChangeRefused as refused:
        db.session.rollback()
        field = getattr(form, refused.field, None)
        if field is not None:
            field.errors = [*field.errors, refused.message]
        else:
            form.form_errors.append(refused.message)
        return _users_page(422, invite_form=form)
    email = invited.email
    commit_and_dispatch()
    flash(_("An invitation was sent to %(email)s.", email=email), "success")
    return _back()


def _act(user_id: int, change: Callable[[User], str]) -> Page:
    """Check the CSRF form, find the colleague (404 if not of this company), change them."""
    form = ActionForm()
    if not form.validate():
        abort(400, description=_("The form expired. Reload the page and try again."))
    user = _colleague(user_id)
    try:
        message = change(user)
    except UserChangeRefused as refused:
        return _refused(user, refused)
    commit_and_dispatch()
    flash(message, "success")
    return _back()


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int) -> Page:
    user = _colleague(user_id)
    form = RoleForm()
    if not form.validate():
        message = next(iter(form.errors.get("role", [])), None) or _("Choose a role.")
        db.session.rollback()
        return _users_page(400, problem={"field": "role", "message": message, "user_id": user.id})
    role = form.role.data or ""
    try:
        users_service.change_role(user, role, actor(), tenant_id())
    except UserChangeRefused as refused:
        return _refused(user, refused)
    name = user.name
    commit_and_dispatch()
    flash(_("%(name)s is now %(role)s.", name=name, role=role_label(role)), "success")
    return _back()


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Page:
    def change(user: User) -> str:
        users_service.deactivate(user, actor(), tenant_id())
        return str(_("%(name)s is deactivated and signed out everywhere.", name=user.name))

    return _act(user_id, change)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Page:
    def change(user: User) -> str:
        users_service.reactivate(user, actor(), tenant_id())
        return str(_("%(name)s can sign in again.", name=user.name))

    return _act(user_id, change)


@bp.post("/users/<int:user_id>/resend")
def resend(user_id: int) -> Page:
    def change(user: User) -> str:
        users_service.resend_invitation(user, actor(), tenant_id())
        return str(_("A new invitation was sent to %(email)s.", email=user.email))

    return _act(user_id, change)


@bp.post("/users/<int:user_id>/revoke")
def revoke(user_id: int) -> Page:
    def change(user: User) -> str:
        email = user.email
        users_service.revoke_invitation(user, actor(), tenant_id())
        return str(_("The invitation to %(email)s is withdrawn.", email=email))

    return _act(user_id, change)


@bp.post("/users/<int:user_id>/limits")
def set_limits(user_id: int) -> Page:
    """The colleague's spending limits per order and per month; empty is no limit."""
    if not ActionForm().validate():
        abort(400, description=_("The form expired. Reload the page and try again."))
    user = _colleague(user_id)
    per_order = request.form.get("per_order", "")
    per_month = request.form.get("per_month", "")
    entered = {"user_id": user.id, "per_order": per_order, "per_month": per_month}
    try:
        limit_services.set_limits(user, per_order, per_month, actor(), tenant_row().currency)
    except limit_services.LimitRefused as refused:
        db.session.rollback()
        problem = {"field": refused.field, "message": str(refused), "user_id": user.id}
        return _users_page(422, problem=problem, limits_entered=entered)
    name = user.name
    commit_and_dispatch()
    flash(_("The spending limits of %(name)s are saved.", name=name), "success")
    return _back()


def _entered(form: ProfileForm) -> profile_service.Profile:
    return profile_service.Profile(
        name=form.name.data or "",
        address_line=form.address_line.data,
        postal_code=form.postal_code.data,
        city=form.city.data,
        country=form.country.data,
        tax_id=form.tax_id.data,
        website=form.website.data,
    )


def _save_profile(form: ProfileForm) -> Page | None:
    """Store the form; None when refused (the error is put on its field)."""
    company = own_company()
    try:
        changed = profile_service.update_profile(company, _entered(form), actor(), tenant_id())
        db.session.flush()
    except profile_service.ProfileRefused as refused:
        db.session.rollback()
        getattr(form, refused.field).errors = [refused.message]
        return None
    except IntegrityError:  # a parallel save took the tax id first
        db.session.rollback()
        form.tax_id.errors = [profile_service.tax_id_taken()]
        return None
    commit_and_dispatch()
    flash(_("The company profile is saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("company.profile"))


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> Page:
    company = own_company()
    if request.method == "GET":
        form = ProfileForm(
            formdata=None,
            data={**vars(profile_service.profile_of(company)), "country": company.country or ""},
        )
        return render("company/profile.html", form=form, company=company), 200
    form = ProfileForm()
    if form.validate():
        saved = _save_profile(form)
        if saved is not None:
            return saved
        status = 422
    else:
        status = 400
    return render("company/profile.html", form=form, company=own_company()), status
