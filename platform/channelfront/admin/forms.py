"""Console forms. They check shape (required, lengths, choices); the services check the rules.

Choices depend on the database and on the page's language, so each form is built by a
function that fills them in before the form is validated.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from channelfront.tenancy.manifests import CURRENCIES


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def required(message: str) -> DataRequired:
    return DataRequired(message)


class TenantForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[required(_l("Enter the tenant's name.")), Length(max=120)]
    )
    status = SelectField(_l("Status"))
    theme = SelectField(_l("Theme"))
    default_locale = SelectField(_l("Default language"))
    locales = CheckboxesField(_l("Offered languages"))
    hosts = TextAreaField(
        _l("Host names"),
        description=_l("One per line; the first is the primary host."),
        validators=[required(_l("Enter at least one host name.")), Length(max=4000)],
    )
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


class OnboardForm(TenantForm):
    slug = StringField(
        _l("Slug"),
        description=_l("Lowercase letters, digits and dashes; it cannot change later."),
        validators=[required(_l("Enter a slug.")), Length(max=40)],
    )
    currency = SelectField(_l("Currency"), description=_l("It cannot change later."))


class CompanyForm(FlaskForm):
    name = StringField(
        _l("Company name"),
        validators=[required(_l("Enter the company's name.")), Length(max=160)],
    )
    country = SelectField(_l("Country"), validators=[Optional()])


class EnrollForm(FlaskForm):
    program = SelectField(_l("Tenant and program"), coerce=int)
    credit_limit = StringField(
        _l("Credit limit"),
        description=_l("In the tenant's currency, e.g. 25000.00"),
        validators=[required(_l("Enter a credit limit (0 for none).")), Length(max=40)],
    )


class EnrollmentForm(FlaskForm):
    program = SelectField(_l("Program"), coerce=int)
    credit_limit = StringField(
        _l("Credit limit"),
        validators=[required(_l("Enter a credit limit (0 for none).")), Length(max=40)],
    )


class ProductForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[required(_l("Enter a SKU.")), Length(max=40)])
    category = SelectField(_l("Category"), coerce=int)
    kind = SelectField(_l("Kind"))
    term_months = IntegerField(
        _l("Term in months"),
        description=_l("Subscriptions only"),
        validators=[Optional(), NumberRange(min=1, max=120)],
    )
    groups = CheckboxesField(_l("Product groups"), coerce=int)
    name = StringField(
        _l("English name"),
        validators=[required(_l("Enter the product's English name.")), Length(max=200)],
    )
    description = TextAreaField(_l("English description"), validators=[Length(max=5000)])


# One list price field per catalog currency: price_usd, price_eur, ...
for _currency in CURRENCIES:
    setattr(
        ProductForm,
        f"price_{_currency.lower()}",
        StringField(
            _l("List price %(currency)s", currency=_currency),
            validators=[Optional(), Length(max=40)],
        ),
    )


def price_fields(form: ProductForm) -> dict[str, Field]:
    """The form's list price fields by currency."""
    return {currency: form[f"price_{currency.lower()}"] for currency in CURRENCIES}


class ProgramForm(FlaskForm):
    slug = StringField(_l("Slug"), validators=[required(_l("Enter a slug.")), Length(max=40)])
    name = StringField(
        _l("Program name"), validators=[required(_l("Enter the program's name.")), Length(max=120)]
    )


END_CUSTOMER_RULES = {"required": _l("Required"), "optional": _l("Optional")}


class ProgramSettingsForm(FlaskForm):
    require_end_customer = SelectField(
        _l("End customer on orders"),
        choices=[
            SelectChoice("", _l("As the tenant")),
            *(SelectChoice(value, label) for value, label in END_CUSTOMER_RULES.items()),
        ],
        validators=[Optional()],
    )
    deal_protection_days = StringField(
        _l("Deal protection in days"),
        description=_l("How long an approved deal registration protects the reseller (1 to 730)."),
        validators=[required(_l("Enter a number of days.")), Length(max=20)],
    )


class TenantEndCustomerForm(FlaskForm):
    require_end_customer = SelectField(
        _l("End customer on orders"),
        choices=[SelectChoice(value, label) for value, label in END_CUSTOMER_RULES.items()],
        description=_l("Programs may override it."),
    )


class RuleForm(FlaskForm):
    target = SelectField(_l("Category or group"), validators=[Optional()])
    sku = StringField(_l("or SKU"), validators=[Optional(), Length(max=40)])
    discount = StringField(
        _l("Discount in percent"),
        description=_l("0 to 100, at most two decimals"),
        validators=[required(_l("Enter a discount (0 for none).")), Length(max=20)],
    )


class ProductTextsForm(FlaskForm):
    """A product's name and description in every shipped locale (fields ``name_<locale>``)."""


class ProductTextsImportForm(FlaskForm):
    """Only the CSRF token: the CSV file is read from ``request.files["file"]``."""


def _add_text_fields() -> None:
    from channelfront.i18n.locale import SHIPPED_LOCALES

    for locale in SHIPPED_LOCALES:
        name_checks = [Length(max=200)]
        if locale == "en":
            name_checks.insert(0, required(_l("Enter the product's English name.")))
        else:
            name_checks.insert(0, Optional())
        label = locale.upper()
        name = StringField(_l("Name (%(locale)s)", locale=label), validators=name_checks)
        description = TextAreaField(
            _l("Description (%(locale)s)", locale=label),
            validators=[Optional(), Length(max=5000)],
        )
        setattr(ProductTextsForm, f"name_{locale}", name)
        setattr(ProductTextsForm, f"description_{locale}", description)


_add_text_fields()
