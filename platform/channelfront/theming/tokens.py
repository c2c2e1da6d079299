"""Design tokens of a stored theme: checked, normalised, and merged over the parent pack.

``clean_tokens`` takes what a form or an API body sent and returns the tokens to store
plus the errors by field; a colour pair under WCAG AA is an error naming the pair and
its ratio. Pure functions: no Flask request, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from channelfront.theming.contrast import WHITE, button_text_color, failing_pairs
from channelfront.theming.fonts import FONTS
from channelfront.theming.packs import COLOR, Theme

TOKEN_COLORS = ("primary", "accent", "surface", "text")
# "pack" keeps the parent pack's own header; the others are drawn by base.css.
HEADER_STYLES = ("pack", "flat", "underline")
MAX_RADIUS = 24
MAX_BANNER = 200
MAX_FEATURED = 8


def _color(raw: Mapping[str, Any], name: str, errors: dict[str, str]) -> str | None:
    value = str(raw.get(name) or "").strip()
    if not COLOR.match(value):
        errors[name] = _("Give the colour as #rrggbb, for example #0b4f6c.")
        return None
    return value.lower()


def _radius(raw: Mapping[str, Any], errors: dict[str, str]) -> int | None:
    text = str(raw.get("radius", "")).strip().removesuffix("px")
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_RADIUS:
        errors["radius"] = _(
            "Corner radius is a whole number of pixels from 0 to %(max)s.", max=MAX_RADIUS
        )
        return None
    return int(text)


def _banner(raw: Mapping[str, Any], locales: Sequence[str], errors: dict[str, str]) -> dict:
    banner = raw.get("banner") or {}
    if not isinstance(banner, Mapping):
        errors["banner"] = _("The banner is a text per language.")
        return {}
    texts = {}
    for locale, text in banner.items():
        if locale not in locales:
            errors["banner"] = _("%(code)s is not a shipped language.", code=str(locale)[:10])
            continue
        text = " ".join(str(text or "").split())
        if len(text) > MAX_BANNER:
            errors[f"banner_{locale}"] = _("At most %(max)s characters.", max=MAX_BANNER)
        elif text:
            texts[locale] = text
    return texts


def _featured(raw: Mapping[str, Any], known_skus: set[str], errors: dict[str, str]) -> list[str]:
    value = raw.get("featured") or []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        errors["featured"] = _("Featured products are a list of SKUs.")
        return []
    skus = list(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    unknown = [sku for sku in skus if sku not in known_skus]
    if unknown:
        errors["featured"] = _("No product with SKU %(skus)s.", skus=", ".join(unknown[:5])[:200])
    elif len(skus) > MAX_FEATURED:
        errors["featured"] = _("Feature at most %(max)s products.", max=MAX_FEATURED)
    return skus


def clean_tokens(
    raw: Mapping[str, Any], parent: Theme, locales: Sequence[str], known_skus: set[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The tokens to store, and the errors by field name (empty when all is well)."""
    errors: dict[str, str] = {}
    colors = {name: _color(raw.get("colors") or raw, name, errors) for name in TOKEN_COLORS}
    header = str(raw.get("header") or "pack")
    if header not in HEADER_STYLES:
        errors["header"] = _("Pick one of the header styles offered.")
    font = str(raw.get("font") or "system")
    if font not in FONTS:
        errors["font"] = _("Pick one of the fonts the product ships.")
    tokens = {
        "colors": colors,
        "radius": _radius(raw, errors),
        "header": header,
        "font": font,
        "banner": _banner(raw, locales, errors),
        "featured": _featured(raw, known_skus, errors),
    }
    if all(colors.values()):
        merged = {**parent.colors, **colors}
        merged["on_accent"] = button_text_color(merged) or WHITE
        if header == "pack" and parent.layout.get("header_color") == "accent":
            merged["on_accent"] = WHITE  # the pack's header carries white text on the accent
        for pair in failing_pairs(merged):
            field = pair.background_name if pair.background_name in colors else "text"
            errors.setdefault(
                field,
                _(
                    "%(fg)s text on %(bg)s %(color)s: %(ratio)s:1, needs 4.5:1",
                    fg=pair.foreground_name,
                    bg=pair.background_name,
                    color=pair.background,
                    ratio=f"{pair.ratio:.2f}",
                ),
            )
    return tokens, errors


def tokens_of(parent: Theme) -> dict[str, Any]:
    """Tokens that reproduce the parent pack: the starting point of a new theme."""
    radius = parent.layout.get("radius", "6px").removesuffix("px").removesuffix("rem")
    return {
        "colors": {name: parent.colors[name] for name in TOKEN_COLORS},
        "radius": int(radius) if radius.isdigit() else 6,
        "header": "pack",
        "font": "system",
        "banner": {},
        "featured": [],
    }
