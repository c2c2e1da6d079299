"""Forms of partner applications: the public ``/apply`` form and the staff's decisions.

They check shape (required, lengths, choices); the services check the rules. Choices
come from the database and the page's language, so views fill them in with
:func:`apply_form` and :func:`approve_form`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from channelfront.admin.labels import country_choices
from channelfront.extensions import db
from channelfront.partners.application_services import MAX_REASON, web_address_problem
from channelfront.pricing.models import Program
from channelfront.web.params import parse_whole


def required(message: str) -> DataRequired:
    return DataRequired(message)


class ApplyForm(FlaskForm):
    company_name = StringField(
        _l("Company name"),
        validators=[required(_l("Enter your company's name.")), Length(max=160)],
    )
    address_line = StringField(
        _l("Address"),
        validators=[required(_l("Enter the street and number.")), Length(max=200)],
    )
    postal_code = StringField(
        _l("Postal code"),
        validators=[required(_l("Enter the postal code.")), Length(max=20)],
    )
    city = StringField(_l("City"), validators=[required(_l("Enter the city.")), Length(max=100)])
    country = SelectField(_l("Country"), validate_choice=False)
    tax_id = StringField(
        _l("Tax id"),
        description=_l("Your VAT or tax registration number."),
        validators=[required(_l("Enter the company's tax id.")), Length(max=40)],
    )
    website = StringField(
        _l("Website"),
        description=_l("Optional, e.g. https://example.com"),
        validators=[Optional(), Length(max=200)],
    )
    contact_name = StringField(
        _l("Your name"),
        validators=[required(_l("Enter your name.")), Length(max=120)],
    )
    contact_email = EmailField(
        _l("Your e-mail"),
        description=_l("We send a link to this address to confirm it."),
        validators=[required(_l("Enter your e-mail address.")), Length(max=254)],
    )
    program = SelectField(_l("Partner program"), validate_choice=False)
    terms = BooleanField(
        _l("I accept the partner terms and conditions."),
        validators=[required(_l("Accept the terms to apply."))],
    )

    def validate_country(self, field: Field) -> None:
        if field.data not in {code for code, _name in field.choices if code}:
            raise ValidationError(_l("Choose a country from the list."))

    def validate_program(self, field: Field) -> None:
        if field.data not in {code for code, _name in field.choices if code}:
            raise ValidationError(_l("Choose a program from the list."))

    def validate_website(self, field: Field) -> None:
        problem = web_address_problem(field.data or "")
        if field.data and problem:
            raise ValidationError(problem)


def program_choices() -> list[tuple[str, str]]:
    """The programs of this storefront (the query is scoped to it)."""
    rows = db.session.execute(select(Program.id, Program.name).order_by(Program.name, Program.id))
    return [(str(row.id), row.name) for row in rows]


def apply_form() -> ApplyForm:
    form = ApplyForm()
    blank = ("", str(_l("Choose…")))
    form.country.choices = [blank, *country_choices()]
    form.program.choices = [blank, *program_choices()]
    return form


def program_id(form: ApplyForm | ApproveForm) -> int:
    return parse_whole(form.program.data) or 0


class ApproveForm(FlaskForm):
    program = SelectField(_l("Program"), validate_choice=False)
    credit_limit = StringField(
        _l("Credit limit"),
        validators=[required(_l("Enter a credit limit (0 for none).")), Length(max=40)],
    )
    same_company = BooleanField(_l("This is the same company"))

    def validate_program(self, field: Field) -> None:
        if field.data not in {code for code, _name in field.choices}:
            raise ValidationError(_l("Choose a program from the list."))


def approve_form() -> ApproveForm:
    form = ApproveForm()
    form.program.choices = program_choices()
    return form


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The applicant receives it by e-mail."),
        validators=[required(_l("Give the applicant a reason.")), Length(max=MAX_REASON)],
    )
