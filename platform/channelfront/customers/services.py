"""Finding and creating a reseller company's end customers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from channelfront.customers.models import Customer
from channelfront.extensions import db
from channelfront.orders.errors import OrderInputError
from channelfront.web.params import parse_whole

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{2,}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
VAT_ID = re.compile(r"^[A-Z0-9]{4,20}$")
#: ISO 3166 country codes Babel knows (not the "unknown region" ZZ, nor EU/EZ/UN/QO).
COUNTRIES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
)


@dataclass(frozen=True)
class CustomerInput:
    company_name: str = ""
    contact_name: str = ""
    email: str = ""
    country: str = ""
    vat_id: str = ""
    # The reseller's CRM account id; optional, matched first by imports.
    crm_account_id: str = ""


CRM_ID = re.compile(r"^[\x21-\x7e]{1,64}$")


def live(stmt: Select[tuple[Customer]]) -> Select[tuple[Customer]]:
    """Only customers a picker may offer: neither archived nor merged into another."""
    return stmt.where(Customer.archived_at.is_(None), Customer.merged_into_id.is_(None))


def _text(value: object, field: str, label: str, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise OrderInputError(field, _("%(field)s is required.", field=label))
    if len(text) > max_length or not text.isprintable():
        raise OrderInputError(
            field, _("%(field)s is too long or has invalid characters.", field=label)
        )
    return text


def validate(data: CustomerInput, field: str = "end_customer") -> CustomerInput:
    """Check a new end customer's fields; raise OrderInputError naming the first bad one."""
    company = _text(data.company_name, f"{field}.company_name", _("Company name"), 160)
    contact = _text(data.contact_name, f"{field}.contact_name", _("Contact name"), 120)
    email = _text(data.email, f"{field}.email", _("E-mail"), 254)
    if not EMAIL.match(email):
        raise OrderInputError(f"{field}.email", _("Enter a valid e-mail address."))
    country = str(data.country or "").strip().upper()
    if not COUNTRY.match(country):
        raise OrderInputError(f"{field}.country", _("Enter the country as a two-letter code."))
    if country not in COUNTRIES:
        raise OrderInputError(
            f"{field}.country", _("%(code)s is not a country code.", code=country)
        )
    vat_id = re.sub(r"[\s.-]", "", str(data.vat_id or "")).upper()
    if vat_id and not VAT_ID.match(vat_id):
        raise OrderInputError(f"{field}.vat_id", _("The VAT id is not valid."))
    crm_id = str(data.crm_account_id or "").strip()
    if crm_id and not CRM_ID.match(crm_id):
        raise OrderInputError(
            f"{field}.crm_account_id",
            _("The CRM account id has at most 64 letters, digits or signs, without spaces."),
        )
    return CustomerInput(company, contact, email, country, vat_id, crm_id)


def create(company_id: int, data: CustomerInput) -> Customer:
    """Add a checked end customer to the company on the active tenant (no commit)."""
    customer = Customer(
        company_id=company_id,
        company_name=data.company_name,
        contact_name=data.contact_name,
        email=data.email,
        country=data.country,
        vat_id=data.vat_id or None,
        crm_account_id=data.crm_account_id or None,
    )
    db.session.add(customer)
    return customer


def get_for_company(
    company_id: int, customer_id: object, field: str = "end_customer.id"
) -> Customer:
    """One of the company's live customers on this tenant; any other id (another company's,
    an archived or a merged customer) is refused the same way: pickers never offer them."""
    wanted = parse_whole(customer_id, minimum=1)
    found = None
    if wanted is not None:
        found = db.session.scalar(
            live(select(Customer).where(Customer.id == wanted, Customer.company_id == company_id))
        )
    if found is None:
        raise OrderInputError(field, _("There is no such customer in your customer list."))
    return found


def search(company_id: int, query: str, limit: int = 10) -> list[Customer]:
    """Type-ahead: the company's live customers whose name, contact or e-mail contains the
    text (archived and merged ones are not offered)."""
    stmt = live(select(Customer).where(Customer.company_id == company_id))
    text = query.strip().lower()[:100]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(Customer.company_name).like(pattern, escape="\\"),
                func.lower(Customer.contact_name).like(pattern, escape="\\"),
                func.lower(Customer.email).like(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(stmt.order_by(Customer.company_name).limit(limit)))
