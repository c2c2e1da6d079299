"""Rendering in the request's theme, theme static files and the tenant's logo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    send_file,
    url_for,
)
from sqlalchemy import select
from werkzeug.security import safe_join

from channelfront.demo import DEMO_TENANTS_DIR
from channelfront.extensions import db
from channelfront.tenancy.middleware import current_tenant
from channelfront.theming.loader import themed_name
from channelfront.theming.models import ThemeLogo
from channelfront.theming.packs import BASE_THEME, UnknownTheme, load_theme
from channelfront.theming.stored import Look, look_of

bp = Blueprint("theming", __name__)

LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def active_theme_name() -> str:
    """The theme pack the request's pages are rendered from (a stored theme's parent)."""
    return brand()["theme"].name


def render(template: str, **context: Any) -> str:
    """Render a page template in the theme of the request's tenant."""
    return render_template(themed_name(active_theme_name(), template), **context)


def _look() -> Look:
    preview = g.get("theme_preview")
    if preview is not None:
        return preview
    tenant = current_tenant()
    if tenant is None:
        return look_of(current_app.config["THEMES_DIR"], BASE_THEME, None)
    return look_of(current_app.config["THEMES_DIR"], tenant.theme, tenant.vendor_id)


def brand() -> dict[str, Any]:
    """The look of the request's storefront, with the tenant's colour overrides applied.

    A preview in the console (``g.theme_preview``) shows the theme as it is, without them.
    """
    if "brand" in g:
        return g.brand
    look = _look()
    colors = dict(look.colors)
    tenant = current_tenant()
    if tenant and g.get("theme_preview") is None:
        colors["primary"] = tenant.primary_color or colors["primary"]
        colors["accent"] = tenant.accent_color or colors["accent"]
    logo_url = url_for("theming.stored_logo", sha256=look.logo_sha256) if look.logo_sha256 else None
    g.brand = {
        "theme": look.pack,
        "colors": colors,
        "fonts": look.fonts,
        "layout": look.layout,
        "font_stylesheet": look.font_stylesheet,
        "logo_url": logo_url,
        "banner": look.banner,
        "featured": look.featured,
    }
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
    suffix = Path(tenant.logo_file).suffix.lower()
    # A manifest's logo sits beside it: in TENANTS_DIR, or in the demo's own folder.
    for folder in (current_app.config["TENANTS_DIR"], str(DEMO_TENANTS_DIR)):
        path = safe_join(folder, tenant.slug, tenant.logo_file)
        if path and Path(path).is_file() and suffix in LOGO_TYPES:
            return send_file(path, mimetype=LOGO_TYPES[suffix], max_age=3600)
    abort(404)


@bp.route("/brand/logos/<sha256>")
def stored_logo(sha256: str):  # type: ignore[no-untyped-def]
    """A stored theme's logo by content hash: the address changes when the logo does."""
    logo = db.session.scalar(select(ThemeLogo).where(ThemeLogo.sha256 == sha256[:64]))
    if logo is None:
        abort(404)
    response = make_response(logo.data)
    response.headers["Content-Type"] = logo.content_type
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    # An SVG opened on its own may not run anything, even if the sanitiser missed it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


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
