"""Which locale a request is rendered in.

Order: the signed-in user's saved choice, then the language switcher's cookie,
then the browser's Accept-Language (matched only against the tenant's locales),
then the tenant's default. A choice the tenant does not offer is ignored.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_login import current_user

from channelfront.tenancy.middleware import current_tenant

SHIPPED_LOCALES = ("en", "de", "fr", "es", "ja")
LOCALE_COOKIE = "locale"


def offered_locales() -> tuple[str, ...]:
    tenant = current_tenant()
    if tenant is None:
        return SHIPPED_LOCALES
    return tuple(code for code in tenant.locales if code in SHIPPED_LOCALES) or ("en",)


def default_locale() -> str:
    tenant = current_tenant()
    if tenant is None or tenant.default_locale not in SHIPPED_LOCALES:
        return "en"
    return tenant.default_locale


def select_locale() -> str:
    """The locale code for the current request (the tenant default outside requests)."""
    if not has_request_context():
        return "en"
    offered = offered_locales()
    saved = getattr(current_user, "locale", None) if current_user else None
    if saved in offered:
        return saved
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in offered:
        return cookie
    default = default_locale() if default_locale() in offered else offered[0]
    # The default first, so a wildcard or a tie in the browser's list picks it.
    ranked = [default, *(code for code in offered if code != default)]
    browser = request.accept_languages.best_match(ranked)
    if browser:
        return browser
    return default


def init_app(app: Flask) -> None:
    from channelfront.extensions import babel

    babel.init_app(app, locale_selector=select_locale)
