"""The company profile: name, billing address, tax id and website, printed on invoices."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.accounts.models import Company, User, tax_id_key
from channelfront.admin.labels import country_choices
from channelfront.audit.service import record
from channelfront.extensions import db

# Longest value per field, as the company table stores it.
LIMITS = {
    "name": 160,
    "address_line": 200,
    "postal_code": 20,
    "city": 100,
    "tax_id": 40,
    "website": 200,
}


class ProfileRefused(ValueError):
    """A profile value is refused; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Profile:
    name: str
    address_line: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    tax_id: str | None
    website: str | None


def country_name(code: str) -> str:
    """A country's name in the page's language (the code itself if unknown)."""
    return dict(country_choices()).get(code, code)


def profile_of(company: Company) -> Profile:
    return Profile(
        name=company.name,
        address_line=company.address_line,
        postal_code=company.postal_code,
        city=company.city,
        country=company.country,
        tax_id=company.tax_id,
        website=company.website,
    )


def _text(field: str, value: str | None) -> str | None:
    cleaned = " ".join((value or "").split())
    if len(cleaned) > LIMITS[field]:
        raise ProfileRefused(field, _("At most %(max)d characters.", max=LIMITS[field]))
    if not cleaned.isprintable():
        raise ProfileRefused(field, _("Control characters are not allowed."))
    return cleaned or None


def _country(code: str | None) -> str | None:
    cleaned = (code or "").strip().upper()
    if not cleaned:
        return None
    if cleaned not in dict(country_choices()):
        raise ProfileRefused("country", _("Choose a country from the list."))
    return cleaned


def _website(value: str | None) -> str | None:
    cleaned = _text("website", value)
    if cleaned is None:
        return None
    if "://" not in cleaned:
        cleaned = f"https://{cleaned}"
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in cleaned:
        raise ProfileRefused("website", _("Enter a web address such as https://example.com."))
    if len(cleaned) > LIMITS["website"]:
        raise ProfileRefused("website", _("At most %(max)d characters.", max=LIMITS["website"]))
    return cleaned


def _tax_id(company: Company, value: str | None) -> str | None:
    cleaned = _text("tax_id", value)
    if cleaned is None:
        return None
    key = tax_id_key(cleaned)
    if key is None:
        raise ProfileRefused("tax_id", _("A tax id has letters or digits."))
    taken = db.session.scalar(
        select(Company.id).where(Company.tax_id_key == key, Company.id != company.id)
    )
    if taken is not None:
        raise ProfileRefused("tax_id", tax_id_taken())
    return cleaned


def tax_id_taken() -> str:
    return str(
        _(
            "Another company is registered with this tax id. Check the number, or contact "
            "the distributor if your company is registered twice."
        )
    )


def clean(company: Company, entered: Profile) -> Profile:
    """The profile as it will be stored; raises ProfileRefused naming the first bad field."""
    name = _text("name", entered.name)
    if name is None:
        raise ProfileRefused("name", _("Enter the company's name."))
    return Profile(
        name=name,
        address_line=_text("address_line", entered.address_line),
        postal_code=_text("postal_code", entered.postal_code),
        city=_text("city", entered.city),
        country=_country(entered.country),
        tax_id=_tax_id(company, entered.tax_id),
        website=_website(entered.website),
    )


def update_profile(company: Company, entered: Profile, by: User, tenant_id: int) -> bool:
    """Store the profile (the caller commits); False when nothing changed.

    Raises ProfileRefused, changing nothing, for a bad value or a tax id another
    company has.
    """
    cleaned = clean(company, entered)
    before = profile_of(company)
    if cleaned == before:
        return False
    company.name = cleaned.name
    company.address_line = cleaned.address_line
    company.postal_code = cleaned.postal_code
    company.city = cleaned.city
    company.country = cleaned.country
    company.set_tax_id(cleaned.tax_id)
    company.website = cleaned.website
    record(
        "company.profile_changed",
        company,
        label=company.name,
        before=asdict(before),
        after=asdict(cleaned),
        tenant_id=tenant_id,
        company_id=company.id,
        actor=by,
    )
    return True
