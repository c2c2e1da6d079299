"""Editing stored themes: create one, save a version, publish (or roll back), store logos.

Services take the vendor and the acting user as arguments and write through the session
without committing; the caller commits. Bad input raises ``InvalidInput`` naming each
field, and then nothing has been added to the session.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from channelfront.accounts.models import User
from channelfront.admin.inputs import InvalidInput
from channelfront.audit.service import record
from channelfront.catalog.models import Product
from channelfront.extensions import db
from channelfront.tenancy.models import Tenant
from channelfront.theming.logos import CheckedLogo, LogoRefused, check_logo
from channelfront.theming.models import StoreTheme, ThemeLogo, ThemeVersion
from channelfront.theming.packs import available_themes, load_theme
from channelfront.theming.tokens import clean_tokens, tokens_of

SLUG = re.compile(r"^[a-z0-9-]{2,40}$")
MAX_NAME = 120
# Two people saving the same theme at once: the loser of the unique (theme, number)
# constraint takes the next number. More collisions than this is not a race but a fault.
NUMBER_ATTEMPTS = 5


@dataclass(frozen=True)
class NewTheme:
    name: str
    slug: str
    parent: str


@dataclass(frozen=True)
class LogoChange:
    """What a save does to the logo: a new upload, remove it, or keep the base version's."""

    upload: bytes | None = None
    remove: bool = False


def _check_new(vendor_id: int, new: NewTheme, themes_dir: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not new.name.strip():
        errors["name"] = _("Enter the theme's name.")
    elif len(new.name.strip()) > MAX_NAME:
        errors["name"] = _("Use at most %(num)d characters.", num=MAX_NAME)
    packs = available_themes(themes_dir)
    if not SLUG.match(new.slug):
        errors["slug"] = _("Use 2 to 40 lowercase letters, digits and dashes.")
    elif new.slug in packs:
        errors["slug"] = _("%(slug)s is the name of a theme pack.", slug=new.slug)
    elif db.session.scalar(
        select(StoreTheme.id).where(StoreTheme.vendor_id == vendor_id, StoreTheme.slug == new.slug)
    ):
        errors["slug"] = _("A theme with the slug %(slug)s exists already.", slug=new.slug)
    if new.parent not in packs:
        errors["parent"] = _("Pick one of the theme packs.")
    return errors


def create_theme(vendor_id: int, actor: User, new: NewTheme, themes_dir: str) -> StoreTheme:
    """A new theme with version 1 copied from its parent pack; not published yet."""
    errors = _check_new(vendor_id, new, themes_dir)
    if errors:
        raise InvalidInput(errors)
    theme = StoreTheme(vendor_id=vendor_id, slug=new.slug, name=new.name.strip(), parent=new.parent)
    tokens = tokens_of(load_theme(themes_dir, new.parent))
    theme.versions.append(ThemeVersion(number=1, tokens=tokens, created_by_id=actor.id))
    db.session.add(theme)
    db.session.flush()
    record(
        "theme.created",
        theme,
        label=theme.name,
        after={"slug": theme.slug, "parent": theme.parent},
        actor=actor,
    )
    return theme


def store_logo(logo: CheckedLogo) -> ThemeLogo:
    """The stored logo with these bytes, added if new (the same file is kept once)."""
    sha256 = hashlib.sha256(logo.data).hexdigest()
    query = select(ThemeLogo).where(ThemeLogo.sha256 == sha256)
    found = db.session.scalar(query)
    if found is not None:
        return found
    row = ThemeLogo(sha256=sha256, content_type=logo.content_type, data=logo.data)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same file uploaded at the same moment by someone else
        found = db.session.scalar(query)
        if found is None:
            raise
        return found
    return row


def known_skus() -> set[str]:
    """SKUs a theme may feature: the active products."""
    return set(db.session.scalars(select(Product.sku).where(Product.active.is_(True))))


def _next_number(theme: StoreTheme) -> int:
    latest = db.session.scalar(
        select(func.max(ThemeVersion.number)).where(ThemeVersion.theme_id == theme.id)
    )
    return (latest or 0) + 1


def save_version(
    theme: StoreTheme,
    actor: User,
    raw: Mapping[str, Any],
    logo: LogoChange,
    base: ThemeVersion | None,
    themes_dir: str,
    locales: Sequence[str],
) -> ThemeVersion:
    """Check the tokens and the logo; store them as the theme's next version (unpublished).

    ``base`` is the version the form was filled from: its logo is kept unless the change
    says otherwise. Raises InvalidInput with every error by field, writing nothing.
    """
    tokens, errors = clean_tokens(raw, load_theme(themes_dir, theme.parent), locales, known_skus())
    checked = None
    if logo.upload is not None:
        try:
            checked = check_logo(logo.upload)
        except LogoRefused as refused:
            errors["logo"] = str(refused)
    if errors:
        raise InvalidInput(errors)
    logo_id = None if logo.remove else (base.logo_id if base else None)
    if checked is not None:
        logo_id = store_logo(checked).id
    for _attempt in range(NUMBER_ATTEMPTS):
        version = ThemeVersion(
            theme_id=theme.id,
            number=_next_number(theme),
            tokens=tokens,
            logo_id=logo_id,
            created_by_id=actor.id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(version)
        except IntegrityError:
            continue
        record(
            "theme.version_saved",
            theme,
            label=theme.name,
            after={"number": version.number, "tokens": tokens, "logo": logo_id},
            actor=actor,
        )
        return version
    raise InvalidInput({"form": _("Someone else is saving this theme. Try again.")})


def tenants_using(theme: StoreTheme) -> list[Tenant]:
    """The vendor's tenants whose storefronts show this theme, by name."""
    return list(
        db.session.scalars(
            select(Tenant)
            .where(Tenant.vendor_id == theme.vendor_id, Tenant.theme == theme.slug)
            .order_by(Tenant.name)
        )
    )


def publish_version(theme: StoreTheme, number: int, actor: User) -> bool:
    """Make a version the one storefronts show, at once; an earlier one is a rollback.

    Returns False when that version was already published (nothing changes).
    """
    before = theme.published_number
    if before == number:
        return False
    theme.published_number = number
    rollback = before is not None and number < before
    record(
        "theme.rolled_back" if rollback else "theme.published",
        theme,
        label=theme.name,
        before={"published_number": before},
        after={
            "published_number": number,
            "tenants": [tenant.slug for tenant in tenants_using(theme)],
        },
        actor=actor,
    )
    db.session.flush()
    return True
