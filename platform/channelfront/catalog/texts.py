"""Product names and descriptions per shipped locale: checking, saving and what is missing.

English is required (it is the storefront's fallback); every other locale is optional,
and an empty name removes that locale's text so the storefront falls back to English.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from channelfront.audit.service import record
from channelfront.catalog.models import Product, ProductText
from channelfront.extensions import db
from channelfront.i18n.locale import SHIPPED_LOCALES

MAX_NAME = 200
MAX_DESCRIPTION = 5000
FALLBACK = "en"


@dataclass(frozen=True)
class Text:
    """A product's name and description in one locale as typed."""

    name: str
    description: str = ""


def clean_name(name: str) -> str:
    """The name with runs of whitespace made single spaces."""
    return " ".join((name or "").split())


def check_text(locale: str, text: Text) -> dict[str, str]:
    """Errors by field ("name", "description", "locale") for one locale's text."""
    errors: dict[str, str] = {}
    if locale not in SHIPPED_LOCALES:
        errors["locale"] = _(
            "“%(locale)s” is not a language of the site: use one of %(locales)s.",
            locale=locale[:10],
            locales=", ".join(SHIPPED_LOCALES),
        )
    name = clean_name(text.name)
    if not name and locale == FALLBACK:
        errors["name"] = _("Enter the product's English name.")
    elif not name and text.description.strip():
        errors["name"] = _("A description needs a name in the same language.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Use at most %(num)d characters.", num=MAX_NAME)
    if len(text.description) > MAX_DESCRIPTION:
        errors["description"] = _("Use at most %(num)d characters.", num=MAX_DESCRIPTION)
    return errors


def texts_of(product: Product) -> dict[str, Text]:
    """The product's stored texts by locale."""
    return {t.locale: Text(t.name, t.description or "") for t in product.texts}


def apply_texts(product: Product, texts: Mapping[str, Text]) -> bool:
    """Set the given locales' texts (an empty name removes one); audit; True when changed.

    The caller has checked every text with :func:`check_text` and commits.
    """
    before = texts_of(product)
    rows = {t.locale: t for t in product.texts}
    for locale, text in texts.items():
        name, description = clean_name(text.name), text.description.strip()
        row = rows.get(locale)
        if not name:
            if row is not None:
                product.texts.remove(row)
        elif row is None:
            product.texts.append(ProductText(locale=locale, name=name, description=description))
        else:
            row.name, row.description = name, description
    after = texts_of(product)
    if after == before:
        return False
    record(
        "product.texts_changed",
        product,
        label=product.sku,
        before={loc: [t.name, t.description] for loc, t in before.items()},
        after={loc: [t.name, t.description] for loc, t in after.items()},
    )
    db.session.flush()
    return True


def missing_locales() -> dict[int, list[str]]:
    """Each product's shipped locales without a name, in shipped order (one query)."""
    present: dict[int, set[str]] = defaultdict(set)
    for product_id, locale in db.session.execute(
        select(ProductText.product_id, ProductText.locale)
    ):
        present[product_id].add(locale)
    ids = db.session.scalars(select(Product.id))
    return {
        pid: [loc for loc in SHIPPED_LOCALES if loc not in present[pid]]
        for pid in ids
        if len(present[pid] & set(SHIPPED_LOCALES)) < len(SHIPPED_LOCALES)
    }
