"""Forms of the staff pages: invite someone with a role, change a member's role.

The role is checked by the services (a role of the team), so an unknown role names the
field with the same message wherever it comes from.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from channelfront.accounts.models import UserKind
from channelfront.accounts.roles import role_choices


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), validate_choice=False)


class AdminInviteForm(FlaskForm):
    """A tenant's distributor administrator, invited from the console."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False)


def invite_form(kind: UserKind, *, submitted: bool = True) -> InviteForm:
    form = InviteForm() if submitted else InviteForm(formdata=None)
    form.role.choices = role_choices(kind)
    return form


def role_form(kind: UserKind, role: str | None = None) -> RoleForm:
    """A member's role select: the submitted one, or (with ``role``) a fresh one showing it."""
    form = RoleForm() if role is None else RoleForm(formdata=None, data={"role": role})
    form.role.choices = role_choices(kind)
    return form
