"""Translated labels for stored codes (statuses, product kinds) shown in the console."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from channelfront.catalog.models import ProductKind
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.tenancy.models import TenantStatus

STATUS_LABELS = {
    TenantStatus.DRAFT.value: _l("Draft"),
    TenantStatus.LIVE.value: _l("Live"),
    TenantStatus.SUSPENDED.value: _l("Suspended"),
}

KIND_LABELS = {
    ProductKind.PERPETUAL.value: _l("Perpetual license"),
    ProductKind.SUBSCRIPTION.value: _l("Subscription"),
    ProductKind.SERVICE.value: _l("Service"),
}


# Region codes CLDR lists that are not countries a company can be registered in.
NOT_COUNTRIES = ("EU", "EZ", "UN", "QO", "XA", "XB", "ZZ")


def locale_choices() -> list[tuple[str, str]]:
    """The shipped locales, named in the language of the current page."""
    here = get_locale() or Locale("en")
    return [
        (code, f"{Locale.parse(code).get_display_name(here)} ({code})") for code in SHIPPED_LOCALES
    ]


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 alpha-2 countries, named and sorted in the language of the current page."""
    here = get_locale() or Locale("en")
    names = {
        code: name for code, name in here.territories.items() if len(code) == 2 and code.isalpha()
    }
    for code in NOT_COUNTRIES:
        names.pop(code, None)
    return sorted(names.items(), key=lambda item: item[1])
