"""Forms of the company area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from channelfront.accounts.models import UserKind
from channelfront.accounts.roles import role_choices
from channelfront.admin.labels import country_choices


class ActionForm(FlaskForm):
    """A button that changes one user: only the CSRF token."""


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices(UserKind.RESELLER)


class InviteForm(RoleForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Company name"),
        validators=[DataRequired(_l("Enter the company's name.")), Length(max=160)],
    )
    address_line = StringField(_l("Address"), validators=[Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=20)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    country = SelectField(_l("Country"))
    tax_id = StringField(_l("Tax id"), validators=[Length(max=40)])
    website = StringField(_l("Website"), validators=[Length(max=200)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose a country")), *country_choices()]
