"""Rendering in the request's theme, theme static files and the tenant's logo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, send_file
from werkzeug.security import safe_join

from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.loader import themed_name
from channelfront.theming.packs import BASE_THEME, UnknownTheme, load_theme

bp = Blueprint("theming", __name__)

LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def active_theme_name() -> str:
    tenant = current_tenant()
    return tenant.theme if tenant else BASE_THEME


def render(template: str, **context: Any) -> str:
    """Render a page template in the theme of the request's tenant."""
    return render_template(themed_name(active_theme_name(), template), **context)


def brand() -> dict[str, Any]:
    """Theme settings with the tenant's colour overrides applied."""
    if "brand" in g:
        return g.brand
    try:
        theme = load_theme(current_app.config["THEMES_DIR"], active_theme_name())
    except UnknownTheme:
        theme = load_theme(current_app.config["THEMES_DIR"], BASE_THEME)
    colors = dict(theme.colors)
    tenant = current_tenant()
    if tenant and tenant.primary_color:
        colors["primary"] = tenant.primary_color
    if tenant and tenant.accent_color:
        colors["accent"] = tenant.accent_color
    g.brand = {"theme": theme, "colors": colors, "fonts": theme.fonts, "layout": theme.layout}
    return g.brand


@bp.route("/theme/<theme>/<path:filename>")
def theme_static(theme: str, filename: str):  # type: ignore[no-untyped-def]
    try:
        chain = load_theme(current_app.config["THEMES_DIR"], theme).chain
    except UnknownTheme:
        abort(404)
    for name in chain:
        path = safe_join(current_app.config["THEMES_DIR"], name, "static", filename)
        if path and Path(path).is_file():
            return send_file(path, max_age=3600)
    abort(404)


@bp.route("/brand/logo")
def tenant_logo():  # type: ignore[no-untyped-def]
    tenant = current_tenant()
    if tenant is None or not tenant.logo_file:
        abort(404)
    path = safe_join(current_app.config["TENANTS_DIR"], tenant.slug, tenant.logo_file)
    suffix = Path(path or "").suffix.lower()
    if not path or not Path(path).is_file() or suffix not in LOGO_TYPES:
        abort(404)
    return send_file(path, mimetype=LOGO_TYPES[suffix], max_age=3600)


def template_context() -> dict[str, Any]:
    """What every page template can use: tenant, site, brand, locale and language choices."""
    from babel import Locale
    from flask_babel import get_locale, gettext

    from channelfront.i18n.locale import offered_locales

    tenant = current_tenant()
    choices = [
        (code, Locale.parse(code).get_display_name(code).capitalize()) for code in offered_locales()
    ]
    return {
        "tenant": tenant,
        "site": g.get("site"),
        "brand": brand(),
        "current_locale": str(get_locale()),
        "language_choices": choices if g.get("site") else [],
        "site_name": tenant.name
        if tenant
        else gettext("Vendor console")
        if g.get("site")
        else "Channelfront",
    }
