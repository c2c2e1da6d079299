"""Stored themes in the console: the list, a new theme, the editor and publishing.

Vendor staff may look; vendor administrators create, save and publish, because a
published version shows at once on every storefront that uses the theme.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channelfront.admin.blueprint import attach_errors, bp, form_page, initial
from channelfront.admin.inputs import InvalidInput
from channelfront.admin.tenant_services import console_vendor
from channelfront.admin.theme_forms import HEADER_LABELS, NewThemeForm, ThemeForm
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.orders.view_support import actor
from channelfront.security import CSP
from channelfront.theming import editor, listing
from channelfront.theming.fonts import FONTS
from channelfront.theming.logos import MAX_BYTES as MAX_LOGO_BYTES
from channelfront.theming.models import StoreTheme, ThemeVersion
from channelfront.theming.packs import available_themes, load_theme
from channelfront.theming.tokens import HEADER_STYLES, TOKEN_COLORS
from channelfront.theming.views import render

WRITER_ROLE = "vendor_admin"
# The editor frames its own preview pages; everything else keeps the app's policy.
EDITOR_CSP = CSP.replace("frame-src ", "frame-src 'self' ")

# The storefront pages the editor previews (tabs over its frame).
PREVIEW_PAGES = ("home", "catalog", "cart", "mail")


def _writers_only() -> None:
    if current_user.role != WRITER_ROLE:
        abort(403, description=_("Only vendor administrators can change themes."))


def _vendor_id() -> int:
    vendor = console_vendor()
    if vendor is None:
        abort(404)
    return vendor.id


def theme_of(theme_id: int) -> StoreTheme:
    theme = db.session.get(StoreTheme, theme_id)
    if theme is None or theme.vendor_id != _vendor_id():
        abort(404)
    return theme


def _pack_choices() -> list[tuple[str, str]]:
    themes_dir = current_app.config["THEMES_DIR"]
    return [(name, load_theme(themes_dir, name).label) for name in available_themes(themes_dir)]


@bp.route("/themes")
def themes() -> str:
    """The vendor's stored themes, their published version and the tenants using them."""
    rows = listing.theme_rows(_vendor_id())
    labels = dict(_pack_choices())
    return render(
        "admin/themes/index.html",
        rows=rows,
        pack_labels=labels,
        may_write=current_user.role == WRITER_ROLE,
    )


@bp.route("/themes/new", methods=["GET", "POST"])
def new_theme() -> Response | tuple[str, int]:
    """Create a theme from a pack: version 1 copies the pack and is not published."""
    _writers_only()
    form = NewThemeForm()
    form.parent.choices = _pack_choices()
    if form.validate_on_submit():
        new = editor.NewTheme(
            name=form.name.data or "", slug=form.slug.data or "", parent=form.parent.data or ""
        )
        try:
            theme = editor.create_theme(
                _vendor_id(), actor(), new, current_app.config["THEMES_DIR"]
            )
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Theme %(name)s is created as version 1.", name=theme.name), "success")
            return redirect(url_for(".theme_editor", theme_id=theme.id))
    return form_page("admin/themes/new.html", form=form)


def _looked_at(theme: StoreTheme) -> ThemeVersion:
    """The version named by ``?version=``, else the latest: the form starts from it."""
    number = request.args.get("version", type=int)
    found = (
        listing.version_of(theme, number) if number is not None else listing.latest_version(theme)
    )
    if found is None:
        abort(404)
    return found


def _values(version: ThemeVersion) -> dict[str, Any]:
    tokens = version.tokens or {}
    colors = tokens.get("colors") or {}
    values: dict[str, Any] = {name: colors.get(name, "") for name in TOKEN_COLORS}
    values.update(
        radius=str(tokens.get("radius", "")),
        header=tokens.get("header") or "pack",
        font=tokens.get("font") or "system",
        featured=", ".join(tokens.get("featured") or ()),
    )
    banner = tokens.get("banner") or {}
    for locale in SHIPPED_LOCALES:
        values[f"banner_{locale}"] = banner.get(locale, "")
    return values


def _typed(form: ThemeForm) -> dict[str, Any]:
    raw: dict[str, Any] = {name: form[name].data or "" for name in TOKEN_COLORS}
    raw.update(
        radius=form.radius.data or "",
        header=form.header.data,
        font=form.font.data,
        featured=form.featured.data or "",
        banner={locale: form[f"banner_{locale}"].data or "" for locale in SHIPPED_LOCALES},
    )
    return raw


def _logo_change(form: ThemeForm) -> editor.LogoChange:
    upload = None
    if form.logo.data is not None:
        # Read one byte past the limit: enough to refuse a larger file without keeping it.
        with form.logo.data.stream as stream:
            upload = stream.read(MAX_LOGO_BYTES + 1)
    return editor.LogoChange(upload=upload, remove=bool(form.remove_logo.data))


def _editor_form(version: ThemeVersion) -> ThemeForm:
    form = ThemeForm(data=initial(_values(version)))
    form.header.choices = [(key, HEADER_LABELS[key]) for key in HEADER_STYLES]
    form.font.choices = [(key, font.label) for key, font in FONTS.items()]
    return form


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
def theme_editor(theme_id: int) -> Response:
    """Edit a theme: each save is a new version; the page previews and publishes versions."""
    theme = theme_of(theme_id)
    version = _looked_at(theme)
    if request.method == "POST":
        _writers_only()
    form = _editor_form(version)
    if form.validate_on_submit():
        try:
            saved = editor.save_version(
                theme,
                actor(),
                _typed(form),
                _logo_change(form),
                version,
                current_app.config["THEMES_DIR"],
                SHIPPED_LOCALES,
            )
        except InvalidInput as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(
                _(
                    "Version %(number)s of %(name)s is saved. "
                    "Publish it to show it on storefronts.",
                    number=saved.number,
                    name=theme.name,
                ),
                "success",
            )
            return redirect(url_for(".theme_editor", theme_id=theme.id, version=saved.number))
    body, status = form_page(
        "admin/themes/editor.html",
        form=form,
        theme=theme,
        version=version,
        versions=listing.version_rows(theme),
        tenants=editor.tenants_using(theme),
        pages=PREVIEW_PAGES,
        locales=SHIPPED_LOCALES,
        pack_label=dict(_pack_choices()).get(theme.parent, theme.parent),
        may_write=current_user.role == WRITER_ROLE,
    )
    response = make_response(body, status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.route("/themes/<int:theme_id>/versions/<int:number>/publish", methods=["POST"])
def publish_theme_version(theme_id: int, number: int) -> Response:
    """Show this version on every storefront using the theme; an earlier one rolls back."""
    theme = theme_of(theme_id)
    _writers_only()
    if listing.version_of(theme, number) is None:
        abort(404)
    changed = editor.publish_version(theme, number, actor())
    db.session.commit()
    if changed:
        flash(
            _(
                "Version %(number)s of %(name)s is published.",
                number=number,
                name=theme.name,
            ),
            "success",
        )
    else:
        flash(_("Version %(number)s is already the published one.", number=number), "info")
    return redirect(url_for(".theme_editor", theme_id=theme.id, version=number))
