"""Console forms of stored themes. They check shape; ``clean_tokens`` checks the rules.

Choices (packs, header styles, fonts) are filled in by the view before validation.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from channelfront.i18n.locale import SHIPPED_LOCALES
from channelfront.theming.logos import MAX_BYTES, MAX_SIDE
from channelfront.theming.tokens import MAX_FEATURED, MAX_RADIUS

HEADER_LABELS = {
    "pack": _l("The theme pack's own header"),
    "flat": _l("Flat bar in the primary colour"),
    "underline": _l("Primary bar underlined in the accent colour"),
}


class NewThemeForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the theme's name.")), Length(max=120)]
    )
    slug = StringField(
        _l("Slug"),
        description=_l(
            "2 to 40 lowercase letters, digits and dashes; tenants name the theme by it."
        ),
        validators=[DataRequired(_l("Enter a slug.")), Length(max=40)],
    )
    parent = SelectField(_l("Theme pack"), description=_l("The theme starts as this pack."))


RADIUS_ERROR = _l("Corner radius is a whole number of pixels from 0 to %(max)s.", max=MAX_RADIUS)


def _color(label: str) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=20)])


class ThemeForm(FlaskForm):
    primary = _color(_l("Primary colour (header)"))
    accent = _color(_l("Accent colour (buttons)"))
    surface = _color(_l("Surface colour (cards, tables)"))
    text = _color(_l("Text colour"))
    radius = StringField(
        _l("Corner radius"),
        description=_l("Pixels, from 0 to %(max)s.", max=MAX_RADIUS),
        # ASCII digits only: str.isdigit() takes "²", which int() cannot read (a 500).
        validators=[Length(max=10), Regexp(r"^\s*[0-9]*\s*(?:px)?\s*$", message=RADIUS_ERROR)],
    )
    header = SelectField(_l("Header style"))
    font = SelectField(_l("Font"))
    featured = StringField(
        _l("Featured products"),
        description=_l(
            "SKUs separated by commas, at most %(max)s; they are shown on the storefront's home.",
            max=MAX_FEATURED,
        ),
        validators=[Optional(), Length(max=1000)],
    )
    logo = FileField(
        _l("Logo"),
        description=_l(
            "PNG or SVG, at most %(size)s KB and %(side)s × %(side)s pixels. "
            "Without a file the current logo stays.",
            size=MAX_BYTES // 1024,
            side=MAX_SIDE,
        ),
    )
    remove_logo = BooleanField(_l("Remove the logo"))


def _add_banner_fields() -> None:
    for locale in SHIPPED_LOCALES:
        field = StringField(
            _l("Banner (%(locale)s)", locale=locale.upper()),
            validators=[Optional(), Length(max=400)],
        )
        setattr(ThemeForm, f"banner_{locale}", field)


_add_banner_fields()
