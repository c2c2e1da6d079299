"""What a storefront looks like: a theme pack, or a stored theme's version over its pack.

``Tenant.theme`` names either a pack on disk or the slug of one of the vendor's stored
themes; a stored theme shows its published version. Packs win a name clash, and a slug
that is a pack's name is refused when a theme is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from channelfront.catalog.models import Product
from channelfront.catalog.services import texts_in
from channelfront.extensions import db
from channelfront.theming.contrast import WHITE, button_text_color
from channelfront.theming.fonts import FONTS
from channelfront.theming.models import StoreTheme, ThemeVersion
from channelfront.theming.packs import BASE_THEME, Theme, UnknownTheme, available_themes, load_theme


@dataclass(frozen=True)
class Look:
    """Everything a page or a mail needs to paint a storefront's brand."""

    pack: Theme
    colors: dict[str, str]
    fonts: dict[str, str]
    layout: dict[str, str]
    font_stylesheet: str | None = None
    logo_sha256: str | None = None
    banner: dict[str, str] = field(default_factory=dict)
    featured: tuple[str, ...] = ()


def _pack(themes_dir: str, name: str) -> Theme:
    try:
        return load_theme(themes_dir, name)
    except (UnknownTheme, ValueError):
        return load_theme(themes_dir, BASE_THEME)


def look_of_version(themes_dir: str, parent: str, version: ThemeVersion) -> Look:
    """A stored theme's version painted over its parent pack."""
    pack = _pack(themes_dir, parent)
    tokens: dict[str, Any] = version.tokens or {}
    colors = {**pack.colors, **{k: v for k, v in (tokens.get("colors") or {}).items() if v}}
    # Buttons of a stored theme carry white, or the text colour where white cannot be read.
    colors["on_accent"] = button_text_color(colors) or WHITE
    font = FONTS.get(str(tokens.get("font") or "system"))
    fonts = dict(pack.fonts)
    if font is not None and tokens.get("font") not in (None, "system"):
        fonts = {"body": font.stack, "heading": font.stack}
    layout = dict(pack.layout)
    if tokens.get("radius") is not None:
        layout["radius"] = f"{int(tokens['radius'])}px"
    if tokens.get("header") not in (None, "pack"):
        layout["header"] = str(tokens["header"])
    return Look(
        pack=pack,
        colors=colors,
        fonts=fonts,
        layout=layout,
        font_stylesheet=font.stylesheet if font else None,
        logo_sha256=version.logo.sha256 if version.logo else None,
        banner=dict(tokens.get("banner") or {}),
        featured=tuple(tokens.get("featured") or ()),
    )


def published_version(vendor_id: int, slug: str) -> tuple[StoreTheme, ThemeVersion] | None:
    """The stored theme of that slug and its published version (one query)."""
    row = db.session.execute(
        select(StoreTheme, ThemeVersion)
        .join(ThemeVersion, ThemeVersion.theme_id == StoreTheme.id)
        .where(
            StoreTheme.vendor_id == vendor_id,
            StoreTheme.slug == slug,
            ThemeVersion.number == StoreTheme.published_number,
        )
    ).first()
    return (row[0], row[1]) if row else None


def look_of(themes_dir: str, name: str, vendor_id: int | None) -> Look:
    """The look of the theme a tenant names: a pack, else a stored theme's published version."""
    if name in available_themes(themes_dir) or vendor_id is None:
        pack = _pack(themes_dir, name)
        return Look(
            pack=pack, colors=dict(pack.colors), fonts=dict(pack.fonts), layout=dict(pack.layout)
        )
    found = published_version(vendor_id, name)
    if found is None:
        return look_of(themes_dir, BASE_THEME, None)
    theme, version = found
    return look_of_version(themes_dir, theme.parent, version)


def theme_choices(themes_dir: str, vendor_id: int) -> list[tuple[str, str]]:
    """(value, label) of every theme a tenant may use: packs, then published stored themes."""
    packs = [(name, load_theme(themes_dir, name).label) for name in available_themes(themes_dir)]
    stored = db.session.execute(
        select(StoreTheme.slug, StoreTheme.name)
        .where(StoreTheme.vendor_id == vendor_id, StoreTheme.published_number.is_not(None))
        .order_by(StoreTheme.name)
    ).all()
    return packs + [(slug, name) for slug, name in stored]


def is_usable_theme(themes_dir: str, vendor_id: int, name: str) -> bool:
    """A pack, or a stored theme of the vendor with a published version."""
    return any(value == name for value, _label in theme_choices(themes_dir, vendor_id))


def featured_products(skus: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    """(sku, name in the locale) of the featured products still in the catalog, in order."""
    if not skus:
        return []
    products = db.session.execute(
        select(Product.id, Product.sku).where(Product.sku.in_(skus), Product.active.is_(True))
    ).all()
    texts = texts_in([pid for pid, _sku in products], locale)
    names = {sku: texts[pid].name if pid in texts else sku for pid, sku in products}
    return [(sku, names[sku]) for sku in skus if sku in names]
