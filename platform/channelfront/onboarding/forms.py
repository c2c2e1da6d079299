"""Wizard forms: they check shape; the services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from channelfront.admin.forms import CheckboxesField


class NameForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the tenant's name.")), Length(max=120)]
    )
    slug = StringField(
        _l("Slug"),
        description=_l("Lowercase letters, digits and dashes; it cannot change later."),
        validators=[Optional(), Length(max=40)],
    )


class HostsForm(FlaskForm):
    hosts = TextAreaField(
        _l("Host names"),
        description=_l("One per line; the first is the primary host."),
        validators=[DataRequired(_l("Enter at least one host name.")), Length(max=4000)],
    )


class ThemeForm(FlaskForm):
    theme = SelectField(_l("Theme"))
    primary_color = StringField(
        _l("Primary colour"),
        description=_l("#rrggbb, or empty for the theme's colour"),
        validators=[Optional(), Length(max=7)],
    )
    accent_color = StringField(
        _l("Accent colour"),
        description=_l("#rrggbb, or empty for the theme's colour"),
        validators=[Optional(), Length(max=7)],
    )


class LanguagesForm(FlaskForm):
    locales = CheckboxesField(_l("Offered languages"))
    default_locale = SelectField(_l("Default language"))
    currency = StringField(
        _l("Currency"),
        description=_l("ISO 4217 code, e.g. GBP"),
        validators=[DataRequired(_l("Enter a currency code.")), Length(max=3)],
    )


class PriceFileForm(FlaskForm):
    file = FileField(_l("CSV file"), description=_l("Columns: sku, amount"))
    content = TextAreaField(_l("Or paste the CSV"), validators=[Optional(), Length(max=1048576)])


class DeriveForm(FlaskForm):
    source = StringField(
        _l("From currency"),
        validators=[DataRequired(_l("Enter a currency code.")), Length(max=3)],
    )
    rate = StringField(
        _l("Rate"),
        description=_l("One unit of the other currency in this tenant's currency, e.g. 0.79"),
        validators=[DataRequired(_l("Enter the rate.")), Length(max=20)],
    )
    rounding = SelectField(
        _l("Rounding"),
        choices=[
            SelectChoice("none", _l("None (to the minor unit)")),
            SelectChoice("whole", _l("Whole units")),
            SelectChoice("99", _l("Up to .99")),
        ],
    )


class ProgramStepForm(FlaskForm):
    slug = StringField(
        _l("Program slug"), validators=[DataRequired(_l("Enter a slug.")), Length(max=40)]
    )
    name = StringField(
        _l("Program name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)]
    )
    target = SelectField(_l("Category or product group"), validate_choice=False)
    discount = StringField(
        _l("Discount (%)"), validators=[DataRequired(_l("Enter a discount.")), Length(max=10)]
    )


class StaffStepForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254)]
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])


class WaiveForm(FlaskForm):
    check = SelectField(_l("Check"), validate_choice=False)
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why this check is waived.")), Length(max=500)],
    )


class PartnerPriceForm(FlaskForm):
    company = StringField(
        _l("Company"), validators=[DataRequired(_l("Enter a company.")), Length(max=160)]
    )
    sku = StringField(_l("SKU"), validators=[DataRequired(_l("Enter a SKU.")), Length(max=40)])
    discount_percent = StringField(
        _l("Discount (%)"), validators=[DataRequired(_l("Enter a discount.")), Length(max=10)]
    )


class PartnerPriceFileForm(FlaskForm):
    file = FileField(_l("CSV file"), description=_l("Columns: company, sku, discount_percent"))
    content = TextAreaField(_l("Or paste the CSV"), validators=[Optional(), Length(max=1048576)])
